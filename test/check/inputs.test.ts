import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "../../scripts/check/args";
import { InputError } from "../../scripts/check/errors";
import { validate } from "../../scripts/check/json-schema";
import { PolicyMetadata, readPolicyConfig, reconcilePolicyConfig } from "../../scripts/check/policy-config";
import { stackPolicyConfig, typedStackConfig } from "../../scripts/check/stack-policy";
import { readBaseline, toViolations } from "../../scripts/check/report";
import { collectFromState, redactSecrets, SECRET_PLACEHOLDER } from "../../scripts/check/resources";
import { SECRET_SIG, SECRET_SIG_KEY } from "../../scripts/offline/evaluate";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "genai-check-inputs-"));
const write = (name: string, content: unknown): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    return file;
};
const inputError = (fn: () => unknown): string => {
    try {
        fn();
    } catch (error) {
        expect(error).to.be.instanceOf(InputError);
        return (error as Error).message;
    }
    throw new Error("expected an InputError");
};

describe("check inputs", () => {
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("configures the pack from the stack's config, --config overrides included", () => {
        const budget = (overrides: Record<string, string>, policy: string) => stackPolicyConfig(typedStackConfig("prod", overrides)).get(policy)?.properties;
        expect(budget({ monthlyBudgetUsd: "1000", budgetAlertThreshold: "0.5" }, "stack-monthly-cost-within-budget")).to.include({ budgetUsd: 1000, spotDiscount: 0.6, s3ExpectedGbPerBucket: 500 });
        expect(budget({ monthlyBudgetUsd: "1000", budgetAlertThreshold: "0.5" }, "stack-monthly-cost-below-alert-threshold")).to.include({ budgetUsd: 1000, budgetAlertThreshold: 0.5 });
        expect(budget({}, "stack-monthly-cost-within-budget")?.budgetUsd).to.equal(15000);
        expect(budget({ protectData: "false" }, "rds-deletion-protection")?.requireDeletionProtection).to.equal(false);
    });

    it("refuses a bad override as bad input, naming the key", () => {
        expect(inputError(() => typedStackConfig("prod", { monthlyBudgetUsd: "lots" }))).to.match(/genai-platform:monthlyBudgetUsd = "lots"/);
    });

    describe("arguments", () => {
        it("parses the stack and every option, in both --flag value and --flag=value forms", () => {
            expect(
                parseArgs(["prod", "--json", "--markdown=c.md", "--baseline", "b.json", "--export", "e.json", "--diff=base.json", "--config", "dbMultiAz=false"]),
            ).to.deep.equal({
                stack: "prod",
                statePath: undefined,
                exportPath: "e.json",
                json: true,
                markdownPath: "c.md",
                baselinePath: "b.json",
                diffPath: "base.json",
                configOverrides: { dbMultiAz: "false" },
            });
        });

        it("refuses a missing stack, an unknown option, a missing value and --config with --state", () => {
            expect(inputError(() => parseArgs([]))).to.match(/^no stack given; usage: npm run check -- <stack>/);
            expect(inputError(() => parseArgs(["dev", "--frobnicate"]))).to.match(/^unknown option --frobnicate; usage/);
            expect(inputError(() => parseArgs(["dev", "--state"]))).to.match(/^--state needs a value/);
            expect(inputError(() => parseArgs(["dev", "--state", "s.json", "--config", "a=b"]))).to.equal(
                "--config applies to the program's evaluation and cannot be combined with --state",
            );
        });
    });

    describe("state files", () => {
        it("reads resources, options and parents, and turns encrypted secrets into a placeholder", () => {
            const file = write("state.json", {
                version: 3,
                deployment: {
                    resources: [
                        { urn: "urn:pulumi:prod::genai-platform::pulumi:pulumi:Stack::genai-platform-prod", type: "pulumi:pulumi:Stack" },
                        {
                            urn: "urn:pulumi:prod::genai-platform::aws:rds/instance:Instance::postgres",
                            type: "aws:rds/instance:Instance",
                            custom: true,
                            protect: true,
                            parent: "urn:pulumi:prod::genai-platform::pulumi:pulumi:Stack::genai-platform-prod",
                            inputs: { password: { [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: "AAAB" } },
                            outputs: { password: { [SECRET_SIG_KEY]: SECRET_SIG, plaintext: "\"shown\"" } },
                        },
                    ],
                },
            });
            const { resources, stackUrn } = collectFromState(file, "prod");
            expect(stackUrn).to.equal("urn:pulumi:prod::genai-platform::pulumi:pulumi:Stack::genai-platform-prod");
            expect(resources[1]).to.include({ name: "postgres", custom: true, protect: true, retainOnDelete: false });
            expect(resources[1].inputs).to.deep.equal({ password: { [SECRET_SIG_KEY]: SECRET_SIG, value: SECRET_PLACEHOLDER } });
            expect(resources[1].outputs).to.deep.equal({ password: { [SECRET_SIG_KEY]: SECRET_SIG, value: "shown" } });
        });

        it("names what is wrong with an unreadable or malformed file", () => {
            expect(inputError(() => collectFromState(path.join(dir, "missing.json"), "dev"))).to.match(/cannot be read: ENOENT$/);
            expect(inputError(() => collectFromState(write("bad.json", "{"), "dev"))).to.match(/is not valid JSON: /);
            expect(inputError(() => collectFromState(write("flat.json", { resources: [] }), "dev"))).to.match(/is not a `pulumi stack export` file/);
            expect(inputError(() => collectFromState(write("v1.json", { version: 1, deployment: { resources: [] } }), "dev"))).to.match(/version 1 is not supported/);
            const noUrn = write("no-urn.json", { deployment: { resources: [{ type: "aws:s3/bucket:Bucket" }] } });
            expect(inputError(() => collectFromState(noUrn, "dev"))).to.match(/deployment\.resources\[0\]\.urn is missing or not a URN$/);
        });

        it("redacts every secret value it writes", () => {
            const redacted = redactSecrets({ a: [{ b: { [SECRET_SIG_KEY]: SECRET_SIG, value: "hunter2" } }] });
            expect(JSON.stringify(redacted)).not.to.contain("hunter2");
            expect(JSON.stringify(redacted)).to.contain(`"${SECRET_SIG_KEY}":"${SECRET_SIG}","ciphertext"`);
        });
    });

    describe("policy config, reconciled as the CLI does", () => {
        const policies: PolicyMetadata[] = [
            {
                name: "gpu-node-group-max-size",
                description: "d",
                enforcementLevel: "mandatory",
                configSchema: { properties: { maxSize: { type: "integer", minimum: 0, default: 2 } }, required: [] },
            },
            { name: "rds-no-public-access", description: "d", enforcementLevel: "mandatory" },
        ];

        it("fills schema defaults and applies `all`, then each policy's own entry", () => {
            const given = new Map([
                ["all", { enforcementLevel: "advisory" as const, properties: {} }],
                ["rds-no-public-access", { enforcementLevel: "disabled" as const, properties: {} }],
            ]);
            const config = reconcilePolicyConfig(policies, given, "x.json");
            expect(config.get("gpu-node-group-max-size")).to.deep.equal({ enforcementLevel: "advisory", properties: { maxSize: 2 } });
            expect(config.get("rds-no-public-access")).to.deep.equal({ enforcementLevel: "disabled", properties: {} });
        });

        it("refuses values against the schema, and unknown policies", () => {
            const wrong = new Map([["gpu-node-group-max-size", { properties: { maxSize: "ten" } }]]);
            expect(inputError(() => reconcilePolicyConfig(policies, wrong, "x.json"))).to.equal("x.json is invalid: gpu-node-group-max-size: maxSize: must be integer, got string");
            const unknown = new Map([["no-such-policy", { properties: {} }]]);
            expect(inputError(() => reconcilePolicyConfig(policies, unknown, "x.json"))).to.equal("x.json configures unknown policies: no-such-policy");
        });

        it("reads enforcement levels and refuses invalid ones", () => {
            const configDir = fs.mkdtempSync(path.join(dir, "config-"));
            fs.writeFileSync(path.join(configDir, "s.json"), JSON.stringify({ "rds-no-public-access": "advisory", x: { enforcementLevel: "mandatory", a: 1 } }));
            expect([...readPolicyConfig("s", configDir)]).to.deep.equal([
                ["rds-no-public-access", { enforcementLevel: "advisory", properties: {} }],
                ["x", { enforcementLevel: "mandatory", properties: { a: 1 } }],
            ]);
            fs.writeFileSync(path.join(configDir, "t.json"), JSON.stringify({ x: "blocking" }));
            expect(inputError(() => readPolicyConfig("t", configDir))).to.match(/"blocking" is not a valid enforcement level for x$/);
            expect(inputError(() => readPolicyConfig("none", configDir))).to.match(/^stack none has no policy config: /);
        });

        it("validates the JSON Schema subset the policies use", () => {
            const schema = { type: "object", properties: { n: { type: "number", exclusiveMinimum: 0, maximum: 1 }, l: { type: "array", items: { type: "string" } } }, required: ["n"] };
            expect(validate({ n: 0.5, l: ["a"] }, schema, "")).to.deep.equal([]);
            expect(validate({ l: [1] }, schema, "")).to.deep.equal(["n: is required", "l[0]: must be string, got number"]);
            expect(validate({ n: 0 }, schema, "")).to.deep.equal(["n: must be > 0"]);
        });
    });

    describe("report inputs", () => {
        it("strips the description the pack puts before each message, and puts stack-level ones on the stack", () => {
            const violations = toViolations(
                [
                    { policyName: "b", enforcementLevel: "advisory", urn: "", message: "Desc.\nover", description: "Desc." },
                    { policyName: "a", enforcementLevel: "mandatory", urn: "urn:x", message: "can't run policy 'a'", description: "Other." },
                ],
                "urn:stack",
            );
            expect(violations).to.deep.equal([
                { policy: "a", enforcementLevel: "mandatory", urn: "urn:x", message: "can't run policy 'a'" },
                { policy: "b", enforcementLevel: "advisory", urn: "urn:stack", message: "over" },
            ]);
        });

        it("reads a baseline only if it is a previous --json output", () => {
            expect(readBaseline(write("base.json", { monthlyCostUsd: 1, costs: [{ urn: "u", type: "t", monthlyUsd: 1 }] }))).to.deep.equal({
                monthlyCostUsd: 1,
                costs: [{ urn: "u", type: "t", monthlyUsd: 1 }],
            });
            expect(inputError(() => readBaseline(write("wrong.json", { total: 1 })))).to.match(/is not the JSON output of npm run check/);
        });
    });
});
