import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DATA_HOLDING_TYPES, REPLACEMENTS } from "../../catalog/replacements";
import { changedPaths, diffResources, forcingPaths, ResourceChange } from "../../scripts/check/diff";
import { CheckResource, collectFromProgram, collectFromState, writeStackExport } from "../../scripts/check/resources";
import { SECRET_SIG, SECRET_SIG_KEY } from "../../scripts/offline/evaluate";
import { CheckRun, checkInProcess } from "./run-check";

const secret = (value: unknown) => ({ [SECRET_SIG_KEY]: SECRET_SIG, value });
const urn = (type: string, name: string): string => `urn:pulumi:prod::genai-platform::${type}::${name}`;
const VPC = "aws:ec2/vpc:Vpc";
const SUBNET = "aws:ec2/subnet:Subnet";
const RDS = "aws:rds/instance:Instance";

function resource(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<CheckResource> = {}): CheckResource {
    return {
        urn: urn(type, name),
        type,
        name,
        custom: true,
        id: `${name}-id`,
        protect: false,
        retainOnDelete: false,
        dependencies: [],
        inputs,
        outputs: { ...inputs, id: `${name}-id`, arn: `arn:aws:test:us-east-1:123456789012:${name}` },
        ...extra,
    };
}

const byName = (changes: readonly ResourceChange[], name: string): ResourceChange | undefined => changes.find((c) => c.urn.endsWith(`::${name}`));

describe("offline diff", () => {
    describe("changed paths", () => {
        it("names each changed leaf with dots, list indexes and quoted keys that are not identifiers", () => {
            const before = { a: { b: 1, c: [1, 2] }, tags: { "kubernetes.io/role": "x", Name: "n" }, gone: true };
            const after = { a: { b: 2, c: [1, 3, 4] }, tags: { "kubernetes.io/role": "y", Name: "n" }, added: "z" };
            expect(changedPaths(before, after)).to.deep.equal(["a.b", "a.c[1]", "a.c[2]", "added", "gone", 'tags["kubernetes.io/role"]']);
        });

        it("compares secrets by value but reports only the secret's own path, and cannot compare a redacted one", () => {
            expect(changedPaths({ password: secret("old") }, { password: secret("new") })).to.deep.equal(["password"]);
            expect(changedPaths({ password: secret({ a: 1 }) }, { password: secret({ a: 2 }) })).to.deep.equal(["password"]);
            expect(changedPaths({ password: secret("[secret]") }, { password: secret("new") })).to.deep.equal([]);
            expect(changedPaths({ password: "plain" }, { password: secret("plain") })).to.deep.equal(["password"]);
        });

        it("finds the paths that force a replacement at, inside and above a catalogued path", () => {
            const rule = { replaceOn: ["cidrBlock", "spec.selector", "ports"], evidence: [] };
            expect(forcingPaths(["cidrBlock", "tags.Name", "spec", "spec.selector.matchLabels.app", "ports[0].external"], rule)).to.deep.equal([
                "cidrBlock",
                "spec",
                "spec.selector.matchLabels.app",
                "ports[0].external",
            ]);
            expect(forcingPaths(["cidrBlockX"], rule)).to.deep.equal([]);
        });
    });

    describe("resources", () => {
        const vpc = resource(VPC, "vpc", { cidrBlock: "10.0.0.0/16", tags: { Name: "vpc" } });
        const subnet = resource(SUBNET, "subnet", { vpcId: "vpc-id", cidrBlock: "10.0.0.0/20" });
        const sg = resource("aws:ec2/securityGroup:SecurityGroup", "sg", { vpcId: "vpc-id", description: "d" });
        const route = resource("aws:ec2/routeTable:RouteTable", "rt", { vpcId: "vpc-id" });
        const policy = resource("aws:iam/rolePolicy:RolePolicy", "policy", { policy: JSON.stringify({ Resource: "arn:aws:test:us-east-1:123456789012:vpc" }) });
        const other = resource("aws:iam/rolePolicy:RolePolicy", "other", { policy: "arn:aws:test:us-east-1:123456789012:vpc-2" });
        const db = resource(RDS, "db", { instanceClass: "db.t4g.medium", storageEncrypted: true, password: secret("hunter2") }, { protect: true });
        const base = [vpc, subnet, sg, route, policy, other, db];

        it("reports nothing when nothing changed", () => {
            const diff = diffResources(base, base, REPLACEMENTS);
            expect(diff.changes).to.deep.equal([]);
            expect(diff.warnings).to.deep.equal([]);
        });

        it("creates, deletes, updates in place, and replaces on an input the catalog lists", () => {
            const now = [
                { ...vpc, inputs: { ...vpc.inputs, tags: { Name: "renamed" } } },
                subnet,
                sg,
                route,
                policy,
                other,
                { ...db, inputs: { ...db.inputs, instanceClass: "db.r6g.large" } },
                resource("aws:s3/bucket:Bucket", "new-bucket", { bucket: "b" }),
            ].filter((r) => r.name !== "rt");
            const { changes } = diffResources(base, now, REPLACEMENTS);
            expect(changes.map((c) => [c.kind, c.urn.split("::").pop(), c.paths])).to.deep.equal([
                ["delete", "rt", []],
                ["create", "new-bucket", []],
                ["update", "vpc", ["tags.Name"]],
                ["update", "db", ["instanceClass"]],
            ]);
        });

        it("replaces what holds the id or ARN of a replaced resource when that input forces it, and updates the rest", () => {
            const now = base.map((r) => (r === vpc ? { ...vpc, inputs: { ...vpc.inputs, cidrBlock: "10.1.0.0/16" } } : r));
            const { changes, details } = diffResources(base, now, REPLACEMENTS);
            expect(byName(changes, "vpc")).to.deep.include({ kind: "replace", paths: ["cidrBlock"] });
            expect(byName(changes, "subnet")).to.deep.include({ kind: "replace", paths: ["vpcId"] });
            expect(byName(changes, "sg")).to.deep.include({ kind: "replace", paths: ["vpcId"] });
            expect(byName(changes, "rt")).to.deep.include({ kind: "update", paths: ["vpcId"] });
            expect(byName(changes, "policy")).to.deep.include({ kind: "update", paths: ["policy"] });
            expect(byName(changes, "other"), "an ARN that only starts like the replaced one's").to.equal(undefined);
            expect(details.get(subnet.urn)).to.deep.include({ replacedBy: ["vpcId"], becauseOf: [vpc.urn] });
        });

        it("warns, data first, when a protected or data-holding resource would be replaced or deleted, without its secret values", () => {
            const now = base.map((r) => (r === db ? { ...db, inputs: { ...db.inputs, storageEncrypted: false, password: secret("new-password") } } : r));
            const diff = diffResources(base, now, REPLACEMENTS);
            expect(diff.changes[0]).to.deep.equal({ urn: db.urn, type: RDS, kind: "replace", paths: ["password", "storageEncrypted"] });
            expect(diff.warnings).to.deep.equal([
                "db (aws:rds/instance:Instance; protected, holds the database) would be replaced: it changes storageEncrypted; Pulumi refuses while it is protected",
            ]);
            const deleted = diffResources(base, base.filter((r) => r !== db), REPLACEMENTS);
            expect(deleted.warnings).to.deep.equal([
                "db (aws:rds/instance:Instance; protected, holds the database) would be deleted: it is no longer declared; Pulumi refuses while it is protected",
            ]);
            expect(JSON.stringify(diff)).not.to.contain("hunter2").and.not.to.contain("new-password");
        });

        it("says which updated types have no replacement inputs in the catalog", () => {
            const now = base.map((r) => (r === route ? { ...route, inputs: { vpcId: "other" } } : r));
            expect(diffResources(base, now, REPLACEMENTS).uncatalogued).to.deep.equal(["aws:ec2/routeTable:RouteTable"]);
        });
    });

    describe("catalog of replacements", () => {
        it("cites evidence for every type, and lists the data-holding types the stacks declare", () => {
            for (const [type, rule] of Object.entries(REPLACEMENTS)) {
                expect(rule.replaceOn.length, type).to.be.greaterThan(0);
                expect(rule.evidence.length, type).to.be.greaterThan(0);
                for (const e of rule.evidence) expect(e.url, type).to.match(/^https:\/\//);
            }
            for (const type of [RDS, "aws:elasticache/replicationGroup:ReplicationGroup", "aws:efs/fileSystem:FileSystem", "aws:s3/bucket:Bucket", "aws:kms/key:Key", "docker:index/volume:Volume"]) {
                expect(DATA_HOLDING_TYPES, type).to.have.property(type);
                expect(REPLACEMENTS, type).to.have.property(type);
            }
            expect(REPLACEMENTS[VPC].replaceOn).to.include("cidrBlock");
            expect(REPLACEMENTS[RDS].replaceOn).to.include.members(["engine", "identifier", "storageEncrypted", "kmsKeyId", "availabilityZone", "username"]);
            expect(REPLACEMENTS[RDS].replaceOn).not.to.include("instanceClass");
        });
    });

    describe("prod against its own export", function () {
        this.timeout(180_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "genai-diff-"));
        const file = (name: string): string => path.join(dir, name);
        let instanceClass: CheckRun;
        let cidr: ResourceChange[];
        let missing: CheckRun;
        let malformed: CheckRun;

        before(async () => {
            // The base branch's export, as `--export` writes it: secrets redacted. One password is given a readable old value.
            const base = await collectFromProgram("prod", {});
            writeStackExport(file("base.json"), base.resources);
            const doc = JSON.parse(fs.readFileSync(file("base.json"), "utf8"));
            const rds = doc.deployment.resources.find((r: { type: string }) => r.type === RDS);
            rds.inputs.password = { [SECRET_SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify("old-db-password-in-clear") };
            fs.writeFileSync(file("base.json"), JSON.stringify(doc));
            fs.writeFileSync(file("malformed.json"), "{ not json");

            instanceClass = await checkInProcess(["prod", "--diff", file("base.json"), "--json", "--markdown", file("comment.md"), "--config", "dbInstanceClass=db.m6g.large"]);
            const moved = await collectFromProgram("prod", { vpcCidr: "10.41.0.0/16" });
            cidr = diffResources(collectFromState(file("base.json"), "prod", "diff base").resources, moved.resources, REPLACEMENTS).changes;
            missing = await checkInProcess(["prod", "--diff", file("absent.json")]);
            malformed = await checkInProcess(["prod", "--diff", file("malformed.json")]);
        });

        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("shows a new database instance class as an update of instanceClass on the RDS instance", () => {
            expect(instanceClass.status, instanceClass.stderr).to.equal(0);
            const report = JSON.parse(instanceClass.stdout);
            const rds = (report.changes as ResourceChange[]).find((c) => c.type === RDS);
            expect(rds).to.deep.include({ kind: "update" });
            expect(rds!.paths).to.include("instanceClass");
            for (const change of report.changes as ResourceChange[]) expect(Object.keys(change)).to.deep.equal(["urn", "type", "kind", "paths"]);
            expect(report.changeWarnings).to.deep.equal([]);
        });

        it("compares the secret it could read, and prints neither its old nor its new value anywhere", () => {
            const rds = (JSON.parse(instanceClass.stdout).changes as ResourceChange[]).find((c) => c.type === RDS);
            expect(rds!.paths).to.deep.equal(["instanceClass", "password"]);
            const comment = fs.readFileSync(file("comment.md"), "utf8");
            for (const text of [instanceClass.stdout, instanceClass.stderr, comment]) {
                expect(text).not.to.contain("old-db-password-in-clear");
                expect(text).not.to.contain("MockSecret");
            }
        });

        it("puts the changes in the pull-request comment beside the cost", () => {
            const comment = fs.readFileSync(file("comment.md"), "utf8");
            const changes = comment.indexOf("#### Resource changes vs the base branch");
            expect(changes).to.be.greaterThan(comment.indexOf("**Estimated monthly cost"));
            expect(comment).to.match(/\| update \| `postgres` \| `aws:rds\/instance:Instance` \| instanceClass, password \|/);
        });

        it("shows a new VPC CIDR as a replace of the VPC, and of the subnets cut from it", () => {
            const vpc = cidr.find((c) => c.type === VPC);
            expect(vpc).to.deep.include({ kind: "replace" });
            expect(vpc!.paths).to.deep.equal(["cidrBlock"]);
            const subnets = cidr.filter((c) => c.type === SUBNET);
            expect(subnets.length).to.be.greaterThan(0);
            for (const subnet of subnets) {
                expect(subnet.kind).to.equal("replace");
                expect(subnet.paths).to.include.members(["cidrBlock", "vpcId"]);
            }
        });

        it("exits 2 with one line, before starting the pack, for a diff base that is missing or not JSON", () => {
            for (const [run, pattern] of [
                [missing, /^check: diff base .*absent\.json cannot be read: ENOENT$/],
                [malformed, /^check: diff base .*malformed\.json is not valid JSON: /],
            ] as const) {
                expect(run.status, run.stderr).to.equal(2);
                expect(run.stdout).to.equal("");
                expect(run.stderr.trim().split("\n")).to.have.length(1);
                expect(run.stderr.trim()).to.match(pattern);
                expect(run.packPid).to.equal(undefined);
            }
        });
    });
});
