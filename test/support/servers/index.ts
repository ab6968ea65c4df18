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
 *
 * Modules: `binaries` (finding programs), `users` (OS accounts), `lifecycle`
 * (registry, temp dirs, {@link stopAll}), `process` (running programs), `net`
 * (ports, waiting, HTTP), then one module per program: `redis`, `postgres`,
 * `nginx`, `tools` (promtool, amtool). This index is the public API; names a
 * module exports for its siblings only are not re-exported.
 */
export { INSTALL_HINT, findBinary, postgresBinDirs, requireBinary, requireBinaryOrSkip } from "./binaries";
export { TEST_OS_USER, chownTree, ensureTestUser, isRoot, lookupUser } from "./users";
export type { OsUser } from "./users";
export { cleanupTempDirs, makeTempDir, removeTempDir, stopAll } from "./lifecycle";
export { runCommand, startServer } from "./process";
export type { RunOptions, RunResult, ServerHandle, StartServerOptions } from "./process";
export { LOOPBACK, canConnect, freePort, httpGet, httpRequest, startHttpStub, waitFor, waitForTcp } from "./net";
export type { HttpRequestOptions, HttpResponse, HttpStub, StubRequest } from "./net";
export { RespError, encodeRespCommand, parseResp, redisCommand, redisConnect, startRedis } from "./redis";
export type { RedisConnection, RedisServer, RespValue } from "./redis";
export { psql, startPostgres } from "./postgres";
export type { PostgresServer } from "./postgres";
export { nginxListenAddresses, nginxTest, prepareNginxConfig, startNginx } from "./nginx";
export type { NginxServer, NginxTestResult } from "./nginx";
export { amtool, promtool } from "./tools";
