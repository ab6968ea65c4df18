import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AWS_BACKUP_NOTIFICATIONS } from "../../catalog/aws";
import { serviceTrustPolicy, sourceConditions } from "../shared/iam";
import { KEY_ADMIN_ACTIONS, KEY_USE_ACTIONS } from "../shared/kms";
import { named, Tags } from "../shared/tags";

/** The tag key AWS Backup selects the stack's dynamically provisioned volumes by; its value is the stack's prefix. */
export const BACKUP_SELECTION_TAG = "genai:backup";

/** The AWS managed policies of AWS Backup's service role: take backups, and restore them. */
export const BACKUP_ROLE_POLICIES = [
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
] as const;

/**
 * The services a vault's key serves: AWS Backup itself (EFS recovery points are encrypted with the vault's
 * key), and the services that copy their own snapshots into a vault of another region (RDS, EBS).
 */
export const VAULT_KEY_SERVICES = ["backup", "rds", "ec2", "elasticfilesystem"] as const;

export interface AwsBackupPlanArgs {
    /** Prefix of resource names, e.g. `genai-prod`. */
    readonly prefix: string;
    /** The stack's AWS account. */
    readonly account: pulumi.Input<string>;
    /** AWS region of the stack. */
    readonly region: string;
    /** Resources backed up by ARN: the RDS instance and the weights file system. */
    readonly resourceArns: pulumi.Input<string>[];
    /** Time of day of the daily backup, `HH:MM`, UTC. */
    readonly at: string;
    /** Days a recovery point is kept, in this region and in the copy. */
    readonly retentionDays: number;
    /** A second region every recovery point is copied to; none when undefined. */
    readonly copyRegion?: string;
    /**
     * Addresses e-mailed when a backup job does not complete or a copy fails (the alert addresses); each confirms its
     * subscription once. No notifications without any.
     */
    readonly failureEmails?: readonly string[];
    /** Keep the vaults and their keys in Pulumi state and on AWS when the stack goes (prod). */
    readonly protectData: boolean;
    /** Tags of every taggable resource of the component. */
    readonly tags: Tags;
}

/** AWS Backup's schedule expression for a daily run at `HH:MM` UTC. */
export function dailyBackupCron(at: string): string {
    const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(at);
    if (!match) throw new Error(`backup time ${at} is not HH:MM`);
    return `cron(${Number(match[2])} ${Number(match[1])} * * ? *)`;
}

/**
 * The key policy of a vault's key: the account administers it through IAM, and its principals use it only
 * through the services that write recovery points into the vault (`kms:ViaService`), from this account.
 */
export function vaultKeyPolicy(account: string, region: string): string {
    const root = { AWS: `arn:aws:iam::${account}:root` };
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "AccountAdministersThroughIam", Effect: "Allow", Principal: root, Action: [...KEY_ADMIN_ACTIONS], Resource: "*" },
            {
                Sid: "UseThroughBackupServices",
                Effect: "Allow",
                Principal: root,
                Action: [...KEY_USE_ACTIONS],
                Resource: "*",
                Condition: { StringEquals: { "kms:ViaService": VAULT_KEY_SERVICES.map((s) => `${s}.${region}.amazonaws.com`), "kms:CallerAccount": account } },
            },
        ],
    });
}

/**
 * The vault's events AWS Backup publishes to the failure topic: every completed backup job, whose `State`
 * message attribute says how it completed (COMPLETED, FAILED, EXPIRED...), and every failed copy.
 */
export const BACKUP_VAULT_EVENTS = AWS_BACKUP_NOTIFICATIONS.events;

/**
 * What the e-mail subscriptions receive: the events whose `State` is not COMPLETED (a success), and those without a
 * `State` (a failed copy's attributes are not documented: it is a failure whatever they are).
 */
export const BACKUP_FAILURE_FILTER = {
    [AWS_BACKUP_NOTIFICATIONS.stateAttribute]: [{ "anything-but": AWS_BACKUP_NOTIFICATIONS.successState }, { exists: false }],
} as const;

/**
 * The failure topic's key: the account administers it through IAM, and AWS Backup may encrypt the messages it
 * publishes (the SNS-managed key's policy cannot grant a service that), for this stack's failure topics only: SNS
 * puts the topic's ARN in the encryption context. (Whether SNS's call for AWS Backup carries `aws:SourceAccount` is
 * not documented; the topic's own policy holds AWS Backup to this account.)
 */
export function backupEventsKeyPolicy(account: string, region: string, prefix: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "AccountAdministersThroughIam", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: [...KEY_ADMIN_ACTIONS], Resource: "*" },
            {
                Sid: "BackupPublishes",
                Effect: "Allow",
                Principal: { Service: AWS_BACKUP_NOTIFICATIONS.publisher },
                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                Resource: "*",
                Condition: { StringLike: { "kms:EncryptionContext:aws:sns:topicArn": `${backupEventsTopicArnPrefix(account, region, prefix)}*` } },
            },
        ],
    });
}

/** The start of the failure topic's name; Pulumi adds a random suffix. */
export function backupEventsTopicNamePrefix(prefix: string): string {
    return `${prefix}-backup-events-`;
}

/** The start of the failure topic's ARN. */
export function backupEventsTopicArnPrefix(account: string, region: string, prefix: string): string {
    return `arn:aws:sns:${region}:${account}:${backupEventsTopicNamePrefix(prefix)}`;
}

/** The failure topic's policy: AWS Backup may publish, for this account's vaults only. */
export function backupEventsTopicPolicy(topicArn: string, account: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "BackupPublishes",
                Effect: "Allow",
                Principal: { Service: AWS_BACKUP_NOTIFICATIONS.publisher },
                Action: "SNS:Publish",
                Resource: topicArn,
                Condition: { StringEquals: { "aws:SourceAccount": account } },
            },
        ],
    });
}

/**
 * The cloud backups: an AWS Backup plan that takes a recovery point of the RDS instance, the weights file
 * system and every volume tagged `genai:backup=<prefix>` (the gp3 volumes of Prometheus, Alertmanager,
 * Grafana and Loki, provisioned by the EBS CSI driver) daily, keeps it `retentionDays` days in a vault
 * encrypted with its own rotating key and, with `copyRegion`, copies it to a vault in that region for as
 * long. AWS Backup works through a role it may assume for this account only. With `failureEmails`, the vault
 * tells an encrypted SNS topic of every completed backup job and failed copy, and the addresses are e-mailed the
 * ones that did not succeed.
 */
export class AwsBackupPlan extends pulumi.ComponentResource {
    public readonly vault: aws.backup.Vault;
    public readonly copyVault?: aws.backup.Vault;
    public readonly plan: aws.backup.Plan;
    public readonly selection: aws.backup.Selection;
    public readonly role: aws.iam.Role;
    /** The topic of failed backup and copy jobs, when addresses are given. */
    public readonly failureTopic?: aws.sns.Topic;

    constructor(name: string, args: AwsBackupPlanArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:data:BackupPlan", name, {}, opts);
        if (args.copyRegion === args.region) throw new Error(`AwsBackupPlan ${name}: copyRegion ${args.copyRegion} is the stack's own region`);
        const parent = { parent: this };
        const keep = { parent: this, protect: args.protectData, retainOnDelete: args.protectData };
        const t = (n: string) => named(args.tags, `${args.prefix}-${n}`);

        const vaultIn = (id: string, region: string, provider?: aws.Provider) => {
            const options = { ...keep, ...(provider ? { provider } : {}) };
            const key = new aws.kms.Key(
                `${name}-${id}-key`,
                {
                    description: `${args.prefix} AWS Backup vault in ${region}`,
                    enableKeyRotation: true,
                    deletionWindowInDays: 30,
                    policy: pulumi.output(args.account).apply((account) => vaultKeyPolicy(account, region)),
                    tags: t(`${id}-key`),
                },
                options,
            );
            return new aws.backup.Vault(`${name}-${id}`, { name: `${args.prefix}-backups`, kmsKeyArn: key.arn, forceDestroy: false, tags: t(`${id}`) }, options);
        };
        this.vault = vaultIn("vault", args.region);
        if (args.copyRegion) {
            const provider = new aws.Provider(`${name}-copy-region`, { region: args.copyRegion as aws.Region }, parent);
            this.copyVault = vaultIn("copy-vault", args.copyRegion, provider);
        }
        const lifecycle = { deleteAfter: args.retentionDays };
        this.plan = new aws.backup.Plan(
            `${name}`,
            {
                name: `${args.prefix}-daily`,
                rules: [
                    {
                        ruleName: "daily",
                        targetVaultName: this.vault.name,
                        schedule: dailyBackupCron(args.at),
                        // Started within the hour, before RDS's own backup window (03:00-04:00 UTC).
                        startWindow: 60,
                        completionWindow: 8 * 60,
                        lifecycle,
                        copyActions: this.copyVault ? [{ destinationVaultArn: this.copyVault.arn, lifecycle }] : undefined,
                        recoveryPointTags: { ...args.tags },
                    },
                ],
                tags: t("daily-backup"),
            },
            parent,
        );
        this.role = new aws.iam.Role(
            `${name}-role`,
            { assumeRolePolicy: pulumi.output(args.account).apply((account) => serviceTrustPolicy("backup.amazonaws.com", sourceConditions(account))), tags: t("backup") },
            parent,
        );
        const policies = BACKUP_ROLE_POLICIES.map(
            (policyArn) => new aws.iam.RolePolicyAttachment(`${name}-role-${policyArn.split("/").pop()}`, { role: this.role.name, policyArn }, parent),
        );
        // Resources by ARN or by tag: AWS Backup takes the union of the two lists.
        this.selection = new aws.backup.Selection(
            `${name}-selection`,
            {
                name: `${args.prefix}-platform`,
                planId: this.plan.id,
                iamRoleArn: this.role.arn,
                resources: args.resourceArns,
                selectionTags: [{ type: "STRINGEQUALS", key: BACKUP_SELECTION_TAG, value: args.prefix }],
            },
            { parent: this, dependsOn: policies },
        );
        if (args.failureEmails && args.failureEmails.length > 0) this.failureTopic = this.notifyFailures(name, args, t);
        this.registerOutputs({ vault: this.vault.name, copyVault: this.copyVault?.arn, plan: this.plan.id, failureTopic: this.failureTopic?.arn });
    }

    /** The vault's failures, e-mailed: a topic with its own key, AWS Backup allowed to publish, a filtered subscription per address. */
    private notifyFailures(name: string, args: AwsBackupPlanArgs, t: (n: string) => Record<string, string>): aws.sns.Topic {
        const parent = { parent: this };
        const key = new aws.kms.Key(
            `${name}-events-key`,
            {
                description: `${args.prefix} AWS Backup failure notifications`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.output(args.account).apply((account) => backupEventsKeyPolicy(account, args.region, args.prefix)),
                tags: t("backup-events-key"),
            },
            parent,
        );
        const topic = new aws.sns.Topic(
            `${name}-events`,
            { namePrefix: backupEventsTopicNamePrefix(args.prefix), kmsMasterKeyId: key.arn, tags: t("backup-events") },
            parent,
        );
        const policy = new aws.sns.TopicPolicy(
            `${name}-events`,
            { arn: topic.arn, policy: pulumi.all([topic.arn, args.account]).apply(([arn, account]) => backupEventsTopicPolicy(arn, account)) },
            parent,
        );
        (args.failureEmails ?? []).forEach(
            (email, i) =>
                new aws.sns.TopicSubscription(
                    `${name}-events-email-${i}`,
                    { topic: topic.arn, protocol: "email", endpoint: email, filterPolicyScope: "MessageAttributes", filterPolicy: JSON.stringify(BACKUP_FAILURE_FILTER) },
                    parent,
                ),
        );
        new aws.backup.VaultNotifications(
            `${name}-events`,
            { backupVaultName: this.vault.name, snsTopicArn: topic.arn, backupVaultEvents: [...BACKUP_VAULT_EVENTS] },
            { parent: this, dependsOn: [policy] },
        );
        return topic;
    }
}
