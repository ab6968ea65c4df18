import { expect } from "chai";
import { ALL_POLICIES } from "../../policy/all-policies";
import { EC2_HOURLY } from "../../catalog/prices";
import { isGpuInstanceType } from "../../catalog/gpu";
import * as fs from "fs";
import * as path from "path";
import { POLICY_CONFIG_DIR, PolicyMetadata, readPolicyConfig, reconcilePolicyConfig } from "../../scripts/check/policy-config";
import { ADVISORY_UNTIL_FIXED, renderPolicyConfigFile, stackPolicyConfig, typedStackConfig } from "../../scripts/check/stack-policy";
import { resolveStackConfig, stackNames } from "../../scripts/offline/stack-files";

const BUDGET_POLICIES = ["stack-monthly-cost-within-budget", "stack-monthly-cost-below-alert-threshold"];
const PRICING_KEYS = ["spotDiscount", "s3ExpectedGbPerBucket", "albLcuPerHour", "natProcessedGbPerMonth"];

/** The pack's metadata as GetAnalyzerInfo reports it. */
const metadata: PolicyMetadata[] = ALL_POLICIES.map((p) => ({
    name: p.name,
    description: p.description,
    enforcementLevel: p.enforcementLevel ?? "advisory",
    configSchema: p.configSchema ? { properties: p.configSchema.properties as never, required: p.configSchema.required ?? [] } : undefined,
}));

describe("per-stack policy config", () => {
    for (const stack of stackNames()) {
        describe(`policy/config/${stack}.json`, () => {
            const given = readPolicyConfig(stack);
            const declared = resolveStackConfig(stack).values;

            it("is valid against the policies' config schemas and names only policies of the pack", () => {
                expect(() => reconcilePolicyConfig(metadata, given, `${stack}.json`)).not.to.throw();
            });

            it("sets only properties the policies declare", () => {
                for (const [name, settings] of given) {
                    const schema = ALL_POLICIES.find((p) => p.name === name)?.configSchema?.properties ?? {};
                    for (const key of Object.keys(settings.properties)) expect(schema, `${name}.${key}`).to.have.property(key);
                }
            });

            it("is exactly what the stack's config and the catalog generate (run npm run policy-config after changing either)", () => {
                const generated = renderPolicyConfigFile(stackPolicyConfig(typedStackConfig(stack)));
                expect(fs.readFileSync(path.join(POLICY_CONFIG_DIR, `${stack}.json`), "utf8")).to.equal(generated);
            });

            it("has the budget and alert threshold of Pulumi.<stack>.yaml in both budget policies, with the same pricing assumptions", () => {
                const [within, alert] = BUDGET_POLICIES.map((name) => given.get(name)?.properties ?? {});
                expect(within.budgetUsd).to.equal(Number(declared["genai-platform:monthlyBudgetUsd"]));
                expect(alert.budgetUsd).to.equal(within.budgetUsd);
                expect(alert.budgetAlertThreshold).to.equal(Number(declared["genai-platform:budgetAlertThreshold"]));
                for (const key of PRICING_KEYS) expect(alert[key], key).to.equal(within[key]);
            });

            it("allows only GPU instance types the price table has", () => {
                const allowed = (given.get("gpu-instance-types-allowed")?.properties.allowedInstanceTypes ?? []) as string[];
                for (const type of allowed) {
                    expect(isGpuInstanceType(type), type).to.equal(true);
                    expect(EC2_HOURLY, type).to.have.property(type);
                }
            });
        });
    }

    it("requires spot GPUs in staging, and deletion protection, protect and 30-day backups in prod", () => {
        const staging = readPolicyConfig("staging");
        const prod = readPolicyConfig("prod");
        expect(staging.get("gpu-capacity-spot-required")?.properties.requireSpot).to.equal(true);
        expect(prod.get("rds-deletion-protection")?.properties.requireDeletionProtection).to.equal(true);
        expect(prod.get("protect-data-resources")?.properties.requireProtect).to.equal(true);
        expect(prod.get("rds-backup-retention")?.properties.minBackupRetentionDays).to.equal(30);
    });

    it("requires Multi-AZ RDS and ALB deletion protection exactly where the stack protects data (prod)", () => {
        for (const stack of stackNames()) {
            const config = readPolicyConfig(stack);
            const protectData = typedStackConfig(stack).protectData;
            expect(config.get("rds-runs-multi-az")?.properties.requireMultiAz, stack).to.equal(protectData);
            expect(config.get("alb-enables-deletion-protection")?.properties.requireDeletionProtection, stack).to.equal(protectData);
        }
        expect(readPolicyConfig("prod").get("rds-runs-multi-az")?.properties.requireMultiAz).to.equal(true);
        expect(readPolicyConfig("staging").get("alb-enables-deletion-protection")?.properties.requireDeletionProtection).to.equal(false);
    });

    it("grants the dev load balancer its configuration directory, written under ~ so the file is the same on every machine", () => {
        expect(readPolicyConfig("dev").get("docker-no-sensitive-host-mounts")?.properties.stackGrants).to.deep.equal([{ role: "lb", hostPath: "~/.genai-platform/dev/lb" }]);
        expect(readPolicyConfig("prod").get("docker-no-sensitive-host-mounts")?.properties.stackGrants).to.deep.equal([]);
    });

    it("waives no policy: every finding the program had is fixed, so the deployer-path check is mandatory in the cloud stacks too", () => {
        expect(ADVISORY_UNTIL_FIXED).to.deep.equal([]);
        for (const stack of ["staging", "prod"]) {
            const policy = "eks-private-endpoint-has-deployer-path";
            const level = readPolicyConfig(stack).get(policy)?.enforcementLevel ?? ALL_POLICIES.find((p) => p.name === policy)?.enforcementLevel;
            expect(level, stack).to.equal("mandatory");
        }
        for (const stack of stackNames()) {
            for (const [name, settings] of readPolicyConfig(stack)) {
                const own = ALL_POLICIES.find((p) => p.name === name)?.enforcementLevel;
                if (settings.enforcementLevel === "advisory") expect(own, `${stack} ${name} is advisory only where the policy itself is`).to.equal("advisory");
            }
        }
    });
});
