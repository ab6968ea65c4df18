import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { LB_URL_OUTPUT } from "../../scripts/smoke/index";
import { PROJECT_DIR, stackNames } from "../../scripts/offline/stack-files";
import { typedStackConfig } from "../../scripts/check/stack-policy";

interface Step {
    readonly id?: string;
    readonly uses?: string;
    readonly run?: string;
    readonly with?: Record<string, string>;
    readonly env?: Record<string, string>;
}

const deploy = parse(fs.readFileSync(path.join(PROJECT_DIR, ".github/workflows/deploy.yml"), "utf8")) as { jobs: Record<string, { steps: Step[] }> };

describe("deploy workflow: the smoke check after each up", () => {
    for (const stack of stackNames()) {
        it(`${stack}: the step right after \`pulumi up\` runs the smoke check of ${stack}, so its failure fails the job`, () => {
            const steps = deploy.jobs[stack].steps;
            const up = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up");
            expect(up, "the pulumi up step").to.be.greaterThan(-1);
            expect(steps[up].with?.["stack-name"]).to.equal(stack);
            const smoke = steps[up + 1];
            expect(smoke?.run, "the step after up").to.match(new RegExp(`^npm run -s smoke -- ${stack}( |$)`));
            expect(smoke).to.not.have.property("continue-on-error");
            if (typedStackConfig(stack).platform === "aws") {
                // The URL from the deploy's own output, through the environment (never interpolated into the script).
                expect(smoke.run).to.match(/--url "\$LB_URL"$/);
                expect(steps[up].id).to.be.a("string");
                expect(smoke.env?.LB_URL).to.contain(`steps.${steps[up].id}.outputs.${LB_URL_OUTPUT}`);
            }
        });
    }
});
