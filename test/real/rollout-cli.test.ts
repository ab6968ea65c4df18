/**
 * `npm run rollout` as a user runs it, in its own process: the command the rollout issue is done with.
 * In the real-server suite because it starts ts-node and evaluates the dev program (about 10 s).
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as path from "path";
import { stackConfigOf } from "../support/dev-stack";

const OLDER_LLAMA = "ghcr.io/ggml-org/llama.cpp:server-b10547";
const PROJECT = path.resolve(__dirname, "..", "..");

describe("rollout: `npm run rollout` as a user runs it", function () {
    this.timeout(60_000);

    function npmRollout(args: string[]): { status: number | null; stdout: string; stderr: string } {
        const r = spawnSync("npm", ["run", "-s", "rollout", "--", ...args], { cwd: PROJECT, encoding: "utf8", timeout: 50_000 });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    }

    it("prints the default plan of dev's LLM as JSON, and refuses to run it where the canary does not fit the dev host's memory", () => {
        const r = npmRollout(["dev", "llm", "--image", OLDER_LLAMA, "--dry-run", "--json"]);
        const plan = JSON.parse(r.stdout);
        expect(plan.steps).to.deep.equal([10, 25, 50, 75, 100].map((weight) => ({ weight })));
        expect(plan.windowSeconds).to.equal(300);
        expect(plan.thresholds).to.include({ maxErrorRatio: 0.05, maxLatencyRatio: 1.2, minSuccessRatio: 0.95 });
        expect(Object.keys(plan.queries)).to.deep.equal(["canary", "stable"]);
        const memory = stackConfigOf("dev").host.memoryMb;
        // The dev stack is sized to 8 GiB without a canary: the plan says so, and the exit status refuses the run.
        expect(plan.blockers).to.have.length(1);
        expect(plan.blockers[0]).to.match(new RegExp(`memory limits add up to \\d+ MiB, over genai-platform:hostMemoryMb ${memory}`));
        expect(r.status).to.equal(2);
        expect(r.stderr.trim().split("\n")).to.have.length(1);
    });

});
