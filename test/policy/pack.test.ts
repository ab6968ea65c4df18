import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { ALL_POLICIES } from "../../policy/all-policies";

const POLICY_DIR = path.resolve(__dirname, "..", "..", "policy");
const BUDGET_CAPACITY_AND_GPU = /^(stack-|price-table-|gpu-|docker-stack-fits-host$)/;
/** Checkov ids, FSBP, PSS, CIS Docker; and the AWS IAM User Guide, the only source of the confused-deputy rule (no Checkov or FSBP id). */
const RULE_ID = /\b(CKV2?_(AWS|K8S)_\d+|FSBP|Pod Security Standards|CIS Docker|AWS IAM User Guide)\b/;

describe("policy pack", () => {
    it("has uniquely named policies, in kebab case, one module each", () => {
        const names = ALL_POLICIES.map((p) => p.name);
        expect(new Set(names).size).to.equal(names.length);
        for (const name of names) expect(name).to.match(/^[a-z0-9]+(-[a-z0-9]+)+$/);
        const modules = fs.readdirSync(path.join(POLICY_DIR, "policies")).map((f) => f.replace(/\.ts$/, ""));
        expect([...modules].sort()).to.deep.equal([...names].sort());
    });

    it("describes every policy with a severity, an enforcement level and remediation steps", () => {
        for (const policy of ALL_POLICIES) {
            expect(policy.description, policy.name).to.have.length.greaterThan(20);
            expect(policy.severity, policy.name).to.be.oneOf(["low", "medium", "high", "critical"]);
            expect(policy.enforcementLevel, policy.name).to.be.oneOf(["advisory", "mandatory"]);
            expect(policy.remediationSteps, policy.name).to.be.a("string").with.length.greaterThan(20);
        }
    });

    it("cites the rule every security policy corresponds to", () => {
        for (const policy of ALL_POLICIES.filter((p) => !BUDGET_CAPACITY_AND_GPU.test(p.name) && p.name !== "protect-data-resources")) {
            expect(policy.description, policy.name).to.match(RULE_ID);
        }
    });

    it("makes every security policy mandatory, and only the alert threshold advisory", () => {
        const advisory = ALL_POLICIES.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name);
        expect(advisory).to.deep.equal(["stack-monthly-cost-below-alert-threshold"]);
    });

    it("is a nodejs pack the CLI can start: PulumiPolicy.yaml, a versioned package.json whose main is the index", () => {
        expect(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")).to.match(/^runtime: nodejs$/m);
        const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8"));
        expect(pkg.version).to.match(/^\d+\.\d+\.\d+$/);
        expect(pkg.main).to.equal("index.ts");
        expect(pkg.dependencies["@pulumi/policy"]).to.equal("1.21.0");
    });
});
