import { expect } from "chai";
import * as fs from "node:fs";
import { GRAFANA_CONTENT_SECURITY_POLICY, HEALTH_PATH, ModelRoute, RateLimits, SECURITY_HEADERS, renderNginxConf } from "../../components/traffic/nginx-conf";
import { devStack } from "../support/dev-stack";
import {
    HttpResponse,
    HttpStub,
    LOOPBACK,
    NginxServer,
    freePort,
    httpGet,
    httpRequest,
    makeTempDir,
    nginxTest,
    requireBinaryOrSkip,
    startHttpStub,
    startNginx,
    stopAll,
} from "../support/servers";

const NGINX_CONF = "/etc/nginx/nginx.conf";
const CORS_ORIGIN = "http://localhost:3000";
/** Canary weights of the rollout steps, plus the two ends. */
const CANARY_WEIGHTS: readonly number[] = [0, 10, 25, 50, 75, 100];
const REQUESTS_PER_SPLIT = 2000;
const CONCURRENT_REQUESTS = 8;
/** How far, in percentage points, the measured canary share may be from its weight. */
const SPLIT_TOLERANCE_POINTS = 3;
/** Limits no test run reaches, for the tests that are not about rate limiting. */
const NO_LIMITS: RateLimits = { perMinute: 1_000_000, apiPerSecond: 100_000, authPerSecond: 100_000 };

/**
 * The rendered config, listening on 127.0.0.1 only: the generated `listen <port>` binds every
 * interface, which is right inside the load balancer's container but not for a test.
 */
function onLoopback(conf: string, port: number): string {
    const listen = `listen ${port};`;
    expect(conf.split(listen), "one listen directive").to.have.length(2);
    return conf.replace(listen, `listen ${LOOPBACK}:${port};`);
}

/** A writable directory for nginx's pid and temp files (its workers run as nobody under root). */
function runtimeDir(): string {
    const dir = makeTempDir("genai-nginx-run");
    fs.chmodSync(dir, 0o755);
    return dir;
}

/** Renders the load balancer for `routes` and starts it on a free loopback port. */
async function startLoadBalancer(
    routes: readonly ModelRoute[],
    rateLimits: RateLimits,
    grafana?: HttpStub,
): Promise<NginxServer> {
    const port = await freePort();
    const conf = renderNginxConf({
        listenPort: port,
        routes,
        grafana: grafana === undefined ? undefined : { host: LOOPBACK, port: grafana.port },
        rateLimits,
        corsOrigins: [CORS_ORIGIN],
        runtimeDir: runtimeDir(),
    });
    return startNginx(onLoopback(conf, port));
}

/** A model whose stable and canary versions are the two stubs, with `canaryWeight`% to the canary. */
function routeTo(model: string, canaryWeight: number, stable: HttpStub, canary: HttpStub): ModelRoute {
    return {
        split: { model, stable: 100 - canaryWeight, canary: canaryWeight },
        stable: [{ host: LOOPBACK, port: stable.port }],
        canary: [{ host: LOOPBACK, port: canary.port }],
    };
}

/** Sends `count` GET requests to `path`, `CONCURRENT_REQUESTS` at a time, and returns the responses in order. */
async function sendRequests(port: number, path: string, count: number): Promise<HttpResponse[]> {
    const responses: HttpResponse[] = new Array<HttpResponse>(count);
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < count) {
            const index = next++;
            responses[index] = await httpGet(port, path);
        }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_REQUESTS, count) }, worker));
    return responses;
}

/** Sends `count` GET requests to `path` one after the other and returns their status codes. */
async function sendSequentially(port: number, path: string, count: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) statuses.push((await httpGet(port, path)).status);
    return statuses;
}

function expectSecurityHeaders(response: HttpResponse, what: string): void {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        expect(response.headers[name.toLowerCase()], `${name} on ${what}`).to.equal(value);
    }
}

/**
 * The dev stack's nginx.conf in a form `nginx -t` can load here. nginx resolves the host names
 * of upstream servers and of proxy_pass while it loads its configuration, and the dev stack's
 * hosts (llm-stable-0, grafana, ...) are aliases on the stack's Docker network that do not
 * resolve outside it: they become 127.0.0.1. The runtime dir /tmp becomes `dir`, so that the
 * check leaves nothing in the shared /tmp. Nothing else changes.
 */
function devConfForLocalCheck(conf: string, dir: string): { conf: string; hosts: string[] } {
    const hosts: string[] = [];
    const localHosts = conf.replace(
        /(\bserver\s+|\bproxy_pass\s+https?:\/\/)([A-Za-z][A-Za-z0-9.-]*)(:\d+)/g,
        (_whole, directive: string, host: string, port: string) => {
            hosts.push(host);
            return `${directive}${LOOPBACK}${port}`;
        },
    );
    return { conf: localHosts.replace(/^(\s*(?:pid|\w+_temp_path)\s+)\/tmp\//gm, `$1${dir}/`), hosts };
}

describe("nginx load balancer", function () {
    before(function () {
        requireBinaryOrSkip(this, "nginx");
    });

    after(async () => {
        await stopAll();
    });

    describe("configuration check (nginx -t)", () => {
        it("accepts the dev stack's nginx.conf", async function () {
            this.timeout(20_000);
            const dev = await devStack();
            const dir = runtimeDir();
            const { conf, hosts } = devConfForLocalCheck(dev.upload("lb", NGINX_CONF), dir);
            expect(hosts).to.include.members(["llm-stable-0", "llm-canary-0", "image-stable-0", "grafana"]);
            expect(conf).to.contain(`pid ${dir}/nginx.pid;`);
            expect(conf).not.to.match(/\s\/tmp\/\w+(\.pid|_temp);/);
            const result = await nginxTest(conf);
            expect(result.ok, result.output).to.equal(true);
            expect(result.output).to.contain("syntax is ok");
        });

        it("accepts a configuration with every rollout step and Grafana", async () => {
            const port = await freePort();
            const conf = renderNginxConf({
                listenPort: port,
                routes: CANARY_WEIGHTS.map((w) => ({
                    split: { model: `step-${w}`, stable: 100 - w, canary: w },
                    stable: [{ host: LOOPBACK, port: 8000 }, { host: LOOPBACK, port: 8001 }],
                    canary: [{ host: LOOPBACK, port: 8002 }],
                })),
                grafana: { host: LOOPBACK, port: 3000 },
                rateLimits: { perMinute: 50, apiPerSecond: 10, authPerSecond: 5 },
                corsOrigins: [CORS_ORIGIN, "https://app.example.com"],
                runtimeDir: runtimeDir(),
            });
            const result = await nginxTest(onLoopback(conf, port));
            expect(result.ok, result.output).to.equal(true);
        });
    });

    describe("traffic split between stable and canary", () => {
        let stable: HttpStub;
        let canary: HttpStub;
        let lb: NginxServer;

        before(async function () {
            this.timeout(20_000);
            stable = await startHttpStub("stable");
            canary = await startHttpStub("canary");
            lb = await startLoadBalancer(
                CANARY_WEIGHTS.map((w) => routeTo(`split-${w}`, w, stable, canary)),
                NO_LIMITS,
            );
        });

        for (const weight of CANARY_WEIGHTS) {
            const expectation = weight === 0 || weight === 100 ? `exactly ${weight}%` : `${weight}% ± ${SPLIT_TOLERANCE_POINTS} points`;
            it(`sends ${expectation} of ${REQUESTS_PER_SPLIT} requests to the canary at weight ${weight}`, async function () {
                this.timeout(30_000);
                const responses = await sendRequests(lb.port, `/models/split-${weight}/v1/completions`, REQUESTS_PER_SPLIT);
                const statuses = new Set(responses.map((r) => r.status));
                expect([...statuses]).to.deep.equal([200]);
                const toCanary = responses.filter((r) => r.body === "canary").length;
                const toStable = responses.filter((r) => r.body === "stable").length;
                expect(toCanary + toStable).to.equal(REQUESTS_PER_SPLIT);
                const canaryPercent = (100 * toCanary) / REQUESTS_PER_SPLIT;
                const measured = `${toCanary} of ${REQUESTS_PER_SPLIT} requests to the canary`;
                if (weight === 0 || weight === 100) {
                    expect(canaryPercent, measured).to.equal(weight);
                } else {
                    expect(canaryPercent, measured).to.be.closeTo(weight, SPLIT_TOLERANCE_POINTS);
                }
            });
        }

        it("proxies /models/<model>/ to the upstream without the prefix", async () => {
            const before = stable.requestCount() + canary.requestCount();
            const response = await httpGet(lb.port, "/models/split-50/v1/chat/completions?stream=false");
            expect(response.status).to.equal(200);
            const seen = [...stable.requests(), ...canary.requests()].map((r) => r.url);
            expect(seen).to.have.length(before + 1);
            expect(seen).to.include("/v1/chat/completions?stream=false");
        });

        it("answers /health with 200 and the security headers", async () => {
            const response = await httpGet(lb.port, HEALTH_PATH);
            expect(response.status).to.equal(200);
            expect(response.body).to.equal("ok\n");
            expectSecurityHeaders(response, HEALTH_PATH);
        });

        it("adds the security headers to proxied answers and to 404s", async () => {
            const proxied = await httpGet(lb.port, "/models/split-10/v1/models");
            expect(proxied.status).to.equal(200);
            expectSecurityHeaders(proxied, "a proxied answer");
            const missing = await httpGet(lb.port, "/no-such-path");
            expect(missing.status).to.equal(404);
            expectSecurityHeaders(missing, "a 404");
        });

        it("allows the configured CORS origin only, and answers preflights itself", async () => {
            const allowed = await httpGet(lb.port, "/models/split-10/v1/models", { Origin: CORS_ORIGIN });
            expect(allowed.headers["access-control-allow-origin"]).to.equal(CORS_ORIGIN);
            const other = await httpGet(lb.port, "/models/split-10/v1/models", { Origin: "https://elsewhere.example.com" });
            expect(other.headers["access-control-allow-origin"]).to.equal(undefined);
            const proxiedBefore = stable.requestCount() + canary.requestCount();
            const preflight = await httpRequest(lb.port, {
                method: "OPTIONS",
                path: "/models/split-10/v1/completions",
                headers: { Origin: CORS_ORIGIN, "Access-Control-Request-Method": "POST" },
            });
            expect(preflight.status).to.equal(204);
            expect(preflight.headers["access-control-allow-origin"]).to.equal(CORS_ORIGIN);
            expect(preflight.headers["access-control-allow-methods"]).to.equal("GET, POST, OPTIONS");
            expect(stable.requestCount() + canary.requestCount()).to.equal(proxiedBefore);
        });
    });

    describe("rate limits", () => {
        const apiPerSecond = 10;
        const apiBurst = 2 * apiPerSecond;
        const authPerSecond = 2;
        let upstream: HttpStub;
        let lb: NginxServer;

        before(async function () {
            this.timeout(20_000);
            upstream = await startHttpStub("upstream");
            lb = await startLoadBalancer(
                [routeTo("llm", 0, upstream, upstream)],
                { perMinute: NO_LIMITS.perMinute, apiPerSecond, authPerSecond },
                upstream,
            );
        });

        it("serves Grafana's pages with the security headers and a policy that lets Grafana load its own scripts", async function () {
            this.timeout(20_000);
            const grafana = await startHttpStub("grafana");
            const withGrafana = await startLoadBalancer([routeTo("llm", 0, upstream, upstream)], NO_LIMITS, grafana);
            try {
                const page = await httpGet(withGrafana.port, "/grafana/d/genai-inference");
                expect(page.status).to.equal(200);
                expect(page.body).to.equal("grafana");
                for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
                    const expected = name === "Content-Security-Policy" ? GRAFANA_CONTENT_SECURITY_POLICY : value;
                    expect(page.headers[name.toLowerCase()], name).to.equal(expected);
                }
                const api = await httpGet(withGrafana.port, "/models/llm/v1/models");
                expect(api.headers["content-security-policy"]).to.equal(SECURITY_HEADERS["Content-Security-Policy"]);
            } finally {
                await withGrafana.stop();
                await grafana.close();
            }
        });

        it(`answers 429 past ${apiPerSecond} requests per second and a burst of ${apiBurst} per client`, async () => {
            const started = Date.now();
            const statuses = await sendSequentially(lb.port, "/models/llm/v1/completions", 4 * apiBurst);
            const elapsedSeconds = (Date.now() - started) / 1000;
            expect(statuses.slice(0, apiBurst + 1), "the burst").to.deep.equal(new Array<number>(apiBurst + 1).fill(200));
            expect(new Set(statuses)).to.deep.equal(new Set([200, 429]));
            const accepted = statuses.filter((s) => s === 200).length;
            expect(accepted).to.be.at.most(apiBurst + 1 + Math.ceil(elapsedSeconds * apiPerSecond));
            const rejected = await httpGet(lb.port, "/models/llm/v1/completions");
            expect(rejected.status).to.equal(429);
            expectSecurityHeaders(rejected, "a 429");
        });

        it(`answers 429 past ${authPerSecond} Grafana logins per second per client`, async () => {
            const authBurst = authPerSecond;
            const statuses = await sendSequentially(lb.port, "/grafana/login", 4 * authBurst + 4);
            expect(statuses.slice(0, authBurst + 1), "the burst").to.deep.equal(new Array<number>(authBurst + 1).fill(200));
            expect(statuses).to.include(429);
        });

        it("answers 429 past the per-minute limit per client", async function () {
            this.timeout(20_000);
            const perMinute = 30;
            const perMinuteBurst = perMinute / 5;
            const strict = await startLoadBalancer([routeTo("llm", 0, upstream, upstream)], { ...NO_LIMITS, perMinute });
            try {
                const statuses = await sendSequentially(strict.port, "/models/llm/v1/completions", 3 * perMinuteBurst);
                expect(statuses.slice(0, perMinuteBurst + 1), "the burst").to.deep.equal(new Array<number>(perMinuteBurst + 1).fill(200));
                const accepted = statuses.filter((s) => s === 200).length;
                expect(accepted).to.be.at.most(perMinuteBurst + 2);
                expect(statuses.slice(-1)).to.deep.equal([429]);
            } finally {
                await strict.stop();
            }
        });
    });
});
