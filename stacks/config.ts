import * as pulumi from "@pulumi/pulumi";
import { GPU_INSTANCE_TYPE_NAMES, GPU_INSTANCE_TYPES, podAllocatable } from "../catalog/gpu";
import { isPinnedImage, looksLikeSecretName, PINNED_IMAGE_RULE, SECRET_ENV_RULE } from "../catalog/rules";
import { CLOUDWATCH_RETENTION_DAYS, eksVersion, EKS_VERSIONS } from "../catalog/aws";
import { chartSupportProblem, CHARTS } from "../catalog/charts";
import { Arch } from "../catalog/images";
import { Engine, EngineId, engineRelease, EngineRelease, ENGINES } from "../catalog/engines";
import { WEIGHTS, WeightsId } from "../catalog/weights";
import { CanarySpec, ModelSpec, ModelVersion } from "../components/inference/model";
import { gpuDemand, nodesForDemand } from "./capacity";
import { checkInteger, ConfigReader, ConfigSource, rangeText } from "./config-reader";

export type Platform = "docker" | "aws";
export const PLATFORMS: readonly Platform[] = ["docker", "aws"];

export interface TrafficConfig {
    /** Origins allowed by CORS; empty allows none. */
    readonly corsOrigins: readonly string[];
    /** Requests per minute one client may send to a model. */
    readonly rateLimitPerMinute: number;
    /** Requests per second one client may send to the API routes. */
    readonly apiRateLimitPerSecond: number;
    /** Requests per second one client may send to the login routes. */
    readonly authRateLimitPerSecond: number;
    /** Host interface the dev load balancer binds to. */
    readonly lbBindAddress: string;
    /** Host port of the dev load balancer. */
    readonly lbHostPort: number;
    /** Host directory the dev load balancer's configuration is written to; empty for ~/.genai-platform/<stack>/lb. */
    readonly lbConfigDir: string;
}

export interface DatabaseConfig {
    readonly name: string;
    readonly user: string;
    /** Host port Postgres is published on in dev, bound to 127.0.0.1; undefined publishes none. */
    readonly hostPort?: number;
    readonly instanceClass: string;
    readonly allocatedStorageGb: number;
    readonly maxAllocatedStorageGb: number;
    readonly backupRetentionDays: number;
    readonly multiAz: boolean;
    /** Performance Insights and enhanced monitoring (aws). */
    readonly performanceInsights: boolean;
}

export interface CacheConfig {
    readonly maxMemoryMb: number;
    readonly nodeType: string;
    /** Read replicas besides the primary. */
    readonly replicas: number;
    readonly snapshotRetentionDays: number;
}

export interface ObservabilityConfig {
    readonly metricsRetentionDays: number;
    readonly metricsRetentionSizeGb: number;
    readonly logsRetentionDays: number;
    readonly alertEmails: readonly string[];
    /**
     * A generic webhook Alertmanager posts every notification to (a chat relay, an incident tool): a secret,
     * which reaches Alertmanager's configuration only (no workload reads it, so no secret store holds it).
     */
    readonly alertWebhookUrl?: pulumi.Output<string>;
    /** Host port Alertmanager's UI is published on in dev, bound to 127.0.0.1; undefined publishes none. */
    readonly alertmanagerHostPort?: number;
    /** Host port Prometheus is published on in dev, bound to 127.0.0.1 (the rollout tool queries it); undefined publishes none. */
    readonly prometheusHostPort?: number;
    /** Host port (127.0.0.1) of the dev Pushgateway, where applications push their API spend; none when unset. */
    readonly pushgatewayHostPort?: number;
}

/** What the Docker host offers; the dev stack is sized and its images chosen for it. */
export interface HostConfig {
    /** Memory the containers' limits may add up to, MiB. */
    readonly memoryMb: number;
    /** CPUs of the Docker engine (its VM on Docker Desktop); no container may ask for more. */
    readonly cpus: number;
    /** An NVIDIA GPU and runtime are available to containers. */
    readonly gpus: boolean;
    /** CPU features beyond the architecture's baseline that images may require (e.g. avx512f). */
    readonly cpuFeatures: readonly string[];
    /** The engine's architecture: images are pulled for it, emulated where an image lacks it. */
    readonly arch: Arch;
}

export interface BudgetConfig {
    readonly monthlyUsd: number;
    /** Fraction of the budget at which the first alert fires, e.g. 0.8. */
    readonly alertThreshold: number;
    /** External model APIs' spend over 24 hours: the daily budget (warned at alertThreshold) and the critical level, USD. */
    readonly apiDaily: { readonly budgetUsd: number; readonly criticalUsd: number };
    /** The whole AWS account's monthly budget, USD, which its month-to-date spend is alerted against; 0 for no such alert. */
    readonly accountMonthlyUsd: number;
}

/** What the cost estimate cannot read off the resources: the stack's own assumptions. */
export interface CostAssumptions {
    /** Fraction taken off the on-demand price for SPOT capacity, e.g. 0.6. */
    readonly spotDiscount: number;
    /** Expected size of each S3 bucket, in GB. */
    readonly s3ExpectedGbPerBucket: number;
    /** Average load balancer capacity units (LCU) an ALB uses per hour. */
    readonly albLcuPerHour: number;
    /** Data each NAT gateway processes per month, in GB. */
    readonly natProcessedGbPerMonth: number;
}

/** Secrets that come from Pulumi secret config; every one is a secret Output. */
export interface ConfiguredSecrets {
    readonly huggingFaceToken?: pulumi.Output<string>;
    readonly openaiApiKey?: pulumi.Output<string>;
    readonly openrouterApiKey?: pulumi.Output<string>;
    readonly alertSlackWebhookUrl?: pulumi.Output<string>;
}

/** The daily backups: dev's backup containers, the cloud's AWS Backup plan, the bucket's `backups/` prefix. */
export interface BackupConfig {
    /** Time of day the daily backup runs, `HH:MM`, on the clock of the dev backup containers (UTC) and of AWS Backup (UTC). */
    readonly at: string;
    /** Days a backup is kept. */
    readonly retentionDays: number;
    /** A second AWS region every cloud recovery point is copied to (aws); undefined copies none. */
    readonly copyRegion?: string;
}

export type CapacityType = "ON_DEMAND" | "SPOT" | "CAPACITY_BLOCK";
export const CAPACITY_TYPES: readonly CapacityType[] = ["ON_DEMAND", "SPOT", "CAPACITY_BLOCK"];

/** One GPU managed node group per GPU class the models use. */
export interface GpuNodeGroupConfig {
    /** GPU class, matched by `models[].gpuClass`, e.g. `a10g`. */
    readonly gpuClass: string;
    readonly instanceTypes: readonly string[];
    readonly capacityType: CapacityType;
    readonly minSize: number;
    readonly desiredSize: number;
    readonly maxSize: number;
    /** Root volume in GiB, gp3, at least 100. */
    readonly diskSizeGb: number;
}

/** The deploy path into the VPC: GitHub Actions runners hosted by AWS CodeBuild in the private subnets. */
export interface DeployRunnerConfig {
    /** The GitHub repository whose workflow jobs the runners take, `owner/name`. */
    readonly repository: string;
    /** ARN of the AWS CodeConnections (or CodeStar Connections) connection to GitHub, authorised once in the console. */
    readonly connectionArn: string;
}

/** The IAM roles granted access to the cluster's Kubernetes API through EKS access entries. */
export interface ClusterAccessConfig {
    /** The CI deploy role: cluster admin. */
    readonly deployRoleArn: string;
    /** The CI preview role: view only. */
    readonly previewRoleArn: string;
    /** The operators' break-glass role: cluster admin. */
    readonly breakGlassRoleArn: string;
}

export interface AwsConfig {
    readonly region: string;
    readonly vpcCidr: string;
    readonly availabilityZones: number;
    readonly natGatewayMode: "single" | "perAz";
    readonly vpcFlowLogs: boolean;
    readonly eksVersion: string;
    readonly eksPublicAccessCidrs: readonly string[];
    /**
     * Operator addresses (/32) the API endpoint is opened to for the first `pulumi up` of an empty
     * account, before the deploy runner exists; never committed (a test keeps the stack files free of it).
     */
    readonly eksBootstrapAccessCidrs: readonly string[];
    /** The deploy runner; required when the API endpoint is private. */
    readonly deployRunner?: DeployRunnerConfig;
    readonly clusterAccess: ClusterAccessConfig;
    readonly systemNodeInstanceType: string;
    readonly systemNodeCount: number;
    readonly gpuNodeGroups: readonly GpuNodeGroupConfig[];
    /** Every GPU node group must run on spot capacity (a budget decision the policy pack enforces). */
    readonly requireSpotGpus: boolean;
    /** GPU instance types this stack may run (the policy pack's allowlist); every type the catalog knows when not set. */
    readonly allowedGpuInstanceTypes: readonly string[];
    readonly albIngressCidrs: readonly string[];
    readonly acmCertificateArn: string;
    readonly albStickinessSeconds: number;
    readonly logArchiveRetentionDays: number;
}

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    readonly platform: Platform;
    readonly costCenter: string;
    /**
     * Protect stateful resources from deletion by a code change or `pulumi destroy`: Pulumi `protect`,
     * retain-on-delete, deletion protection, kept KMS keys and final snapshots.
     */
    readonly protectData: boolean;
    /** The machine the Docker engine runs on (docker). */
    readonly host: HostConfig;
    readonly models: readonly ModelSpec[];
    readonly traffic: TrafficConfig;
    readonly database: DatabaseConfig;
    readonly cache: CacheConfig;
    readonly observability: ObservabilityConfig;
    readonly budget: BudgetConfig;
    readonly costAssumptions: CostAssumptions;
    readonly secrets: ConfiguredSecrets;
    readonly backup: BackupConfig;
    /** Settings of the cloud stacks; read in every stack, required only where platform is aws. */
    readonly aws: AwsConfig;
}

/**
 * Keys that Pulumi.yaml cannot declare in its typed `config:` block: structured values
 * (the project schema has no object type) and optional secrets (a declared key without a
 * default is required in every stack). They are documented in Pulumi.yaml's comments.
 */
export const UNDECLARABLE_KEYS: Readonly<Record<string, string>> = {
    models: "structured list of served models",
    gpuNodeGroups: "structured list of GPU node groups (aws)",
    huggingFaceToken: "optional secret; required when a model has gatedWeights",
    openaiApiKey: "optional secret, handed to workloads that call OpenAI",
    openrouterApiKey: "optional secret, handed to workloads that call OpenRouter",
    alertSlackWebhookUrl: "optional secret, Alertmanager's Slack receiver",
    alertWebhookUrl: "optional secret, a generic webhook Alertmanager posts every notification to",
};

const MODEL_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/;
const CONNECTION_ARN = /^arn:aws[a-z-]*:(?:codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/;
const GITHUB_REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
const HOST_CIDR = /^(\d{1,3}\.){3}\d{1,3}\/32$/;
const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const WEBHOOK_URL = /^https?:\/\/[^\s/?#]+(\/\S*)?$/;

/** Reads and validates the whole stack configuration; throws a ConfigError on the first bad value. */
export function loadStackConfig(source: ConfigSource, reader = new ConfigReader(source)): StackConfig {
    const r = reader;
    const platform = r.oneOf("platform", PLATFORMS);
    const secrets: ConfiguredSecrets = {
        huggingFaceToken: r.optionalSecret("huggingFaceToken"),
        openaiApiKey: r.optionalSecret("openaiApiKey"),
        openrouterApiKey: r.optionalSecret("openrouterApiKey"),
        alertSlackWebhookUrl: r.optionalSecret("alertSlackWebhookUrl"),
    };
    const host = readHostConfig(r);
    const models = readModels(r, platform, host);
    const gated = models.find((m) => m.gatedWeights);
    if (gated && !secrets.huggingFaceToken) {
        r.fail("huggingFaceToken", undefined, `a secret (pulumi config set --secret huggingFaceToken ...), required because model "${gated.name}" has gatedWeights`);
    }
    const budgetMonthly = r.number("monthlyBudgetUsd", 0, 10_000_000, true);
    const protectData = r.boolean("protectData");
    const database: DatabaseConfig = {
        name: r.string("dbName"),
        user: r.string("dbUser"),
        hostPort: optionalPort(r, "dbHostPort"),
        instanceClass: r.string("dbInstanceClass"),
        allocatedStorageGb: r.integer("dbAllocatedStorageGb", 20, 65536),
        maxAllocatedStorageGb: r.integer("dbMaxAllocatedStorageGb", 20, 65536),
        backupRetentionDays: r.integer("dbBackupRetentionDays", 1, 35),
        multiAz: r.boolean("dbMultiAz"),
        performanceInsights: r.boolean("dbPerformanceInsights"),
    };
    if (database.maxAllocatedStorageGb < database.allocatedStorageGb) {
        r.fail("dbMaxAllocatedStorageGb", database.maxAllocatedStorageGb, `an integer >= dbAllocatedStorageGb (${database.allocatedStorageGb})`);
    }
    const observability: ObservabilityConfig = {
        metricsRetentionDays: r.integer("metricsRetentionDays", 1, 3650),
        metricsRetentionSizeGb: r.integer("metricsRetentionSizeGb", 1, 100_000),
        logsRetentionDays: r.integer("logsRetentionDays", 1, 3650),
        alertEmails: r.stringList("alertEmails", /^[^@\s]+@[^@\s]+\.[^@\s]+$/, "e-mail addresses"),
        alertWebhookUrl: readWebhookUrl(r, "alertWebhookUrl"),
        alertmanagerHostPort: optionalPort(r, "alertmanagerHostPort"),
        prometheusHostPort: optionalPort(r, "prometheusHostPort"),
        pushgatewayHostPort: optionalPort(r, "pushgatewayHostPort"),
    };
    return {
        project: source.project,
        stack: source.stack,
        platform,
        costCenter: r.string("costCenter"),
        protectData,
        host,
        models,
        traffic: {
            corsOrigins: r.stringList("corsOrigins", /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?$/, "origins such as https://app.example.com"),
            rateLimitPerMinute: r.integer("rateLimitPerMinute", 1, 100_000),
            apiRateLimitPerSecond: r.integer("apiRateLimitPerSecond", 1, 100_000),
            authRateLimitPerSecond: r.integer("authRateLimitPerSecond", 1, 100_000),
            lbBindAddress: r.oneOf("lbBindAddress", ["127.0.0.1", "0.0.0.0"]),
            lbHostPort: r.integer("lbHostPort", 1, 65535),
            lbConfigDir: r.optionalString("lbConfigDir") ?? "",
        },
        database,
        cache: {
            maxMemoryMb: r.integer("cacheMaxMemoryMb", 16, 1_048_576),
            nodeType: r.string("cacheNodeType"),
            replicas: r.integer("cacheReplicas", 0, 5),
            snapshotRetentionDays: r.integer("cacheSnapshotRetentionDays", 0, 35),
        },
        observability,
        budget: readBudget(r, budgetMonthly),
        costAssumptions: {
            spotDiscount: r.number("costSpotDiscount", 0, 0.95),
            s3ExpectedGbPerBucket: r.integer("costS3GbPerBucket", 0, 1_000_000),
            albLcuPerHour: r.number("costAlbLcuPerHour", 0, 10_000),
            natProcessedGbPerMonth: r.integer("costNatGbPerMonth", 0, 10_000_000),
        },
        secrets,
        backup: readBackupConfig(r, platform),
        aws: readAwsConfig(r, platform, models, observability.alertEmails, protectData),
    };
}

/** An optional secret webhook URL; a bad one is named without its value, which is a secret. */
function readWebhookUrl(r: ConfigReader, key: string): pulumi.Output<string> | undefined {
    const value = r.raw(key);
    if (value === undefined) return undefined;
    if (!WEBHOOK_URL.test(value)) r.fail(key, "(hidden)", "an http:// or https:// URL, set with pulumi config set --secret");
    return pulumi.secret(value);
}

function readBackupConfig(r: ConfigReader, platform: Platform): BackupConfig {
    const at = r.string("backupSchedule", "a time of day HH:MM, from 00:00 to 23:59");
    if (!TIME_OF_DAY.test(at)) r.fail("backupSchedule", at, "a time of day HH:MM, from 00:00 to 23:59");
    const retentionDays = r.integer("backupRetentionDays", 1, 3650);
    const copyRegion = r.optionalString("backupCopyRegion");
    if (copyRegion !== undefined) {
        if (!AWS_REGION.test(copyRegion)) r.fail("backupCopyRegion", copyRegion, "an AWS region such as us-west-2, or empty for no copy");
        const region = r.raw("aws:region") ?? "us-east-1";
        if (platform === "aws" && copyRegion === region) {
            r.fail("backupCopyRegion", copyRegion, `a region other than the stack's own (${region}): a copy in the same region survives no regional outage`);
        }
    }
    return { at, retentionDays, copyRegion };
}

function readAwsConfig(r: ConfigReader, platform: Platform, models: readonly ModelSpec[], alertEmails: readonly string[], protectData: boolean): AwsConfig {
    const onAws = platform === "aws";
    const aws: AwsConfig = {
        region: r.raw("aws:region") ?? "us-east-1",
        vpcCidr: r.string("vpcCidr"),
        availabilityZones: r.integer("availabilityZones", 2, 3),
        natGatewayMode: r.oneOf("natGatewayMode", ["single", "perAz"]),
        vpcFlowLogs: r.boolean("vpcFlowLogs"),
        eksVersion: r.string("eksVersion"),
        eksPublicAccessCidrs: r.stringList("eksPublicAccessCidrs", CIDR, "IPv4 CIDRs"),
        eksBootstrapAccessCidrs: r.stringList("eksBootstrapAccessCidrs", HOST_CIDR, "single IPv4 addresses written as /32"),
        deployRunner: readDeployRunner(r),
        clusterAccess: {
            deployRoleArn: r.optionalString("deployRoleArn") ?? "",
            previewRoleArn: r.optionalString("previewRoleArn") ?? "",
            breakGlassRoleArn: r.optionalString("breakGlassRoleArn") ?? "",
        },
        systemNodeInstanceType: r.string("systemNodeInstanceType"),
        systemNodeCount: r.integer("systemNodeCount", 1, 20),
        gpuNodeGroups: onAws ? readGpuNodeGroups(r) : [],
        requireSpotGpus: r.boolean("requireSpotGpus"),
        allowedGpuInstanceTypes: readAllowedGpuTypes(r),
        albIngressCidrs: r.stringList("albIngressCidrs", CIDR, "IPv4 CIDRs"),
        acmCertificateArn: r.optionalString("acmCertificateArn") ?? "",
        albStickinessSeconds: r.integer("albStickinessSeconds", 0, 604800),
        logArchiveRetentionDays: r.integer("logArchiveRetentionDays", 1, 3653),
    };
    if (!CLOUDWATCH_RETENTION_DAYS.includes(aws.logArchiveRetentionDays)) {
        r.fail("logArchiveRetentionDays", aws.logArchiveRetentionDays, `one of the retention periods CloudWatch Logs accepts: ${CLOUDWATCH_RETENTION_DAYS.join(", ")}`);
    }
    if (!CIDR.test(aws.vpcCidr)) r.fail("vpcCidr", aws.vpcCidr, "an IPv4 CIDR such as 10.20.0.0/16");
    if (!INSTANCE_TYPE.test(aws.systemNodeInstanceType)) r.fail("systemNodeInstanceType", aws.systemNodeInstanceType, "an EC2 instance type such as m6i.large");
    if (!onAws) return aws;
    if (!eksVersion(aws.eksVersion)) {
        r.fail("eksVersion", aws.eksVersion, `an EKS version the catalog knows with its support dates (catalog/aws.ts): ${EKS_VERSIONS.map((v) => v.version).join(", ")}`);
    }
    for (const [name, chart] of Object.entries(CHARTS)) {
        const problem = chartSupportProblem(name, chart, aws.eksVersion);
        if (problem) r.fail("eksVersion", aws.eksVersion, `a version every pinned chart supports: ${problem} (catalog/charts.ts)`);
    }
    if (aws.eksPublicAccessCidrs.includes("0.0.0.0/0")) {
        r.fail("eksPublicAccessCidrs", aws.eksPublicAccessCidrs, "specific CIDRs; 0.0.0.0/0 would open the API endpoint to the internet");
    }
    readEndpointAccess(r, aws, protectData);
    readClusterAccess(r, aws.clusterAccess);
    if (!ACM_ARN.test(aws.acmCertificateArn)) {
        r.fail("acmCertificateArn", aws.acmCertificateArn || undefined, "the ARN of an ACM certificate (arn:aws:acm:<region>:<account>:certificate/<id>)");
    }
    if (alertEmails.length === 0) r.fail("alertEmails", [], "at least one address on aws: the budget alerts are sent to it");
    models.forEach((model, i) => {
        if (model.gpus === 0) return;
        const classes = aws.gpuNodeGroups.map((g) => g.gpuClass);
        const group = aws.gpuNodeGroups.find((g) => g.gpuClass === model.gpuClass);
        if (!model.gpuClass || !group) {
            r.fail(`models[${i}].gpuClass`, model.gpuClass, `the class of a configured GPU node group (${classes.join(", ") || "none configured"})`);
        }
        // Every instance type of the group must be able to hold one replica, or its pods stay Pending.
        for (const type of group.instanceTypes) {
            const fits = podAllocatable(GPU_INSTANCE_TYPES[type]);
            const need = { gpus: model.gpus, cpus: model.cpus, memoryMb: model.memoryMb };
            for (const key of ["gpus", "cpus", "memoryMb"] as const) {
                if (need[key] > fits[key]) {
                    r.fail(`models[${i}].${key}`, need[key], `at most ${fits[key]}, what one pod can get on a ${type} node of GPU class ${group.gpuClass}`);
                }
            }
        }
    });
    aws.gpuNodeGroups.forEach((group, i) => {
        const demand = gpuDemand(models, group.gpuClass);
        const needed = nodesForDemand(demand, group.instanceTypes);
        if (group.maxSize < needed) {
            r.fail(
                `gpuNodeGroups[${i}].maxSize`,
                group.maxSize,
                `at least ${needed}: the ${group.gpuClass} models need ${demand} GPUs at their autoscalers' maxima plus one surge pod per version`,
            );
        }
    });
    return aws;
}

function readDeployRunner(r: ConfigReader): DeployRunnerConfig | undefined {
    const connectionArn = r.optionalString("deployRunnerConnectionArn");
    const repository = r.optionalString("deployRunnerRepository");
    if (connectionArn === undefined && repository === undefined) return undefined;
    if (connectionArn === undefined || !CONNECTION_ARN.test(connectionArn)) {
        r.fail("deployRunnerConnectionArn", connectionArn, "the ARN of a CodeConnections connection to GitHub (arn:aws:codeconnections:<region>:<account>:connection/<id>)");
    }
    if (repository === undefined || !GITHUB_REPOSITORY.test(repository)) {
        r.fail("deployRunnerRepository", repository, "the GitHub repository whose workflow jobs the runner takes, as owner/name");
    }
    return { connectionArn, repository };
}

/**
 * Who reaches the API endpoint from outside the VPC. A stack that protects its data keeps it private
 * and deploys through the runner; any private endpoint needs the runner. The bootstrap addresses open
 * it for the first `up` of an empty account, before the runner exists, and only where a runner is
 * configured to take over (the next `up` through the runner, without them, closes it again).
 */
function readEndpointAccess(r: ConfigReader, aws: AwsConfig, protectData: boolean): void {
    if (protectData && aws.eksPublicAccessCidrs.length > 0) {
        r.fail(
            "eksPublicAccessCidrs",
            aws.eksPublicAccessCidrs,
            "[] on a stack with protectData: its API endpoint stays private and CI deploys through the runner (for the first up of an empty account, eksBootstrapAccessCidrs)",
        );
    }
    if (aws.eksPublicAccessCidrs.length === 0 && !aws.deployRunner) {
        r.fail("deployRunnerConnectionArn", undefined, "a CodeConnections connection ARN (and deployRunnerRepository): the API endpoint is private, so CI reaches it only through the runner in the VPC");
    }
    if (aws.eksBootstrapAccessCidrs.length > 0 && !aws.deployRunner) {
        r.fail("eksBootstrapAccessCidrs", aws.eksBootstrapAccessCidrs, "[] unless the deploy runner is configured (deployRunnerConnectionArn): the bootstrap only opens the endpoint until the runner takes over");
    }
}

function readClusterAccess(r: ConfigReader, access: ClusterAccessConfig): void {
    const keys = { deployRoleArn: "the CI deploy role", previewRoleArn: "the CI preview role", breakGlassRoleArn: "the operators' break-glass role" } as const;
    for (const [key, what] of Object.entries(keys) as [keyof ClusterAccessConfig, string][]) {
        const arn = access[key];
        if (!IAM_ROLE_ARN.test(arn)) r.fail(key, arn || undefined, `the ARN of ${what}, an IAM role (arn:aws:iam::<account>:role/<name>)`);
    }
    if (new Set(Object.values(access)).size !== Object.keys(keys).length) {
        r.fail("breakGlassRoleArn", access.breakGlassRoleArn, "a role other than deployRoleArn and previewRoleArn: each role gets one access entry");
    }
}

function readAllowedGpuTypes(r: ConfigReader): string[] {
    const allowed = `GPU instance types the catalog knows (catalog/gpu.ts): ${GPU_INSTANCE_TYPE_NAMES.join(", ")}`;
    const types = r.stringList("allowedGpuInstanceTypes", /^[a-z0-9.]+$/, allowed);
    types.forEach((t, i) => {
        if (!(t in GPU_INSTANCE_TYPES)) r.fail(`allowedGpuInstanceTypes[${i}]`, t, allowed);
    });
    return types.length > 0 ? types : [...GPU_INSTANCE_TYPE_NAMES];
}

function readGpuNodeGroups(r: ConfigReader): GpuNodeGroupConfig[] {
    const allowed = "a list of GPU node groups ({class, instanceTypes, capacityType, minSize, desiredSize, maxSize, diskSizeGb})";
    const raw = r.raw("gpuNodeGroups") === undefined ? [] : r.structured("gpuNodeGroups", allowed);
    if (!Array.isArray(raw)) r.fail("gpuNodeGroups", raw, allowed);
    const seen = new Set<string>();
    return raw.map((entry: unknown, i: number) => {
        const at = `gpuNodeGroups[${i}]`;
        if (typeof entry !== "object" || entry === null || Array.isArray(entry)) r.fail(at, entry, "an object");
        const f = new FieldReader(r, at, entry as Json);
        const gpuClass = f.string("class", /^[a-z0-9-]+$/, "a GPU class such as a10g");
        if (seen.has(gpuClass)) r.fail(`${at}.class`, gpuClass, "a class not used by another node group");
        seen.add(gpuClass);
        const instanceTypes = f.stringList("instanceTypes");
        if (instanceTypes.length === 0) r.fail(`${at}.instanceTypes`, instanceTypes, "at least one GPU instance type");
        instanceTypes.forEach((t, j) => {
            if (!(t in GPU_INSTANCE_TYPES)) r.fail(`${at}.instanceTypes[${j}]`, t, `a GPU instance type the catalog prices and shapes (catalog/gpu.ts): ${GPU_INSTANCE_TYPE_NAMES.join(", ")}`);
        });
        // One class, one GPU model: a pod sized for an A10G must not land on a T4.
        const models = [...new Set(instanceTypes.map((t) => GPU_INSTANCE_TYPES[t].gpu))];
        if (models.length > 1) {
            r.fail(`${at}.instanceTypes`, instanceTypes, `instance types with one GPU model (these carry ${models.join(", ")})`);
        }
        const minSize = f.integer("minSize", 0, 100);
        const maxSize = f.integer("maxSize", 1, 100);
        const desiredSize = f.integer("desiredSize", 0, 100, minSize);
        if (minSize > maxSize) r.fail(`${at}.minSize`, minSize, `an integer <= maxSize (${maxSize})`);
        if (desiredSize < minSize || desiredSize > maxSize) r.fail(`${at}.desiredSize`, desiredSize, `an integer from minSize (${minSize}) to maxSize (${maxSize})`);
        return {
            gpuClass,
            instanceTypes,
            capacityType: f.oneOf("capacityType", CAPACITY_TYPES),
            minSize,
            desiredSize,
            maxSize,
            diskSizeGb: f.integer("diskSizeGb", 100, 16384, 200),
        };
    });
}

/** The architecture of the machine this program runs on, in Docker's words. */
export function machineArch(): Arch {
    return process.arch === "arm64" ? "arm64" : "amd64";
}

function readHostConfig(r: ConfigReader): HostConfig {
    const arch = r.oneOf("hostArch", ["auto", "amd64", "arm64"] as const);
    return {
        memoryMb: r.integer("hostMemoryMb", 512, 1_048_576),
        cpus: r.integer("hostCpus", 1, 256),
        gpus: r.boolean("hostGpus"),
        cpuFeatures: r.stringList("hostCpuFeatures", /^[a-z0-9_]+$/, "CPU feature flags as /proc/cpuinfo names them (avx512f)"),
        arch: arch === "auto" ? machineArch() : arch,
    };
}

function readBudget(r: ConfigReader, monthlyUsd: number): BudgetConfig {
    const alertThreshold = r.number("budgetAlertThreshold", 0, 1, true);
    const budgetUsd = r.integer("apiDailyBudgetUsd", 1, 1_000_000);
    const criticalUsd = r.integer("apiDailyCriticalUsd", 1, 1_000_000);
    const warningUsd = budgetUsd * alertThreshold;
    if (criticalUsd <= warningUsd || criticalUsd > budgetUsd) {
        r.fail("apiDailyCriticalUsd", criticalUsd, `an integer above the warning (${warningUsd} = budgetAlertThreshold x apiDailyBudgetUsd) and at most apiDailyBudgetUsd (${budgetUsd})`);
    }
    const accountMonthlyUsd = r.integer("accountMonthlyBudgetUsd", 0, 10_000_000);
    return { monthlyUsd, alertThreshold, apiDaily: { budgetUsd, criticalUsd }, accountMonthlyUsd };
}

function optionalPort(r: ConfigReader, key: string): number | undefined {
    const port = r.integer(key, 0, 65535);
    return port === 0 ? undefined : port;
}

type Json = Record<string, unknown>;


const MODELS_ALLOWED = "a non-empty list of models ({name, engine, weights, image, replicas, memoryMb, cpus, ...})";

function readModels(r: ConfigReader, platform: Platform, host: HostConfig): ModelSpec[] {
    const raw = r.structured("models", MODELS_ALLOWED);
    if (!Array.isArray(raw) || raw.length === 0) r.fail("models", raw, MODELS_ALLOWED);
    const seen = new Set<string>();
    return raw.map((entry: unknown, i: number) => {
        const at = `models[${i}]`;
        if (typeof entry !== "object" || entry === null || Array.isArray(entry)) r.fail(at, entry, "an object");
        const model = readModel(r, at, entry as Json, platform, host);
        if (seen.has(model.name)) r.fail(`${at}.name`, model.name, "a name not used by another model");
        seen.add(model.name);
        return model;
    });
}

/** The release an engine runs by default: a CUDA build where the model has GPUs, a CPU build otherwise. */
function defaultRelease(engine: Engine, gpus: number): EngineRelease | undefined {
    return engine.releases.find((release) => release.gpu === gpus > 0);
}

/** Reads one version of a model (stable, or the canary's overrides of it) and checks it against the catalog. */
function readVersion(
    r: ConfigReader,
    field: FieldReader,
    at: string,
    engine: Engine,
    gpus: number,
    fallback: ModelVersion | undefined,
    platform: Platform,
    host: HostConfig,
): ModelVersion {
    const images = engine.releases.map((release) => release.image);
    let release: EngineRelease | undefined;
    if (field.has("image")) {
        const image = field.image("image");
        release = engineRelease(engine, image);
        if (!release) r.fail(`${at}.image`, image, `a release of engine ${engine.id} that the catalog knows (catalog/engines.ts): ${images.join(", ")}`);
    } else {
        release = fallback?.release ?? defaultRelease(engine, gpus);
        if (!release) r.fail(`${at}.image`, undefined, `an image for engine ${engine.id} with gpus ${gpus}: ${images.join(", ")}`);
    }
    if (release.gpu && gpus === 0) r.fail(`${at}.image`, release.image, `a CPU build of ${engine.id} (this image is a CUDA build and needs gpus >= 1)`);
    if (!release.gpu && gpus > 0) r.fail(`${at}.image`, release.image, `a CUDA build of ${engine.id} (the model asks for ${gpus} GPUs)`);
    if (platform === "docker") {
        if (release.gpu && !host.gpus) r.fail(`${at}.image`, release.image, "a CPU build: the Docker host has no NVIDIA GPU (set hostGpus: true when it has one)");
        const missing = release.cpuFeatures.filter((feature) => !host.cpuFeatures.includes(feature));
        if (missing.length > 0) {
            r.fail(`${at}.image`, release.image, `an image the Docker host can run: it needs the CPU features ${missing.join(", ")} (add them to hostCpuFeatures if the host has them)`);
        }
    }
    const weightsIds = Object.keys(WEIGHTS).filter((id) => WEIGHTS[id as WeightsId].engine === engine.id);
    let weightsId: WeightsId | undefined = fallback?.weightsId;
    if (field.has("weights") || !weightsId) {
        const id = field.oneOf("weights", weightsIds);
        weightsId = id as WeightsId;
    }
    return { image: release.image, release, weightsId, weights: WEIGHTS[weightsId] };
}

/** GiB of cache that holds a model's weights with room for a second version. */
function defaultCacheGb(versions: readonly ModelVersion[]): number {
    const gb = versions.reduce((sum, v) => sum + (v.weights.kind === "file" ? v.weights.sizeBytes / 1024 ** 3 : v.weights.sizeGb), 0);
    return Math.max(1, Math.ceil(gb * 1.5));
}

function readModel(r: ConfigReader, at: string, m: Json, platform: Platform, host: HostConfig): ModelSpec {
    const field = new FieldReader(r, at, m);
    const name = field.string("name", MODEL_NAME, "lower-case letters, digits and dashes, 2-32 characters");
    const engine = ENGINES[field.oneOf("engine", Object.keys(ENGINES) as EngineId[])];
    const replicas = field.has("replicas") ? field.object("replicas") : new FieldReader(r, `${at}.replicas`, {});
    const min = replicas.integer("min", 1, 1000, 1);
    const max = replicas.integer("max", 1, 1000, 5);
    if (min > max) r.fail(`${at}.replicas.min`, min, `an integer <= replicas.max (${max})`);
    const gpus = field.integer("gpus", 0, 8, 0);
    const stable = readVersion(r, field, at, engine, gpus, undefined, platform, host);
    let canary: CanarySpec | undefined;
    if (field.has("canary")) {
        const c = field.object("canary");
        const version = readVersion(r, c, `${at}.canary`, engine, gpus, stable, platform, host);
        if (version.image === stable.image && version.weightsId === stable.weightsId) {
            r.fail(`${at}.canary`, { image: version.image, weights: version.weightsId }, "a version that differs from the stable one in its image or its weights");
        }
        canary = { ...version, weight: c.integer("weight", 0, 100) };
    }
    const env = field.stringMap("env", ENV_NAME);
    for (const key of Object.keys(env)) {
        if (looksLikeSecretName(key)) r.fail(`${at}.env.${key}`, "(hidden)", SECRET_ENV_RULE);
    }
    const versions = canary ? [stable, canary] : [stable];
    const cpus = field.number("cpus", 0.1, 192, 2);
    if (platform === "docker" && cpus > host.cpus) r.fail(`${at}.cpus`, cpus, `at most hostCpus (${host.cpus}): Docker refuses a container that asks for more CPUs than the engine has`);
    return {
        name,
        kind: engine.kind,
        engine,
        stable,
        canary,
        autoscaling: {
            minReplicas: min,
            maxReplicas: max,
            queueDepthTarget: field.integer("queueDepthTarget", 1, 10_000, 5),
            gpuUtilizationTarget: field.integer("gpuUtilizationTarget", 1, 100, 80),
            scaleDownStabilizationSeconds: field.integer("scaleDownStabilizationSeconds", 0, 3600, 300),
        },
        gpus,
        gpuClass: field.optionalString("gpuClass", /^[a-z0-9-]+$/, "a node group class such as a10g"),
        memoryMb: field.integer("memoryMb", 64, 2_097_152, 4096),
        cpus,
        extraArgs: field.stringList("args"),
        env,
        gatedWeights: versions.some((v) => v.weights.gated),
        weightsCacheGb: field.integer("weightsCacheGb", 1, 65536, defaultCacheGb(versions)),
    };
}

/** Reads the fields of one object inside a structured key, with paths for messages. */
class FieldReader {
    constructor(
        private readonly r: ConfigReader,
        private readonly at: string,
        private readonly obj: Json,
    ) {}

    private path(key: string): string {
        return `${this.at}.${key}`;
    }

    private value(key: string): unknown {
        return this.obj[key];
    }

    has(key: string): boolean {
        return this.obj[key] !== undefined;
    }

    string(key: string, pattern: RegExp, allowed: string, fallback?: string): string {
        const v = this.value(key) ?? fallback;
        if (typeof v !== "string" || !pattern.test(v)) this.r.fail(this.path(key), v, allowed);
        return v;
    }

    optionalString(key: string, pattern: RegExp, allowed: string): string | undefined {
        return this.value(key) === undefined ? undefined : this.string(key, pattern, allowed);
    }

    oneOf<T extends string>(key: string, choices: readonly T[]): T {
        const v = this.value(key);
        if (typeof v !== "string" || !(choices as readonly string[]).includes(v)) {
            this.r.fail(this.path(key), v, `one of ${choices.map((c) => `"${c}"`).join(", ")}`);
        }
        return v as T;
    }

    image(key: string): string {
        const v = this.value(key);
        if (typeof v !== "string" || !isPinnedImage(v)) {
            this.r.fail(this.path(key), v, PINNED_IMAGE_RULE);
        }
        return v;
    }

    integer(key: string, min: number, max: number, fallback?: number): number {
        const v = this.value(key) ?? fallback;
        const parsed = checkInteger(v, min, max);
        if (parsed === undefined) this.r.fail(this.path(key), v, rangeText("an integer", min, max));
        return parsed;
    }

    number(key: string, min: number, max: number, fallback: number): number {
        const v = this.value(key) ?? fallback;
        if (typeof v !== "number" || v < min || v > max) this.r.fail(this.path(key), v, `a number from ${min} to ${max}`);
        return v;
    }

    boolean(key: string, fallback: boolean): boolean {
        const v = this.value(key) ?? fallback;
        if (typeof v !== "boolean") this.r.fail(this.path(key), v, "true or false");
        return v;
    }

    stringList(key: string): string[] {
        const v = this.value(key) ?? [];
        if (!Array.isArray(v) || v.some((item) => typeof item !== "string")) this.r.fail(this.path(key), v, "a list of strings");
        return v as string[];
    }

    stringMap(key: string, keyPattern: RegExp): Record<string, string> {
        const v = this.value(key) ?? {};
        if (typeof v !== "object" || v === null || Array.isArray(v)) this.r.fail(this.path(key), v, "a map of strings");
        for (const [k, item] of Object.entries(v)) {
            if (!keyPattern.test(k) || typeof item !== "string") this.r.fail(`${this.path(key)}.${k}`, item, "a string under an UPPER_CASE name");
        }
        return v as Record<string, string>;
    }

    object(key: string): FieldReader {
        const v = this.value(key);
        if (typeof v !== "object" || v === null || Array.isArray(v)) this.r.fail(this.path(key), v, "an object");
        return new FieldReader(this.r, this.path(key), v as Json);
    }
}
