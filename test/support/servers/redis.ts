/** Redis: a minimal RESP2 client, and `redis-server` started on a free port. */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { requireBinary } from "./binaries";
import { makeTempDir } from "./lifecycle";
import { LOOPBACK, startOnFreePort, waitForTcp } from "./net";
import { startServer } from "./process";
import type { ServerHandle } from "./process";

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
  /** Starts redis-server again with the same configuration (port, dir) after a stop; `handle` follows it. */
  restart(): Promise<void>;
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
  return startOnFreePort("redis-server", async (port) => {
    const dir = makeTempDir("genai-redis");
    const overrides = [
      "",
      "# --- overrides appended by test/support/servers/redis.ts ---",
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
    const launch = (): Promise<ServerHandle> => startServer(bin, [configFile], { cwd: dir, name: "redis-server" });
    const handle = await launch();
    return {
      handle,
      ready: async (): Promise<RedisServer> => {
        await waitForTcp(port, opts.timeoutMs ?? 10_000, handle);
        const server: RedisServer = {
          handle,
          host: LOOPBACK,
          port,
          dir,
          configFile,
          stop: () => server.handle.stop(),
          restart: async () => {
            await server.handle.stop();
            server.handle = await launch();
            await waitForTcp(port, opts.timeoutMs ?? 10_000, server.handle);
          },
        };
        return server;
      },
    };
  });
}
