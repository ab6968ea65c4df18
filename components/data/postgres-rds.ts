import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { RDS_CA, RDS_POSTGRES } from "../../catalog/aws";
import { IMAGES } from "../../catalog/images";
import { serviceTrustPolicy, sourceConditions } from "../shared/iam";
import { rotatingKey } from "../shared/kms";
import { named, Tags } from "../shared/tags";
import { renderPostgresInitSql } from "./postgres-init";

/** The port Postgres listens on: RDS's default for the engine, set explicitly so the security groups and clients agree with it. */
export const RDS_POSTGRES_PORT = 5432;

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
    /** Days CloudWatch keeps the PostgreSQL logs. */
    readonly logRetentionDays: number;
    /** The stack's AWS account and region. */
    readonly account: pulumi.Input<string>;
    readonly region: string;
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

/** The PostgreSQL logs RDS exports to CloudWatch, each to a log group the program creates first, with its retention. */
export const POSTGRES_LOG_EXPORTS = ["postgresql", "upgrade"] as const;

/** Where the init job keeps the RDS CA bundle it verifies the server with. */
const CA_DIR = "/tls";
const CA_FILE = `${CA_DIR}/rds-ca-bundle.pem`;

/**
 * PostgreSQL 15 on RDS: private, encrypted with its own KMS key, gp3 with storage autoscaling, TLS
 * enforced (password authentication; IAM authentication off), logs to CloudWatch, automated backups and a final snapshot; in prod
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

        const key = rotatingKey(
            `${name}-key`,
            `${args.prefix}: Postgres storage and Performance Insights`,
            { account: args.account, region: args.region, service: "rds" },
            t("postgres"),
            this,
            args.protectData,
        );
        // Each incarnation of the instance gets an identifier, and with it a final snapshot name and log groups,
        // that no earlier one used: the suffix changes with every input that makes RDS replace the instance.
        const suffix = new random.RandomId(
            `${name}-final-snapshot`,
            { byteLength: 4, keepers: { engine: RDS_POSTGRES.engine, kmsKeyId: key.arn, dbName: args.databaseName, username: args.user } },
            parent,
        );
        const identifier = pulumi.interpolate`${args.prefix}-pg-${suffix.hex}`;
        const logGroups = POSTGRES_LOG_EXPORTS.map(
            (log) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-${log}-logs`,
                    { name: pulumi.interpolate`/aws/rds/instance/${identifier}/${log}`, retentionInDays: args.logRetentionDays, tags: t("postgres") },
                    parent,
                ),
        );
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
                      assumeRolePolicy: pulumi
                          .all([args.account, identifier])
                          .apply(([account, id]) => serviceTrustPolicy("monitoring.rds.amazonaws.com", sourceConditions(account, `arn:aws:rds:${args.region}:${account}:db:${id}`))),
                      tags: t("postgres-monitoring"),
                  },
                  parent,
              )
            : undefined;
        const monitoringPolicy = monitoringRole
            ? new aws.iam.RolePolicyAttachment(`${name}-monitoring`, { role: monitoringRole.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole" }, parent)
            : undefined;

        this.instance = new aws.rds.Instance(
            `${name}`,
            {
                identifier,
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
                port: RDS_POSTGRES_PORT,
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
                finalSnapshotIdentifier: pulumi.interpolate`${identifier}-final`,
                // Point-in-time restore stays possible after the instance is gone, for the retention period.
                deleteAutomatedBackups: false,
                // Every client authenticates with the generated password: nothing would use IAM tokens.
                iamDatabaseAuthenticationEnabled: false,
                enabledCloudwatchLogsExports: [...POSTGRES_LOG_EXPORTS],
                performanceInsightsEnabled: args.performanceInsights,
                performanceInsightsKmsKeyId: args.performanceInsights ? key.arn : undefined,
                performanceInsightsRetentionPeriod: args.performanceInsights ? 7 : undefined,
                monitoringInterval: args.performanceInsights ? 60 : 0,
                monitoringRoleArn: monitoringRole?.arn,
                caCertIdentifier: RDS_CA.certIdentifier,
                tags: t("postgres"),
            },
            // RDS picks the major's current minor and applies newer ones itself: never revert to the version first created.
            {
                parent: this,
                protect: args.protectData,
                retainOnDelete: args.protectData,
                ignoreChanges: ["engineVersion"],
                dependsOn: [...logGroups, ...(monitoringPolicy ? [monitoringPolicy] : [])],
            },
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
                            // The RDS CA bundle, fetched from AWS's trust store over verified HTTPS at every run: it
                            // follows AWS's CA rotations without a copy in the repository to refresh.
                            initContainers: [
                                {
                                    name: "fetch-rds-ca",
                                    image: IMAGES.fetcher.ref,
                                    command: ["curl", "-fsS", "--proto", "=https", "--retry", "3", "--connect-timeout", "30", "-o", CA_FILE, RDS_CA.globalBundleUrl],
                                    resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "250m", memory: "64Mi" } },
                                    securityContext: { privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                                    volumeMounts: [{ name: "ca", mountPath: CA_DIR }],
                                },
                            ],
                            containers: [
                                {
                                    name: "psql",
                                    image: IMAGES.postgres.ref,
                                    command: ["psql", "-v", "ON_ERROR_STOP=1", "-f", "/sql/init.sql"],
                                    env: [
                                        { name: "PGHOST", value: this.instance.address },
                                        { name: "PGDATABASE", value: args.databaseName },
                                        { name: "PGUSER", value: args.user },
                                        // TLS to this server only: a certificate signed by an RDS CA, for the instance's host name.
                                        { name: "PGSSLMODE", value: "verify-full" },
                                        { name: "PGSSLROOTCERT", value: CA_FILE },
                                        { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: job.passwordSecret.name, key: job.passwordSecret.key } } },
                                    ],
                                    resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
                                    securityContext: { privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                                    volumeMounts: [
                                        { name: "sql", mountPath: "/sql", readOnly: true },
                                        { name: "ca", mountPath: CA_DIR, readOnly: true },
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "sql", configMap: { name: sql.metadata.name } },
                                { name: "ca", emptyDir: { sizeLimit: "1Mi" } },
                            ],
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
