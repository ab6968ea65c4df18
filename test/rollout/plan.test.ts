import { expect } from "chai";
import { LOAD_BALANCER_SIGNALS } from "../../catalog/images";
import { ENGINES } from "../../catalog/engines";
import { InputError } from "../../scripts/check/errors";
import { parseRolloutArgs } from "../../scripts/rollout/args";
import { buildPlan, DEFAULT_STEPS, PlanOptions, RolloutPlan } from "../../scripts/rollout/plan";
import { StackConfig } from "../../stacks/config";
import { stackConfigOf } from "../support/dev-stack";
import { metricNamesIn } from "../support/promql";

const OLDER_LLAMA = "ghcr.io/ggml-org/llama.cpp:server-b10547";
const dev = stackConfigOf("dev");

/** The staging config without its configured canary, so that a rollout can bring one. */
function stagingWithoutCanaries(): StackConfig {
    const cfg = stackConfigOf("staging");
    return { ...cfg, models: cfg.models.map((m) => ({ ...m, canary: undefined })) };
}

function refusal(action: () => unknown): string {
    try {
        action();
    } catch (error) {
        expect(error, String(error)).to.be.instanceOf(InputError);
        const message = (error as Error).message;
        expect(message.split("\n"), "one line").to.have.length(1);
        return message;
    }
    throw new Error("expected an InputError");
}

const canary = (extra: Partial<PlanOptions> = {}): RolloutPlan => buildPlan(dev, "llm", { change: { image: OLDER_LLAMA }, strategy: "canary", ...extra });

describe("rollout: the plan", () => {
    describe("defaults (dev, llm, a new image)", () => {
        const plan = canary();

        it("steps through 10, 25, 50, 75 and 100 %, each watched for 5 minutes", () => {
            expect(plan.steps).to.deep.equal([10, 25, 50, 75, 100].map((weight) => ({ weight })));
            expect([...DEFAULT_STEPS]).to.deep.equal([10, 25, 50, 75, 100]);
            expect(plan.windowSeconds).to.equal(300);
        });

        it("carries the seeds' thresholds as numbers and a 2-minute rollback budget", () => {
            expect(plan.thresholds).to.include({ maxErrorRatio: 0.05, maxLatencyRatio: 1.2, minSuccessRatio: 0.95 });
            expect(plan.rollbackWithinSeconds).to.equal(120);
        });

        it("moves the model from its configured version to the new image, with the same weights", () => {
            expect(plan.from).to.deep.equal({ image: dev.models[0].stable.image, weights: "qwen2.5-0.5b-instruct-q4_k_m" });
            expect(plan.to).to.deep.equal({ image: OLDER_LLAMA, weights: "qwen2.5-0.5b-instruct-q4_k_m" });
        });

        it("judges each track on the load balancer's per-track series in dev (llama.cpp exports no status or latency)", () => {
            for (const track of ["canary", "stable"] as const) {
                const queries = plan.queries[track];
                for (const [field, query] of Object.entries(queries)) {
                    expect(query, `${track} ${field}`).to.contain(`track="${track}"`).and.contain('model="llm"');
                    // The request count behind the running mean is read as it stands (it restarts at each reload), the rest over the window.
                    if (field !== "latencySamples") expect(query, `${track} ${field}`).to.contain("[5m]");
                    const names = metricNamesIn(query);
                    expect(names.every((n) => n === LOAD_BALANCER_SIGNALS.responses.metric || n === LOAD_BALANCER_SIGNALS.latency.metric), `${field}: ${names.join(", ")}`).to.equal(true);
                }
                expect(queries.errorRatio).to.contain(`${LOAD_BALANCER_SIGNALS.responses.statusLabel}="${LOAD_BALANCER_SIGNALS.responses.serverErrors}"`);
            }
            expect(plan.latencyStatistic).to.equal(LOAD_BALANCER_SIGNALS.latency.statistic);
            expect(plan.thresholds.latencyToleranceSeconds).to.equal(LOAD_BALANCER_SIGNALS.latency.resolutionSeconds);
            expect(plan.thresholds.latencyMinSamples).to.equal(LOAD_BALANCER_SIGNALS.latency.settlesAfterRequests);
            expect(plan.queries.canary.latencySamples).to.equal(`min by (model, track) (sum by (model, track, server) (haproxy_server_http_responses_total{model="llm", track="canary"}))`);
        });

        it("checks every 30 s within a window over the last minute, so a bad canary is caught long before the window ends", () => {
            expect(plan.checkEverySeconds).to.equal(30);
            expect(plan.earlyWindowSeconds).to.equal(60);
            expect(plan.earlyQueries.canary.errorRatio).to.contain("[1m]");
            expect(plan.earlyQueries.canary.errorRatio.replace("[1m]", "[5m]").replace("[1m]", "[5m]")).to.equal(plan.queries.canary.errorRatio);
        });

        it("reads Prometheus and Alertmanager where the dev stack publishes them, and smoke-tests through the load balancer", () => {
            expect(plan.prometheusUrl).to.equal(`http://127.0.0.1:${dev.observability.prometheusHostPort}`);
            expect(plan.alertmanagerUrl).to.equal(`http://127.0.0.1:${dev.observability.alertmanagerHostPort}`);
            expect(plan.lbUrl).to.match(/^http:\/\/(127\.0\.0\.1|localhost):\d+$/);
        });
    });

    it("judges the cloud's vLLM on its own metrics, the canary's as the new release exports them", () => {
        const staging = stagingWithoutCanaries();
        const llm = staging.models.find((m) => m.engine.id === "vllm")!;
        const newer = ENGINES.vllm.releases.find((r) => r.image !== llm.stable.image && r.gpu)!;
        const plan = buildPlan(staging, llm.name, { change: { image: newer.image }, strategy: "canary" });
        const canaryNames = Object.values(plan.queries.canary).flatMap(metricNamesIn);
        const exported = Object.values(newer.signals).flatMap((s) => ("metric" in s ? [s.metric, `${s.metric}_bucket`] : []));
        expect(canaryNames.filter((n) => !exported.includes(n)), "canary metrics the new release does not export").to.deep.equal([]);
        expect(plan.latencyStatistic).to.equal("p95");
        expect(plan.thresholds.latencyToleranceSeconds, "a histogram's p95 has no fixed resolution").to.equal(0);
        expect(plan.thresholds.latencyMinSamples, "a histogram needs no settling").to.equal(0);
        expect(plan.queries.canary.latencySamples).to.equal(undefined);
        expect(plan.lbUrl).to.equal("");
    });

    it("refuses the cloud's image model, whose engine exports no per-track series there, naming what is missing", () => {
        const staging = stagingWithoutCanaries();
        const image = staging.models.find((m) => m.engine.id === "comfyui")!;
        const message = refusal(() => buildPlan(staging, image.name, { change: { weights: "sd-turbo" }, strategy: "canary" }));
        expect(message).to.equal(
            `rollout of stack "staging": model ${image.name} cannot be judged per track here: no requestCount, errorRatio, successRatio, requestLatency ` +
                "(engine comfyui exports none, and this stack's load balancer has no per-track series a step can be judged on: the ALB's reach Prometheus minutes late)",
        );
    });

    it("makes a blue/green switch one step of 100 %", () => {
        const plan = canary({ strategy: "bluegreen" });
        expect(plan.steps).to.deep.equal([{ weight: 100 }]);
        expect(plan.strategy).to.equal("bluegreen");
    });

    it("takes steps, window and thresholds as given", () => {
        const plan = canary({ steps: [5, 100], windowSeconds: 120, thresholds: { minRequests: 50 } });
        expect(plan.steps).to.deep.equal([{ weight: 5 }, { weight: 100 }]);
        expect(plan.windowSeconds).to.equal(120);
        expect(plan.thresholds.minRequests).to.equal(50);
        expect(plan.thresholds.maxErrorRatio).to.equal(0.05);
        expect(plan.queries.canary.requests).to.contain("[2m]");
    });

    describe("bad input: one line naming the stack, the value and what is allowed", () => {
        const bad: { what: string; plan: () => unknown; says: RegExp }[] = [
            { what: "an unknown model", plan: () => buildPlan(dev, "nope", { change: { image: OLDER_LLAMA }, strategy: "canary" }), says: /no model "nope"; allowed: llm, image/ },
            { what: "an unpinned image", plan: () => canary({ change: { image: "ghcr.io/ggml-org/llama.cpp:latest" } }), says: /--image ghcr\.io\/ggml-org\/llama\.cpp:latest: .*allowed: an image pinned/ },
            { what: "an image the catalog does not know", plan: () => canary({ change: { image: "ghcr.io/ggml-org/llama.cpp:server-b1" } }), says: /not a release of engine llama-cpp .*server-b10573/ },
            { what: "weights of another engine", plan: () => canary({ change: { weights: "sd-turbo" } }), says: /--weights sd-turbo; allowed: weights of engine llama-cpp: / },
            { what: "no version", plan: () => canary({ change: {} }), says: /give --image <ref> or --weights <id>/ },
            { what: "the version already running", plan: () => canary({ change: { image: dev.models[0].stable.image } }), says: /already runs .*nothing to roll out/ },
            { what: "steps out of order", plan: () => canary({ steps: [10, 50, 25, 100] }), says: /--steps 10,50,25,100 is not increasing/ },
            { what: "a step of 0", plan: () => canary({ steps: [0, 100] }), says: /--steps has 0; allowed: whole weights from 1 to 100/ },
            { what: "a step above 100", plan: () => canary({ steps: [50, 150] }), says: /--steps has 150/ },
            { what: "steps not ending at 100", plan: () => canary({ steps: [10, 50] }), says: /does not end at 100/ },
            { what: "no steps", plan: () => canary({ steps: [] }), says: /--steps is empty/ },
            { what: "a window shorter than two scrapes", plan: () => canary({ windowSeconds: 29 }), says: /--window 29s; allowed: at least 30s, two of Prometheus' 15s scrape intervals/ },
            {
                what: "a model that already has a canary",
                plan: () => buildPlan(stackConfigOf("staging"), "llm", { change: { weights: "qwen2.5-7b-instruct" }, strategy: "canary" }),
                says: /model llm already has a canary in the stack's config/,
            },
        ];
        for (const b of bad) {
            it(`refuses ${b.what}`, () => {
                const message = refusal(b.plan);
                expect(message).to.match(/^rollout of stack "(dev|staging)": /);
                expect(message).to.match(b.says);
            });
        }
        it("accepts a window of exactly two scrapes", () => {
            expect(canary({ windowSeconds: 30 }).windowSeconds).to.equal(30);
        });
    });
});

describe("rollout: the command line", () => {
    const base = ["dev", "llm"];

    it("reads a canary with its options", () => {
        const args = parseRolloutArgs([...base, "--image", OLDER_LLAMA, "--steps", "10,50,100", "--window", "2m", "--inconclusive", "fail", "--dry-run", "--json"]);
        expect(args).to.include({ stack: "dev", model: "llm", action: "start", image: OLDER_LLAMA, strategy: "canary", windowSeconds: 120, inconclusive: "fail", dryRun: true, json: true });
        expect(args.steps).to.deep.equal([10, 50, 100]);
    });

    it("reads --flag=value as --flag value, and resume and abort alone", () => {
        expect(parseRolloutArgs([...base, "--weights=qwen2.5-0.5b-instruct-q8_0", "--window=90s"])).to.include({ weights: "qwen2.5-0.5b-instruct-q8_0", windowSeconds: 90 });
        expect(parseRolloutArgs([...base, "--resume"]).action).to.equal("resume");
        expect(parseRolloutArgs([...base, "--abort"]).action).to.equal("abort");
    });

    const bad: [string[], RegExp][] = [
        [[], /give a stack and a model, got none/],
        [["dev"], /give a stack and a model, got dev/],
        [[...base], /no version to roll out/],
        [[...base, "--image"], /--image needs a value/],
        [[...base, "--image", "x", "--colour"], /unknown option --colour/],
        [[...base, "--image", "x", "--strategy", "linear"], /--strategy linear: allowed: canary, bluegreen/],
        [[...base, "--image", "x", "--steps", "10,,100"], /"" is not a whole number/],
        [[...base, "--image", "x", "--steps", "ten"], /"ten" is not a whole number/],
        [[...base, "--image", "x", "--steps", "10,100", "--strategy", "bluegreen"], /--steps applies to a canary/],
        [[...base, "--image", "x", "--window", "5h"], /--window 5h: allowed: seconds or minutes/],
        [[...base, "--image", "x", "--inconclusive", "maybe"], /--inconclusive maybe: allowed: wait, fail/],
        [[...base, "--image", "x", "--prometheus", "localhost:9090"], /--prometheus localhost:9090: allowed: an http\(s\) URL/],
        [[...base, "--resume", "--abort"], /exclude each other/],
        [[...base, "--resume", "--image", "x"], /--resume acts on the rollout recorded for dev\/llm; it takes no --image/],
    ];
    for (const [argv, says] of bad) {
        it(`refuses ${argv.length === 0 ? "no arguments" : argv.join(" ")}`, () => {
            const message = refusal(() => parseRolloutArgs(argv));
            expect(message).to.match(says);
        });
    }
});
