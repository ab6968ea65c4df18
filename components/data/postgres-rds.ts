import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { RDS_POSTGRES } from "../../catalog/aws";
import { IMAGES } from "../../catalog/images";
import { rotatingKey } from "../shared/kms";
import { named, Tags } from "../shared/tags";
import { renderPostgresInitSql } from "./postgres-init";

export interface RdsPostgresArgs {
    /** Prefix of resource names, e.g. `genai-prod`. */
    readonly prefix: string;
    /** Private subnets the service is placed in. */
    readonly subnetIds: pulumi.Input<string>[];
    /** Security group of the service (its tier). */
    readonly securityGroupId: pulumi.Input<string>;
    /** RDS instance class, e.g. db.r6g.large. */
    readonly instanceClass: string;
    /** gp3 storage in GiB. */
    readonly allocatedStorageGb: number;
    /** Upper bound of storage autoscaling in GiB. */
    readonly maxAllocatedStorageGb: number;
    /** Days automated backups are kept (1-35). */
    readonly backupRetentionDays: number;
    /** Run a standby in another availability zone. */
    readonly multiAz: boolean;
    /** Name of the application database. */
    readonly databaseName: string;
    /** Owner role of the application database. */
    readonly user: string;
    /** Master password; a secret Output, never in clear. */
    readonly password: pulumi.Output<string>;
    /** Deletion protection, Pulumi `protect` and retain-on-delete of the instance and its key. */
    readonly protectData: boolean;
    /** Performance Insights and enhanced monitoring. */
    readonly performanceInsights: boolean;
    /** Where the job that creates the extensions runs, and the Secret key it reads the password from. */
    readonly initJob: { namespace: pulumi.Input<string>; passwordSecret: { name: pulumi.Input<string>; key: string }; provider: k8s.Provider; dependsOn?: pulumi.Resource[] };
    /** Tags of every taggable resource of the component. */
    readonly tags: Tags;
}


/** Parameters of the instance: TLS only, slow-query logging, statement statistics. */
export const POSTGRES_PARAMETERS: readonly { name: string; value: string; applyMethod?: string }[] = [
    { name: "rds.force_ssl", value: "1" },
    { name: "log_min_duration_statement", value: "1000" },
    { name: "log_connections", value: "1" },
    { name: "idle_in_transaction_session_timeout", value: "300000" },
    { name: "shared_preload_libraries", value: "pg_stat_statements", applyMethod: "pending-reboot" },
];

/**
 * PostgreSQL 15 on RDS: private, encrypted with its own KMS key, gp3 with storage autoscaling, TLS
 * enforced, IAM authentication, logs to CloudWatch, automated backups and a final snapshot; in prod
 * Multi-AZ, deletion protection, Performance Insights, enhanced monitoring and Pulumi `protect`. The
 * application extensions are created by an idempotent Kubernetes Job once the instance exists.
 */
export class RdsPostgres extends pulumi.ComponentResource {
    public readonly instance: aws.rds.Instance;
    public readonly address: pulumi.Output<string>;

    constructor(name: string, args: RdsPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:data:Postgres", name, {}, opts);
        const parent = { parent: this };
        const t = (n: string) => named(args.tags, `${args.prefix}-${n}`);

        const key = rotatingKey(`${name}-key`, `${args.prefix}: Postgres storage and Performance Insights`, t("postgres"), this, args.protectData);
        // Each instance's final snapshot needs a name no earlier instance used.
        const snapshotSuffix = new random.RandomId(`${name}-final-snapshot`, { byteLength: 4 }, parent);
        const subnets = new aws.rds.SubnetGroup(`${name}-subnets`, { subnetIds: args.subnetIds, tags: t("postgres") }, parent);
        const parameters = new aws.rds.ParameterGroup(
            `${name}-params`,
            { family: RDS_POSTGRES.family, parameters: POSTGRES_PARAMETERS.map((p) => ({ ...p })), tags: t("postgres") },
            parent,
        );
        const monitoringRole = args.performanceInsights
            ? new aws.iam.Role(
                  `${name}-monitoring`,
                  {
                      assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
                      tags: t("postgres-monitoring"),
                  },
                  parent,
              )
            : undefined;
        if (monitoringRole) {
            new aws.iam.RolePolicyAttachment(`${name}-monitoring`, { role: monitoringRole.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole" }, parent);
        }

        this.instance = new aws.rds.Instance(
            `${name}`,
            {
                identifierPrefix: `${args.prefix}-pg-`,
                engine: RDS_POSTGRES.engine,
                engineVersion: RDS_POSTGRES.engineVersion,
                autoMinorVersionUpgrade: true,
                instanceClass: args.instanceClass,
                allocatedStorage: args.allocatedStorageGb,
                maxAllocatedStorage: args.maxAllocatedStorageGb,
                storageType: "gp3",
                storageEncrypted: true,
                kmsKeyId: key.arn,
                dbName: args.databaseName,
                username: args.user,
                password: args.password,
                dbSubnetGroupName: subnets.name,
                vpcSecurityGroupIds: [args.securityGroupId],
                publiclyAccessible: false,
                parameterGroupName: parameters.name,
                multiAz: args.multiAz,
                backupRetentionPeriod: args.backupRetentionDays,
                backupWindow: "03:00-04:00",
                maintenanceWindow: "sun:04:30-sun:05:30",
                copyTagsToSnapshot: true,
                deletionProtection: args.protectData,
                skipFinalSnapshot: false,
                finalSnapshotIdentifier: pulumi.interpolate`${args.prefix}-pg-final-${snapshotSuffix.hex}`,
                // Point-in-time restore stays possible after the instance is gone, for the retention period.
                deleteAutomatedBackups: false,
                iamDatabaseAuthenticationEnabled: true,
                enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
                performanceInsightsEnabled: args.performanceInsights,
                performanceInsightsKmsKeyId: args.performanceInsights ? key.arn : undefined,
                performanceInsightsRetentionPeriod: args.performanceInsights ? 7 : undefined,
                monitoringInterval: args.performanceInsights ? 60 : 0,
                monitoringRoleArn: monitoringRole?.arn,
                caCertIdentifier: "rds-ca-rsa2048-g1",
                tags: t("postgres"),
            },
            // RDS picks the major's current minor and applies newer ones itself: never revert to the version first created.
            { parent: this, protect: args.protectData, retainOnDelete: args.protectData, ignoreChanges: ["engineVersion"] },
        );
        this.address = this.instance.address;

        const job = args.initJob;
        const sql = new k8s.core.v1.ConfigMap(
            `${name}-init-sql`,
            { metadata: { name: "postgres-init-sql", namespace: job.namespace }, data: { "init.sql": renderPostgresInitSql() } },
            { parent: this, provider: job.provider, dependsOn: job.dependsOn },
        );
        new k8s.batch.v1.Job(
            `${name}-extensions`,
            {
                metadata: { namespace: job.namespace, labels: { "app.kubernetes.io/name": "postgres-extensions" } },
                spec: {
                    backoffLimit: 6,
                    ttlSecondsAfterFinished: 86400,
                    template: {
                        metadata: { labels: { "app.kubernetes.io/name": "postgres-extensions" } },
                        spec: {
                            restartPolicy: "OnFailure",
                            automountServiceAccountToken: false,
                            securityContext: { runAsNonRoot: true, runAsUser: 70, runAsGroup: 70, seccompProfile: { type: "RuntimeDefault" } },
                            nodeSelector: { "genai.io/role": "system" },
                            containers: [
                                {
                                    name: "psql",
                                    image: IMAGES.postgres.ref,
                                    command: ["psql", "-v", "ON_ERROR_STOP=1", "-f", "/sql/init.sql"],
                                    env: [
                                        { name: "PGHOST", value: this.instance.address },
                                        { name: "PGDATABASE", value: args.databaseName },
                                        { name: "PGUSER", value: args.user },
                                        { name: "PGSSLMODE", value: "require" },
                                        { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: job.passwordSecret.name, key: job.passwordSecret.key } } },
                                    ],
                                    resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
                                    securityContext: { privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                                    volumeMounts: [{ name: "sql", mountPath: "/sql", readOnly: true }],
                                },
                            ],
                            volumes: [{ name: "sql", configMap: { name: sql.metadata.name } }],
                        },
                    },
                },
            },
            // A Job's template is immutable: a changed script runs as a new Job.
            { parent: this, provider: job.provider, dependsOn: [this.instance, ...(job.dependsOn ?? [])], deleteBeforeReplace: true },
        );
        this.registerOutputs({ address: this.address });
    }
}
