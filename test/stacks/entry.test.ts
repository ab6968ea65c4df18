import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { ProgramFailure, runProgram } from "../harness";

describe("program entry point and harness", () => {
    it("describes the platform of the stack the engine selects, through the real entry module", async () => {
        const run = await runProgram("dev", () => {
            const entry = require.resolve("../../stacks/index");
            delete require.cache[entry];
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            return require(entry);
        });
        expect(run.outputs.lbUrl).to.equal("http://127.0.0.1:8080");
        expect(run.ofType("docker:index/container:Container").length).to.be.greaterThan(10);
    });

    it("fails a run loudly when the program calls a provider function the harness does not answer", async () => {
        let failure: unknown;
        try {
            await runProgram("dev", () => ({ region: aws.getRegionOutput().name }));
        } catch (e) {
            failure = e;
        }
        expect(failure).to.be.instanceOf(ProgramFailure);
        expect(String((failure as ProgramFailure).message)).to.match(/unmocked invoke aws:index\/getRegion:getRegion/);
    });
});
