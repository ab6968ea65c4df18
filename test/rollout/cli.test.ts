import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigVersion, StackApplier } from "../../scripts/rollout/apply";
import { RolloutArgs } from "../../scripts/rollout/args";
import { Backends, CliEnv, runRollout } from "../../scripts/rollout/index";
import { buildPlan } from "../../scripts/rollout/plan";
import { StateStore } from "../../scripts/rollout/state";
import { Output } from "../../scripts/rollout/display";
import { RolloutNotice } from "../../scripts/rollout/services";
import { stackConfigOf } from "../support/dev-stack";

const OLDER_LLAMA = "ghcr.io/ggml-org/llama.cpp:server-b10547";

class Capture implements Output {
    text = "";
    constructor(readonly isTTY = false) {}
    write(chunk: string): void {
        this.text += chunk;
    }
}

class RecordingStack implements StackApplier {
    readonly calls: string[] = [];
    constructor(private readonly failOn?: string) {}
    private async call(what: string): Promise<void> {
        this.calls.push(what);
        if (what === this.failOn) throw new Error(`update failed: ${what}`);
    }
    startCanary(_version: ConfigVersion, w: number): Promise<void> {
        return this.call(`startCanary ${w}`);
    }
    setWeight(w: number): Promise<void> {
        return this.call(`setWeight ${w}`);
    }
    setStable(v: ConfigVersion): Promise<void> {
        return this.call(`setStable ${v.image}`);
    }
    removeCanary(): Promise<void> {
        return this.call("removeCanary");
    }
}

interface Run {
    code: number;
    stdout: Capture;
    stderr: Capture;
    stack: RecordingStack;
    notices: RolloutNotice[];
}

/** Runs the command in-process with the dev stack's plan, a fake stack and Prometheus answering `errorRatio` for the canary. */
async function rollout(argv: string[], opts: { stateDir: string; errorRatio?: number; failOn?: string; blockers?: string[]; tty?: boolean }): Promise<Run> {
    const stdout = new Capture(opts.tty);
    const stderr = new Capture();
    const stack = new RecordingStack(opts.failOn);
    const notices: RolloutNotice[] = [];
    let t = Date.parse("2026-12-02T10:00:00Z");
    const env: CliEnv = {
        stdout,
        stderr,
        clock: { now: () => t, sleep: async (ms) => void (t += ms) },
        planner: async (args: RolloutArgs) => ({
            plan: buildPlan(stackConfigOf("dev"), args.model, { change: { image: args.image, weights: args.weights }, strategy: args.strategy, steps: args.steps, windowSeconds: args.windowSeconds }),
            blockers: opts.blockers ?? [],
        }),
        backends: async (plan): Promise<Backends> => ({
            applier: stack,
            metrics: {
                query: async (q) => {
                    if (q === plan.queries.canary.latencySamples || q === plan.queries.stable.latencySamples) return 10_000;
                    if (q.includes("increase(")) return 1000;
                    if (q.includes('code="5xx"')) return q.includes('track="canary"') ? (opts.errorRatio ?? 0) : 0;
                    if (q.includes('code="2xx"')) return q.includes('track="canary"') ? 1 - (opts.errorRatio ?? 0) : 1;
                    return 0.3;
                },
            },
            notifier: { notify: async (notice) => void notices.push(notice) },
            smoke: plan.lbUrl ? { canary: { check: async () => undefined }, stable: { check: async () => undefined } } : undefined,
        }),
    };
    const code = await runRollout([...argv, "--state-dir", opts.stateDir], env);
    return { code, stdout, stderr, stack, notices };
}

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "genai-rollout-cli-"));

function expectOneLine(run: Run, says: RegExp): void {
    expect(run.code, run.stderr.text).to.equal(2);
    const lines = run.stderr.text.split("\n").filter((l) => l !== "");
    expect(lines, run.stderr.text).to.have.length(1);
    expect(lines[0]).to.match(/^error: /).and.match(says);
}

describe("rollout: the command", () => {
    it("exits 0 after promoting, printing the plan and each stage as plain lines off a terminal", async () => {
        const run = await rollout(["dev", "llm", "--image", OLDER_LLAMA, "--steps", "50,100", "--window", "60s"], { stateDir: tmp() });
        expect(run.code, run.stderr.text).to.equal(0);
        expect(run.stack.calls).to.deep.equal(["startCanary 0", "setWeight 50", "setWeight 100", `setStable ${OLDER_LLAMA}`, "setWeight 0", "removeCanary"]);
        expect(run.stdout.text).to.contain("rollout of llm on stack dev (canary)").and.contain("step 1/2 at 50%: pass").and.contain("promoted");
        expect(run.stdout.text).to.not.contain("\r").and.not.contain("\x1b");
        expect(run.stdout.text).to.match(/step 1\/2 50% \| 0:\d\d left \| canary 1000 req, 0% 5xx, 0\.3s \| stable 1000 req, 0% 5xx, 0\.3s/);
    });

    it("refreshes one status line in place on a terminal", async () => {
        const run = await rollout(["dev", "llm", "--image", OLDER_LLAMA, "--steps", "100", "--window", "90s"], { stateDir: tmp(), tty: true });
        expect(run.code).to.equal(0);
        expect(run.stdout.text).to.match(/\r\x1b\[2Kstep 1\/1 100% \| 1:00 left/);
    });

    it("exits 1 after rolling a failing canary back, and --json prints the recorded state", async () => {
        const run = await rollout(["dev", "llm", "--image", OLDER_LLAMA, "--json"], { stateDir: tmp(), errorRatio: 0.3 });
        expect(run.code).to.equal(1);
        expect(run.stack.calls).to.deep.equal(["startCanary 0", "setWeight 10", "setWeight 0", "removeCanary"]);
        const state = JSON.parse(run.stdout.text);
        expect(state.phase).to.equal("rolled-back");
        expect(state.rollback.reason).to.match(/canary error ratio 30% is above 5%/);
        expect(run.stderr.text, "progress goes to stderr with --json").to.contain("rolling back");
    });

    it("exits 3 when an update fails, keeps the state, and --resume finishes the rollout", async () => {
        const stateDir = tmp();
        const failed = await rollout(["dev", "llm", "--image", OLDER_LLAMA, "--steps", "50,100", "--window", "60s"], { stateDir, failOn: "setWeight 100" });
        expect(failed.code).to.equal(3);
        expect(failed.stderr.text).to.match(/^rollout failed: could not set the canary's weight to 100%: update failed/).and.contain("--resume");
        expect(new StateStore(stateDir).load("dev", "llm")).to.include({ phase: "stepping", step: 1 });
        // A deployment that failed half way is news for the receivers, like a rollback.
        expect(failed.notices.map((n) => [n.alertname, n.severity])).to.deep.equal([["RolloutFailed", "critical"]]);
        expect(failed.notices[0].description).to.match(/^could not set the canary's weight to 100%: update failed: setWeight 100\. The state is recorded/);

        const again = await rollout(["dev", "llm", "--image", OLDER_LLAMA], { stateDir });
        expectOneLine(again, /a rollout of llm on stack dev is in progress \(stepping, step 2 of 2, started .*\); --resume or --abort it first/);
        expect(again.stack.calls).to.deep.equal([]);

        const resumed = await rollout(["dev", "llm", "--resume"], { stateDir });
        expect(resumed.code, resumed.stderr.text).to.equal(0);
        expect(resumed.stack.calls[0]).to.equal("setWeight 100");
        expect(new StateStore(stateDir).load("dev", "llm")!.phase).to.equal("promoted");
    });

    it("--abort of a rollout whose process is gone sends the traffic back to stable itself and exits 1", async () => {
        const stateDir = tmp();
        await rollout(["dev", "llm", "--image", OLDER_LLAMA, "--steps", "50,100", "--window", "60s"], { stateDir, failOn: "setWeight 100" });
        const aborted = await rollout(["dev", "llm", "--abort"], { stateDir });
        expect(aborted.code).to.equal(1);
        expect(aborted.stack.calls).to.deep.equal(["setWeight 0", "removeCanary"]);
        expect(new StateStore(stateDir).load("dev", "llm")!.phase).to.equal("aborted");
    });

    it("--abort while a rollout runs hands the request to it through the state directory", async () => {
        const stateDir = tmp();
        const store = new StateStore(stateDir);
        const plan = buildPlan(stackConfigOf("dev"), "llm", { change: { image: OLDER_LLAMA }, strategy: "canary" });
        store.save({ plan, startedAt: "2026-12-02T10:00:00Z", phase: "stepping", step: 1, promotion: 0, stableBaseline: {}, history: [] });
        const release = store.lock("dev", "rollout of llm");
        try {
            const run = await rollout(["dev", "llm", "--abort"], { stateDir });
            expect(run.code).to.equal(0);
            expect(run.stdout.text).to.contain("asked the running rollout of llm to roll back at its next check");
            expect(run.stack.calls).to.deep.equal([]);
            expect(store.abortRequest("dev", "llm")).to.match(/^requested by /);
        } finally {
            release();
        }
    });

    it("refuses a second rollout of the stack while one holds its lock, changing nothing", async () => {
        const stateDir = tmp();
        const release = new StateStore(stateDir).lock("dev", "rollout of image");
        try {
            const run = await rollout(["dev", "llm", "--image", OLDER_LLAMA], { stateDir });
            expectOneLine(run, /another rollout holds stack dev: rollout of image/);
            expect(run.stack.calls).to.deep.equal([]);
        } finally {
            release();
        }
    });

    it("refuses a run the stack cannot hold, before anything changes", async () => {
        const run = await rollout(["dev", "llm", "--image", OLDER_LLAMA], { stateDir: tmp(), blockers: ['rollout of stack "dev": too big'] });
        expectOneLine(run, /too big/);
        expect(run.stack.calls).to.deep.equal([]);
    });

    it("refuses an unknown stack from the stack files, before anything changes", async () => {
        const stdout = new Capture();
        const stderr = new Capture();
        const code = await runRollout(["nope", "llm", "--image", OLDER_LLAMA, "--state-dir", tmp()], {
            stdout,
            stderr,
            clock: { now: () => 0, sleep: async () => undefined },
            backends: async () => {
                throw new Error("no backend may be reached");
            },
        });
        expect(code).to.equal(2);
        expect(stderr.text).to.equal('error: unknown stack "nope": no Pulumi.nope.yaml (stacks: dev, prod, staging)\n');
        expect(stdout.text).to.equal("");
    });

    it("refuses --resume and --abort with nothing recorded", async () => {
        expectOneLine(await rollout(["dev", "llm", "--resume"], { stateDir: tmp() }), /no rollout of llm on stack dev in progress to resume/);
        expectOneLine(await rollout(["dev", "llm", "--abort"], { stateDir: tmp() }), /no rollout of llm on stack dev in progress to abort/);
    });

    it("prints a dry run's plan and changes nothing", async () => {
        const stateDir = tmp();
        const run = await rollout(["dev", "llm", "--image", OLDER_LLAMA, "--dry-run"], { stateDir });
        expect(run.code).to.equal(0);
        expect(run.stdout.text).to.contain("steps 10% -> 25% -> 50% -> 75% -> 100%, each watched for 300 s").and.contain("(dry run: nothing changed)");
        expect(run.stack.calls).to.deep.equal([]);
        expect(fs.readdirSync(stateDir)).to.deep.equal([]);
    });
});
