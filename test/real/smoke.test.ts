/**
 * The smoke check against Debian's HAProxy on 127.0.0.1, configured by the program's own renderer from
 * the dev stack's config (its routes, health paths and rate limits), in front of small HTTP servers
 * standing for the models and Grafana.
 */
import { expect } from "chai";
import * as http from "node:http";
import { IMAGES } from "../../catalog/images";
import { Track } from "../../components/inference/model";
import { grafanaPath } from "../../components/observability/grafana";
import { HaproxyConfSpec, renderHaproxyConfig } from "../../components/traffic/haproxy-conf";
import { trafficSplit } from "../../components/traffic/split";
import { UpstreamServer } from "../../components/traffic/upstreams";
import { parseWindow } from "../../scripts/rollout/plan";
import { typedStackConfig } from "../../scripts/check/stack-policy";
import { smoke, smokeStack } from "../../scripts/smoke/index";
import { StackConfig } from "../../stacks/config";
import { devWithLlmCanary } from "../smoke/dev-canary";
import { freePort, HaproxyServer, LOOPBACK, registeredClose, requireBinaryOrSkip, startHaproxy, startUpstreamStub, stopAll } from "../support/servers";

const GRAFANA_HEALTH_PATH = grafanaPath(IMAGES.grafana.health.path);

interface Platform {
    readonly cfg: StackConfig;
    readonly haproxy: HaproxyServer;
    readonly baseUrl: string;
}

/** How the stand-in of one server behaves; healthy on its health path by default. */
interface Stand {
    /** Status of the health path's answers. */
    readonly healthStatus?: number;
    /** Answers 503 on its health path this long after it starts, then 200, as llama.cpp while it loads its model. */
    readonly loadingMs?: number;
}

/** A model server that loads for `loadingMs`: its health path answers 503 until then, 200 after. */
async function loadingServer(healthPath: string, loadingMs: number): Promise<UpstreamServer> {
    const readyAt = Date.now() + loadingMs;
    const server = http.createServer((req, res) => {
        req.resume();
        const status = req.url === healthPath && Date.now() < readyAt ? 503 : 200;
        res.writeHead(status, { "content-length": 0 });
        res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
    server.unref();
    registeredClose(server);
    return { name: "loading", host: LOOPBACK, port: (server.address() as { port: number }).port };
}

/** Grafana's stand-in: healthy to HAProxy's own checks, redirecting to `location` what a client sends through the load balancer. */
async function redirectingToClients(location: string): Promise<UpstreamServer> {
    const server = http.createServer((req, res) => {
        req.resume();
        // HAProxy's own health checks carry no X-Forwarded-For (`option forwardfor` adds it to forwarded requests only):
        // it keeps the server in service, so the smoke check itself meets the redirect.
        const throughLb = req.headers["x-forwarded-for"] !== undefined;
        res.writeHead(throughLb ? 302 : 200, throughLb ? { location, "content-length": 0 } : { "content-length": 2 });
        res.end(throughLb ? undefined : "ok");
    });
    await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
    server.unref();
    registeredClose(server);
    return { name: "grafana", host: LOOPBACK, port: (server.address() as { port: number }).port };
}

async function stub(name: string, healthPath: string, stand: Stand = {}): Promise<UpstreamServer> {
    if (stand.loadingMs !== undefined) return loadingServer(healthPath, stand.loadingMs);
    const s = await startUpstreamStub({ name, healthPath, healthStatus: stand.healthStatus });
    return { name, host: s.host, port: s.port };
}

/**
 * HAProxy configured as the program configures dev's (renderHaproxyConfig with the stack's routes, health
 * paths and rate limits), with a stand-in per model track and for Grafana.
 */
async function startPlatform(cfg: StackConfig, stands: { models?: Record<string, Stand>; grafana?: (lbUrl: string) => Promise<UpstreamServer> } = {}): Promise<Platform> {
    const listenPort = await freePort();
    const baseUrl = `http://${LOOPBACK}:${listenPort}`;
    const routes = await Promise.all(
        cfg.models.map(async (model) => {
            const servers: Record<Track, UpstreamServer[]> = { stable: [], canary: [] };
            for (const track of model.canary ? (["stable", "canary"] as const) : (["stable"] as const)) {
                const server = await stub(`${model.name}-${track}`, model.engine.health.path, stands.models?.[`${model.name}/${track}`]);
                servers[track].push({ ...server, name: `${track}-0` });
            }
            return { split: trafficSplit(model), healthPath: model.engine.health.path, servers };
        }),
    );
    const grafana = stands.grafana ? await stands.grafana(baseUrl) : await stub("grafana", GRAFANA_HEALTH_PATH);
    const spec: HaproxyConfSpec = {
        listenPort,
        statsPort: await freePort(),
        healthPath: IMAGES.haproxy.health.path,
        routes,
        grafana: { server: grafana, healthPath: GRAFANA_HEALTH_PATH },
        rateLimits: { perMinute: cfg.traffic.rateLimitPerMinute, apiPerSecond: cfg.traffic.apiRateLimitPerSecond, authPerSecond: cfg.traffic.authRateLimitPerSecond },
        corsOrigins: cfg.traffic.corsOrigins,
        // Servers are addressed by IP: HAProxy never queries this.
        nameserver: `${LOOPBACK}:${await freePort()}`,
        bindAddress: LOOPBACK,
    };
    const haproxy = await startHaproxy(renderHaproxyConfig(spec), { port: listenPort });
    return { cfg, haproxy, baseUrl };
}

interface Run {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly ms: number;
}

/**
 * The check of the platform's config through its load balancer: the command itself (`npm run smoke -- dev
 * --url ...`, in-process) for the dev stack file's config, its core for another config.
 */
async function runSmoke(platform: Platform, options: { timeout: string; json?: boolean }): Promise<Run> {
    let stdout = "";
    let stderr = "";
    const env = { stdout: { write: (c: string) => void (stdout += c) }, stderr: { write: (c: string) => void (stderr += c) } };
    const started = Date.now();
    const code =
        platform.cfg === devFile
            ? await smoke(["dev", "--url", platform.baseUrl, "--timeout", options.timeout, ...(options.json ? ["--json"] : [])], env)
            : await smokeStack(platform.cfg, platform.baseUrl, { timeoutMs: parseWindow(options.timeout)! * 1000, json: options.json === true }, env);
    return { code, stdout, stderr, ms: Date.now() - started };
}

function lineOf(run: Run, route: string): string {
    const line = run.stdout.split("\n").find((l) => l.split(/\s+/)[1] === route);
    if (line === undefined) throw new Error(`no line for ${route} in:\n${run.stdout}`);
    return line;
}

/** The dev stack as its stack file configures it (no canary). */
let devFile: StackConfig;

describe("smoke check through HAProxy (real server)", function () {
    let canaryDev: StackConfig;

    before(function () {
        requireBinaryOrSkip(this, "haproxy");
        devFile = typedStackConfig("dev");
        canaryDev = devWithLlmCanary();
    });

    afterEach(async () => {
        await stopAll();
    });

    it("every route healthy, both tracks of the LLM included: exit 0, a line per route with its status and latency", async () => {
        const platform = await startPlatform(canaryDev);
        const run = await runSmoke(platform, { timeout: "10s" });
        expect(run.code, run.stdout + run.stderr).to.equal(0);
        for (const route of ["llm/stable", "llm/canary", "image/stable", "grafana", "lb"]) {
            expect(lineOf(run, route)).to.match(new RegExp(`^ok +${route.replace("/", "\\/")} +200 +\\d+ ms  GET ${platform.baseUrl}/`));
        }
        expect(run.stdout).to.match(/smoke dev: all 5 routes healthy/);
        expect(run.ms).to.be.below(3_000);
    });

    it("one model's upstream answering 503: exit 1, naming that route only", async () => {
        const platform = await startPlatform(canaryDev, { models: { "image/stable": { healthStatus: 503 } } });
        const run = await runSmoke(platform, { timeout: "3s" });
        expect(run.code, run.stdout + run.stderr).to.equal(1);
        expect(lineOf(run, "image/stable")).to.match(/^FAIL image\/stable 503 .*answered 503$/);
        expect(run.stdout.split("\n").filter((l) => l.startsWith("FAIL"))).to.have.length(1);
        expect(run.stdout).to.match(/1 of 5 routes unhealthy .*: image\/stable\n$/);
    });

    it("a redirecting health is a failure, at once, and is never followed (its target is healthy)", async () => {
        const platform = await startPlatform(devFile, { grafana: (lbUrl) => redirectingToClients(`${lbUrl}${IMAGES.haproxy.health.path}`) });
        const run = await runSmoke(platform, { timeout: "20s", json: true });
        expect(run.code, run.stdout + run.stderr).to.equal(1);
        const doc = JSON.parse(run.stdout) as { routes: { name: string; healthy: boolean; status: number; attempts: number; error: string }[] };
        const grafana = doc.routes.find((r) => r.name === "grafana")!;
        expect(grafana).to.include({ healthy: false, status: 302, attempts: 1 });
        expect(grafana.error).to.equal(`redirect to ${platform.baseUrl}${IMAGES.haproxy.health.path}, never followed`);
        expect(doc.routes.filter((r) => r.name !== "grafana").every((r) => r.healthy)).to.equal(true);
        expect(run.ms).to.be.below(3_000);
    });

    it("a model still loading after the deploy passes once it has loaded, within the timeout", async () => {
        const platform = await startPlatform(devFile, { models: { "image/stable": { loadingMs: 1_500 } } });
        const run = await runSmoke(platform, { timeout: "20s", json: true });
        expect(run.code, run.stdout + run.stderr).to.equal(0);
        const doc = JSON.parse(run.stdout) as { routes: { name: string; attempts: number; healthyAfterMs: number }[] };
        const image = doc.routes.find((r) => r.name === "image/stable")!;
        expect(image.attempts).to.be.greaterThan(1);
        expect(image.healthyAfterMs).to.be.within(1_500, 10_000);
        expect(run.stderr).to.match(/not healthy yet: image\/stable \(answered 503\)/);
    });
});
