import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { Track } from "../../components/inference/model";
import { renderDockerApiProxyConfig } from "../../components/observability/log-shipping";
import { HaproxyConfSpec, HaproxyRoute, renderHaproxyConfig } from "../../components/traffic/haproxy-conf";
import { LB_APPLY_SCRIPT, LB_CONFIG_FILE } from "../../components/traffic/lb-apply";
import { GRAFANA_CONTENT_SECURITY_POLICY, RateLimits, SECURITY_HEADERS, TRACK_HEADER, UpstreamServer } from "../../components/traffic/upstreams";
import { devStack } from "../support/dev-stack";
import {
    DnsmasqServer,
    HAPROXY_CONFIG_FILE,
    HaproxyServer,
    HttpResponse,
    LOOPBACK,
    RunResult,
    UpstreamStub,
    UpstreamStubOptions,
    freePort,
    haproxyCheck,
    httpGet,
    httpRequest,
    makeTempDir,
    requireBinary,
    requireBinaryOrSkip,
    runCommand,
    startDnsmasq,
    startHaproxy,
    startUpstreamStub,
    stopAll,
    waitFor,
} from "../support/servers";

/** The load balancer's own health path (HAProxy's `monitor-uri`). */
const LB_HEALTH_PATH = "/healthz";
/** The engines' health path, which HAProxy checks. */
const MODEL_HEALTH_PATH = "/health";
const GRAFANA_HEALTH_PATH = "/grafana/api/health";
const CORS_ORIGIN = "http://localhost:3000";
/** Canary weights of the rollout steps, plus the two ends. */
const CANARY_WEIGHTS: readonly number[] = [0, 10, 25, 50, 75, 100];
const REQUESTS_PER_SPLIT = 1000;
const CONCURRENT_REQUESTS = 8;
/** How far, in percentage points, the measured canary share may be from its weight. */
const SPLIT_TOLERANCE_POINTS = 3;
/** Limits no test run reaches, for the tests that are not about rate limiting. */
const NO_LIMITS: RateLimits = { perMinute: 1_000_000, apiPerSecond: 100_000, authPerSecond: 100_000 };

/** An upstream answering `name`, health-checked on the engines' health path. */
function upstream(name: string, opts: Partial<UpstreamStubOptions> = {}): Promise<UpstreamStub> {
    return startUpstreamStub({ name, healthPath: MODEL_HEALTH_PATH, ...opts });
}

/** The stubs of one track as the load balancer's servers, named `<track>-<index>` as the program names them. */
function serversOf(track: Track, stubs: readonly UpstreamStub[]): UpstreamServer[] {
    return stubs.map((stub, index) => ({ name: `${track}-${index}`, host: stub.host, port: stub.port }));
}

/** A model whose stable and canary versions are the given stubs, with `canaryWeight`% to the canary. */
function routeTo(model: string, canaryWeight: number, stable: readonly UpstreamStub[], canary: readonly UpstreamStub[]): HaproxyRoute {
    return {
        split: { model, stable: 100 - canaryWeight, canary: canaryWeight },
        healthPath: MODEL_HEALTH_PATH,
        servers: { stable: serversOf("stable", stable), canary: serversOf("canary", canary) },
    };
}

/** A model with one stable server at `host:port` and no canary. */
function stableOnly(model: string, host: string, port: number): HaproxyRoute {
    return {
        split: { model, stable: 100, canary: 0 },
        healthPath: MODEL_HEALTH_PATH,
        servers: { stable: [{ name: "stable-0", host, port }], canary: [] },
    };
}

type LbSpec = Pick<HaproxyConfSpec, "routes"> & Partial<Omit<HaproxyConfSpec, "routes">>;

/** A configuration on 127.0.0.1 with free ports; anything not given is a default no test is about. */
async function lbSpec(spec: LbSpec): Promise<HaproxyConfSpec> {
    return {
        listenPort: await freePort(),
        statsPort: await freePort(),
        healthPath: LB_HEALTH_PATH,
        rateLimits: NO_LIMITS,
        corsOrigins: [CORS_ORIGIN],
        // No test without dnsmasq names a server by host name: HAProxy never queries this.
        nameserver: `${LOOPBACK}:${await freePort()}`,
        bindAddress: LOOPBACK,
        ...spec,
    };
}

interface LoadBalancer {
    readonly haproxy: HaproxyServer;
    readonly spec: HaproxyConfSpec;
    readonly port: number;
    readonly statsPort: number;
}

/** Renders the load balancer for `spec` and starts it. */
async function startLoadBalancer(spec: LbSpec): Promise<LoadBalancer> {
    const full = await lbSpec(spec);
    const haproxy = await startHaproxy(renderHaproxyConfig(full), { port: full.listenPort });
    return { haproxy, spec: full, port: full.listenPort, statsPort: full.statsPort };
}

/** Sends `count` GET requests to `urlPath`, `concurrency` at a time, and returns the responses in order. */
async function sendRequests(port: number, urlPath: string, count: number, concurrency = CONCURRENT_REQUESTS): Promise<HttpResponse[]> {
    const responses: HttpResponse[] = new Array<HttpResponse>(count);
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < count) {
            const index = next++;
            responses[index] = await httpGet(port, urlPath);
        }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return responses;
}

/** A GET to 127.0.0.1:`port` from the loopback address `source`: rate limits are per client address. */
function getFrom(source: string, port: number, urlPath: string): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
        const req = http.request({ host: LOOPBACK, port, path: urlPath, localAddress: source, agent: false, timeout: 5_000 }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("error", reject);
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        });
        req.on("timeout", () => req.destroy(new Error(`GET ${urlPath} from ${source} timed out`)));
        req.on("error", reject);
        req.end();
    });
}

/** `count` GETs from `source`, one after the other, as fast as they are answered; their status codes. */
async function burstFrom(source: string, port: number, urlPath: string, count: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) statuses.push((await getFrom(source, port, urlPath)).status);
    return statuses;
}

/** The share, in percent, of answers the canary gave (its stub answers "canary"). */
function canaryPercent(responses: readonly { readonly body: string }[]): number {
    return (100 * responses.filter((r) => r.body === "canary").length) / responses.length;
}

function expectShare(percent: number, weight: number, tolerance: number, what: string): void {
    if (weight === 0 || weight === 100) expect(percent, what).to.equal(weight);
    else expect(percent, what).to.be.closeTo(weight, tolerance);
}

function expectSecurityHeaders(response: HttpResponse, what: string, contentSecurityPolicy = SECURITY_HEADERS["Content-Security-Policy"]): void {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        const expected = name === "Content-Security-Policy" ? contentSecurityPolicy : value;
        expect(response.headers[name.toLowerCase()], `${name} on ${what}`).to.equal(expected);
    }
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The value of the sample `metric{labels}` in a Prometheus text exposition; undefined when absent. */
function sampleValue(exposition: string, metric: string, labels: Readonly<Record<string, string>>): number | undefined {
    for (const line of exposition.split("\n")) {
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}\s+(\S+)$/.exec(line);
        if (m === null || m[1] !== metric) continue;
        const found = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
        if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(m[3]);
    }
    return undefined;
}

describe("HAProxy load balancer", function () {
    let haproxyBin: string;

    before(function () {
        haproxyBin = requireBinaryOrSkip(this, "haproxy");
    });

    after(async () => {
        await stopAll();
    });

    describe("configuration check (haproxy -c)", () => {
        it("accepts a configuration with every rollout step, several replicas, Grafana and two CORS origins", async () => {
            const spec = await lbSpec({
                routes: CANARY_WEIGHTS.map((w) => ({
                    split: { model: `step-${w}`, stable: 100 - w, canary: w },
                    healthPath: MODEL_HEALTH_PATH,
                    servers: {
                        stable: [0, 1].map((i) => ({ name: `stable-${i}`, host: LOOPBACK, port: 8000 + i })),
                        canary: [{ name: "canary-0", host: LOOPBACK, port: 8002 }],
                    },
                })),
                grafana: { server: { name: "grafana", host: LOOPBACK, port: 3000 }, healthPath: GRAFANA_HEALTH_PATH },
                rateLimits: { perMinute: 50, apiPerSecond: 10, authPerSecond: 5 },
                corsOrigins: [CORS_ORIGIN, "https://app.example.com"],
            });
            const result = await haproxyCheck(renderHaproxyConfig(spec));
            expect(result.ok, result.output).to.equal(true);
            expect(result.output).to.contain("Configuration file is valid");
        });

        it("accepts the dev stack's configuration, whose servers are Docker aliases that do not resolve here", async function () {
            this.timeout(30_000);
            const dev = await devStack();
            const conf = dev.run.one("command:local:Command", "lb-config").inputs.stdin as string;
            expect(conf).to.match(/^\s+server stable-0 llm-stable-0:\d+ /m);
            const result = await haproxyCheck(conf);
            expect(result.ok, result.output).to.equal(true);
            expect(result.output).to.match(/could not resolve address 'llm-stable-0'/);
        });

        it("rejects a broken configuration, so that a pass means something", async () => {
            const spec = await lbSpec({ routes: [stableOnly("llm", LOOPBACK, 8000)] });
            const broken = renderHaproxyConfig(spec).replace("balance roundrobin", "balance round-robin");
            const result = await haproxyCheck(broken);
            expect(result.ok).to.equal(false);
            expect(result.output).to.match(/balance only supports/);
        });
    });

    describe("traffic split between stable and canary", () => {
        let stable: UpstreamStub;
        let canary: UpstreamStub;
        let lb: LoadBalancer;

        before(async function () {
            this.timeout(20_000);
            stable = await upstream("stable");
            canary = await upstream("canary");
            lb = await startLoadBalancer({ routes: CANARY_WEIGHTS.map((w) => routeTo(`split-${w}`, w, [stable], [canary])) });
        });

        for (const weight of CANARY_WEIGHTS) {
            const expectation = weight === 0 || weight === 100 ? `exactly ${weight}%` : `${weight}% ± ${SPLIT_TOLERANCE_POINTS} points`;
            it(`sends ${expectation} of ${REQUESTS_PER_SPLIT} requests to the canary at weight ${weight}`, async () => {
                const responses = await sendRequests(lb.port, `/models/split-${weight}/v1/completions`, REQUESTS_PER_SPLIT);
                expect([...new Set(responses.map((r) => r.status))]).to.deep.equal([200]);
                expect(responses.filter((r) => r.body !== "stable" && r.body !== "canary")).to.deep.equal([]);
                const percent = canaryPercent(responses);
                expectShare(percent, weight, SPLIT_TOLERANCE_POINTS, `${percent}% of ${REQUESTS_PER_SPLIT} requests to the canary`);
            });
        }

        it("forwards /models/<model>/... without the prefix, with a request id and the client's address", async () => {
            const before = stable.requestCount();
            const response = await httpGet(lb.port, "/models/split-0/v1/chat/completions?stream=false");
            expect(response.status).to.equal(200);
            const seen = stable.requests().slice(before);
            expect(seen.map((r) => r.url)).to.deep.equal(["/v1/chat/completions?stream=false"]);
            expect(seen[0].headers["x-request-id"]).to.match(/^[0-9a-f-]{36}$/);
            expect(seen[0].headers["x-forwarded-for"]).to.equal(LOOPBACK);
        });

        it(`sends a request with ${TRACK_HEADER} to that track whatever the weights: the canary at 0%, the stable version at 100%`, async () => {
            const get = (model: string, track: string): Promise<HttpResponse> => httpGet(lb.port, `/models/${model}/health`, { [TRACK_HEADER]: track });
            for (let i = 0; i < 5; i++) {
                expect((await get("split-0", "canary")).body, "canary at weight 0").to.equal("canary");
                expect((await get("split-100", "stable")).body, "stable at weight 100").to.equal("stable");
            }
            // Without the header, or with another value, the weights decide.
            expect((await get("split-0", "other")).body).to.equal("stable");
            expect((await httpGet(lb.port, "/models/split-100/health")).body).to.equal("canary");
        });

        it(`answers 503 to a request with ${TRACK_HEADER} for a track whose server is down, never the other track`, async function () {
            this.timeout(20_000);
            const up = await upstream("stable");
            const down = await upstream("canary", { healthStatus: 503 });
            const lbDown = await startLoadBalancer({ routes: [routeTo("llm", 0, [up], [down])] });
            // The canary's health check fails: once HAProxy marks it down, the header must not fall back to stable.
            const ask = (track: string) => httpGet(lbDown.port, "/models/llm/v1/models", { [TRACK_HEADER]: track });
            await waitFor(async () => (await ask("canary")).body === "canary of llm is down", 10_000, 100, "the canary to be marked down");
            const reached = down.requestCount();
            for (let i = 0; i < 5; i++) {
                const r = await ask("canary");
                expect([r.status, r.body]).to.deep.equal([503, "canary of llm is down"]);
            }
            expect((await ask("stable")).body).to.equal("stable");
            expect(down.requestCount(), "no request reached the down canary").to.equal(reached);
        });

        it("answers its own health path and 404s anything that is not a route", async () => {
            expect((await httpGet(lb.port, LB_HEALTH_PATH)).status).to.equal(200);
            expect((await httpGet(lb.port, "/models/no-such-model/v1/models")).status).to.equal(404);
            expect((await httpGet(lb.port, "/v1/completions")).status).to.equal(404);
        });
    });

    describe("weight changes through the apply script (SIGUSR2 to the master)", () => {
        const model = "llm";
        const routePath = `/models/${model}/v1/completions`;
        let stable: UpstreamStub;
        let canary: UpstreamStub;
        let lb: LoadBalancer;

        /** The configuration with `canaryWeight`% to the canary, everything else as started. */
        const configWith = (canaryWeight: number): string =>
            renderHaproxyConfig({ ...lb.spec, routes: [routeTo(model, canaryWeight, [stable], [canary])] });

        /** Runs LB_APPLY_SCRIPT as the program does, with the real HAProxy check and a SIGUSR2 to the master as the reload. */
        const apply = (config: string): Promise<RunResult> =>
            runCommand(requireBinary("sh"), ["-c", LB_APPLY_SCRIPT], {
                input: config,
                timeoutMs: 15_000,
                env: {
                    GENAI_LB_CONFIG_DIR: lb.haproxy.dir,
                    GENAI_LB_CHECK: `${haproxyBin} -c -q -f`,
                    GENAI_LB_RELOAD: `kill -USR2 ${lb.haproxy.pid}`,
                },
            });

        before(async function () {
            this.timeout(20_000);
            stable = await upstream("stable");
            canary = await upstream("canary");
            lb = await startLoadBalancer({ routes: [routeTo(model, 10, [stable], [canary])] });
            expect(lb.haproxy.configFile).to.equal(path.join(lb.haproxy.dir, LB_CONFIG_FILE));
            expect(HAPROXY_CONFIG_FILE).to.equal(LB_CONFIG_FILE);
        });

        it("moves to each new split while clients keep sending, and no request fails", async function () {
            this.timeout(40_000);
            const clients = 4;
            /** Time each split is left to serve before the next apply, and after the last one. */
            const phaseMs = 1_500;
            /** The canary weight from `loadedAt` (the master's "Loading success.") until the next apply started. */
            const phases: { weight: number; loadedAt: number; until: number }[] = [{ weight: 10, loadedAt: 0, until: Infinity }];
            const outcomes: { started: number; ended: number; status: number; body: string; error?: string }[] = [];
            // The clients stop `phaseMs` after the last reload, or after 25 s whatever happens.
            const hardDeadline = Date.now() + 25_000;
            let stopAt = Infinity;
            const client = async (): Promise<void> => {
                for (let i = 0; i < 100_000 && Date.now() < Math.min(stopAt, hardDeadline); i++) {
                    const begin = Date.now();
                    try {
                        const r = await httpGet(lb.port, routePath);
                        outcomes.push({ started: begin, ended: Date.now(), status: r.status, body: r.body });
                    } catch (err) {
                        outcomes.push({ started: begin, ended: Date.now(), status: 0, body: "", error: String(err) });
                    }
                }
            };
            const applier = async (): Promise<void> => {
                try {
                    for (const weight of [50, 100, 25]) {
                        await sleep(phaseMs);
                        const before = lb.haproxy.loads();
                        phases[phases.length - 1].until = Date.now();
                        const result = await apply(configWith(weight));
                        expect(result.code, `apply canary ${weight}%: ${result.stderr}`).to.equal(0);
                        expect(result.stdout).to.contain("load balancer configuration applied");
                        await lb.haproxy.waitForNextLoad(before);
                        phases.push({ weight, loadedAt: Date.now(), until: Infinity });
                    }
                } finally {
                    stopAt = Date.now() + phaseMs;
                }
            };
            await Promise.all([applier(), ...Array.from({ length: clients }, client)]);

            const failures = outcomes.filter((o) => o.status !== 200);
            expect(failures.slice(0, 5), `${failures.length} of ${outcomes.length} requests failed`).to.deep.equal([]);
            expect(outcomes.length, "requests sent during the reloads").to.be.at.least(300);
            expect(lb.haproxy.loads()).to.deep.equal({ succeeded: 4, failed: 0 });
            expect(fs.readFileSync(lb.haproxy.configFile, "utf8")).to.equal(configWith(25));
            // Within each phase, requests started once its configuration was loaded (plus a margin for the old
            // worker to stop accepting) follow its split.
            for (const phase of phases) {
                const inPhase = outcomes.filter((o) => o.started >= phase.loadedAt + 250 && o.ended <= phase.until);
                expect(inPhase.length, `requests at canary ${phase.weight}%`).to.be.at.least(50);
                const percent = canaryPercent(inPhase);
                expectShare(percent, phase.weight, 6, `${percent}% of ${inPhase.length} requests to the canary at ${phase.weight}%`);
            }
            const after = await sendRequests(lb.port, routePath, 400);
            expectShare(canaryPercent(after), 25, SPLIT_TOLERANCE_POINTS, "canary share after the last reload");
        });

        it("refuses an invalid configuration: exits non-zero, keeps haproxy.cfg, does not reload, goes on serving", async function () {
            this.timeout(20_000);
            const running = configWith(25);
            if (fs.readFileSync(lb.haproxy.configFile, "utf8") !== running) {
                const before = lb.haproxy.loads();
                expect((await apply(running)).code).to.equal(0);
                await lb.haproxy.waitForNextLoad(before);
            }
            const loads = lb.haproxy.loads();
            const invalid = configWith(75).replace("balance roundrobin", "balance round-robin");
            const result = await apply(invalid);
            expect(result.code).to.not.equal(0);
            expect(result.stderr).to.contain("the new load balancer configuration is invalid; the running one is kept");
            expect(fs.readFileSync(lb.haproxy.configFile, "utf8")).to.equal(running);
            await sleep(300);
            expect(lb.haproxy.loads()).to.deep.equal(loads);
            const responses = await sendRequests(lb.port, routePath, 200);
            expect([...new Set(responses.map((r) => r.status))]).to.deep.equal([200]);
            expect(canaryPercent(responses)).to.be.closeTo(25, SPLIT_TOLERANCE_POINTS);
        });
    });

    describe("server names resolved at run time (dnsmasq as the nameserver)", () => {
        const moving = "llm-stable-0.test";
        const present = "image-stable-0.test";
        const missing = "ghost-stable-0.test";
        let port: number;
        let dnsmasq: DnsmasqServer;
        let first: UpstreamStub;
        let image: UpstreamStub;
        let lb: LoadBalancer;

        before(async function () {
            this.timeout(20_000);
            requireBinaryOrSkip(this, "dnsmasq");
            port = await freePort();
            first = await upstream("llm-at-127.0.0.2", { host: "127.0.0.2", port });
            image = await upstream("image");
            dnsmasq = await startDnsmasq({ [moving]: "127.0.0.2", [present]: LOOPBACK });
            lb = await startLoadBalancer({
                routes: [stableOnly("llm", moving, port), stableOnly("image", present, image.port), stableOnly("ghost", missing, port)],
                nameserver: dnsmasq.nameserver,
            });
        });

        it("starts although a server's name does not resolve: that route answers 503, the others 200", async function () {
            this.timeout(20_000);
            expect(await dnsmasq.resolve(missing)).to.deep.equal([]);
            expect(lb.haproxy.handle.logs()).to.contain(`could not resolve address '${missing}'`);
            expect((await httpGet(lb.port, LB_HEALTH_PATH)).status).to.equal(200);
            // The names that exist are resolved through dnsmasq once HAProxy runs.
            await waitFor(async () => (await httpGet(lb.port, "/models/image/v1/models")).status === 200, 10_000, 100, "the image route");
            const ghost = await sendRequests(lb.port, "/models/ghost/v1/models", 5, 1);
            expect(ghost.map((r) => r.status)).to.deep.equal([503, 503, 503, 503, 503]);
            const imageAnswers = await sendRequests(lb.port, "/models/image/v1/models", 5, 1);
            expect(imageAnswers.map((r) => r.body)).to.deep.equal(new Array<string>(5).fill("image"));
            expect((await httpGet(lb.port, LB_HEALTH_PATH)).status).to.equal(200);
        });

        it("follows a server to its new address once the nameserver answers it", async function () {
            this.timeout(45_000);
            await waitFor(async () => (await httpGet(lb.port, "/models/llm/v1/models")).body === first.name, 10_000, 100, "the llm route");
            // The server moves: the old address stops answering, the new one answers, DNS says so.
            await first.close();
            const second = await upstream("llm-at-127.0.0.3", { host: "127.0.0.3", port });
            await dnsmasq.setHosts({ [moving]: "127.0.0.3", [present]: LOOPBACK });
            const moved = Date.now();
            await waitFor(async () => (await httpGet(lb.port, "/models/llm/v1/models")).body === second.name, 30_000, 250, "the llm route to reach 127.0.0.3");
            const seconds = (Date.now() - moved) / 1000;
            expect(seconds, "seconds to follow the move").to.be.below(30);
            expect(lb.haproxy.handle.logs()).to.contain("changed its IP from 127.0.0.2 to 127.0.0.3");
            const after = await sendRequests(lb.port, "/models/llm/v1/models", 20, 2);
            expect(after.map((r) => `${r.status} ${r.body}`)).to.deep.equal(new Array<string>(20).fill(`200 ${second.name}`));
        });
    });

    describe("health checks", () => {
        it("takes out a server whose health path answers a redirect, and keeps the one that answers 200", async function () {
            this.timeout(20_000);
            const redirecting = await upstream("redirecting", { healthStatus: 301 });
            const healthy = await upstream("healthy");
            const lb = await startLoadBalancer({ routes: [routeTo("redirecting", 0, [redirecting], []), routeTo("healthy", 0, [healthy], [])] });
            // Servers start up; the first check (within `inter`, 5 s) decides.
            await waitFor(() => redirecting.healthChecks() > 0 && healthy.healthChecks() > 0, 12_000, 50, "the first health checks");
            await waitFor(async () => (await httpGet(lb.port, "/models/redirecting/v1/models")).status === 503, 3_000, 100, "the redirecting route to answer 503");
            const redirected = await sendRequests(lb.port, "/models/redirecting/v1/models", 10, 2);
            expect(redirected.map((r) => r.status)).to.deep.equal(new Array<number>(10).fill(503));
            expect(redirecting.requestCount()).to.equal(0);
            const served = await sendRequests(lb.port, "/models/healthy/v1/models", 10, 2);
            expect(served.map((r) => `${r.status} ${r.body}`)).to.deep.equal(new Array<string>(10).fill("200 healthy"));
            expect(lb.haproxy.handle.logs()).to.match(/model-redirecting\/stable-0 is DOWN, reason: Layer7 wrong status, code: 301/);
            await lb.haproxy.stop();
        });
    });

    describe("rate limits, per client address", () => {
        let model: UpstreamStub;
        let grafana: UpstreamStub;

        before(async function () {
            this.timeout(20_000);
            model = await upstream("model");
            grafana = await startUpstreamStub({ name: "grafana", healthPath: GRAFANA_HEALTH_PATH });
        });

        it("answers 429 to a client past apiPerSecond, and not to another client", async function () {
            this.timeout(20_000);
            const apiPerSecond = 10;
            const lb = await startLoadBalancer({ routes: [routeTo("llm", 0, [model], [])], rateLimits: { ...NO_LIMITS, apiPerSecond } });
            const statuses = await burstFrom("127.0.0.11", lb.port, "/models/llm/v1/completions", 3 * apiPerSecond);
            expect(statuses.slice(0, apiPerSecond), "the first second's allowance").to.deep.equal(new Array<number>(apiPerSecond).fill(200));
            // A rate is estimated across two periods: one request more may pass at a period's turn.
            expect(statuses.filter((s) => s === 200).length, "accepted").to.be.at.most(apiPerSecond + 1);
            expect(statuses.slice(-5)).to.deep.equal([429, 429, 429, 429, 429]);
            expect((await getFrom("127.0.0.12", lb.port, "/models/llm/v1/completions")).status, "another client").to.equal(200);
            await lb.haproxy.stop();
        });

        it("answers 429 to a client past perMinute on a model route, not on the other routes", async function () {
            this.timeout(20_000);
            const perMinute = 15;
            const lb = await startLoadBalancer({
                routes: [routeTo("llm", 0, [model], [])],
                grafana: { server: { name: "grafana", host: LOOPBACK, port: grafana.port }, healthPath: GRAFANA_HEALTH_PATH },
                rateLimits: { ...NO_LIMITS, perMinute },
            });
            const statuses = await burstFrom("127.0.0.13", lb.port, "/models/llm/v1/completions", perMinute + 5);
            expect(statuses.slice(0, perMinute), "the minute's allowance").to.deep.equal(new Array<number>(perMinute).fill(200));
            // A rate is estimated across two periods: one request more may pass at a period's turn.
            expect(statuses.filter((s) => s === 200).length, "accepted").to.be.at.most(perMinute + 1);
            expect(statuses.slice(-3)).to.deep.equal([429, 429, 429]);
            expect((await getFrom("127.0.0.13", lb.port, "/grafana/d/genai")).status, "Grafana, same client").to.equal(200);
            expect((await getFrom("127.0.0.14", lb.port, "/models/llm/v1/completions")).status, "another client").to.equal(200);
            await lb.haproxy.stop();
        });

        it("answers 429 to a client past authPerSecond on Grafana's login", async function () {
            this.timeout(20_000);
            const authPerSecond = 3;
            const lb = await startLoadBalancer({
                routes: [routeTo("llm", 0, [model], [])],
                grafana: { server: { name: "grafana", host: LOOPBACK, port: grafana.port }, healthPath: GRAFANA_HEALTH_PATH },
                rateLimits: { ...NO_LIMITS, authPerSecond },
            });
            const statuses = await burstFrom("127.0.0.15", lb.port, "/grafana/login", 3 * authPerSecond);
            expect(statuses.slice(0, authPerSecond)).to.deep.equal(new Array<number>(authPerSecond).fill(200));
            expect(statuses.filter((s) => s === 200).length, "accepted").to.be.at.most(authPerSecond + 1);
            expect(statuses.slice(-3)).to.deep.equal([429, 429, 429]);
            expect((await getFrom("127.0.0.15", lb.port, "/grafana/d/genai")).status, "other Grafana pages").to.equal(200);
            await lb.haproxy.stop();
        });
    });

    describe("response headers", () => {
        const otherOrigin = "https://elsewhere.example.com";
        const apiPerSecond = 50;
        let model: UpstreamStub;
        let grafana: UpstreamStub;
        let lb: LoadBalancer;

        before(async function () {
            this.timeout(20_000);
            model = await upstream("model");
            grafana = await startUpstreamStub({ name: "grafana", healthPath: GRAFANA_HEALTH_PATH });
            lb = await startLoadBalancer({
                // "down" points at a port nothing listens on.
                routes: [routeTo("llm", 0, [model], []), stableOnly("down", LOOPBACK, await freePort())],
                grafana: { server: { name: "grafana", host: LOOPBACK, port: grafana.port }, healthPath: GRAFANA_HEALTH_PATH },
                rateLimits: { ...NO_LIMITS, apiPerSecond },
                corsOrigins: [CORS_ORIGIN, "https://app.example.com"],
            });
        });

        it("adds every security header to a model's answers", async () => {
            const response = await httpGet(lb.port, "/models/llm/v1/models");
            expect(response.status).to.equal(200);
            expect(response.body).to.equal("model");
            expectSecurityHeaders(response, "a model's answer");
        });

        it("gives Grafana's pages their own Content-Security-Policy, with the other security headers", async () => {
            const page = await httpGet(lb.port, "/grafana/d/genai-inference");
            expect(page.status).to.equal(200);
            expect(page.body).to.equal("grafana");
            expectSecurityHeaders(page, "a Grafana page", GRAFANA_CONTENT_SECURITY_POLICY);
        });

        it("echoes an allowed Origin, answers its preflight itself, and gives another origin no CORS header", async () => {
            const allowed = await httpGet(lb.port, "/models/llm/v1/models", { Origin: CORS_ORIGIN });
            expect(allowed.headers["access-control-allow-origin"]).to.equal(CORS_ORIGIN);
            expect(allowed.headers.vary).to.equal("Origin");
            const second = await httpGet(lb.port, "/models/llm/v1/models", { Origin: "https://app.example.com" });
            expect(second.headers["access-control-allow-origin"]).to.equal("https://app.example.com");
            const other = await httpGet(lb.port, "/models/llm/v1/models", { Origin: otherOrigin });
            expect(other.status).to.equal(200);
            expect(other.headers["access-control-allow-origin"]).to.equal(undefined);

            const proxiedBefore = model.requestCount();
            const preflight = await httpRequest(lb.port, {
                method: "OPTIONS",
                path: "/models/llm/v1/completions",
                headers: { Origin: CORS_ORIGIN, "Access-Control-Request-Method": "POST" },
            });
            expect(preflight.status).to.equal(204);
            expect(preflight.headers["access-control-allow-origin"]).to.equal(CORS_ORIGIN);
            expect(preflight.headers["access-control-allow-methods"]).to.equal("GET, POST, OPTIONS");
            expect(preflight.headers["access-control-allow-headers"]).to.equal("Authorization, Content-Type");
            expect(model.requestCount(), "the preflight stays in HAProxy").to.equal(proxiedBefore);

            const otherPreflight = await httpRequest(lb.port, {
                method: "OPTIONS",
                path: "/models/llm/v1/completions",
                headers: { Origin: otherOrigin, "Access-Control-Request-Method": "POST" },
            });
            expect(otherPreflight.status).to.not.equal(204);
            expect(otherPreflight.headers["access-control-allow-origin"]).to.equal(undefined);
            expect(otherPreflight.headers["access-control-allow-methods"]).to.equal(undefined);
        });

        it("adds the security headers to the answers HAProxy makes itself: 404, 503, 429, the preflight's 204, its health", async function () {
            this.timeout(20_000);
            const made: [string, HttpResponse][] = [
                ["a 404", await httpGet(lb.port, "/no-such-route")],
                ["a 503", await httpGet(lb.port, "/models/down/v1/models")],
                ["the preflight's 204", await httpRequest(lb.port, { method: "OPTIONS", path: "/models/llm/v1/models", headers: { Origin: CORS_ORIGIN } })],
                ["the health answer", await httpGet(lb.port, LB_HEALTH_PATH)],
            ];
            const burst = await burstFrom("127.0.0.16", lb.port, "/models/llm/v1/models", apiPerSecond + 5);
            expect(burst.slice(-1)).to.deep.equal([429]);
            made.push(["a 429", await getFrom("127.0.0.16", lb.port, "/models/llm/v1/models")]);
            expect(made.map(([what, r]) => `${what}: ${r.status}`)).to.deep.equal(["a 404: 404", "a 503: 503", "the preflight's 204: 204", "the health answer: 200", "a 429: 429"]);
            for (const [what, response] of made) expectSecurityHeaders(response, what);
        });
    });

    describe("Prometheus metrics", () => {
        it("counts each server's answers by status class, the canary's 5xx included", async function () {
            this.timeout(20_000);
            const stable = await upstream("stable");
            const canary = await upstream("canary", { status: 500 });
            const lb = await startLoadBalancer({ routes: [routeTo("flaky", 50, [stable], [canary])] });
            const responses = await sendRequests(lb.port, "/models/flaky/v1/completions", 40, 4);
            const canary5xx = responses.filter((r) => r.status === 500 && r.body === "canary").length;
            const stable2xx = responses.filter((r) => r.status === 200 && r.body === "stable").length;
            expect(canary5xx + stable2xx, "every answer from one of the two").to.equal(40);
            expect(canary5xx).to.be.within(15, 25);

            const metrics = await httpGet(lb.statsPort, "/metrics");
            expect(metrics.status).to.equal(200);
            const responsesOf = (server: string, code: string): number | undefined =>
                sampleValue(metrics.body, "haproxy_server_http_responses_total", { proxy: "model-flaky", server, code });
            expect(responsesOf("canary-0", "5xx"), "canary-0 5xx").to.equal(canary5xx);
            expect(responsesOf("canary-0", "2xx"), "canary-0 2xx").to.equal(0);
            expect(responsesOf("stable-0", "2xx"), "stable-0 2xx").to.equal(stable2xx);
            expect(responsesOf("stable-0", "5xx"), "stable-0 5xx").to.equal(0);
            expect((await httpGet(lb.statsPort, "/")).status, "anything but /metrics").to.equal(404);
            await lb.haproxy.stop();
        });
    });

    describe("read-only Docker API proxy", () => {
        let docker: UpstreamStub;
        let port: number;

        before(async function () {
            this.timeout(20_000);
            const socket = path.join(makeTempDir("genai-docker"), "docker.sock");
            docker = await startUpstreamStub({ name: "docker", socketPath: socket });
            port = await freePort();
            const conf = renderDockerApiProxyConfig({ listenPort: port, socket, bindAddress: LOOPBACK });
            const check = await haproxyCheck(conf);
            expect(check.ok, check.output).to.equal(true);
            await startHaproxy(conf);
        });

        it("accepts the dev stack's proxy configuration", async function () {
            this.timeout(30_000);
            const dev = await devStack();
            // The proxy runs the HAProxy image, whose config is at its default path.
            const conf = dev.upload("observability-docker-api-proxy", "/usr/local/etc/haproxy/haproxy.cfg");
            expect(conf).to.match(/^\s+server engine \/\S+\.sock$/m);
            const result = await haproxyCheck(conf);
            expect(result.ok, result.output).to.equal(true);
        });

        it("forwards reads of the allowed paths to the Docker socket", async () => {
            const allowed: [string, string][] = [
                ["GET", "/v1.43/containers/json"],
                ["GET", "/containers/abc/logs?follow=1&stdout=1"],
                ["GET", "/v1.43/containers/abc/json"],
                ["HEAD", "/_ping"],
                ["GET", "/version"],
            ];
            for (const [method, urlPath] of allowed) {
                const before = docker.requestCount();
                const response = await httpRequest(port, { method, path: urlPath });
                expect(response.status, `${method} ${urlPath}`).to.equal(200);
                expect(docker.requests().slice(before).map((r) => `${r.method} ${r.url}`)).to.deep.equal([`${method} ${urlPath}`]);
            }
        });

        it("answers 403 to writes and to other paths, which never reach the Docker socket", async () => {
            const refused: [string, string][] = [
                ["POST", "/containers/create"],
                ["POST", "/v1.43/containers/abc/exec"],
                ["DELETE", "/containers/abc"],
                ["PUT", "/containers/abc/archive"],
                ["GET", "/secrets"],
                ["GET", "/v1.43/containers/abc/archive?path=/etc"],
                ["GET", "/containers/abc/logs/../../../secrets"],
                ["POST", "/containers/abc/logs"],
            ];
            const before = docker.requestCount();
            for (const [method, urlPath] of refused) {
                const response = await httpRequest(port, { method, path: urlPath, body: method === "GET" ? undefined : "{}" });
                expect(response.status, `${method} ${urlPath}`).to.equal(403);
            }
            expect(docker.requests().slice(before)).to.deep.equal([]);
        });
    });
});
