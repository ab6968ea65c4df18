import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  RespError,
  amtool,
  canConnect,
  findBinary,
  freePort,
  httpGet,
  haproxyCheck,
  makeTempDir,
  promtool,
  psql,
  redisCommand,
  requireBinaryOrSkip,
  runCommand,
  startDnsmasq,
  startHaproxy,
  startHttpStub,
  startPostgres,
  startRedis,
  startServer,
  stopAll,
  waitFor,
} from "./servers";

describe("test/support/servers", function () {
  this.timeout(20_000);

  after(async () => {
    await stopAll();
  });

  describe("basics", () => {
    it("freePort returns distinct bindable loopback ports", async () => {
      const a = await freePort();
      const b = await freePort();
      expect(a).to.be.within(1024, 65535);
      expect(b).to.be.within(1024, 65535);
      expect(await canConnect(a, 200)).to.equal(false);
    });

    it("makeTempDir makes a fresh dir that stopAll removes", async () => {
      const dir = makeTempDir("genai-selftest");
      expect(fs.statSync(dir).isDirectory()).to.equal(true);
      fs.writeFileSync(path.join(dir, "x"), "y");
      await stopAll();
      expect(fs.existsSync(dir)).to.equal(process.env.GENAI_KEEP_TEMP === "1");
    });

    it("findBinary finds sh and not a nonsense name", () => {
      expect(findBinary("sh")).to.be.a("string");
      expect(findBinary("genai-no-such-program-xyz")).to.equal(undefined);
    });

    it("runCommand captures output, exit code, stdin and enforces the timeout", async function () {
      const sh = requireBinaryOrSkip(this, "sh");
      const r = await runCommand(sh, ["-c", 'read x; echo "got $x"; echo err >&2; exit 3'], { input: "hello\n" });
      expect(r).to.include({ code: 3, stdout: "got hello\n", stderr: "err\n", timedOut: false });
      const started = Date.now();
      const slow = await runCommand(sh, ["-c", "sleep 5; echo done"], { timeoutMs: 200 });
      expect(Date.now() - started).to.be.below(2_000);
      expect(slow.timedOut).to.equal(true);
      expect(slow.code).to.equal(null);
    });

    it("startServer handles stop idempotently", async function () {
      const sleepBin = requireBinaryOrSkip(this, "sleep");
      const h = await startServer(sleepBin, ["30"]);
      expect(h.isRunning()).to.equal(true);
      await Promise.all([h.stop(), h.stop()]);
      await h.stop();
      expect(h.isRunning()).to.equal(false);
    });
  });

  describe("HTTP stub", () => {
    it("answers 200 with its name, counts requests, and closes", async () => {
      const stub = await startHttpStub("alpha");
      const res = await httpGet(stub.port, "/anything", { "x-test": "1" });
      expect(res.status).to.equal(200);
      expect(res.body).to.equal("alpha");
      expect(res.headers["x-served-by"]).to.equal("alpha");
      await httpGet(stub.port, "/again");
      expect(stub.requestCount()).to.equal(2);
      expect(stub.requests()[0]).to.include({ method: "GET", url: "/anything" });
      await stub.close();
      await stub.close();
      expect(await canConnect(stub.port, 200)).to.equal(false);
    });
  });

  describe("redis-server", () => {
    it("starts with requirepass: NOAUTH without auth, PONG with it", async function () {
      requireBinaryOrSkip(this, "redis-server");
      const redis = await startRedis("requirepass s3cret\nmaxmemory 256mb\n");
      const noAuth = await redisCommand(redis.port, ["PING"]);
      expect(noAuth).to.be.instanceOf(RespError);
      expect((noAuth as RespError).code).to.equal("NOAUTH");
      expect(await redisCommand(redis.port, ["PING"], "s3cret")).to.equal("PONG");
      expect(await redisCommand(redis.port, ["PING"], "wrong")).to.be.instanceOf(RespError);
      expect(await redisCommand(redis.port, ["CONFIG", "GET", "maxmemory"], "s3cret")).to.deep.equal([
        "maxmemory",
        "268435456",
      ]);
      expect(await redisCommand(redis.port, ["CONFIG", "GET", "bind"], "s3cret")).to.deep.equal(["bind", "127.0.0.1"]);
      expect(await redisCommand(redis.port, ["INCR", "n"], "s3cret")).to.equal(1);
      expect(await redisCommand(redis.port, ["GET", "missing"], "s3cret")).to.equal(null);
      await redis.stop();
      expect(redis.handle.isRunning()).to.equal(false);
    });
  });

  describe("postgres", () => {
    it("initdb + start as a non-root user, SELECT 1, contrib extensions", async function () {
      requireBinaryOrSkip(this, "initdb");
      requireBinaryOrSkip(this, "postgres");
      requireBinaryOrSkip(this, "pg_isready");
      requireBinaryOrSkip(this, "psql");
      const pg = await startPostgres();
      const one = await psql(pg.port, "SELECT 1;");
      expect(one.code, one.stderr).to.equal(0);
      expect(one.stdout.trim()).to.equal("1");
      const ext = await psql(
        pg.port,
        "CREATE EXTENSION pgcrypto; CREATE EXTENSION pg_trgm; CREATE EXTENSION \"uuid-ossp\";\n" +
          "SELECT count(*) FROM pg_extension WHERE extname IN ('pgcrypto','pg_trgm','uuid-ossp');",
      );
      expect(ext.code, ext.stderr).to.equal(0);
      expect(ext.stdout.trim()).to.equal("3");
      const bad = await psql(pg.port, "SELECT 1; SELECT * FROM no_such_table; SELECT 2;");
      expect(bad.code).to.equal(3);
      expect(bad.stderr).to.match(/no_such_table/);
      expect(bad.stdout.trim()).to.equal("1");
      await pg.stop();
      expect(pg.handle.isRunning()).to.equal(false);
    });
  });

  describe("haproxy", () => {
    const config = (port: number, upstreamPort: number): string =>
      [
        "defaults",
        "    mode http",
        "    timeout connect 2s",
        "    timeout client 5s",
        "    timeout server 5s",
        "frontend f",
        `    bind 127.0.0.1:${port}`,
        "    monitor-uri /healthz",
        "    default_backend b",
        "backend b",
        `    server s1 127.0.0.1:${upstreamPort}`,
        "",
      ].join("\n");

    it("haproxy -c accepts a valid config and rejects a broken one", async function () {
      requireBinaryOrSkip(this, "haproxy");
      const good = await haproxyCheck(config(await freePort(), await freePort()));
      expect(good.ok, good.output).to.equal(true);
      const broken = await haproxyCheck("defaults\n    mode http\nbackend b\n    balance round-robin\n");
      expect(broken.ok).to.equal(false);
      expect(broken.output).to.match(/ALERT.*balance/);
    });

    it("starts, proxies to a stub, reloads on SIGUSR2 with a new config, and stops", async function () {
      requireBinaryOrSkip(this, "haproxy");
      const stub = await startHttpStub("upstream-1");
      const other = await startHttpStub("upstream-2");
      const port = await freePort();
      const haproxy = await startHaproxy(config(port, stub.port));
      expect((await httpGet(port, "/healthz")).status).to.equal(200);
      expect((await httpGet(port, "/x")).headers["x-served-by"]).to.equal("upstream-1");
      await haproxy.reload(config(port, other.port));
      expect(haproxy.loads().succeeded).to.equal(2);
      // The old worker may accept a last connection or two while it stops listening; then only the new config serves.
      await waitFor(async () => (await httpGet(port, "/x")).headers["x-served-by"] === "upstream-2", 5_000, 20, "the new configuration to serve");
      const served = await Promise.all(Array.from({ length: 10 }, () => httpGet(port, "/x")));
      expect(served.map((r) => r.headers["x-served-by"])).to.deep.equal(Array(10).fill("upstream-2"));
      await haproxy.stop();
      await waitFor(async () => !(await canConnect(port, 200)), 3_000, 50, "haproxy to close its port");
    });

    it("refuses to start a config that binds beyond loopback", async function () {
      requireBinaryOrSkip(this, "haproxy");
      let error: unknown;
      try {
        await startHaproxy(config(8080, 1).replace("bind 127.0.0.1:8080", "bind :8080"));
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.match(/non-loopback/);
    });
  });

  describe("dnsmasq", () => {
    it("answers from its hosts file, re-reads it on SIGHUP and refuses non-loopback records", async function () {
      requireBinaryOrSkip(this, "dnsmasq");
      const dns = await startDnsmasq({ "svc.test": "127.0.0.2" });
      expect(await dns.resolve("svc.test")).to.deep.equal(["127.0.0.2"]);
      await dns.setHosts({ "svc.test": "127.0.0.3" });
      expect(await dns.resolve("svc.test")).to.deep.equal(["127.0.0.3"]);
      expect(await dns.resolve("gone.test")).to.deep.equal([]);
      let refused: unknown;
      try {
        await dns.setHosts({ "svc.test": "10.0.0.1" });
      } catch (e) {
        refused = e;
      }
      expect(String(refused)).to.match(/not a loopback address/);
      await dns.stop();
    });
  });

  describe("promtool / amtool", () => {
    it("promtool checks a config and amtool checks an alertmanager config", async function () {
      requireBinaryOrSkip(this, "promtool");
      requireBinaryOrSkip(this, "amtool");
      const dir = makeTempDir("genai-promtool");
      const prom = path.join(dir, "prometheus.yml");
      fs.writeFileSync(prom, "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ['127.0.0.1:9090']\n");
      const p = await promtool(["check", "config", prom]);
      expect(p.code, p.stdout + p.stderr).to.equal(0);
      const am = path.join(dir, "alertmanager.yml");
      fs.writeFileSync(am, "route:\n  receiver: default\nreceivers:\n  - name: default\n");
      const a = await amtool(["check-config", am]);
      expect(a.code, a.stdout + a.stderr).to.equal(0);
    });
  });
});
