/**
 * nginx: configs checked with `nginx -t` or run in the foreground, each in a
 * temp prefix, and only ever listening on loopback.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { requireBinary } from "./binaries";
import { makeTempDir } from "./lifecycle";
import { LOOPBACK, waitForTcp } from "./net";
import { runCommand, startServer } from "./process";
import type { ServerHandle } from "./process";

/** Per-instance temp path directives injected by {@link prepareNginxConfig}. */
const NGINX_TEMP_PATHS: ReadonlyArray<[string, string]> = [
  ["client_body_temp_path", "client_body_temp"],
  ["proxy_temp_path", "proxy_temp"],
  ["fastcgi_temp_path", "fastcgi_temp"],
  ["uwsgi_temp_path", "uwsgi_temp"],
  ["scgi_temp_path", "scgi_temp"],
];

function stripNginxComments(text: string): string {
  return text.replace(/#[^\n]*/g, "");
}

function hasNginxDirective(text: string, directive: string): boolean {
  return new RegExp(`(^|[\\s;{}])${directive}\\s`).test(stripNginxComments(text));
}

/**
 * Returns the config nginx is actually given: `configText` with, inside the
 * first `http {` block, any of `client_body_temp_path`, `proxy_temp_path`,
 * `fastcgi_temp_path`, `uwsgi_temp_path`, `scgi_temp_path` that it does not
 * set pointed into `prefix`, and `access_log <prefix>/logs/access.log` if it
 * sets no access_log at all. Without this, Debian's build uses the shared
 * /var/lib/nginx/* and /var/log/nginx/access.log, which a non-root user
 * cannot write. Nothing else is changed.
 */
export function prepareNginxConfig(configText: string, prefix: string): string {
  const lines: string[] = [];
  for (const [directive, dirName] of NGINX_TEMP_PATHS) {
    if (!hasNginxDirective(configText, directive)) lines.push(`${directive} ${path.join(prefix, dirName)};`);
  }
  if (!hasNginxDirective(configText, "access_log")) lines.push(`access_log ${path.join(prefix, "logs", "access.log")};`);
  if (lines.length === 0) return configText;
  const re = /(^|[\s;}])http\s*\{/g;
  for (let m = re.exec(configText); m !== null; m = re.exec(configText)) {
    const lineStart = configText.lastIndexOf("\n", m.index) + 1;
    if (configText.slice(lineStart, m.index + m[0].length).includes("#")) continue; // inside a comment
    const at = m.index + m[0].length;
    const injected = `\n    # --- injected by test/support/servers/nginx.ts ---\n    ${lines.join("\n    ")}\n`;
    return configText.slice(0, at) + injected + configText.slice(at);
  }
  return configText; // no http block (e.g. stream only): leave as is
}

/** The `listen` addresses of a config (comments ignored). */
export function nginxListenAddresses(configText: string): string[] {
  const out: string[] = [];
  const re = /(^|[\s;{}])listen\s+([^\s;]+)[^;]*;/g;
  const text = stripNginxComments(configText);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[2]);
  return out;
}

function isLoopbackListen(addr: string): boolean {
  return /^(127\.\d+\.\d+\.\d+(:\d+)?|localhost(:\d+)?|\[::1\](:\d+)?|unix:.*)$/.test(addr);
}

let nginxHasDashE: boolean | undefined;

async function nginxArgs(bin: string, prefix: string, configFile: string, configText: string): Promise<string[]> {
  if (nginxHasDashE === undefined) {
    const help = await runCommand(bin, ["-h"], { timeoutMs: 10_000 });
    nginxHasDashE = /^\s*-e\s/m.test(help.stdout + help.stderr);
  }
  const globals: string[] = [];
  if (!hasNginxDirective(configText, "daemon")) globals.push("daemon off;");
  if (!hasNginxDirective(configText, "pid")) globals.push(`pid ${path.join(prefix, "nginx.pid")};`);
  const args = ["-p", `${prefix}/`, "-c", configFile];
  if (nginxHasDashE) args.push("-e", "stderr");
  if (globals.length > 0) args.push("-g", globals.join(" "));
  return args;
}

function makeNginxPrefix(configText: string): { prefix: string; configFile: string } {
  const prefix = makeTempDir("genai-nginx");
  // Workers run as "nobody" (or the config's `user`) when the master is root:
  // they must be able to traverse the prefix.
  fs.chmodSync(prefix, 0o755);
  fs.mkdirSync(path.join(prefix, "logs"), { mode: 0o755 });
  const configFile = path.join(prefix, "nginx.conf");
  fs.writeFileSync(configFile, prepareNginxConfig(configText, prefix));
  return { prefix, configFile };
}

/**
 * nginx's stdout: a file in its prefix, so that a config logging to `/dev/stdout` (as in a
 * container) works; see {@link StartServerOptions.stdoutFile}.
 */
function nginxStdoutFile(prefix: string): string {
  return path.join(prefix, "logs", "stdout.log");
}

/** Result of {@link nginxTest}. */
export interface NginxTestResult {
  ok: boolean;
  code: number | null;
  /** nginx's stdout + stderr ("syntax is ok" / "[emerg] ..."). */
  output: string;
  /** The file that was tested (after {@link prepareNginxConfig}). */
  configFile: string;
}

/**
 * `nginx -t -p <tmp>/ -c <tmp>/nginx.conf [-e stderr] [-g "daemon off; pid <tmp>/nginx.pid;"]`
 * on `configText` (after {@link prepareNginxConfig}). `-g` only adds `pid`
 * / `daemon` when the config does not set them itself (nginx rejects
 * duplicates). Binds no sockets. Its stdout goes to `<tmp>/logs/stdout.log`, read back
 * into `output`.
 */
export async function nginxTest(configText: string, opts: { timeoutMs?: number } = {}): Promise<NginxTestResult> {
  const bin = requireBinary("nginx");
  const { prefix, configFile } = makeNginxPrefix(configText);
  const args = ["-t", ...(await nginxArgs(bin, prefix, configFile, configText))];
  const r = await runCommand(bin, args, { cwd: prefix, timeoutMs: opts.timeoutMs ?? 15_000, stdoutFile: nginxStdoutFile(prefix) });
  return { ok: r.code === 0, code: r.code, output: `${r.stdout}${r.stderr}`, configFile };
}

/** An nginx started by {@link startNginx}. */
export interface NginxServer {
  handle: ServerHandle;
  host: string;
  /** The port waited for (first `listen`, or `opts.port`). */
  port: number;
  prefix: string;
  configFile: string;
  stop(): Promise<void>;
}

/**
 * Starts nginx in the foreground with `configText` in a temp prefix (see
 * {@link nginxTest} for the command line and {@link prepareNginxConfig} for
 * the injected temp paths), and waits until the first `listen` port (or
 * `opts.port`) accepts TCP. Every `listen` must be on loopback
 * (`127.x.x.x:<port>`, `localhost:<port>`, `[::1]:<port>` or `unix:`),
 * otherwise this throws before starting anything. The config must not set
 * `daemon on`; logs go to stderr (`handle.logs()`) unless it sets
 * `error_log` itself. Its stdout (e.g. `access_log /dev/stdout`) goes to
 * `<prefix>/logs/stdout.log`, whose tail `handle.logs()` includes. Under root, workers run as the config's `user`, or
 * `nobody` (the compiled default) when it sets none.
 */
export async function startNginx(configText: string, opts: { port?: number; timeoutMs?: number } = {}): Promise<NginxServer> {
  const listens = nginxListenAddresses(configText);
  const bad = listens.filter((a) => !isLoopbackListen(a));
  if (bad.length > 0) {
    throw new Error(`nginx config listens on non-loopback address(es) ${bad.join(", ")}; tests may only use 127.0.0.1:<port>`);
  }
  let port = opts.port;
  if (port === undefined) {
    for (const a of listens) {
      const m = /:(\d+)$/.exec(a);
      if (m !== null && !a.startsWith("unix:")) {
        port = Number(m[1]);
        break;
      }
    }
  }
  if (port === undefined) throw new Error("startNginx: no TCP `listen` in the config; pass opts.port");
  const bin = requireBinary("nginx");
  const { prefix, configFile } = makeNginxPrefix(configText);
  const args = await nginxArgs(bin, prefix, configFile, configText);
  const handle = await startServer(bin, args, { cwd: prefix, name: "nginx", stdoutFile: nginxStdoutFile(prefix) });
  try {
    await waitForTcp(port, opts.timeoutMs ?? 10_000, handle);
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return { handle, host: LOOPBACK, port, prefix, configFile, stop: () => handle.stop() };
}
