/**
 * Helpers for tests that run generated configuration files through the REAL
 * programs from Debian's packages (HAProxy, dnsmasq, redis-server, PostgreSQL,
 * promtool, amtool). Install them with `sudo bash .ci/install-servers.sh`.
 *
 * Ground rules enforced here:
 *  - every server listens on loopback only: 127.0.0.1 on a port from
 *    {@link freePort}, or another 127.x.y.z address a test asks for (an
 *    upstream stub that "moves"), or a unix socket in a temp dir;
 *  - every server keeps its data in a fresh temp dir from {@link makeTempDir};
 *  - every wait/poll loop is bounded in time and in iterations;
 *  - no shell is involved: processes are spawned with an argv array (the one
 *    exception: `haproxy` runs as `unshare ... sh -c '<fixed script>' <args>`
 *    to get a private /etc/resolv.conf, its arguments passed as "$@", see
 *    `haproxy.ts`);
 *  - DNS stays on loopback too: dnsmasq forwards nothing, and HAProxy's libc
 *    lookups of server names never reach the machine's nameserver.
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
 * `haproxy` (with the upstream stubs put behind it), `dnsmasq`, `tools`
 * (promtool, amtool), `prometheus` (Prometheus and Alertmanager servers). This index is the public API; names a module exports
 * for its siblings only are not re-exported.
 */
export { INSTALL_HINT, findBinary, postgresBinDirs, requireBinary, requireBinaryOrSkip } from "./binaries";
export { TEST_OS_USER, chownTree, ensureTestUser, isRoot, lookupUser } from "./users";
export type { OsUser } from "./users";
export { cleanupTempDirs, makeTempDir, removeTempDir, stopAll } from "./lifecycle";
export { runCommand, startServer } from "./process";
export type { RunOptions, RunResult, ServerHandle, StartServerOptions } from "./process";
export { LOOPBACK, canConnect, freePort, httpGet, httpRequest, listenOnLoopback, registeredClose, startHttpStub, waitFor, waitForTcp } from "./net";
export type { HttpRequestOptions, HttpResponse, HttpStub, StubRequest } from "./net";
export { RespError, encodeRespCommand, parseResp, redisCommand, redisConnect, startRedis } from "./redis";
export type { RedisConnection, RedisServer, RespValue } from "./redis";
export { psql, startPostgres } from "./postgres";
export type { PostgresServer } from "./postgres";
export {
  HAPROXY_CONFIG_FILE,
  haproxyBindAddresses,
  haproxyCheck,
  haproxyServerAddresses,
  startHaproxy,
  startUpstreamStub,
} from "./haproxy";
export type { HaproxyCheckResult, HaproxyLoads, HaproxyServer, UpstreamStub, UpstreamStubOptions } from "./haproxy";
export { startDnsmasq } from "./dnsmasq";
export type { DnsRecords, DnsmasqServer } from "./dnsmasq";
export { amtool, promtool } from "./tools";
export { startAlertmanager, startPrometheus } from "./prometheus";
export type { AlertmanagerServer, PrometheusServer } from "./prometheus";
