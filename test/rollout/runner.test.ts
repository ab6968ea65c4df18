import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigVersion, StackApplier } from "../../scripts/rollout/apply";
import { TrackFigures } from "../../scripts/rollout/judge";
import { buildPlan, PlanOptions, RolloutPlan, TrackQueries } from "../../scripts/rollout/plan";
import { Clock } from "../../scripts/rollout/clock";
import { ProgressEvent, RolloutError, RolloutRunner } from "../../scripts/rollout/runner";
import { MetricsSource, Notifier, RolloutNotice, SmokeCheck } from "../../scripts/rollout/services";
import { RolloutState, StateStore } from "../../scripts/rollout/state";
import { InputError } from "../../scripts/check/errors";
import { stackConfigOf } from "../support/dev-stack";

const OLDER_LLAMA = "ghcr.io/ggml-org/llama.cpp:server-b10547";
/** Seconds each update through Pulumi takes in these tests. */
const UPDATE_SECONDS = 20;
/** Requests per second the model receives. */
const RATE = 10;

class FakeClock implements Clock {
    t = Date.parse("2026-12-02T10:00:00Z");
    now(): number {
        return this.t;
    }
    async sleep(ms: number): Promise<void> {
        this.t += ms;
    }
}

/** The stack as the rollout changes it: the canary's version and weight, the stable version; each update takes time. */
class FakeStack implements StackApplier {
    readonly calls: string[] = [];
    weight = 0;
    canary?: ConfigVersion;
    /** When each weight was applied. */
    readonly applied: { weight: number; at: number }[] = [];
    constructor(
        private readonly clock: FakeClock,
        public stable: ConfigVersion,
        private readonly failOn?: string,
    ) {}
    private async update(call: string): Promise<void> {
        this.calls.push(call);
        this.clock.t += UPDATE_SECONDS * 1000;
        if (call === this.failOn) throw new Error(`pulumi up failed during ${call}`);
    }
    async startCanary(version: ConfigVersion, weight: number): Promise<void> {
        await this.update(`startCanary ${version.image} ${weight}`);
        this.canary = version;
        this.weight = weight;
        this.applied.push({ weight, at: this.clock.t });
    }
    async setWeight(weight: number): Promise<void> {
        await this.update(`setWeight ${weight}`);
        this.weight = weight;
        this.applied.push({ weight, at: this.clock.t });
    }
    async setStable(version: ConfigVersion): Promise<void> {
        await this.update(`setStable ${version.image}`);
        this.stable = version;
    }
    async removeCanary(): Promise<void> {
        await this.update("removeCanary");
        this.canary = undefined;
    }
}

type Health = (t: number) => { errorRatio: number; latencySeconds: number; share?: number };

/**
 * Prometheus as the fake stack makes it: each track serves its share of RATE requests per second with
 * the error ratio and latency its health function gives at that time.
 */
class FakePrometheus implements MetricsSource {
    down = false;
    readonly queries: string[] = [];
    constructor(
        private readonly plan: RolloutPlan,
        private readonly stack: FakeStack,
        private readonly clock: FakeClock,
        private readonly health: { canary: Health; stable: Health },
    ) {}
    async query(promql: string): Promise<number | undefined> {
        this.queries.push(promql);
        if (this.down) throw new Error("connect ECONNREFUSED 127.0.0.1:9090");
        for (const [set, windowSeconds] of [[this.plan.queries, this.plan.windowSeconds], [this.plan.earlyQueries, this.plan.earlyWindowSeconds]] as const) {
            for (const track of ["canary", "stable"] as const) {
                const field = (Object.entries(set[track]) as [keyof TrackQueries, string][]).find(([, q]) => q === promql)?.[0];
                if (!field) continue;
                const h = this.health[track](this.clock.t);
                const weight = track === "canary" ? (this.stack.canary ? this.stack.weight : 0) : 100 - this.stack.weight;
                const requests = RATE * windowSeconds * (h.share ?? weight / 100);
                if (requests === 0) return field === "requests" ? 0 : undefined;
                // The load balancer's running means have long settled: every version served thousands of requests.
                return { requests, errorRatio: h.errorRatio, successRatio: 1 - h.errorRatio, latency: h.latencySeconds, latencySamples: 10_000 }[field];
            }
        }
        throw new Error(`a query the plan does not have: ${promql}`);
    }
}

class FakeNotifier implements Notifier {
    readonly notices: RolloutNotice[] = [];
    async notify(notice: RolloutNotice): Promise<void> {
        this.notices.push(notice);
    }
}

const healthy: Health = () => ({ errorRatio: 0.005, latencySeconds: 0.4 });

interface Setup {
    plan: RolloutPlan;
    clock: FakeClock;
    stack: FakeStack;
    prometheus: FakePrometheus;
    notifier: FakeNotifier;
    store: StateStore;
    events: ProgressEvent[];
    runner: RolloutRunner;
    abort?: string;
}

function setup(opts: { plan?: Partial<PlanOptions>; canary?: Health; stable?: Health; failOn?: string; smoke?: { canary: SmokeCheck; stable: SmokeCheck }; dir?: string } = {}): Setup {
    const plan = buildPlan(stackConfigOf("dev"), "llm", { change: { image: OLDER_LLAMA }, strategy: "canary", ...opts.plan });
    const clock = new FakeClock();
    const stack = new FakeStack(clock, plan.from, opts.failOn);
    const prometheus = new FakePrometheus(plan, stack, clock, { canary: opts.canary ?? healthy, stable: opts.stable ?? healthy });
    const notifier = new FakeNotifier();
    const store = new StateStore(opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "genai-rollout-")));
    const events: ProgressEvent[] = [];
    const s = { plan, clock, stack, prometheus, notifier, store, events } as Setup;
    s.runner = new RolloutRunner(
        { applier: stack, metrics: prometheus, notifier, smoke: opts.smoke, store, clock, progress: (e) => events.push(e), abortRequested: () => s.abort },
        { readyTimeoutSeconds: 600 },
    );
    return s;
}

function begin(s: Setup): RolloutState {
    const state = RolloutRunner.start(s.plan, s.clock);
    s.store.save(state);
    return state;
}

const weightsApplied = (s: Setup): number[] => s.stack.calls.filter((c) => c.startsWith("setWeight")).map((c) => Number(c.split(" ")[1]));

describe("rollout: the loop", () => {
    it("promotes a healthy canary: every step watched for its window, then the stable version takes the new image and the canary goes", async () => {
        const s = setup();
        const started = s.clock.t;
        expect(await s.runner.run(begin(s))).to.equal("promoted");
        expect(s.stack.calls).to.deep.equal([
            `startCanary ${OLDER_LLAMA} 0`,
            "setWeight 10",
            "setWeight 25",
            "setWeight 50",
            "setWeight 75",
            "setWeight 100",
            `setStable ${OLDER_LLAMA}`,
            "setWeight 0",
            "removeCanary",
        ]);
        expect(s.stack.stable.image).to.equal(OLDER_LLAMA);
        const state = s.store.load("dev", "llm")!;
        expect(state.phase).to.equal("promoted");
        expect(state.history.map((h) => [h.weight, h.verdict])).to.deep.equal([10, 25, 50, 75, 100].map((w) => [w, "pass"]));
        expect(s.notifier.notices).to.deep.equal([]);
        // Each step is held at least its window: 5 x 5 minutes, plus the updates.
        expect(s.clock.t - started).to.be.at.least(5 * 300_000);
        expect(s.clock.t - started).to.be.below(5 * 300_000 + 10 * UPDATE_SECONDS * 1000 + 60_000);
    });

    it("rolls a canary that starts failing back at the next check, within 2 minutes of the decision, and notifies", async () => {
        let badFrom = Infinity;
        const s = setup({ canary: (t) => (t >= badFrom ? { errorRatio: 0.2, latencySeconds: 0.4 } : { errorRatio: 0.005, latencySeconds: 0.4 }) });
        const state = begin(s);
        // The canary breaks 40 s into the third step (50 %).
        const original = s.stack.setWeight.bind(s.stack);
        s.stack.setWeight = async (w: number) => {
            await original(w);
            if (w === 50) badFrom = s.clock.t + 40_000;
        };
        expect(await s.runner.run(state)).to.equal("rolled-back");
        expect(weightsApplied(s)).to.deep.equal([10, 25, 50, 0]);
        expect(s.stack.calls.at(-1)).to.equal("removeCanary");
        expect(s.stack.stable.image, "the stable version is untouched").to.equal(s.plan.from.image);
        const saved = s.store.load("dev", "llm")!;
        expect(saved.phase).to.equal("rolled-back");
        expect(saved.rollback!.reason).to.match(/^step 3\/5 at 50%: canary error ratio 20% is above 5%/);
        expect(saved.rollback!.seconds).to.be.at.most(120);
        // Detected at the first check after it broke, not at the window's end.
        const decided = Date.parse(saved.rollback!.decidedAt);
        expect(decided - badFrom).to.be.at.most(s.plan.checkEverySeconds * 1000);
        const zero = s.stack.applied.find((a) => a.weight === 0 && a.at > badFrom)!;
        expect(zero.at - decided).to.be.at.most(120_000);
        expect(s.notifier.notices).to.have.length(1);
        expect(s.notifier.notices[0]).to.include({ alertname: "RolloutRolledBack", severity: "critical", stack: "dev", model: "llm" });
        expect(s.notifier.notices[0].description).to.equal(saved.rollback!.reason);
        expect(s.events.some((e) => e.kind === "rollback")).to.equal(true);
    });

    it("fails a step whose latency is above 1.2 x the stable version's at the window's end", async () => {
        const s = setup({ canary: () => ({ errorRatio: 0, latencySeconds: 0.5 }), stable: () => ({ errorRatio: 0, latencySeconds: 0.4 }) });
        expect(await s.runner.run(begin(s))).to.equal("rolled-back");
        expect(s.store.load("dev", "llm")!.rollback!.reason).to.match(/^step 1\/5 at 10%: canary latency 0\.5 s is above 1\.2 x stable's 0\.4 s/);
    });

    describe("too little traffic", () => {
        const quiet: Health = () => ({ errorRatio: 0, latencySeconds: 0.4, share: 0.001 });

        it("waits up to two more windows, then fails the step (rule: wait)", async () => {
            const s = setup({ canary: quiet });
            const t0 = s.clock.t;
            expect(await s.runner.run(begin(s))).to.equal("rolled-back");
            const state = s.store.load("dev", "llm")!;
            expect(state.rollback!.reason).to.match(/^step 1\/5 at 10%: inconclusive after 3 window\(s\): the canary served \d+ requests/);
            expect(state.history.map((h) => h.verdict)).to.deep.equal(["inconclusive", "inconclusive", "inconclusive"]);
            expect(s.clock.t - t0).to.be.at.least(3 * 300_000);
        });

        it("fails the step after one window (rule: fail)", async () => {
            const s = setup({ canary: quiet, plan: { inconclusive: "fail" } });
            expect(await s.runner.run(begin(s))).to.equal("rolled-back");
            expect(s.store.load("dev", "llm")!.history).to.have.length(1);
        });
    });

    it("rolls back when Prometheus does not answer three checks in a row", async () => {
        const s = setup();
        const state = begin(s);
        const original = s.stack.setWeight.bind(s.stack);
        s.stack.setWeight = async (w: number) => {
            await original(w);
            if (w === 25) s.prometheus.down = true;
        };
        expect(await s.runner.run(state)).to.equal("rolled-back");
        expect(s.store.load("dev", "llm")!.rollback!.reason).to.match(/^step 2\/5: Prometheus did not answer three checks in a row \(connect ECONNREFUSED/);
        expect(weightsApplied(s).at(-1)).to.equal(0);
    });

    it("rolls back at the next check when another process asks to abort, and says so as a warning", async () => {
        const s = setup();
        const state = begin(s);
        const original = s.stack.setWeight.bind(s.stack);
        s.stack.setWeight = async (w: number) => {
            await original(w);
            if (w === 25) s.abort = "requested by ops";
        };
        expect(await s.runner.run(state)).to.equal("rolled-back");
        const saved = s.store.load("dev", "llm")!;
        expect(saved.phase).to.equal("aborted");
        expect(s.notifier.notices[0]).to.include({ alertname: "RolloutAborted", severity: "warning" });
        expect(weightsApplied(s)).to.deep.equal([10, 25, 0]);
    });

    describe("blue/green", () => {
        const answering = (ok: () => boolean): SmokeCheck => ({ check: async () => (ok() ? undefined : "the canary answered 503 on http://lb/models/llm/health") });

        it("switches all traffic at once after the new version answers its health path, judged against the stable figures from before the switch", async () => {
            // The new version answers 45 s after it starts (weights loading).
            let readyAt = Infinity;
            const s = setup({
                plan: { strategy: "bluegreen" },
                canary: () => ({ errorRatio: 0, latencySeconds: 0.9 }),
                smoke: { canary: answering(() => s.clock.t >= readyAt), stable: answering(() => true) },
            });
            const state = begin(s);
            const start = s.stack.startCanary.bind(s.stack);
            s.stack.startCanary = async (version, weight) => {
                await start(version, weight);
                readyAt = s.clock.t + 45_000;
            };
            expect(await s.runner.run(state)).to.equal("rolled-back");
            expect(weightsApplied(s)).to.deep.equal([100, 0]);
            expect(s.stack.applied.find((a) => a.weight === 100)!.at).to.be.at.least(readyAt);
            // The stable version served nothing while the canary had everything: its figures from before the switch are the baseline.
            expect(s.store.load("dev", "llm")!.rollback!.reason).to.match(/canary latency 0\.9 s is above 1\.2 x stable's 0\.4 s/);
        });

        it("never sends traffic to a new version that does not become ready", async () => {
            const s = setup({ plan: { strategy: "bluegreen" }, smoke: { canary: answering(() => false), stable: answering(() => true) } });
            expect(await s.runner.run(begin(s))).to.equal("rolled-back");
            expect(weightsApplied(s)).to.deep.equal([0]);
            expect(s.store.load("dev", "llm")!.rollback!.reason).to.match(/^the canary did not become ready within 600 s: the canary answered 503/);
        });
    });

    describe("interrupted and resumed", () => {
        it("stops where an update failed, records it, and a resumed run goes on from that step", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "genai-rollout-"));
            const first = setup({ failOn: "setWeight 50", dir });
            const error = await first.runner.run(begin(first)).then(() => undefined, (e: unknown) => e);
            expect(error).to.be.instanceOf(RolloutError);
            expect((error as Error).message).to.match(/^could not set the canary's weight to 50%: pulumi up failed/);
            const recorded = first.store.load("dev", "llm")!;
            expect(recorded).to.include({ phase: "stepping", step: 2 });
            expect(recorded.history.map((h) => h.weight)).to.deep.equal([10, 25]);

            const second = setup({ dir });
            second.stack.canary = first.stack.canary;
            expect(await second.runner.run(second.store.load("dev", "llm")!)).to.equal("promoted");
            expect(second.stack.calls[0]).to.equal("setWeight 50");
            expect(second.store.load("dev", "llm")!.history.map((h) => h.weight)).to.deep.equal([10, 25, 50, 75, 100]);
        });

        it("resumes a promotion at the stage that failed, without redoing the steps", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "genai-rollout-"));
            const first = setup({ failOn: "setWeight 0", dir });
            await first.runner.run(begin(first)).catch(() => undefined);
            expect(first.store.load("dev", "llm")!).to.include({ phase: "promoting", promotion: 1 });
            const second = setup({ dir });
            expect(await second.runner.run(second.store.load("dev", "llm")!)).to.equal("promoted");
            expect(second.stack.calls).to.deep.equal(["setWeight 0", "removeCanary"]);
        });
    });
});

describe("rollout: state and lock", () => {
    const dir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "genai-rollout-"));

    it("lets one rollout hold a stack: a second is refused with who holds it, and gets it once released", () => {
        const store = new StateStore(dir());
        const release = store.lock("dev", "rollout of llm");
        let message = "";
        try {
            store.lock("dev", "rollout of image");
        } catch (error) {
            expect(error).to.be.instanceOf(InputError);
            message = (error as Error).message;
        }
        expect(message).to.match(new RegExp(`^another rollout holds stack dev: rollout of llm \\(pid ${process.pid} on ${os.hostname()} since `));
        release();
        store.lock("dev", "rollout of image")();
    });

    it("takes over a lock its holder, a process of this machine that is gone, left behind", () => {
        const d = dir();
        fs.writeFileSync(path.join(d, "dev.lock"), JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), since: "2026-12-01T00:00:00Z", what: "rollout of llm" }));
        const release = new StateStore(d).lock("dev", "rollout of llm");
        expect(JSON.parse(fs.readFileSync(path.join(d, "dev.lock"), "utf8")).pid).to.equal(process.pid);
        release();
    });

    it("keeps a lock held from another machine", () => {
        const d = dir();
        fs.writeFileSync(path.join(d, "dev.lock"), JSON.stringify({ pid: 1, host: "ci-runner-7", since: "2026-12-01T00:00:00Z", what: "rollout of llm" }));
        expect(() => new StateStore(d).lock("dev", "x")).to.throw(InputError, /on ci-runner-7/);
    });

    it("saves the state whole, leaving no partial file, and reads it back", () => {
        const d = dir();
        const store = new StateStore(d);
        const plan = buildPlan(stackConfigOf("dev"), "llm", { change: { image: OLDER_LLAMA }, strategy: "canary" });
        const state = RolloutRunner.start(plan, new FakeClock());
        store.save(state);
        expect(fs.readdirSync(d)).to.deep.equal(["dev-llm.json"]);
        expect(store.load("dev", "llm")).to.deep.equal(state);
        expect(store.load("dev", "image")).to.equal(undefined);
    });

    it("refuses an unreadable state file with its path", () => {
        const d = dir();
        fs.writeFileSync(path.join(d, "dev-llm.json"), "{ half");
        expect(() => new StateStore(d).load("dev", "llm")).to.throw(InputError, /dev-llm\.json cannot be read/);
    });

    it("passes an abort request from one process to another", () => {
        const store = new StateStore(dir());
        expect(store.abortRequest("dev", "llm")).to.equal(undefined);
        store.requestAbort("dev", "llm", "requested by ops");
        expect(store.abortRequest("dev", "llm")).to.equal("requested by ops");
        store.clearAbort("dev", "llm");
        expect(store.abortRequest("dev", "llm")).to.equal(undefined);
    });
});

// Keep the figures type in use for readers of the fake.
export type { TrackFigures };
