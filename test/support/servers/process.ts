/**
 * Running programs without a shell: `runCommand` to completion, `startServer`
 * in the background (registered for `stopAll`). Both spawn through one helper.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { installExitHook, liveChildren, registry } from "./lifecycle";
import { isRoot, lookupUser } from "./users";
import type { OsUser } from "./users";

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

/**
 * The spawn shared by {@link runCommand} and {@link startServer}: runs `bin`
 * with an argv array (no shell) in `opts.cwd`, as `opts.user`, with `opts.env`
 * merged over `process.env` (see {@link RunOptions}). stderr is a pipe; stdout
 * is a pipe, or `opts.stdoutFile` opened for appending (the parent's copy of
 * that descriptor is closed once the child has it). `detached` puts the child
 * in its own process group. Throws when the user cannot be used or the file
 * cannot be opened.
 */
function spawnChild(
  bin: string,
  args: readonly string[],
  opts: Pick<RunOptions, "cwd" | "env" | "user" | "stdoutFile">,
  stdin: "pipe" | "ignore",
  detached: boolean,
): ChildProcess {
  const identity = identityFor(opts.user, opts.env, opts.cwd);
  const stdoutFd = opts.stdoutFile === undefined ? undefined : openStdoutFile(opts.stdoutFile);
  try {
    return spawn(bin, [...args], {
      cwd: opts.cwd,
      env: identity.env,
      uid: identity.uid,
      gid: identity.gid,
      stdio: [stdin, stdoutFd ?? "pipe", "pipe"],
      shell: false,
      detached,
    });
  } finally {
    if (stdoutFd !== undefined) fs.closeSync(stdoutFd);
  }
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
  return new Promise<RunResult>((resolve, reject) => {
    // Own process group, so a timeout also kills grandchildren (which would
    // otherwise keep the output pipes open). A throw here rejects the promise.
    const child = spawnChild(bin, args, opts, "pipe", true);
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
  const name = opts.name ?? path.basename(bin);
  const stopSignal = opts.stopSignal ?? "SIGTERM";
  const stopTimeoutMs = opts.stopTimeoutMs ?? 5_000;
  const maxLogBytes = opts.maxLogBytes ?? 1024 * 1024;
  const log = new CappedBuffer(maxLogBytes, true);
  const stdoutFile = opts.stdoutFile;
  const child = spawnChild(bin, args, opts, "ignore", false);
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

/** Throws, with the process's logs, when `handle` is given and its process has exited. */
export function assertRunning(handle: ServerHandle | undefined): void {
  if (handle !== undefined && !handle.isRunning()) {
    throw new Error(`${handle.name} exited before it was ready; its output:\n${handle.logs()}`);
  }
}
