import { expect } from "chai";
import { IMAGES } from "../../catalog/images";
import { renderBackupScript } from "../../components/data/backup";
import { AWS_BACKUP_NOTIFICATIONS } from "../../catalog/aws";
import { BACKUP_SELECTION_TAG } from "../../components/data/backup-aws";
import { BACKUP_MEMORY_MB, BACKUP_MOUNT, BACKUP_REDIS_PASSWORD_FILE, BACKUP_SCRIPT_PATH, PGPASS_FILE } from "../../components/data/backup-docker";
import { BACKUP_GB_MONTH } from "../../catalog/prices";
import { DEFAULT_PRICING, estimateMonthlyCost } from "../../policy/cost/estimate";
import { mockSecretValue, ProgramRun, RecordedResource } from "../harness";
import { stackConfigOf } from "../support/dev-stack";
import { evaluatedStack, evaluatedWith } from "../support/stacks";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const SOURCES = ["postgres", "redis", "grafana"] as const;

function uploads(c: RecordedResource): { file: string; content: string; permissions?: string; owner?: string; group?: string }[] {
    return c.inputs.uploads ?? [];
}

function imageOf(run: ProgramRun, c: RecordedResource): string {
    return run.one("docker:index/remoteImage:RemoteImage", `${c.name}-image`).inputs.name;
}

describe("dev backups (Docker)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await evaluatedStack("dev");
    });

    it("backs up Postgres, Redis and Grafana's data daily at 02:00, keeping 30 days, each from its own small container", () => {
        for (const source of SOURCES) {
            const c = run.one(CONTAINER, `backups-${source}`);
            expect(c.inputs.name).to.equal(`genai-dev-backup-${source}`);
            expect(c.inputs.entrypoints).to.deep.equal([BACKUP_SCRIPT_PATH, "schedule"]);
            const script = uploads(c).find((u) => u.file === BACKUP_SCRIPT_PATH)!;
            expect(script.content).to.equal(renderBackupScript({ source, at: "02:00", keepDays: 30 }));
            expect(script.permissions).to.equal("0555");
            expect(c.inputs.envs).to.include(`GENAI_BACKUP_DIR=${BACKUP_MOUNT}/${source}`);
            expect(c.inputs.memory).to.equal(BACKUP_MEMORY_MB[source]);
            expect(c.inputs.restart).to.equal("unless-stopped");
            expect(c.inputs.healthcheck.startPeriod).to.equal(`${26 * 3600}s`);
        }
        expect(Object.values(BACKUP_MEMORY_MB).reduce((a, b) => a + b, 0)).to.equal(128);
    });

    it("reports every run to the stack's Pushgateway, which each backup container's network reaches by its alias", () => {
        const gateway = run.one(CONTAINER, "observability-pushgateway");
        const aliases = new Map((gateway.inputs.networksAdvanced as { name: string; aliases?: string[] }[]).map((n) => [n.name, n.aliases ?? []]));
        for (const source of SOURCES) {
            const c = run.one(CONTAINER, `backups-${source}`);
            const url = (c.inputs.envs as string[]).find((e) => e.startsWith("GENAI_BACKUP_PUSH_URL="))?.slice("GENAI_BACKUP_PUSH_URL=".length);
            expect(url, source).to.equal(`http://pushgateway:${IMAGES.pushgateway.ports.http}/metrics/job/genai-backup/source/${source}`);
            for (const network of (c.inputs.networksAdvanced as { name: string }[]).map((n) => n.name)) expect(aliases.get(network), `${source} on ${network}`).to.include("pushgateway");
        }
    });

    it("dumps with the server's own image and user, and reads Grafana's data read-only as Grafana's user", () => {
        const c = (source: string) => run.one(CONTAINER, `backups-${source}`);
        expect(imageOf(run, c("postgres"))).to.equal(IMAGES.postgres.ref);
        expect(c("postgres").inputs.user).to.equal("70:70");
        expect(imageOf(run, c("redis"))).to.equal(IMAGES.redis.ref);
        expect(c("redis").inputs.user).to.equal("999:1000");
        expect(imageOf(run, c("grafana"))).to.equal(IMAGES.fetcher.ref);
        expect(c("grafana").inputs.user).to.equal(`${IMAGES.grafana.user.uid}:${IMAGES.grafana.user.gid}`);
        expect(c("grafana").inputs.volumes).to.deep.include({ volumeName: "genai-dev-grafana-data", containerPath: "/var/lib/grafana", readOnly: true });
        expect(c("grafana").dependsOn).to.include("docker:index/container:Container::observability-grafana");
        // Postgres and Redis are reached on the application network; Grafana's backup needs none and joins an internal one.
        const networks = (source: string) => (c(source).inputs.networksAdvanced as { name: string }[]).map((n) => n.name);
        expect(networks("postgres")).to.deep.equal(["genai-dev-network"]);
        expect(networks("redis")).to.deep.equal(["genai-dev-network"]);
        expect(networks("grafana")).to.deep.equal(["genai-dev-monitoring"]);
        expect(c("postgres").inputs.envs).to.include.members(["PGHOST=postgres", "PGPORT=5432", "PGUSER=genai", "PGDATABASE=genai", `PGPASSFILE=${PGPASS_FILE}`]);
        expect(c("redis").inputs.envs).to.include.members(["GENAI_REDIS_HOST=redis", "GENAI_REDIS_PORT=6379", `GENAI_REDIS_PASSWORD_FILE=${BACKUP_REDIS_PASSWORD_FILE}`]);
    });

    it("hands the passwords over as files only their container's user can read, marked secret", () => {
        const pg = run.one(CONTAINER, "backups-postgres");
        expect(uploads(pg).find((u) => u.file === PGPASS_FILE)).to.deep.include({
            content: `postgres:5432:genai:genai:${mockSecretValue("secrets-postgresPassword")}\n`,
            permissions: "0400",
            owner: "70",
            group: "70",
        });
        const redis = run.one(CONTAINER, "backups-redis");
        expect(uploads(redis).find((u) => u.file === BACKUP_REDIS_PASSWORD_FILE)).to.deep.include({ content: mockSecretValue("secrets-redisPassword"), permissions: "0400", owner: "999", group: "1000" });
        for (const c of [pg, redis]) {
            expect([...c.secretInputs], c.name).to.include("uploads");
            const visible = JSON.stringify([c.inputs.envs, c.inputs.entrypoints, c.inputs.command ?? [], c.inputs.healthcheck]);
            for (const secret of ["secrets-postgresPassword", "secrets-redisPassword"].map(mockSecretValue)) expect(visible, c.name).to.not.contain(secret);
        }
    });

    it("writes into one retained volume, protected with protectData, opened first by a one-shot container to the three users", async () => {
        const volume = run.one(VOLUME, "backups-volume");
        expect(volume.inputs.name).to.equal("genai-dev-backups");
        expect(volume.retainOnDelete).to.equal(true);
        expect(volume.protect).to.equal(false);
        for (const source of SOURCES) {
            const c = run.one(CONTAINER, `backups-${source}`);
            expect(c.inputs.volumes).to.deep.include({ volumeName: "genai-dev-backups", containerPath: BACKUP_MOUNT });
            expect(c.dependsOn).to.include("docker:index/container:Container::backups-init");
        }
        const init = run.one(CONTAINER, "backups-init");
        expect(init.inputs).to.include({ restart: "no", user: "0:0", mustRun: false });
        expect(init.inputs.command).to.deep.equal(["sh", "-c", "chmod 1777 /backups"]);
        expect(init.inputs.capabilities).to.deep.equal({ drops: ["ALL"] });
        const protectedRun = await evaluatedWith("dev", { protectData: true, dbHostPort: 15432 });
        expect(protectedRun.one(VOLUME, "backups-volume").protect).to.equal(true);
        expect(run.outputs.backupVolume).to.equal("genai-dev-backups");
    });

    it("takes its schedule and retention from the stack's config", async () => {
        const other = await evaluatedWith("dev", { backupSchedule: "23:30", backupRetentionDays: 7 });
        const script = uploads(other.one(CONTAINER, "backups-redis")).find((u) => u.file === BACKUP_SCRIPT_PATH)!.content;
        expect(script).to.contain("\nat=2330\n").and.contain("\nkeep_days=7\n");
    });
});

for (const stack of ["staging", "prod"] as const) {
    const prod = stack === "prod";
    describe(`${stack} backups (AWS Backup)`, () => {
        let run: ProgramRun;
        before(async () => {
            run = await evaluatedStack(stack);
        });

        it("backs up daily at 02:00 UTC and keeps every recovery point 30 days", () => {
            const plan = run.one("aws:backup/plan:Plan", "backup").inputs;
            expect(plan.name).to.equal(`genai-${stack}-daily`);
            expect(plan.rules).to.have.length(1);
            expect(plan.rules[0]).to.deep.include({ ruleName: "daily", targetVaultName: `genai-${stack}-backups`, schedule: "cron(0 2 * * ? *)", lifecycle: { deleteAfter: 30 } });
        });

        it("selects the RDS instance and the weights file system by ARN, and the monitoring volumes by their tag", () => {
            const selection = run.one("aws:backup/selection:Selection", "backup-selection");
            expect(selection.inputs.resources).to.deep.equal(["arn:aws:rds:us-east-1:123456789012:postgres", "arn:aws:efs:us-east-1:123456789012:addons-weights"]);
            expect(selection.inputs.selectionTags).to.deep.equal([{ type: "STRINGEQUALS", key: BACKUP_SELECTION_TAG, value: `genai-${stack}` }]);
            expect(selection.inputs.iamRoleArn).to.equal("arn:aws:iam:us-east-1:123456789012:backup-role");
            expect(selection.dependsOn).to.include.members([
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment::backup-role-AWSBackupServiceRolePolicyForBackup",
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment::backup-role-AWSBackupServiceRolePolicyForRestores",
            ]);
            // The gp3 storage class of Prometheus, Alertmanager, Grafana and Loki tags every volume it provisions so.
            const storageClass = run.one("kubernetes:storage.k8s.io/v1:StorageClass", "addons-gp3").inputs;
            expect(storageClass.parameters).to.deep.equal({ type: "gp3", encrypted: "true", tagSpecification_1: `${BACKUP_SELECTION_TAG}=genai-${stack}` });
        });

        it("lets only AWS Backup, acting for this account, assume its role, with AWS's backup and restore policies", () => {
            const trust = JSON.parse(run.one("aws:iam/role:Role", "backup-role").inputs.assumeRolePolicy);
            expect(trust.Statement).to.have.length(1);
            expect(trust.Statement[0].Principal).to.deep.equal({ Service: "backup.amazonaws.com" });
            expect(trust.Statement[0].Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": "123456789012" } });
            const attached = run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.name.startsWith("backup-role-"));
            expect(attached.map((a) => a.inputs.policyArn).sort()).to.deep.equal([
                "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
                "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
            ]);
        });

        it(`encrypts the vault with its own rotating key${prod ? ", both protected and retained" : ""}`, () => {
            const vault = run.one("aws:backup/vault:Vault", "backup-vault");
            const key = run.one("aws:kms/key:Key", "backup-vault-key");
            expect(vault.inputs).to.include({ name: `genai-${stack}-backups`, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:backup-vault-key", forceDestroy: false });
            expect(key.inputs).to.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
            expect(JSON.parse(key.inputs.policy).Statement[1].Condition.StringEquals["kms:ViaService"]).to.include("backup.us-east-1.amazonaws.com");
            for (const r of [vault, key]) {
                expect(r.protect, r.name).to.equal(prod);
                expect(r.retainOnDelete, r.name).to.equal(prod);
            }
        });

        if (prod) {
            it("copies every recovery point to a vault of its own in us-west-2, kept as long", () => {
                const copy = run.one("aws:backup/vault:Vault", "backup-copy-vault");
                const key = run.one("aws:kms/key:Key", "backup-copy-vault-key");
                const provider = run.one("pulumi:providers:aws", "backup-copy-region");
                expect(provider.inputs.region).to.equal("us-west-2");
                for (const r of [copy, key]) {
                    expect(r.provider, r.name).to.equal("pulumi:providers:aws::backup-copy-region");
                    expect(r.protect, r.name).to.equal(true);
                    expect(r.retainOnDelete, r.name).to.equal(true);
                }
                expect(JSON.parse(key.inputs.policy).Statement[1].Condition.StringEquals["kms:ViaService"]).to.include("backup.us-west-2.amazonaws.com");
                const rule = run.one("aws:backup/plan:Plan", "backup").inputs.rules[0];
                expect(rule.copyActions).to.deep.equal([{ destinationVaultArn: "arn:aws:backup:us-east-1:123456789012:backup-copy-vault", lifecycle: { deleteAfter: 30 } }]);
            });
        } else {
            it("copies nothing to another region", () => {
                expect(run.ofType("aws:backup/vault:Vault").map((v) => v.name)).to.deep.equal(["backup-vault"]);
                expect(run.one("aws:backup/plan:Plan", "backup").inputs.rules[0].copyActions).to.equal(undefined);
                expect(run.ofType("pulumi:providers:aws")).to.deep.equal([]);
            });
        }

        it("prices each vault's recovery points in the cost estimate, at the dearest rate they are billed", () => {
            const estimate = estimateMonthlyCost(run.resources.map((r) => ({ type: r.type, urn: r.urn, props: r.inputs })), DEFAULT_PRICING);
            const vaults = estimate.items.filter((i) => i.type === "aws:backup/vault:Vault");
            expect(vaults).to.have.length(prod ? 2 : 1);
            for (const v of vaults) expect(v.monthlyUsd).to.equal(Math.round(DEFAULT_PRICING.backupExpectedGbPerVault * BACKUP_GB_MONTH.rdsSnapshot.usd * 100) / 100);
            expect(estimate.unpriced.filter((u) => u.type.startsWith("aws:backup/"))).to.deep.equal([]);
        });

        it("e-mails the alert addresses the backup jobs that did not complete and the failed copies, through a topic only AWS Backup publishes to", () => {
            const notifications = run.one("aws:backup/vaultNotifications:VaultNotifications", "backup-events");
            expect(notifications.inputs).to.deep.equal({
                backupVaultName: `genai-${stack}-backups`,
                snsTopicArn: "arn:aws:sns:us-east-1:123456789012:backup-events",
                backupVaultEvents: ["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED"],
            });
            // The events and the attribute are the catalog's, read in AWS Backup's notification docs.
            expect(notifications.inputs.backupVaultEvents).to.deep.equal([...AWS_BACKUP_NOTIFICATIONS.events]);
            expect(AWS_BACKUP_NOTIFICATIONS.evidence.map((e) => e.url)).to.include("https://docs.aws.amazon.com/aws-backup/latest/devguide/sns-notifications.html");
            // AWS Backup may publish once the topic's policy lets it.
            expect(notifications.dependsOn).to.include("aws:sns/topicPolicy:TopicPolicy::backup-events");
            const policy = JSON.parse(run.one("aws:sns/topicPolicy:TopicPolicy", "backup-events").inputs.policy);
            expect(policy.Statement).to.deep.equal([
                {
                    Sid: "BackupPublishes",
                    Effect: "Allow",
                    Principal: { Service: "backup.amazonaws.com" },
                    Action: "SNS:Publish",
                    Resource: "arn:aws:sns:us-east-1:123456789012:backup-events",
                    Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
                },
            ]);
            // Encrypted with a key of its own, which AWS Backup of this account may use to publish (the SNS-managed key cannot let it).
            const topic = run.one("aws:sns/topic:Topic", "backup-events").inputs;
            expect(topic.kmsMasterKeyId).to.equal("arn:aws:kms:us-east-1:123456789012:backup-events-key");
            const key = run.one("aws:kms/key:Key", "backup-events-key").inputs;
            expect(key.enableKeyRotation).to.equal(true);
            const backupUse = JSON.parse(key.policy).Statement.find((st: any) => st.Sid === "BackupPublishes");
            // ...for this stack's failure topics only: SNS names the topic in the encryption context.
            expect(backupUse).to.deep.include({
                Principal: { Service: "backup.amazonaws.com" },
                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                Condition: { StringLike: { "kms:EncryptionContext:aws:sns:topicArn": `arn:aws:sns:us-east-1:123456789012:${topic.namePrefix}*` } },
            });
            expect(topic.namePrefix).to.equal(`genai-${stack}-backup-events-`);
            // Each alert address, told only of what did not succeed: a completed job's State attribute says how it completed.
            const subscriptions = run.ofType("aws:sns/topicSubscription:TopicSubscription").filter((sub) => sub.inputs.topic === "arn:aws:sns:us-east-1:123456789012:backup-events");
            expect(subscriptions.map((sub) => sub.inputs.endpoint)).to.deep.equal(stackConfigOf(stack).observability.alertEmails);
            for (const sub of subscriptions) {
                expect(sub.inputs).to.deep.include({ protocol: "email", filterPolicyScope: "MessageAttributes" });
                // A failed copy's attributes are not documented: without a State it still gets through.
                expect(JSON.parse(sub.inputs.filterPolicy)).to.deep.equal({ State: [{ "anything-but": "COMPLETED" }, { exists: false }] });
                expect(Object.keys(JSON.parse(sub.inputs.filterPolicy))).to.deep.equal([AWS_BACKUP_NOTIFICATIONS.stateAttribute]);
            }
        });

        it("names the vault among the stack's outputs", () => {
            expect(run.outputs.backupVault).to.equal(`genai-${stack}-backups`);
        });
    });
}
