import { expect } from "chai";
import { ChildProcess } from "child_process";
import { manyModelsArgs } from "../../scripts/check/many-models";
import { childrenOf, isRunning, spawnCheck, waitFor } from "./run-check";

/** Collects a child's output, reading its standard output `slowly`: paused for a while after the first chunk. */
function collect(child: ChildProcess, slowly: boolean): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const out: Buffer[] = [];
        let err = "";
        child.stdout!.on("data", (chunk: Buffer) => {
            out.push(chunk);
            if (slowly && out.length === 1) {
                // A reader that falls behind: the check must wait for it rather than exit with its output cut.
                child.stdout!.pause();
                setTimeout(() => child.stdout!.resume(), 1500);
            }
        });
        child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
        child.on("close", (status) => resolve({ status, stdout: Buffer.concat(out).toString(), stderr: err }));
    });
}

/** The policy pack's process: the child of the check that runs scripts/check/pack-host.ts. */
function packOf(check: ChildProcess): number | undefined {
    return childrenOf(check.pid!)[0];
}

describe("the check as a process", function () {
    this.timeout(180_000);

    it("writes its whole --json object to a slow pipe, 100 models and well over 64 KiB, and leaves no policy pack running", async () => {
        const check = spawnCheck(["prod", "--json", ...manyModelsArgs("prod", 100)]);
        const output = collect(check, true);
        const pack = await waitFor(() => packOf(check), 60_000);
        const { status, stdout, stderr } = await output;
        expect(status, stderr).to.equal(0);
        expect(stdout.length).to.be.greaterThan(64 * 1024);
        const report = JSON.parse(stdout);
        expect(report.stack).to.equal("prod");
        expect(report.resourceCount).to.be.greaterThan(1000);
        expect(pack, "the check started a policy pack").to.be.a("number");
        expect(isRunning(pack!), `policy pack ${pack} still runs`).to.equal(false);
    });

    it("takes its policy pack with it when it is killed", async () => {
        const check = spawnCheck(["dev"]);
        const done = collect(check, false);
        const pack = await waitFor(() => packOf(check), 60_000);
        expect(pack, "the check started a policy pack").to.be.a("number");
        check.kill("SIGKILL");
        await done;
        const gone = await waitFor(() => (isRunning(pack!) ? undefined : true), 10_000);
        expect(gone, `policy pack ${pack} outlived its check`).to.equal(true);
    });
});
