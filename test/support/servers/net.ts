/**
 * The loopback network: free ports, bounded waits for readiness, an HTTP
 * client and in-process HTTP stubs.
 */
import * as http from "node:http";
import * as net from "node:net";
import { registry } from "./lifecycle";
import type { Stoppable } from "./lifecycle";
import { assertRunning } from "./process";
import type { ServerHandle } from "./process";

/** The only address servers bind to and clients connect to. */
export const LOOPBACK = "127.0.0.1";

/**
 * Binds `server` to 127.0.0.1 on a port the OS picks and resolves with that
 * port. Rejects on a listen error, or (closing `server`) with `unreadable`
 * when the bound address cannot be read.
 */
export function listenOnLoopback(server: net.Server, unreadable = "could not read the server's port"): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const addr = server.address();
      if (addr === null || typeof addr === "string") {
        server.close();
        reject(new Error(unreadable));
        return;
      }
      resolve(addr.port);
    });
  });
}

/** A TCP port that was free on 127.0.0.1 a moment ago (bind :0, read, close). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.unref();
  const port = await listenOnLoopback(srv, "could not read the bound port");
  return new Promise<number>((resolve, reject) => srv.close((err) => (err ? reject(err) : resolve(port))));
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

function isAddrInUse(logs: string): boolean {
  return /address already in use|EADDRINUSE/i.test(logs);
}

/**
 * Starts a server on a port from {@link freePort}: `launch(port)` starts it
 * and returns its handle and a `ready()` that waits for it. When `ready()`
 * rejects, the server is stopped; if its logs say the port was taken in the
 * meantime, it is tried again on a new port (3 attempts in all), otherwise
 * (or after the last attempt) the error is passed on.
 */
export async function startOnFreePort<T>(
  name: string,
  launch: (port: number) => Promise<{ handle: ServerHandle; ready: () => Promise<T> }>,
): Promise<T> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const { handle, ready } = await launch(await freePort());
    try {
      return await ready();
    } catch (err) {
      await handle.stop();
      lastError = err instanceof Error ? err : new Error(String(err));
      if (!isAddrInUse(handle.logs())) break;
    }
  }
  throw lastError ?? new Error(`${name} did not start`);
}

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
export async function startHttpStub(name: string): Promise<HttpStub> {
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
  const port = await listenOnLoopback(server, "could not read the stub's port");
  server.unref();
  const stub: HttpStub = {
    name,
    port,
    url: `http://${LOOPBACK}:${port}`,
    requestCount: () => seen.length,
    requests: () => [...seen],
    close: registeredClose(server),
  };
  return stub;
}

/**
 * A close function for an HTTP server, registered for `stopAll` until it has run: it closes the server
 * and its open connections once, however often it is called.
 */
export function registeredClose(server: http.Server): () => Promise<void> {
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    if (closing !== undefined) return closing;
    closing = new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    }).then(() => {
      registry.delete(stoppable);
    });
    return closing;
  };
  const stoppable: Stoppable = { stop: close };
  registry.add(stoppable);
  return close;
}
