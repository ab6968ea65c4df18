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
  makeTempDir,
  nginxTest,
  promtool,
  psql,
  redisCommand,
  requireBinaryOrSkip,
  runCommand,
  startHttpStub,
  startNginx,
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

  describe("nginx", () => {
    const config = (port: number, upstreamPort: number): string => `
events {}
http {
  limit_req_zone $binary_remote_addr zone=perip:1m rate=100r/s;
  split_clients "\${remote_addr}" $variant { 50% a; * b; }
  upstream backend { server 127.0.0.1:${upstreamPort}; }
  server {
    listen 127.0.0.1:${port};
    location = /healthz { add_header x-variant $variant always; return 200 "ok\\n"; }
    location = /nginx_status { stub_status; }
    location / { limit_req zone=perip burst=10; proxy_pass http://backend; }
  }
}
`;

    it("nginx -t accepts a valid config and rejects a broken one", async function () {
      requireBinaryOrSkip(this, "nginx");
      const good = await nginxTest(config(await freePort(), await freePort()));
      expect(good.ok, good.output).to.equal(true);
      expect(good.output).to.match(/syntax is ok/);
      const broken = await nginxTest("events {}\nhttp { server { listen 127.0.0.1:1; no_such_directive on; } }\n");
      expect(broken.ok).to.equal(false);
      expect(broken.output).to.match(/unknown directive "no_such_directive"/);
    });

    it("starts, serves 200, proxies to a stub, and stops", async function () {
      requireBinaryOrSkip(this, "nginx");
      const stub = await startHttpStub("upstream-1");
      const port = await freePort();
      const nginx = await startNginx(config(port, stub.port));
      const health = await httpGet(port, "/healthz");
      expect(health.status).to.equal(200);
      expect(health.body).to.equal("ok\n");
      expect(health.headers["x-variant"]).to.be.oneOf(["a", "b"]);
      const proxied = await httpGet(port, "/x");
      expect(proxied.status).to.equal(200);
      expect(proxied.headers["x-served-by"]).to.equal("upstream-1");
      expect(stub.requestCount()).to.equal(1);
      const status = await httpGet(port, "/nginx_status");
      expect(status.body).to.match(/Active connections/);
      await nginx.stop();
      await waitFor(async () => !(await canConnect(port, 200)), 3_000, 50, "nginx to close its port");
    });

    it("runs a config that logs to /dev/stdout, as in a container, and keeps that log", async function () {
      requireBinaryOrSkip(this, "nginx");
      const port = await freePort();
      const conf = `events {}\nhttp {\n  access_log /dev/stdout;\n  server { listen 127.0.0.1:${port}; location / { return 204; } }\n}\n`;
      const checked = await nginxTest(conf);
      expect(checked.ok, checked.output).to.equal(true);
      const nginx = await startNginx(conf);
      expect((await httpGet(port, "/logged-request")).status).to.equal(204);
      await waitFor(() => nginx.handle.logs().includes("GET /logged-request"), 3_000, 50, "the access log line");
      await nginx.stop();
    });

    it("refuses to start a config that listens beyond loopback", async function () {
      requireBinaryOrSkip(this, "nginx");
      let error: unknown;
      try {
        await startNginx("events {}\nhttp { server { listen 8080; } }\n");
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.match(/non-loopback/);
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
