/// <reference types="mocha" />
/**
 * Helpers for tests that run generated configuration files through the REAL
 * programs from Debian's packages (nginx, redis-server, PostgreSQL, promtool,
 * amtool). Install them with `sudo bash .ci/install-servers.sh`.
 *
 * Ground rules enforced here:
 *  - every server listens on 127.0.0.1 only, on a port from {@link freePort};
 *  - every server keeps its data in a fresh temp dir from {@link makeTempDir};
 *  - every wait/poll loop is bounded in time and in iterations;
 *  - no shell is involved: processes are spawned with an argv array.
 *
 * Lifecycle: servers and stubs started here are kept in a module registry.
 * A support file cannot install a root-level mocha hook, so EVERY test file
 * that starts something must call {@link stopAll} in its own `after()`:
 *
 *     after(async () => { await stopAll(); });
 *
 * As a safety net, spawned children do not keep the event loop alive, and a
 * `process.on("exit")` handler SIGKILLs whatever is still running and removes
 * the temp dirs (set GENAI_KEEP_TEMP=1 to keep temp dirs for debugging).
 *
 * Skipping: {@link requireBinaryOrSkip} skips a test when a program is not
 * installed, unless GENAI_REQUIRE_REAL_SERVERS=1 (CI sets it), in which case
 * the missing program is an error.
 */
import { spawn, execFileSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** The only address servers bind to and clients connect to. */
export const LOOPBACK = "127.0.0.1";

/** How to install the programs, quoted in skip/error messages. */
export const INSTALL_HINT = "sudo bash .ci/install-servers.sh";

/** Non-root OS user that runs PostgreSQL when the tests run as root. */
export const TEST_OS_USER = process.env.GENAI_TEST_USER ?? "genai-test";

/** Programs that live in /usr/lib/postgresql/<version>/bin. */
const POSTGRES_TOOLS: ReadonlySet<string> = new Set([
  "initdb",
  "postgres",
  "postmaster",
  "pg_ctl",
  "pg_isready",
  "psql",
  "createdb",
  "dropdb",
  "pg_dump",
  "pg_restore",
]);

/** Searched after PATH: sbin dirs are often missing from a non-root PATH. */
const SYSTEM_DIRS: readonly string[] = [
  "/usr/local/sbin",
  "/usr/local/bin",
  "/usr/sbin",
  "/usr/bin",
  "/sbin",
  "/bin",
];

// ---------------------------------------------------------------------------
// Binaries
// ---------------------------------------------------------------------------

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `/usr/lib/postgresql/<version>/bin` dirs that exist, newest version first
 * (e.g. `["/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"]`).
 */
export function postgresBinDirs(root = "/usr/lib/postgresql"): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return [];
  }
  return entries
    .filter((e) => /^\d+(\.\d+)?$/.test(e))
    .sort((a, b) => parseFloat(b) - parseFloat(a))
    .map((v) => path.join(root, v, "bin"))
    .filter((d) => {
      try {
        return fs.statSync(d).isDirectory();
      } catch {
        return false;
      }
    });
}

/**
 * Finds an executable by name. Search order: `extraDirs` (so a caller can
 * pin a version), then `$PATH`, then the usual system dirs (`/usr/sbin`
 * etc., where nginx lives), then `/usr/lib/postgresql/* /bin` newest first.
 * For PostgreSQL tools (initdb, postgres, psql, pg_isready, ...) the versioned
 * PostgreSQL dirs are searched before `$PATH` when `extraDirs` is not given,
 * which avoids Debian's `/usr/bin` pg_wrapper scripts.
 * A name containing `/` is checked as a path as is.
 * @returns the absolute path, or `undefined` if not found.
 */
export function findBinary(name: string, extraDirs?: string[]): string | undefined {
  if (name.includes("/")) return isExecutableFile(name) ? path.resolve(name) : undefined;
  const first = extraDirs ?? (POSTGRES_TOOLS.has(name) ? postgresBinDirs() : []);
  const pathDirs = (process.env.PATH ?? "").split(path.delimiter).filter((d) => d !== "");
  const seen = new Set<string>();
  for (const dir of [...first, ...pathDirs, ...SYSTEM_DIRS, ...postgresBinDirs()]) {
    if (seen.has(dir)) continue;
    seen.add(dir);
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** Like {@link findBinary} but throws an Error naming the install script. */
export function requireBinary(name: string, extraDirs?: string[]): string {
  const found = findBinary(name, extraDirs);
  if (found === undefined) {
    throw new Error(`required program "${name}" is not installed; install it with: ${INSTALL_HINT}`);
  }
  return found;
}

const warnedMissing = new Set<string>();

/**
 * Returns the path of `name`, or skips the current test/hook when it is
 * missing. With `GENAI_REQUIRE_REAL_SERVERS=1` (set by CI) a missing program
 * is an Error instead. When skipping, it warns once per program on stderr
 * (`skipped: <name> not installed; run sudo bash .ci/install-servers.sh`) and
 * appends the reason to the test's title, so mocha's pending list shows it.
 * Call it from `it()` or from `before()` (skips the whole suite).
 */
export function requireBinaryOrSkip(ctx: Mocha.Context, name: string, extraDirs?: string[]): string {
  const found = findBinary(name, extraDirs);
  if (found !== undefined) return found;
  if (process.env.GENAI_REQUIRE_REAL_SERVERS === "1") {
    throw new Error(
      `required program "${name}" is not installed (GENAI_REQUIRE_REAL_SERVERS=1); ` +
        `install it with: ${INSTALL_HINT}`,
    );
  }
  if (!warnedMissing.has(name)) {
    warnedMissing.add(name);
    console.warn(`skipped: ${name} not installed; run ${INSTALL_HINT}`);
  }
  // Mocha sets `type` ("test" | "hook") at run time; @types/mocha omits it.
  const runnable: { title: string; type?: unknown } | undefined = ctx.test;
  if (runnable !== undefined && runnable.type === "test") {
    runnable.title += ` (skipped: ${name} not installed)`;
  }
  return ctx.skip();
}

// ---------------------------------------------------------------------------
// Registry, temp dirs, exit safety net
// ---------------------------------------------------------------------------

interface Stoppable {
  stop(): Promise<void>;
}

const registry = new Set<Stoppable>();
const liveChildren = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function keepTemp(): boolean {
  return process.env.GENAI_KEEP_TEMP === "1";
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of liveChildren) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
    if (!keepTemp()) {
      for (const dir of tempDirs) {
        try {
          fs.rmSync(dir, { recursive: true, force: true });
        } catch {
          // best effort
        }
      }
    }
  });
}

/**
 * Creates a fresh directory under the OS temp dir (`/tmp/<prefix>-XXXXXX`),
 * registered for removal by {@link removeTempDir}/{@link cleanupTempDirs}/
 * {@link stopAll} and at process exit.
 */
export function makeTempDir(prefix: string): string {
  installExitHook();
  const safe = prefix.replace(/[^A-Za-z0-9._-]/g, "-") || "tmp";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${safe}-`));
  tempDirs.add(dir);
  return dir;
}

/** Removes one temp dir (recursively); a no-op with GENAI_KEEP_TEMP=1. */
export function removeTempDir(dir: string): void {
  tempDirs.delete(dir);
  if (keepTemp()) return;
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Removes every temp dir made by {@link makeTempDir} and not yet removed. */
export function cleanupTempDirs(): void {
  for (const dir of [...tempDirs]) removeTempDir(dir);
}

/**
 * Stops every server/stub started by this module that is still running,
 * then removes all temp dirs. Call it in each test file's `after()`.
 * Never rejects; safe to call repeatedly.
 */
export async function stopAll(): Promise<void> {
  const items = [...registry];
  await Promise.allSettled(items.map((s) => s.stop()));
  registry.clear();
  cleanupTempDirs();
}

// ---------------------------------------------------------------------------
// OS users
// ---------------------------------------------------------------------------

/** An OS account as listed by `getent passwd`. */
export interface OsUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** True when the test process runs as root. */
export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** Looks a user up with `getent passwd`; `undefined` if there is none. */
export function lookupUser(name: string): OsUser | undefined {
  let line: string;
  try {
    line = execFileSync("getent", ["passwd", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
  const fields = line.trim().split(":");
  if (fields.length < 7) return undefined;
  return { name: fields[0], uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] };
}

/**
 * Makes sure the non-root system user `name` exists (idempotent), creating
 * it with `useradd --system --no-create-home --user-group` when running as
 * root. Throws when it is missing and we are not root.
 */
export function ensureTestUser(name: string = TEST_OS_USER): OsUser {
  const existing = lookupUser(name);
  if (existing !== undefined) return existing;
  if (!isRoot()) throw new Error(`OS user "${name}" does not exist and only root can create it`);
  const useradd = requireBinary("useradd");
  try {
    execFileSync(
      useradd,
      ["--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "--user-group", name],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
  } catch (err) {
    // Exit status 9 = "username already in use" (another process won a race).
    if (lookupUser(name) === undefined) throw err;
  }
  const created = lookupUser(name);
  if (created === undefined) throw new Error(`useradd did not create OS user "${name}"`);
  return created;
}

/** Recursively chowns `target` (a file or dir tree) to `user`. */
export function chownTree(target: string, user: OsUser): void {
  fs.chownSync(target, user.uid, user.gid);
  if (fs.lstatSync(target).isDirectory()) {
    for (const entry of fs.readdirSync(target)) chownTree(path.join(target, entry), user);
  }
}

// ---------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------

/** Options of {@link runCommand}. */
export interface RunOptions {
  /** Working directory (default: the current one). */
  cwd?: string;
  /**
   * Merged over `process.env`; a key set to `undefined` is removed from the
   * child's environment.
   */
  env?: NodeJS.ProcessEnv;
  /** Kill (SIGKILL) the process after this long; default 30 000 ms. */
  timeoutMs?: number;
  /** Written to the child's stdin, which is then closed. */
  input?: string | Buffer;
  /**
   * Run as this OS user (needs root unless it is the current user). Uses
   * spawn's uid/gid options (libuv also drops supplementary groups); HOME,
   * USER and LOGNAME are set for that user.
   */
  user?: string;
  /** Per-stream cap on captured output; default 16 MiB. */
  maxOutputBytes?: number;
  /**
   * Send the program's stdout to this file (created, or appended to) instead of a pipe;
   * the result's `stdout` is then read back from it. See {@link StartServerOptions.stdoutFile}.
   */
  stdoutFile?: string;
}

/** Outcome of {@link runCommand}. */
export interface RunResult {
  /** Exit status, or `null` when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the timeout killed the process. */
  timedOut: boolean;
}

/**
 * Opens `file` for appending as a child's stdout. Node's `pipe` stdio is a socket pair, and a
 * program that opens `/dev/stdout` itself (nginx's `access_log /dev/stdout`) fails on a socket
 * with ENXIO; on a regular file, as on a container's pipe, that open works.
 */
function openStdoutFile(file: string): number {
  return fs.openSync(file, "a", 0o644);
}

/** The last `maxBytes` bytes of `file` as text, or "" if it cannot be read. */
function readFileTail(file: string, maxBytes: number): string {
  try {
    const size = fs.statSync(file).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    const fd = fs.openSync(file, "r");
    try {
      fs.readSync(fd, buffer, 0, length, size - length);
    } finally {
      fs.closeSync(fd);
    }
    const text = buffer.toString("utf8");
    return length < size ? `[...earlier output dropped...]\n${text}` : text;
  } catch {
    return "";
  }
}

interface SpawnIdentity {
  uid?: number;
  gid?: number;
  env: NodeJS.ProcessEnv;
}

function buildEnv(overrides: NodeJS.ProcessEnv | undefined, user: OsUser | undefined, home: string | undefined): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  if (user !== undefined) {
    merged.USER = user.name;
    merged.LOGNAME = user.name;
    merged.HOME = home ?? os.tmpdir();
  }
  for (const [k, v] of Object.entries(overrides ?? {})) merged[k] = v;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) env[k] = v;
  return env;
}

function identityFor(userName: string | undefined, envOverrides: NodeJS.ProcessEnv | undefined, cwd: string | undefined): SpawnIdentity {
  if (userName === undefined) return { env: buildEnv(envOverrides, undefined, undefined) };
  const user = lookupUser(userName);
  if (user === undefined) throw new Error(`OS user "${userName}" does not exist`);
  const myUid = typeof process.getuid === "function" ? process.getuid() : -1;
  if (user.uid === myUid) return { env: buildEnv(envOverrides, undefined, undefined) };
  if (!isRoot()) throw new Error(`cannot run a process as "${userName}": not root`);
  return { uid: user.uid, gid: user.gid, env: buildEnv(envOverrides, user, cwd) };
}

class CappedBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = false;
  constructor(private readonly cap: number, private readonly keepTail: boolean) {}
  push(chunk: Buffer): void {
    if (!this.keepTail) {
      if (this.size >= this.cap) {
        this.dropped = true;
        return;
      }
      const part = chunk.subarray(0, this.cap - this.size);
      if (part.length < chunk.length) this.dropped = true;
      this.chunks.push(part);
      this.size += part.length;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size > this.cap * 2) this.compact();
  }
  private compact(): void {
    const all = Buffer.concat(this.chunks);
    const tail = all.subarray(Math.max(0, all.length - this.cap));
    if (tail.length < all.length) this.dropped = true;
    this.chunks = [tail];
    this.size = tail.length;
  }
  toString(): string {
    if (this.keepTail && this.size > this.cap) this.compact();
    const text = Buffer.concat(this.chunks).toString("utf8");
    if (!this.dropped) return text;
    return this.keepTail ? `[...earlier output dropped...]\n${text}` : `${text}\n[...output truncated...]`;
  }
}

/**
 * Runs a program to completion without a shell. Never rejects because of the
 * exit status; rejects only when the program cannot be spawned.
 */
export function runCommand(bin: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const cap = opts.maxOutputBytes ?? 16 * 1024 * 1024;
  let identity: SpawnIdentity;
  try {
    identity = identityFor(opts.user, opts.env, opts.cwd);
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise<RunResult>((resolve, reject) => {
    const stdoutFd = opts.stdoutFile === undefined ? undefined : openStdoutFile(opts.stdoutFile);
    // Own process group, so a timeout also kills grandchildren (which would
    // otherwise keep the output pipes open).
    let child: ChildProcess;
    try {
      child = spawn(bin, [...args], {
        cwd: opts.cwd,
        env: identity.env,
        uid: identity.uid,
        gid: identity.gid,
        stdio: ["pipe", stdoutFd ?? "pipe", "pipe"],
        shell: false,
        detached: true,
      });
    } finally {
      if (stdoutFd !== undefined) fs.closeSync(stdoutFd);
    }
    const out = new CappedBuffer(cap, false);
    const err = new CappedBuffer(cap, false);
    let timedOut = false;
    let settled = false;
    let closeGrace: NodeJS.Timeout | undefined;
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (closeGrace !== undefined) clearTimeout(closeGrace);
      const stdout = opts.stdoutFile === undefined ? out.toString() : readFileTail(opts.stdoutFile, cap);
      resolve({ code, signal, stdout, stderr: err.toString(), timedOut });
    };
    child.stdout?.on("data", (c: Buffer) => out.push(c));
    child.stderr?.on("data", (c: Buffer) => err.push(c));
    child.stdin?.on("error", () => {
      // EPIPE when the program exits without reading its input: ignore.
    });
    child.once("error", (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`cannot run ${bin}: ${e.message}`));
    });
    // "close" waits for the output pipes; if a leftover grandchild holds them
    // open, give up on them 1 s after the program itself has exited.
    child.once("exit", (code, signal) => {
      closeGrace = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(code, signal);
      }, 1_000);
    });
    child.once("close", (code: number | null, signal: NodeJS.Signals | null) => finish(code, signal));
    child.stdin?.end(opts.input ?? "");
  });
}

/** Options of {@link startServer}. */
export interface StartServerOptions {
  cwd?: string;
  /** Merged over `process.env` as in {@link RunOptions.env}. */
  env?: NodeJS.ProcessEnv;
  /** Run as this OS user (see {@link RunOptions.user}). */
  user?: string;
  /** Label used in messages; default: the binary's base name. */
  name?: string;
  /** Signal for a clean stop; default SIGTERM (PostgreSQL uses SIGINT). */
  stopSignal?: NodeJS.Signals;
  /** How long {@link ServerHandle.stop} waits before SIGKILL; default 5000 ms. */
  stopTimeoutMs?: number;
  /** Size of the kept tail of stdout+stderr; default 1 MiB. */
  maxLogBytes?: number;
  /**
   * Send the program's stdout to this file (created, or appended to) instead of a pipe, for
   * programs that open `/dev/stdout` themselves: that fails with ENXIO when stdout is a socket,
   * as Node's pipes are, and works on a file as on a container's pipe. {@link ServerHandle.logs}
   * then returns stderr followed by the file's tail.
   */
  stdoutFile?: string;
}

/** A long-running process started by {@link startServer}. */
export interface ServerHandle {
  readonly name: string;
  readonly pid: number;
  /**
   * Sends the stop signal, waits up to `stopTimeoutMs`, then SIGKILLs.
   * Idempotent: later calls return the same promise. Never rejects.
   */
  stop(): Promise<void>;
  /** The process's stdout and stderr so far (interleaved, tail kept). */
  logs(): string;
  /** True until the process has exited. */
  isRunning(): boolean;
  /** Resolves when the process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function unrefStream(stream: unknown): void {
  if (stream instanceof net.Socket) stream.unref();
}

/**
 * Spawns a long-running program (no shell) and registers it for
 * {@link stopAll}. Resolves once the process has been spawned; readiness is
 * the caller's business (see {@link waitForTcp}/{@link waitFor}).
 */
export async function startServer(bin: string, args: readonly string[], opts: StartServerOptions = {}): Promise<ServerHandle> {
  installExitHook();
  const identity = identityFor(opts.user, opts.env, opts.cwd);
  const name = opts.name ?? path.basename(bin);
  const stopSignal = opts.stopSignal ?? "SIGTERM";
  const stopTimeoutMs = opts.stopTimeoutMs ?? 5_000;
  const maxLogBytes = opts.maxLogBytes ?? 1024 * 1024;
  const log = new CappedBuffer(maxLogBytes, true);
  const stdoutFile = opts.stdoutFile;
  const stdoutFd = stdoutFile === undefined ? undefined : openStdoutFile(stdoutFile);

  let child: ChildProcess;
  try {
    child = spawn(bin, [...args], {
      cwd: opts.cwd,
      env: identity.env,
      uid: identity.uid,
      gid: identity.gid,
      stdio: ["ignore", stdoutFd ?? "pipe", "pipe"],
      shell: false,
    });
  } finally {
    if (stdoutFd !== undefined) fs.closeSync(stdoutFd);
  }
  child.stdout?.on("data", (c: Buffer) => log.push(c));
  child.stderr?.on("data", (c: Buffer) => log.push(c));

  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      running = false;
      liveChildren.delete(child);
      resolve({ code, signal });
    });
  });

  await new Promise<void>((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", (e) => {
      running = false;
      reject(new Error(`cannot start ${name} (${bin}): ${e.message}`));
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${name}: no pid`);

  liveChildren.add(child);
  // Do not keep mocha alive if a test file forgets stopAll(); the exit hook
  // then SIGKILLs the process.
  child.unref();
  unrefStream(child.stdout);
  unrefStream(child.stderr);

  let stopping: Promise<void> | undefined;
  const handle: ServerHandle = {
    name,
    pid,
    exited,
    logs: () => (stdoutFile === undefined ? log.toString() : `${log.toString()}${readFileTail(stdoutFile, maxLogBytes)}`),
    isRunning: () => running,
    stop: () => {
      if (stopping !== undefined) return stopping;
      stopping = (async () => {
        if (running) {
          try {
            child.kill(stopSignal);
          } catch {
            // already gone
          }
          if (!(await settlesWithin(exited, stopTimeoutMs)) && running) {
            try {
              child.kill("SIGKILL");
            } catch {
              // already gone
            }
            await settlesWithin(exited, 2_000);
          }
        }
        registry.delete(handle);
      })();
      return stopping;
    },
  };
  registry.add(handle);
  return handle;
}

function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    p.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

// ---------------------------------------------------------------------------
// Ports and waiting
// ---------------------------------------------------------------------------

/** A TCP port that was free on 127.0.0.1 a moment ago (bind :0, read, close). */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, LOOPBACK, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === "string") {
        srv.close();
        reject(new Error("could not read the bound port"));
        return;
      }
      const port = addr.port;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `predicate` every `intervalMs` until it returns true; rejects after
 * `timeoutMs` (the loop is bounded by time and by iteration count). An
 * exception thrown by `predicate` aborts the wait and is passed on.
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  intervalMs = 50,
  description = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const maxIterations = Math.ceil(timeoutMs / Math.max(1, intervalMs)) + 1;
  for (let i = 0; i < maxIterations; i++) {
    if (await predicate()) return;
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
}

/** True if a TCP connection to 127.0.0.1:`port` succeeds within `timeoutMs`. */
export function canConnect(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: LOOPBACK, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Waits until 127.0.0.1:`port` accepts TCP connections. If `handle` is given
 * and its process exits first, rejects at once with the process's logs.
 */
export async function waitForTcp(port: number, timeoutMs = 10_000, handle?: ServerHandle): Promise<void> {
  await waitFor(
    async () => {
      assertRunning(handle);
      return canConnect(port, 500);
    },
    timeoutMs,
    50,
    `TCP ${LOOPBACK}:${port}`,
  );
}

function assertRunning(handle: ServerHandle | undefined): void {
  if (handle !== undefined && !handle.isRunning()) {
    throw new Error(`${handle.name} exited before it was ready; its output:\n${handle.logs()}`);
  }
}

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

/** A response read by {@link httpRequest}/{@link httpGet}. */
export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Options of {@link httpRequest}. */
export interface HttpRequestOptions {
  method?: string;
  path?: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string | Buffer;
  /** Whole-request timeout; default 5000 ms. */
  timeoutMs?: number;
}

/** One HTTP request to 127.0.0.1:`port` (no keep-alive, bounded by a timeout). */
export function httpRequest(port: number, opts: HttpRequestOptions = {}): Promise<HttpResponse> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  return new Promise<HttpResponse>((resolve, reject) => {
    const agent = new http.Agent({ keepAlive: false });
    let settled = false;
    const finish = (err: Error | undefined, res?: HttpResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      agent.destroy();
      if (err !== undefined) reject(err);
      else if (res !== undefined) resolve(res);
    };
    const req = http.request(
      { host: LOOPBACK, port, method: opts.method ?? "GET", path: opts.path ?? "/", headers: opts.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (e) => finish(e));
        res.on("end", () =>
          finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    const timer = setTimeout(() => {
      const e = new Error(`HTTP ${opts.method ?? "GET"} ${LOOPBACK}:${port}${opts.path ?? "/"} timed out after ${timeoutMs} ms`);
      req.destroy(e);
      finish(e);
    }, timeoutMs);
    req.on("error", (e) => finish(e));
    req.end(opts.body);
  });
}

/** `GET http://127.0.0.1:<port><path>`. */
export function httpGet(port: number, urlPath = "/", headers?: http.OutgoingHttpHeaders, timeoutMs = 5_000): Promise<HttpResponse> {
  return httpRequest(port, { method: "GET", path: urlPath, headers, timeoutMs });
}

/** A request seen by an {@link HttpStub}. */
export interface StubRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** An in-process HTTP server started by {@link startHttpStub}. */
export interface HttpStub {
  readonly name: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Number of requests answered so far. */
  requestCount(): number;
  /** The requests answered so far, oldest first. */
  requests(): StubRequest[];
  /** Closes the server and its connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1:<free port> that answers every request
 * with 200, body `name` and header `x-served-by: name` (a stand-in upstream
 * for nginx tests). Registered for {@link stopAll}.
 */
export function startHttpStub(name: string): Promise<HttpStub> {
  const seen: StubRequest[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    req.resume();
    req.on("end", () => {
      res.writeHead(200, {
        "content-type": "text/plain; charset=utf-8",
        "content-length": Buffer.byteLength(name),
        "x-served-by": name,
      });
      res.end(name);
    });
  });
  server.keepAliveTimeout = 1_000;
  return new Promise<HttpStub>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const addr = server.address();
      if (addr === null || typeof addr === "string") {
        server.close();
        reject(new Error("could not read the stub's port"));
        return;
      }
      server.unref();
      let closing: Promise<void> | undefined;
      const stub: HttpStub = {
        name,
        port: addr.port,
        url: `http://${LOOPBACK}:${addr.port}`,
        requestCount: () => seen.length,
        requests: () => [...seen],
        close: () => {
          if (closing !== undefined) return closing;
          closing = new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }).then(() => {
            registry.delete(stoppable);
          });
          return closing;
        },
      };
      const stoppable: Stoppable = { stop: () => stub.close() };
      registry.add(stoppable);
      resolve(stub);
    });
  });
}

// ---------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------

/** An error reply (`-ERR ...`, `-NOAUTH ...`) from Redis, returned, not thrown. */
export class RespError extends Error {
  /** First word of the message, e.g. `NOAUTH`, `WRONGPASS`, `ERR`. */
  readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = "RespError";
    this.code = message.split(" ", 1)[0] ?? "";
  }
}

/**
 * A parsed RESP reply: simple/bulk string -> string, integer -> number,
 * null bulk/array -> null, error -> {@link RespError}, array -> array.
 */
export type RespValue = string | number | null | RespError | RespValue[];

/** Encodes a command as a RESP array of bulk strings. */
export function encodeRespCommand(args: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(arg, "utf8");
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/**
 * Parses one RESP value from `buf` at `offset`. Returns the value and the
 * offset after it, or `undefined` if `buf` does not yet hold a whole value.
 */
export function parseResp(buf: Buffer, offset = 0): { value: RespValue; next: number } | undefined {
  if (offset >= buf.length) return undefined;
  const lineEnd = buf.indexOf("\r\n", offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[offset]);
  const line = buf.toString("utf8", offset + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case "+":
      return { value: line, next: after };
    case "-":
      return { value: new RespError(line), next: after };
    case ":":
      return { value: Number(line), next: after };
    case "_":
      return { value: null, next: after };
    case "$": {
      const len = Number(line);
      if (len < 0) return { value: null, next: after };
      if (buf.length < after + len + 2) return undefined;
      return { value: buf.toString("utf8", after, after + len), next: after + len + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items: RespValue[] = [];
      let pos = after;
      for (let i = 0; i < count; i++) {
        const item = parseResp(buf, pos);
        if (item === undefined) return undefined;
        items.push(item.value);
        pos = item.next;
      }
      return { value: items, next: pos };
    }
    default:
      throw new Error(`unsupported RESP type byte ${JSON.stringify(type)}`);
  }
}

/** A raw RESP connection to a local Redis (see {@link redisConnect}). */
export interface RedisConnection {
  /** Sends one command and resolves with its reply (errors are returned). */
  command(args: readonly string[]): Promise<RespValue>;
  close(): void;
}

/**
 * Opens a TCP connection to 127.0.0.1:`port` that speaks RESP2 directly
 * (no redis-cli, no npm client). Replies are matched to commands in order.
 * The socket is destroyed after `timeoutMs` of inactivity (default 5000 ms).
 */
export function redisConnect(port: number, timeoutMs = 5_000): Promise<RedisConnection> {
  return new Promise<RedisConnection>((resolve, reject) => {
    const socket = net.connect({ host: LOOPBACK, port });
    let buffer: Buffer = Buffer.alloc(0);
    const waiting: Array<{ resolve: (v: RespValue) => void; reject: (e: Error) => void }> = [];
    let failure: Error | undefined;
    let connected = false;

    const failAll = (err: Error): void => {
      failure ??= err;
      for (const w of waiting.splice(0)) w.reject(failure);
    };
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`redis 127.0.0.1:${port}: no reply within ${timeoutMs} ms`)));
    socket.on("data", (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      try {
        for (;;) {
          const parsed = parseResp(buffer, 0);
          if (parsed === undefined) break;
          buffer = buffer.subarray(parsed.next);
          const w = waiting.shift();
          if (w !== undefined) w.resolve(parsed.value);
        }
      } catch (e) {
        socket.destroy(e instanceof Error ? e : new Error(String(e)));
      }
    });
    socket.on("error", (e) => {
      failAll(e);
      if (!connected) reject(e);
    });
    socket.on("close", () => failAll(new Error(`redis 127.0.0.1:${port}: connection closed`)));
    socket.once("connect", () => {
      connected = true;
      resolve({
        command: (args) =>
          new Promise<RespValue>((res, rej) => {
            if (failure !== undefined || socket.destroyed) {
              rej(failure ?? new Error("connection closed"));
              return;
            }
            waiting.push({ resolve: res, reject: rej });
            socket.write(encodeRespCommand(args));
          }),
        close: () => {
          socket.end();
          socket.destroy();
        },
      });
    });
  });
}

/**
 * Runs one command on a fresh connection and returns its reply. With a
 * `password`, sends `AUTH <password>` first; if AUTH fails its error reply
 * is returned (and the command is not sent).
 *
 *     await redisCommand(port, ["PING"])                  // RespError NOAUTH... if requirepass is set
 *     await redisCommand(port, ["PING"], "s3cret")        // "PONG"
 *     await redisCommand(port, ["CONFIG", "GET", "maxmemory"], pw) // ["maxmemory", "268435456"]
 */
export async function redisCommand(port: number, args: readonly string[], password?: string): Promise<RespValue> {
  const conn = await redisConnect(port);
  try {
    if (password !== undefined) {
      const auth = await conn.command(["AUTH", password]);
      if (auth instanceof RespError) return auth;
    }
    return await conn.command(args);
  } finally {
    conn.close();
  }
}

/** A Redis started by {@link startRedis}. */
export interface RedisServer {
  handle: ServerHandle;
  host: string;
  port: number;
  /** Temp dir: config, `dir`, pidfile. */
  dir: string;
  configFile: string;
  stop(): Promise<void>;
}

function isAddrInUse(logs: string): boolean {
  return /address already in use|EADDRINUSE/i.test(logs);
}

/**
 * Starts `redis-server` with `configText` plus appended overrides (last one
 * wins in redis.conf): `port <free>`, `bind 127.0.0.1`, `dir <tmp>`,
 * `daemonize no`, `supervised no`, `pidfile <tmp>/redis.pid`, `logfile ""`
 * (log to stdout, see `handle.logs()`), and `unixsocket <tmp>/redis.sock` if
 * the config sets a unixsocket. Resolves when it accepts TCP connections.
 */
export async function startRedis(configText: string, opts: { timeoutMs?: number } = {}): Promise<RedisServer> {
  const bin = requireBinary("redis-server");
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = makeTempDir("genai-redis");
    const port = await freePort();
    const overrides = [
      "",
      "# --- overrides appended by test/support/servers.ts ---",
      `port ${port}`,
      `bind ${LOOPBACK}`,
      `dir ${dir}`,
      "daemonize no",
      "supervised no",
      `pidfile ${path.join(dir, "redis.pid")}`,
      'logfile ""',
    ];
    if (/^\s*unixsocket\s/m.test(configText)) overrides.push(`unixsocket ${path.join(dir, "redis.sock")}`);
    const configFile = path.join(dir, "redis.conf");
    fs.writeFileSync(configFile, `${configText}\n${overrides.join("\n")}\n`);
    const handle = await startServer(bin, [configFile], { cwd: dir, name: "redis-server" });
    try {
      await waitForTcp(port, opts.timeoutMs ?? 10_000, handle);
      return { handle, host: LOOPBACK, port, dir, configFile, stop: () => handle.stop() };
    } catch (err) {
      await handle.stop();
      lastError = err instanceof Error ? err : new Error(String(err));
      if (!isAddrInUse(handle.logs())) break;
    }
  }
  throw lastError ?? new Error("redis-server did not start");
}

// ---------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------

/** Environment for PostgreSQL programs: no inherited PG* settings. */
function pgEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_ALL: "C", LANG: "C", PGCONNECT_TIMEOUT: "5" };
  for (const key of Object.keys(process.env)) if (key.startsWith("PG") && key !== "PGCONNECT_TIMEOUT") env[key] = undefined;
  return { ...env, ...extra };
}

/** A PostgreSQL started by {@link startPostgres}. */
export interface PostgresServer {
  handle: ServerHandle;
  host: string;
  port: number;
  /** Database superuser created by initdb (`postgres`, trust auth). */
  superuser: string;
  /** OS user the server runs as (`genai-test` under root, else the current user). */
  osUser: string;
  dir: string;
  dataDir: string;
  socketDir: string;
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` */
  connectionString: string;
  stop(): Promise<void>;
}

/**
 * `initdb` a fresh cluster into a temp dir (superuser `postgres`, trust auth,
 * UTF8, C locale, --no-sync) and starts `postgres` on 127.0.0.1:<free port>
 * (unix socket in the temp dir; fsync off for speed). PostgreSQL refuses to
 * run as root, so under root the cluster belongs to, and the server runs as,
 * the system user {@link TEST_OS_USER} (created if missing). Resolves when
 * `pg_isready` succeeds. Stops with SIGINT (fast shutdown).
 */
export async function startPostgres(opts: { timeoutMs?: number; extraArgs?: string[] } = {}): Promise<PostgresServer> {
  const initdb = requireBinary("initdb");
  const postgres = requireBinary("postgres");
  const pgIsReady = requireBinary("pg_isready");
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const runAs = isRoot() ? ensureTestUser() : undefined;
  const osUser = runAs?.name ?? os.userInfo().username;

  const dir = makeTempDir("genai-pg");
  const dataDir = path.join(dir, "data");
  const socketDir = path.join(dir, "sock");
  fs.mkdirSync(socketDir);
  if (runAs !== undefined) chownTree(dir, runAs);

  const init = await runCommand(
    initdb,
    ["-D", dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
    { cwd: dir, env: pgEnv(), user: runAs?.name, timeoutMs: 60_000 },
  );
  if (init.code !== 0) {
    throw new Error(`initdb failed (exit ${String(init.code)}):\n${init.stdout}\n${init.stderr}`);
  }

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const handle = await startServer(
      postgres,
      [
        "-D", dataDir,
        "-k", socketDir,
        "-p", String(port),
        "-c", `listen_addresses=${LOOPBACK}`,
        "-c", "fsync=off",
        "-c", "synchronous_commit=off",
        "-c", "full_page_writes=off",
        ...(opts.extraArgs ?? []),
      ],
      { cwd: dir, env: pgEnv(), user: runAs?.name, name: "postgres", stopSignal: "SIGINT" },
    );
    try {
      await waitFor(
        async () => {
          assertRunning(handle);
          const r = await runCommand(pgIsReady, ["-h", LOOPBACK, "-p", String(port), "-U", "postgres", "-d", "postgres", "-t", "1"], {
            env: pgEnv(),
            timeoutMs: 3_000,
          });
          return r.code === 0;
        },
        timeoutMs,
        100,
        `postgres on ${LOOPBACK}:${port}`,
      );
      return {
        handle,
        host: LOOPBACK,
        port,
        superuser: "postgres",
        osUser,
        dir,
        dataDir,
        socketDir,
        connectionString: `postgresql://postgres@${LOOPBACK}:${port}/postgres`,
        stop: () => handle.stop(),
      };
    } catch (err) {
      await handle.stop();
      lastError = err instanceof Error ? err : new Error(String(err));
      if (!isAddrInUse(handle.logs())) break;
    }
  }
  throw lastError ?? new Error("postgres did not start");
}

/**
 * Runs `sql` with `psql -h 127.0.0.1 -p <port> -U postgres -d <db>
 * -v ON_ERROR_STOP=1 -X -q -At -f <file>` (the SQL is written to a temp
 * file first). Output is unaligned, tuples only: one row per line, columns
 * separated by `|`. A failing statement gives a non-zero `code` (3).
 */
export async function psql(port: number, sql: string, db = "postgres", opts: { timeoutMs?: number } = {}): Promise<RunResult> {
  const bin = requireBinary("psql");
  const dir = makeTempDir("genai-psql");
  try {
    const file = path.join(dir, "input.sql");
    fs.writeFileSync(file, sql);
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(file, 0o644);
    return await runCommand(
      bin,
      ["-h", LOOPBACK, "-p", String(port), "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-At", "-f", file],
      { cwd: dir, env: pgEnv(), timeoutMs: opts.timeoutMs ?? 30_000 },
    );
  } finally {
    removeTempDir(dir);
  }
}

// ---------------------------------------------------------------------------
// nginx
// ---------------------------------------------------------------------------

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
    const injected = `\n    # --- injected by test/support/servers.ts ---\n    ${lines.join("\n    ")}\n`;
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

// ---------------------------------------------------------------------------
// promtool / amtool
// ---------------------------------------------------------------------------

/** `promtool <args>` (e.g. `["check", "config", file]`, `["test", "rules", file]`). */
export function promtool(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return runCommand(requireBinary("promtool"), args, { timeoutMs: 30_000, ...opts });
}

/** `amtool <args>` (e.g. `["check-config", file]`). */
export function amtool(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return runCommand(requireBinary("amtool"), args, { timeoutMs: 30_000, ...opts });
}
