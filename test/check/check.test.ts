import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { UNKNOWN } from "../../policy/lib/props";
import { REDACTED_CIPHERTEXT } from "../../scripts/check/resources";
import { mockSecretValue, SECRET_SIG, SECRET_SIG_KEY } from "../../scripts/offline/evaluate";
import { CheckRun, checkInProcess, PROJECT_DIR } from "./run-check";

const STAGING = "urn:pulumi:staging::genai-platform";
const urn = (type: string, name: string): string => `${STAGING}::${type}::${name}`;
const RDS = "aws:rds/instance:Instance";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";

/** A small export of a broken staging stack: public unencrypted RDS, unpriced and oversized GPUs, values unknown until apply. */
function brokenStagingExport(): object {
    const resource = (type: string, name: string, inputs: Record<string, unknown>) => ({
        urn: urn(type, name),
        id: `${name}-id`,
        type,
        custom: true,
        parent: urn("pulumi:pulumi:Stack", "genai-platform-staging"),
        inputs,
        outputs: { ...inputs, id: `${name}-id` },
    });
    const db = { engine: "postgres", instanceClass: "db.t4g.medium", allocatedStorage: 20, backupRetentionPeriod: 7 };
    const gpu = { amiType: "AL2023_x86_64_NVIDIA", capacityType: "SPOT" };
    return {
        version: 3,
        deployment: {
            resources: [
                { urn: urn("pulumi:pulumi:Stack", "genai-platform-staging"), type: "pulumi:pulumi:Stack", custom: false },
                resource(RDS, "db-public", {
                    ...db,
                    storageEncrypted: false,
                    publiclyAccessible: true,
                    password: { [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: "AAABAGVuY3J5cHRlZA==" },
                }),
                resource(RDS, "db-preview", { ...db, storageEncrypted: UNKNOWN }),
                resource(NODE_GROUP, "gpu-new", { ...gpu, instanceTypes: ["g7.xlarge"], scalingConfig: { desiredSize: 1, minSize: 1, maxSize: 2 } }),
                resource(NODE_GROUP, "gpu-big", { ...gpu, instanceTypes: ["g5.2xlarge"], scalingConfig: { desiredSize: 20, minSize: 1, maxSize: 20 } }),
                resource(NODE_GROUP, "gpu-pending", { ...gpu, instanceTypes: ["g5.xlarge"], scalingConfig: { desiredSize: UNKNOWN, minSize: 1, maxSize: 2 } }),
            ],
        },
    };
}

function parseJson(run: CheckRun): Record<string, unknown> {
    expect(run.stdout.trim().startsWith("{") && run.stdout.trim().endsWith("}"), run.stdout + run.stderr).to.equal(true);
    return JSON.parse(run.stdout);
}

function expectOneLineError(run: CheckRun, pattern: RegExp): void {
    expect(run.status, run.stderr).to.equal(2);
    expect(run.stdout).to.equal("");
    const lines = run.stderr.trim().split("\n");
    expect(lines, run.stderr).to.have.length(1);
    expect(lines[0]).to.match(pattern);
    expect(run.stderr).not.to.match(/\n\s+at /);
}

describe("npm run check (end to end)", function () {
    this.timeout(180_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "genai-check-"));
    const file = (name: string): string => path.join(dir, name);
    let dev: CheckRun;
    let roundTrip: CheckRun;
    let broken: CheckRun;
    let bad: Record<string, CheckRun>;

    before(async () => {
        const baseline = {
            stack: "dev",
            monthlyCostUsd: 12.5,
            costs: [{ urn: "urn:pulumi:dev::genai-platform::aws:kms/key:Key::old-key", type: "aws:kms/key:Key", monthlyUsd: 12.5 }],
        };
        fs.writeFileSync(file("baseline.json"), JSON.stringify(baseline));
        fs.writeFileSync(file("broken.json"), JSON.stringify(brokenStagingExport()));
        fs.writeFileSync(file("malformed.json"), "{ not json");
        const badArgs: Record<string, string[]> = {
            unknownStack: ["nope"],
            invalidConfig: ["dev", "--config", "lbBindAddress=1.2.3.4"],
            malformedState: ["dev", "--state", file("malformed.json")],
        };
        // In this process, one after the other: the mock engine is global to a process.
        dev = await checkInProcess(["dev", "--json", "--markdown", file("dev.md"), "--export", file("dev-export.json"), "--baseline", file("baseline.json")]);
        roundTrip = await checkInProcess(["dev", "--state", file("dev-export.json"), "--json"]);
        broken = await checkInProcess(["staging", "--state", file("broken.json"), "--json", "--markdown", file("broken.md")]);
        bad = {};
        for (const [name, args] of Object.entries(badArgs)) bad[name] = await checkInProcess(args);
        // A copy of the project whose stack file is not YAML: the real stack files are never touched.
        const project = fs.mkdtempSync(path.join(dir, "project-"));
        fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
        fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), path.join(project, "Pulumi.dev.yaml"));
        fs.writeFileSync(path.join(project, "Pulumi.broken.yaml"), "config:\n  genai-platform:platform: docker\n   bad: [unclosed\n");
        bad.malformedStackFile = await checkInProcess(["broken"], project);
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    describe("dev, evaluated with the mock engine", () => {
        it("exits 0: the dev stack has no mandatory violation", () => {
            expect(dev.status, dev.stderr).to.equal(0);
        });

        it("prints exactly one JSON object of the documented shape", () => {
            const report = parseJson(dev);
            expect(Object.keys(report)).to.deep.equal(["stack", "resourceCount", "monthlyCostUsd", "budgetUsd", "costs", "violations", "advisories", "footprint"]);
            expect(report.advisories).to.deep.equal([]);
            // The containers' limits change with the program; what the check must say is how they compare with the host.
            const footprint = report.footprint as { memoryMb: number; hostMemoryMb: number; largestCpus: number; hostCpus: number };
            expect(Object.keys(footprint)).to.deep.equal(["memoryMb", "hostMemoryMb", "largestCpus", "hostCpus"]);
            expect(footprint).to.include({ hostMemoryMb: 8192, hostCpus: 4 });
            // The same containers as the export holds: long-running ones' memory summed, the largest CPU share.
            const containers = (JSON.parse(fs.readFileSync(file("dev-export.json"), "utf8")).deployment.resources as { type: string; inputs: Record<string, unknown> }[])
                .filter((r) => r.type === "docker:index/container:Container")
                .map((r) => r.inputs);
            const services = containers.filter((c) => c.restart !== "no");
            expect(services.length).to.be.greaterThan(5);
            expect(footprint.memoryMb).to.equal(services.reduce((sum, c) => sum + Number(c.memory), 0));
            expect(footprint.largestCpus).to.equal(Math.max(...containers.map((c) => Number(c.cpus) || 0)));
            // The whole dev platform fits the laptop it is configured for.
            expect(footprint.memoryMb).to.be.within(1, footprint.hostMemoryMb);
            expect(footprint.largestCpus).to.be.within(0.1, footprint.hostCpus);
            expect(report.stack).to.equal("dev");
            expect(report.budgetUsd).to.equal(50);
            expect(report.monthlyCostUsd).to.equal(0);
            expect(report.violations).to.deep.equal([]);
            const costs = report.costs as Record<string, unknown>[];
            expect(costs.length).to.be.greaterThan(0);
            for (const cost of costs) {
                expect(Object.keys(cost)).to.deep.equal(["urn", "type", "monthlyUsd"]);
                expect(cost.type).to.match(/^(docker|random|command):/);
                expect(cost.monthlyUsd).to.equal(0);
            }
        });

        it("writes the pull-request comment with the total, the per-resource table and the delta against the baseline", () => {
            const markdown = fs.readFileSync(file("dev.md"), "utf8");
            expect(markdown).to.contain("### ✅ Offline check of stack `dev`");
            expect(markdown).to.contain("**Estimated monthly cost: $0.00** of the $50.00 budget (0%) (-$12.50 vs baseline $12.50)");
            expect(markdown).to.contain("| Resource | Type | Monthly (USD) | Δ vs baseline | How |");
            const containers = (JSON.parse(fs.readFileSync(file("dev-export.json"), "utf8")).deployment.resources as { type: string }[]).filter(
                (r) => r.type === "docker:index/container:Container",
            ).length;
            expect(containers).to.be.greaterThan(1);
            expect(markdown).to.contain(`| \`${containers} resources\` | \`docker:index/container:Container\` | 0.00 |`);
            expect(markdown).to.contain("| `old-key` (removed) | `aws:kms/key:Key` | 0.00 | -$12.50 | |");
            expect(markdown).to.contain("No policy violations.");
        });

        it("exports the resources as a stack export, with every secret as a secret object and none in clear", () => {
            const text = fs.readFileSync(file("dev-export.json"), "utf8");
            const doc = JSON.parse(text);
            expect(doc.version).to.equal(3);
            const resources = doc.deployment.resources as Record<string, unknown>[];
            expect(resources).to.have.length((parseJson(dev).resourceCount as number));
            for (const r of resources) {
                for (const key of ["urn", "type", "custom", "protect", "retainOnDelete", "inputs", "outputs"]) expect(r, key).to.have.property(key);
            }
            const volume = resources.find((r) => r.urn === "urn:pulumi:dev::genai-platform::docker:index/volume:Volume::postgres-data");
            expect(volume).to.include({ retainOnDelete: true, parent: "urn:pulumi:dev::genai-platform::genai:data:Postgres::postgres" });
            for (const name of ["secrets-postgresPassword", "secrets-redisPassword", "secrets-grafanaAdminPassword"]) {
                expect(text).not.to.contain(mockSecretValue(name));
            }
            expect(text).not.to.contain("MockSecret");
            const secrets = text.split(`"${SECRET_SIG_KEY}": "${SECRET_SIG}"`).length - 1;
            expect(secrets).to.be.greaterThan(0);
            expect(text.split(REDACTED_CIPHERTEXT).length - 1).to.equal(secrets);
        });

        it("reads its own export back with --state: same resources, costs and violations", () => {
            expect(roundTrip.status, roundTrip.stderr).to.equal(0);
            expect(parseJson(roundTrip)).to.deep.equal(parseJson(dev));
        });
    });

    describe("--state with a broken staging export", () => {
        const violation = (policy: string, enforcementLevel: string, name: string, type: string, message: string) => ({
            policy,
            enforcementLevel,
            urn: urn(type, name),
            message,
        });

        it("exits 1 on mandatory violations", () => {
            expect(broken.status, broken.stderr).to.equal(1);
        });

        it("prints the cloud stack's JSON with the GPU vCPU quotas its node groups need at their maxima", () => {
            const report = parseJson(broken);
            expect(Object.keys(report)).to.deep.equal(["stack", "resourceCount", "monthlyCostUsd", "budgetUsd", "costs", "violations", "advisories", "quotas"]);
            // staging: one spot a10g group of at most 11 nodes, the largest a g5.4xlarge of 16 vCPUs.
            expect(report.quotas).to.deep.equal([
                { code: "L-DB2E81BA", name: "Running On-Demand G and VT instances", vcpus: 0 },
                { code: "L-3819A6DF", name: "All G and VT Spot Instance Requests", vcpus: 176 },
            ]);
        });

        it("names the public, unencrypted RDS instance", () => {
            const { violations } = parseJson(broken);
            expect(violations).to.deep.include(
                violation("rds-no-public-access", "mandatory", "db-public", RDS, "publiclyAccessible is true: the database gets a public DNS name and address (CKV_AWS_17, RDS.2)."),
            );
            expect(violations).to.deep.include(
                violation(
                    "rds-storage-encrypted",
                    "mandatory",
                    "db-public",
                    RDS,
                    "storageEncrypted is not true: the database storage, backups and snapshots are unencrypted (CKV_AWS_16, RDS.3).",
                ),
            );
        });

        it("names the instance type missing from the price table, and the budget it exceeds", () => {
            const { violations, monthlyCostUsd, budgetUsd } = parseJson(broken) as { violations: unknown[]; monthlyCostUsd: number; budgetUsd: number };
            expect(violations).to.deep.include(
                violation(
                    "price-table-covers-instance-types",
                    "mandatory",
                    "gpu-new",
                    NODE_GROUP,
                    "instance type g7.xlarge is not in the price table (catalog/prices.ts; GPU types in catalog/gpu.ts): its cost cannot be estimated.",
                ),
            );
            expect(budgetUsd).to.equal(6000);
            expect(monthlyCostUsd).to.be.greaterThan(budgetUsd);
            const overBudget = (violations as { policy: string; message: string }[]).filter((v) => v.policy === "stack-monthly-cost-within-budget");
            expect(overBudget.map((v) => v.message)).to.include(
                `cannot price ${urn(NODE_GROUP, "gpu-new")}: instance type g7.xlarge is not in the price table; the budget cannot be verified.`,
            );
            expect(overBudget.some((v) => v.message.startsWith(`estimated monthly cost $${monthlyCostUsd.toLocaleString("en-US", { minimumFractionDigits: 2 })} exceeds the budget $6,000.00`))).to.equal(true);
        });

        it("applies the stack's GPU allowlist and size cap through the pack's config", () => {
            const policies = (parseJson(broken).violations as { policy: string; urn: string }[]).map((v) => `${v.policy} ${v.urn.split("::").pop()}`);
            expect(policies).to.include.members(["gpu-instance-types-allowed gpu-new", "gpu-node-group-max-size gpu-big"]);
        });

        it("turns a value unknown during preview into the pack's own advisory, not a crash", () => {
            const { violations } = parseJson(broken);
            expect(violations).to.deep.include(
                violation(
                    "rds-storage-encrypted",
                    "advisory",
                    "db-preview",
                    RDS,
                    "can't run policy 'rds-storage-encrypted' from policy pack 'genai-platform-policy@v0.1.0' during preview: string value at .storageEncrypted can't be known during preview",
                ),
            );
            expect(violations).to.deep.include({
                policy: "stack-monthly-cost-below-alert-threshold",
                enforcementLevel: "advisory",
                urn: urn(NODE_GROUP, "gpu-pending"),
                message: `cannot price ${urn(NODE_GROUP, "gpu-pending")}: scalingConfig.desiredSize is unknown until apply.`,
            });
        });

        it("lists the violations in the pull-request comment", () => {
            const markdown = fs.readFileSync(file("broken.md"), "utf8");
            expect(markdown).to.match(/### ❌ Offline check of stack `staging`/);
            expect(markdown).to.contain("| mandatory | `rds-no-public-access` | `db-public` | publiclyAccessible is true");
        });
    });

    describe("bad input (the other problems of state files and arguments: test/check/inputs.test.ts)", () => {
        it("exits 2 with one line for an unknown stack", () => expectOneLineError(bad.unknownStack, /^check: unknown stack "nope": no Pulumi\.nope\.yaml \(stacks: dev, prod, staging\)$/));

        it("exits 2 with one line for invalid stack config", () =>
            expectOneLineError(bad.invalidConfig, /^check: Invalid configuration for stack "dev": genai-platform:lbBindAddress = "1\.2\.3\.4"; allowed: /));

        it("exits 2 with one line for a malformed state file", () => expectOneLineError(bad.malformedState, /^check: state file .*malformed\.json is not valid JSON: /));

        it("exits 2 with one line for a stack file that is not YAML", () =>
            expectOneLineError(bad.malformedStackFile, /^check: Pulumi\.broken\.yaml is not valid YAML: /));

        it("refuses bad input before it starts the policy pack", () => {
            for (const run of Object.values(bad)) expect(run.packPid).to.equal(undefined);
        });
    });

    it("diffs every stack of a pull request against the base branch's export, with no secret", () => {
        const workflow = parse(fs.readFileSync(path.join(PROJECT_DIR, ".github/workflows/pull-request.yml"), "utf8"));
        const job = workflow.jobs.check;
        expect(job.strategy.matrix.stack).to.deep.equal(["dev", "staging", "prod"]);
        expect(job.environment).to.equal(undefined);
        const steps = JSON.stringify(job.steps);
        expect(steps).not.to.match(/secrets\./);
        const base = job.steps.find((s: { "working-directory"?: string }) => s["working-directory"] === ".check-base");
        expect(base.run).to.contain('npm run -s check -- "${{ matrix.stack }}" --json --export ../base-export.json');
        const check = job.steps.find((s: { id?: string }) => s.id === "check");
        expect(check.run).to.contain("diff=(--diff base-export.json)");
        expect(check.run).to.contain('"${diff[@]}"');
    });

    it("is the package's check script, run through the transpile cache", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));
        expect(pkg.scripts.check).to.match(/^node (--[a-z-]+=\d+ )*-r \.\/scripts\/offline\/register\.js scripts\/check\/index\.ts$/);
    });
});
