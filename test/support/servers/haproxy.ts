/**
 * HAProxy: configs checked with `haproxy -c`, or run as in the load
 * balancer's container, in master-worker mode (`haproxy -W -db -f
 * <dir>/haproxy.cfg`) from a temp dir, listening on loopback only, and
 * reloaded by SIGUSR2 to the master; plus the stand-in upstream servers that
 * the load balancer tests put behind it.
 *
 * Name lookups stay on loopback. A `server` given by host name is resolved at
 * start through libc (`init-addr libc`), which asks the nameserver of
 * /etc/resolv.conf, not on loopback on every machine. So, when the tests run
 * as root, `unshare` is installed (util-linux) and a mount namespace can be
 * made (probed once), HAProxy (and `haproxy -c`) runs in a private mount
 * namespace whose /etc/resolv.conf names 127.0.0.254, where nothing
 * answers: libc lookups fail at once and never leave loopback, /etc/hosts
 * still applies, and the `resolvers` section's own nameserver (a dnsmasq from
 * `./dnsmasq`) is untouched. The master stays the spawned process (`unshare`
 * and `sh` both exec), so its pid is the one SIGUSR2 goes to. Without that
 * isolation, a config naming a server by host name is refused.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { findBinary, requireBinary } from "./binaries";
import { makeTempDir } from "./lifecycle";
import { LOOPBACK, registeredClose, waitFor, waitForTcp } from "./net";
import type { StubRequest } from "./net";
import { runCommand, startServer } from "./process";
import type { ServerHandle } from "./process";
import { isRoot } from "./users";

/** The file the config is written to in HAProxy's temp dir (the image's name for it). */
export const HAPROXY_CONFIG_FILE = "haproxy.cfg";

/** Where libc lookups go inside the namespace: a loopback address nothing listens on. */
const DEAD_END_NAMESERVER = "127.0.0.254";

const LINE_COMMENT = /#.*$/;

/** The config's lines without comments and surrounding blanks. */
function configLines(configText: string): string[] {
  return configText.split("\n").map((line) => line.replace(LINE_COMMENT, "").trim());
}

/** The addresses of the config's `bind` lines (first word after `bind`). */
export function haproxyBindAddresses(configText: string): string[] {
  return configLines(configText)
    .map((line) => /^bind\s+(\S+)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m[1]);
}

/** The addresses of the config's `server` lines (`server <name> <address> ...`). */
export function haproxyServerAddresses(configText: string): string[] {
  return configLines(configText)
    .map((line) => /^server\s+\S+\s+(\S+)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m[1]);
}

function isLoopbackBind(address: string): boolean {
  const plain = address.replace(/^(ipv4@|ipv6@|unix@)/, "");
  return /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(plain) || plain.startsWith("/") || address.startsWith("unix@");
}

/** True for an address libc resolves without asking a nameserver: an IP, a unix socket, localhost. */
function needsNoLookup(address: string): boolean {
  const host = address.replace(/^(ipv4@|ipv6@)/, "").replace(/:\d*$/, "");
  return host.startsWith("/") || host.startsWith("unix@") || host === "localhost" || net.isIP(host.replace(/^\[|\]$/g, "")) !== 0;
}

/** How HAProxy is launched: through `unshare` with a private resolv.conf when that works here. */
interface Launcher {
  readonly bin: string;
  prefix(haproxy: string, dir: string): string[];
}

/** The fixed script run by `sh -c` inside the namespace: $0 is the resolv.conf, "$@" the command; nothing is interpolated. */
function bindResolvConfScript(mount: string): string {
  return `${mount} --bind "$0" /etc/resolv.conf && exec "$@"`;
}

function writeResolvConf(dir: string): string {
  const resolvConf = path.join(dir, "resolv.conf");
  fs.writeFileSync(resolvConf, `nameserver ${DEAD_END_NAMESERVER}\noptions attempts:1 timeout:1\n`, { mode: 0o644 });
  return resolvConf;
}

let launcher: Promise<Launcher | null> | undefined;

/**
 * The isolating launcher, or null when the tests do not run as root, or
 * `unshare`/`mount` are missing, or a mount namespace cannot be made here (a
 * container without CAP_SYS_ADMIN): probed once by running the same wrapper
 * around `true`.
 */
function isolatingLauncher(): Promise<Launcher | null> {
  launcher ??= (async (): Promise<Launcher | null> => {
    const unshare = findBinary("unshare");
    const mount = findBinary("mount");
    const sh = findBinary("sh");
    const trueBin = findBinary("true");
    if (!isRoot() || unshare === undefined || mount === undefined || sh === undefined || trueBin === undefined) return null;
    const namespaceArgs = (resolvConf: string): string[] => ["--mount", "--propagation", "private", "--", sh, "-c", bindResolvConfScript(mount), resolvConf];
    const probeDir = makeTempDir("genai-haproxy-probe");
    const probe = await runCommand(unshare, [...namespaceArgs(writeResolvConf(probeDir)), trueBin], { timeoutMs: 10_000 });
    if (probe.code !== 0) return null;
    return { bin: unshare, prefix: (haproxy, dir) => [...namespaceArgs(writeResolvConf(dir)), haproxy] };
  })();
  return launcher;
}

/** Throws when HAProxy, given `configText`, would ask the machine's nameserver for a server's address. */
async function assertLookupsStayOnLoopback(configText: string): Promise<void> {
  if ((await isolatingLauncher()) !== null) return;
  const named = haproxyServerAddresses(configText).filter((a) => !needsNoLookup(a));
  if (named.length > 0) {
    throw new Error(
      `the config names servers by host name (${named.join(", ")}), which HAProxy resolves through libc and the machine's ` +
        "nameserver; that is only kept on loopback when the tests run as root, with unshare, where a mount namespace can be made",
    );
  }
}

/** The program and arguments that run `haproxy <args>` with libc lookups kept on loopback; throws if that cannot be ensured. */
async function haproxyCommand(configText: string, dir: string, args: readonly string[]): Promise<{ bin: string; args: string[] }> {
  const haproxy = requireBinary("haproxy");
  await assertLookupsStayOnLoopback(configText);
  const isolating = await isolatingLauncher();
  return isolating === null ? { bin: haproxy, args: [...args] } : { bin: isolating.bin, args: [...isolating.prefix(haproxy, dir), ...args] };
}

function makeHaproxyDir(configText: string): { dir: string; configFile: string } {
  const dir = makeTempDir("genai-haproxy");
  fs.chmodSync(dir, 0o755);
  const configFile = path.join(dir, HAPROXY_CONFIG_FILE);
  fs.writeFileSync(configFile, configText, { mode: 0o644 });
  return { dir, configFile };
}

/** Result of {@link haproxyCheck}. */
export interface HaproxyCheckResult {
  ok: boolean;
  code: number | null;
  /** HAProxy's stdout + stderr ("Configuration file is valid" / "[ALERT] ..."). */
  output: string;
  /** The file that was checked. */
  configFile: string;
}

/**
 * `haproxy -c -f <tmp>/haproxy.cfg` on `configText` (libc lookups kept on
 * loopback, see the module comment). Binds nothing.
 */
export async function haproxyCheck(configText: string, opts: { timeoutMs?: number } = {}): Promise<HaproxyCheckResult> {
  const { dir, configFile } = makeHaproxyDir(configText);
  const command = await haproxyCommand(configText, dir, ["-c", "-f", configFile]);
  const r = await runCommand(command.bin, command.args, { cwd: dir, timeoutMs: opts.timeoutMs ?? 15_000 });
  return { ok: r.code === 0, code: r.code, output: `${r.stdout}${r.stderr}`, configFile };
}

/** How many times the master has loaded a configuration (the start, then each reload), and failed to. */
export interface HaproxyLoads {
  readonly succeeded: number;
  readonly failed: number;
}

/** A HAProxy started by {@link startHaproxy}. */
export interface HaproxyServer {
  handle: ServerHandle;
  /** The master's pid, which SIGUSR2 reloads. */
  readonly pid: number;
  readonly host: string;
  /** The port waited for (first `bind`, or `opts.port`). */
  readonly port: number;
  /** The temp dir holding {@link HAPROXY_CONFIG_FILE}. */
  readonly dir: string;
  readonly configFile: string;
  /** The master's "Loading success." / "Loading failure!" notices so far. */
  loads(): HaproxyLoads;
  /** Waits until a configuration is loaded after `since`; rejects, with the logs, when loading fails instead. */
  waitForNextLoad(since: HaproxyLoads, timeoutMs?: number): Promise<void>;
  /**
   * Writes `configText` (if given) over the config file, sends SIGUSR2 to the
   * master and waits until the new configuration is loaded (see {@link waitForNextLoad}).
   */
  reload(configText?: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** SIGUSR2's number on Linux. */
const SIGUSR2_NUMBER = 12;

/** Whether process `pid` has a handler for signal `signal` (the SigCgt mask of /proc/<pid>/status). */
function catchesSignal(pid: number, signal: number): boolean {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return false;
  }
  const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status);
  return mask !== null && (BigInt(`0x${mask[1]}`) & (1n << BigInt(signal - 1))) !== 0n;
}

function countMatches(text: string, re: RegExp): number {
  return (text.match(re) ?? []).length;
}

function assertLoopbackBinds(configText: string): string[] {
  const binds = haproxyBindAddresses(configText);
  const bad = binds.filter((a) => !isLoopbackBind(a));
  if (bad.length > 0) {
    throw new Error(`HAProxy config binds non-loopback address(es) ${bad.join(", ")}; tests may only use 127.0.0.1:<port>`);
  }
  return binds;
}

/**
 * Starts HAProxy in master-worker mode in the foreground (`haproxy -W -db -f
 * <tmp>/haproxy.cfg`, libc lookups kept on loopback) and waits until the
 * first `bind` port (or `opts.port`) accepts TCP and the master reports its
 * first "Loading success.". Every `bind` must be on loopback (`127.x.x.x:<port>`,
 * `localhost:<port>`, `[::1]:<port>` or a unix socket), otherwise this throws
 * before starting anything. The config's `log stdout` lines go to
 * `<tmp>/stdout.log`, the master's and workers' notices to stderr; both are
 * in `handle.logs()`. Stopped with SIGTERM (workers stop at once).
 */
export async function startHaproxy(configText: string, opts: { port?: number; timeoutMs?: number } = {}): Promise<HaproxyServer> {
  const binds = assertLoopbackBinds(configText);
  let port = opts.port;
  if (port === undefined) {
    const first = binds.map((a) => /:(\d+)$/.exec(a)).find((m) => m !== null);
    if (first === undefined) throw new Error("startHaproxy: no TCP `bind` in the config; pass opts.port");
    port = Number(first[1]);
  }
  const { dir, configFile } = makeHaproxyDir(configText);
  const command = await haproxyCommand(configText, dir, ["-W", "-db", "-f", configFile]);
  const handle = await startServer(command.bin, command.args, { cwd: dir, name: "haproxy", stdoutFile: path.join(dir, "stdout.log") });
  const loads = (): HaproxyLoads => {
    const logs = handle.logs();
    return { succeeded: countMatches(logs, /: Loading success\./g), failed: countMatches(logs, /: Loading failure!/g) };
  };
  const waitForNextLoad = async (since: HaproxyLoads, timeoutMs = 10_000): Promise<void> => {
    await waitFor(
      () => {
        if (!handle.isRunning()) throw new Error(`haproxy exited; its output:\n${handle.logs()}`);
        const now = loads();
        if (now.failed > since.failed) throw new Error(`haproxy could not load its configuration:\n${handle.logs()}`);
        return now.succeeded > since.succeeded;
      },
      timeoutMs,
      25,
      "haproxy to load its configuration",
    ).catch((error: Error) => {
      throw new Error(`${error.message}; its output:\n${handle.logs()}`);
    });
  };
  const timeoutMs = opts.timeoutMs ?? 10_000;
  try {
    await waitForTcp(port, timeoutMs, handle);
    await waitForNextLoad({ succeeded: 0, failed: 0 }, timeoutMs);
    // The master reports its first load before it enters its loop and catches SIGUSR2: a reload sent in
    // between is lost (measured under load). Ready for reloads means SIGUSR2 is among its caught signals.
    await waitFor(() => catchesSignal(handle.pid, SIGUSR2_NUMBER), timeoutMs, 10, "the haproxy master to catch SIGUSR2");
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return {
    handle,
    pid: handle.pid,
    host: LOOPBACK,
    port,
    dir,
    configFile,
    loads,
    waitForNextLoad,
    reload: async (text, reloadTimeoutMs) => {
      if (text !== undefined) {
        assertLoopbackBinds(text);
        await assertLookupsStayOnLoopback(text);
        fs.writeFileSync(configFile, text, { mode: 0o644 });
      }
      const before = loads();
      process.kill(handle.pid, "SIGUSR2");
      await waitForNextLoad(before, reloadTimeoutMs);
    },
    stop: () => handle.stop(),
  };
}

/** Options of {@link startUpstreamStub}. */
export interface UpstreamStubOptions {
  /** The body of every answer, also sent as `x-served-by`. */
  name: string;
  /** The loopback address to listen on (127.x.y.z); default 127.0.0.1. */
  host?: string;
  /** The port; default: one the OS picks. */
  port?: number;
  /** Listen on this unix socket instead of TCP (`host` and `port` are then ignored). */
  socketPath?: string;
  /** Requests to this path are health checks: answered with `healthStatus` and counted apart. */
  healthPath?: string;
  /** Status of the health path's answers; default 200 (a 3xx also sends `Location: /`). */
  healthStatus?: number;
  /** Status of every other answer; default 200 (see {@link UpstreamStub.setStatus}). */
  status?: number;
}

/** An upstream server started by {@link startUpstreamStub}. */
export interface UpstreamStub {
  readonly name: string;
  readonly host: string;
  /** The TCP port; 0 on a unix socket. */
  readonly port: number;
  readonly socketPath?: string;
  /** The requests answered so far, health checks excluded, oldest first. */
  requests(): StubRequest[];
  requestCount(): number;
  /** Health checks answered so far. */
  healthChecks(): number;
  /** Changes the status of the answers to come (health checks excepted). */
  setStatus(status: number): void;
  /** Closes the server and its connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server standing in for a model server, Grafana or the Docker
 * API: every request is answered with body `name` and `x-served-by: name`,
 * with status `status`, except the health path. Idle connections are kept
 * well beyond HAProxy's reuse of them (65 s), so that a connection HAProxy
 * picks from its pool is never closed under it. Binds loopback or a unix
 * socket only. Registered for `stopAll`.
 */
export async function startUpstreamStub(opts: UpstreamStubOptions): Promise<UpstreamStub> {
  const host = opts.host ?? LOOPBACK;
  if (opts.socketPath === undefined && !/^127\.\d+\.\d+\.\d+$/.test(host)) {
    throw new Error(`startUpstreamStub: ${host} is not a loopback address`);
  }
  const seen: StubRequest[] = [];
  let healthChecks = 0;
  let status = opts.status ?? 200;
  const healthStatus = opts.healthStatus ?? 200;
  const server = http.createServer((req, res) => {
    const url = req.url ?? "";
    const isHealth = opts.healthPath !== undefined && url.split("?")[0] === opts.healthPath;
    if (isHealth) healthChecks++;
    else seen.push({ method: req.method ?? "", url, headers: req.headers });
    req.resume();
    req.on("end", () => {
      const code = isHealth ? healthStatus : status;
      const headers: http.OutgoingHttpHeaders = {
        "content-type": "text/plain; charset=utf-8",
        "content-length": Buffer.byteLength(opts.name),
        "x-served-by": opts.name,
      };
      if (code >= 300 && code < 400) headers.location = "/";
      res.writeHead(code, headers);
      res.end(opts.name);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (opts.socketPath !== undefined) server.listen(opts.socketPath, () => resolve());
    else server.listen(opts.port ?? 0, host, () => resolve());
  });
  server.unref();
  const address = server.address();
  const port = address !== null && typeof address === "object" ? address.port : 0;
  const stub: UpstreamStub = {
    name: opts.name,
    host,
    port,
    socketPath: opts.socketPath,
    requests: () => [...seen],
    requestCount: () => seen.length,
    healthChecks: () => healthChecks,
    setStatus: (next) => {
      status = next;
    },
    close: registeredClose(server),
  };
  return stub;
}
