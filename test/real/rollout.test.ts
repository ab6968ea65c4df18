/**
 * The rollout end to end on real servers: HAProxy rendered as the dev stack renders it, in front of two
 * small HTTP servers standing for the stable and the canary version; Prometheus scraping HAProxy with the
 * dev stack's own scrape job; Alertmanager with the dev stack's own configuration. The tool runs as
 * `npm run rollout` runs it, with a short window; only Pulumi is replaced, by a stack that renders the
 * load balancer's configuration and applies it with the dev stack's apply script.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import { stringify } from "yaml";
import { ConfigVersion, StackApplier } from "../../scripts/rollout/apply";
import { RolloutArgs } from "../../scripts/rollout/args";
import { Output } from "../../scripts/rollout/display";
import { runRollout } from "../../scripts/rollout/index";
import { buildPlan } from "../../scripts/rollout/plan";
import { SYSTEM_CLOCK } from "../../scripts/rollout/clock";
import { AlertmanagerNotifier, HttpSmokeCheck, PrometheusMetrics } from "../../scripts/rollout/services";
import { StateStore } from "../../scripts/rollout/state";
import { LOAD_BALANCER_SIGNALS } from "../../catalog/images";
import { recentDeploy } from "../../components/observability/alerts";
import { HaproxyConfSpec, HaproxyRoute, renderHaproxyConfig } from "../../components/traffic/haproxy-conf";
import { LB_APPLY_SCRIPT } from "../../components/traffic/lb-apply";
import { upstreamServerWeights } from "../../components/traffic/split";
import { modelRoute } from "../../components/traffic/upstreams";
import { devStack, devStackConfig } from "../support/dev-stack";
import {
    AlertmanagerServer,
    HaproxyServer,
    LOOPBACK,
    PrometheusServer,
    freePort,
    httpGet,
    listenOnLoopback,
    makeTempDir,
    registeredClose,
    requireBinary,
    requireBinaryOrSkip,
    runCommand,
    startAlertmanager,
    startHaproxy,
    startPrometheus,
    stopAll,
} from "../support/servers";

const MODEL = "llm";
const HEALTH_PATH = "/health";
const OLDER_LLAMA = "ghcr.io/ggml-org/llama.cpp:server-b10547";
/** The test's Prometheus scrapes every second, so a window of a few seconds holds a rate. */
const SCRAPE_SECONDS = 1;
const WINDOW_SECONDS = 6;
const STEPS = [50, 100];

/** Milliseconds a stand-in takes to answer: what a model server takes is far longer than the load balancer's 1 ms resolution. */
const ANSWER_MS = 20;

/** A model server stand-in: answers 500 to every `failEvery`-th request (none when 0), 200 otherwise, after ANSWER_MS; 200 at once on its health path. */
interface VersionServer {
    readonly port: number;
    served: number;
    failEvery: number;
}

async function versionServer(failEvery: number): Promise<VersionServer> {
    const state = { port: 0, served: 0, failEvery };
    const server = http.createServer((req, res) => {
        if (req.url === HEALTH_PATH) {
            res.writeHead(200).end("ok");
            return;
        }
        state.served++;
        const fail = state.failEvery > 0 && state.served % state.failEvery === 0;
        setTimeout(() => res.writeHead(fail ? 500 : 200, { "content-type": "application/json" }).end(fail ? '{"error":"boom"}' : '{"ok":true}'), ANSWER_MS);
    });
    server.keepAliveTimeout = 120_000;
    state.port = await listenOnLoopback(server);
    registeredClose(server);
    return state;
}

/**
 * The stack as Pulumi would change it, minus Pulumi: the model's versions and the canary's weight, the load
 * balancer's configuration rendered from them as the dev stack renders it and applied with its apply script.
 * After each apply it reads the weights HAProxy itself reports.
 */
class LoadBalancerStack implements StackApplier {
    stable: ConfigVersion;
    canary?: ConfigVersion;
    weight = 0;
    readonly calls: string[] = [];
    /** The canary's share HAProxy reports after each apply (server weights from its exporter). */
    readonly proxyCanaryShares: number[] = [];

    constructor(
        private readonly lb: { spec: HaproxyConfSpec; haproxy: HaproxyServer },
        private readonly servers: ReadonlyMap<string, VersionServer>,
        from: ConfigVersion,
    ) {
        this.stable = from;
    }

    route(): HaproxyRoute {
        const server = (track: string, v: ConfigVersion) => ({ name: `${track}-0`, host: LOOPBACK, port: this.servers.get(v.image)!.port });
        return {
            split: { model: MODEL, stable: 100 - (this.canary ? this.weight : 0), canary: this.canary ? this.weight : 0 },
            healthPath: HEALTH_PATH,
            servers: { stable: [server("stable", this.stable)], canary: this.canary ? [server("canary", this.canary)] : [] },
        };
    }

    private async apply(call: string): Promise<void> {
        this.calls.push(call);
        const before = this.lb.haproxy.loads();
        const result = await runCommand(requireBinary("sh"), ["-c", LB_APPLY_SCRIPT], {
            input: renderHaproxyConfig({ ...this.lb.spec, routes: [this.route()] }),
            timeoutMs: 15_000,
            env: { GENAI_LB_CONFIG_DIR: this.lb.haproxy.dir, GENAI_LB_CHECK: `${requireBinary("haproxy")} -c -q -f`, GENAI_LB_RELOAD: `kill -USR2 ${this.lb.haproxy.pid}` },
        });
        if (result.code !== 0) throw new Error(`the apply script failed: ${result.stderr}`);
        await this.lb.haproxy.waitForNextLoad(before);
        this.proxyCanaryShares.push(await this.canaryShareReported());
    }

    /** The canary's share of the backend's weight, as HAProxy's exporter reports it now. */
    private async canaryShareReported(): Promise<number> {
        const metrics = (await httpGet(this.lb.spec.statsPort, "/metrics")).body;
        const weight = (server: string): number => {
            const line = metrics.split("\n").find((l) => l.startsWith("haproxy_server_weight{") && l.includes(`proxy="model-${MODEL}"`) && l.includes(`server="${server}"`));
            return line ? Number(line.split(" ").pop()) : 0;
        };
        const stable = weight("stable-0");
        const canary = weight("canary-0");
        return stable + canary === 0 ? 0 : Math.round((100 * canary) / (stable + canary));
    }

    async startCanary(version: ConfigVersion, weight: number): Promise<void> {
        this.canary = version;
        this.weight = weight;
        await this.apply(`startCanary ${weight}`);
    }
    async setWeight(weight: number): Promise<void> {
        this.weight = weight;
        await this.apply(`setWeight ${weight}`);
    }
    async setStable(version: ConfigVersion): Promise<void> {
        this.stable = version;
        await this.apply("setStable");
    }
    async removeCanary(): Promise<void> {
        this.canary = undefined;
        this.weight = 0;
        await this.apply("removeCanary");
    }
}

class Lines implements Output {
    text = "";
    write(chunk: string): void {
        this.text += chunk;
    }
}

/** Requests to the model's route, `concurrency` at a time, until stopped; their statuses. */
function traffic(port: number, concurrency = 2): { stop: () => Promise<number[]> } {
    const statuses: number[] = [];
    let running = true;
    const deadline = Date.now() + 60_000;
    const worker = async (): Promise<void> => {
        for (let i = 0; running && Date.now() < deadline && i < 100_000; i++) {
            try {
                statuses.push((await httpGet(port, `${modelRoute(MODEL)}v1/chat/completions`)).status);
            } catch {
                statuses.push(0);
            }
            await new Promise((r) => setTimeout(r, 20));
        }
    };
    const workers = Array.from({ length: concurrency }, worker);
    return {
        stop: async () => {
            running = false;
            await Promise.all(workers);
            return statuses;
        },
    };
}

describe("rollout end to end: HAProxy, Prometheus and Alertmanager on 127.0.0.1", function () {
    this.timeout(90_000);
    let prometheus: PrometheusServer;
    let alertmanager: AlertmanagerServer;
    let lb: { spec: HaproxyConfSpec; haproxy: HaproxyServer };
    const servers = new Map<string, VersionServer>();
    const from = { image: devStackConfig().models.find((m) => m.name === MODEL)!.stable.image, weights: "qwen2.5-0.5b-instruct-q4_k_m" };

    before(async function () {
        for (const bin of ["haproxy", "prometheus", "prometheus-alertmanager"]) requireBinaryOrSkip(this, bin);
        servers.set(from.image, await versionServer(0));
        servers.set(OLDER_LLAMA, await versionServer(0));
        const spec: HaproxyConfSpec = {
            listenPort: await freePort(),
            statsPort: await freePort(),
            healthPath: "/healthz",
            routes: [],
            rateLimits: { perMinute: 1_000_000, apiPerSecond: 100_000, authPerSecond: 100_000 },
            corsOrigins: [],
            nameserver: `${LOOPBACK}:${await freePort()}`,
            bindAddress: LOOPBACK,
        };
        const stable = { name: "stable-0", host: LOOPBACK, port: servers.get(from.image)!.port };
        const route: HaproxyRoute = { split: { model: MODEL, stable: 100, canary: 0 }, healthPath: HEALTH_PATH, servers: { stable: [stable], canary: [] } };
        lb = { spec, haproxy: await startHaproxy(renderHaproxyConfig({ ...spec, routes: [route] }), { port: spec.listenPort }) };

        // The dev stack's own scrape job of the load balancer (its relabelling gives `model` and `track`), pointed at this HAProxy.
        const dev = await devStack();
        const lbJob = dev.scrapeJob("lb", `${LOOPBACK}:${spec.statsPort}`);
        prometheus = await startPrometheus(stringify({ global: { scrape_interval: `${SCRAPE_SECONDS}s`, evaluation_interval: `${SCRAPE_SECONDS}s` }, scrape_configs: [lbJob] }));
        await prometheus.waitForTargetsUp();
        alertmanager = await startAlertmanager(dev.upload("observability-alertmanager", "/etc/alertmanager/alertmanager.yml"));
    });

    after(async () => {
        await stopAll();
    });

    async function rolloutTo(canaryFailEvery: number): Promise<{ code: number; stack: LoadBalancerStack; out: Lines; err: Lines; statuses: number[]; stateDir: string }> {
        servers.get(OLDER_LLAMA)!.failEvery = canaryFailEvery;
        const stack = new LoadBalancerStack(lb, servers, from);
        const stateDir = makeTempDir("genai-rollout-state");
        const out = new Lines();
        const err = new Lines();
        const load = traffic(lb.spec.listenPort);
        const code = await runRollout(["dev", MODEL, "--image", OLDER_LLAMA, "--state-dir", stateDir], {
            stdout: out,
            stderr: err,
            clock: SYSTEM_CLOCK,
            planner: async (args: RolloutArgs) => ({
                plan: buildPlan(devStackConfig(), args.model, {
                    change: { image: args.image },
                    strategy: "canary",
                    steps: STEPS,
                    windowSeconds: WINDOW_SECONDS,
                    scrapeIntervalSeconds: SCRAPE_SECONDS,
                    checkEverySeconds: 1,
                    prometheusUrl: prometheus.url,
                    alertmanagerUrl: alertmanager.url,
                    lbUrl: `http://${LOOPBACK}:${lb.spec.listenPort}`,
                }),
                blockers: [],
            }),
            backends: async (plan) => ({
                applier: stack,
                metrics: new PrometheusMetrics(plan.prometheusUrl),
                notifier: new AlertmanagerNotifier(plan.alertmanagerUrl),
                smoke: {
                    canary: new HttpSmokeCheck(`${plan.lbUrl}${modelRoute(MODEL)}health`, "canary"),
                    stable: new HttpSmokeCheck(`${plan.lbUrl}${modelRoute(MODEL)}health`, "stable"),
                },
            }),
        });
        const statuses = await load.stop();
        return { code, stack, out, err, statuses, stateDir };
    }

    it("promotes a healthy canary: each step's weights are the ones HAProxy reports, then the stable route serves the new version", async () => {
        const run = await rolloutTo(0);
        expect(run.code, `${run.out.text}\n${run.err.text}`).to.equal(0);
        expect(run.stack.calls).to.deep.equal(["startCanary 0", "setWeight 50", "setWeight 100", "setStable", "setWeight 0", "removeCanary"]);
        // What HAProxy reports after each apply: the canary's share of the weights, as the split asked.
        const share = (w: number) => {
            const s = upstreamServerWeights({ model: MODEL, stable: 100 - w, canary: w }, 1, 1);
            return s.stable + s.canary === 0 ? 0 : Math.round((100 * s.canary) / (s.stable + s.canary));
        };
        expect(run.stack.proxyCanaryShares).to.deep.equal([share(0), share(50), share(100), share(100), 0, 0]);
        expect(run.stack.stable.image).to.equal(OLDER_LLAMA);
        const state = new StateStore(run.stateDir).load("dev", MODEL)!;
        expect(state.phase).to.equal("promoted");
        expect(state.history.map((h) => [h.weight, h.verdict])).to.deep.equal([[50, "pass"], [100, "pass"]]);
        // The canary was judged on requests it really served, counted by Prometheus from HAProxy.
        expect(state.history[0].canary.requests).to.be.greaterThan(20);
        expect(state.history[0].stable.requests).to.be.greaterThan(20);
        // A few hundred requests per step are too few for HAProxy's running mean (it restarts at each reload): the verdict says latency was not judged.
        expect(state.history[0].reasons.join("; ")).to.contain("latency not judged");
        // The weight moves are the deploy the post-deploy alert watches for, in the real Prometheus.
        const deployMarker = recentDeploy(MODEL, { kind: "load-balancer", signals: LOAD_BALANCER_SIGNALS });
        expect(await prometheus.query(deployMarker), deployMarker).to.be.greaterThan(0);
        // No request failed while the weights moved and the stable version changed.
        expect(run.statuses.filter((s) => s !== 200), "failed requests").to.deep.equal([]);
        expect(run.statuses.length).to.be.greaterThan(100);
    });

    it("rolls back a canary failing one request in four within the budget, tells Alertmanager, and leaves the stable version serving", async () => {
        const started = Date.now();
        const run = await rolloutTo(4);
        expect(run.code, `${run.out.text}\n${run.err.text}`).to.equal(1);
        expect(run.stack.calls).to.deep.equal(["startCanary 0", "setWeight 50", "setWeight 0", "removeCanary"]);
        expect(run.stack.proxyCanaryShares.slice(-2)).to.deep.equal([0, 0]);
        expect(run.stack.stable.image).to.equal(from.image);
        const state = new StateStore(run.stateDir).load("dev", MODEL)!;
        expect(state.phase).to.equal("rolled-back");
        expect(state.rollback!.reason).to.match(/^step 1\/2 at 50%: canary error ratio \d+(\.\d+)?% is above 5%/);
        // Caught at a check within the window (not at its end), and applied well within the seeds' 2 minutes.
        expect(Date.parse(state.rollback!.decidedAt) - started).to.be.below(WINDOW_SECONDS * 1000 + 5_000);
        expect(state.rollback!.seconds).to.be.below(120);
        // After the rollback every request is served by the stable version.
        const after = await Promise.all(Array.from({ length: 40 }, () => httpGet(lb.spec.listenPort, `${modelRoute(MODEL)}v1/chat/completions`)));
        expect(after.map((r) => r.status).filter((s) => s !== 200)).to.deep.equal([]);
        // Alertmanager holds the notice, routed by the dev configuration to the critical receiver.
        const res = await httpGet(alertmanager.port, `/api/v2/alerts?filter=${encodeURIComponent('alertname="RolloutRolledBack"')}`);
        const alerts = JSON.parse(res.body) as { labels: Record<string, string>; receivers: { name: string }[]; status: { state: string } }[];
        expect(alerts).to.have.length(1);
        expect(alerts[0].labels).to.include({ severity: "critical", stack: "dev", model: MODEL, source: "rollout" });
        expect(alerts[0].receivers.map((r) => r.name)).to.deep.equal(["critical"]);
        expect(alerts[0].status.state).to.equal("active");
        expect(fs.existsSync(run.stateDir)).to.equal(true);
    });
});
