/**
 * The monthly cost estimate of a stack's resources: pure, table-driven (catalog/prices.ts), used by the
 * budget policies and by the offline check's report. A resource is either priced, free (no
 * charge modelled: Docker, Kubernetes objects, IAM, networking glue), unpriced (a type, class or
 * node type the table lacks: never a silent 0) or unknown (a field it needs is unknown until
 * apply, during preview).
 */
import { AWS } from "../lib/types";
import { asNumber, asString, asStrings, Props, readIfKnown, readKnown, readKnownStrings, UnknownFieldError } from "../lib/props";
import {
    BACKUP_GB_MONTH,
    EBS_GB_MONTH,
    EC2_HOURLY,
    EKS_DEFAULT_DISK,
    EKS_DEFAULT_INSTANCE_TYPE,
    ELASTICACHE_HOURLY,
    HOURS_PER_MONTH,
    RDS_DEFAULT_STORAGE_TYPE,
    RDS_POSTGRES_HOURLY,
    RDS_STORAGE_GB_MONTH,
    SERVICE_PRICES,
} from "../../catalog/prices";

/** A resource to price: its type token, URN and properties (secrets unwrapped). */
export interface PricedInput {
    readonly type: string;
    readonly urn: string;
    readonly props: Props;
}

/** Assumptions the price table cannot know; each stack's policy config sets them. */
export interface PricingOptions {
    /** Fraction taken off the on-demand price for SPOT capacity, e.g. 0.6. */
    readonly spotDiscount: number;
    /** Expected size of each S3 bucket, in GB. */
    readonly s3ExpectedGbPerBucket: number;
    /** Average load balancer capacity units (LCU) an ALB uses per hour. */
    readonly albLcuPerHour: number;
    /** Data each NAT gateway processes per month, in GB. */
    readonly natProcessedGbPerMonth: number;
    /**
     * Recovery points each AWS Backup vault holds, in GB; the default is about what the cloud stacks back up
     * (the monitoring volumes' 125 GiB, the database, the weights). @default DEFAULT_PRICING's
     */
    readonly backupExpectedGbPerVault?: number;
}

export const DEFAULT_PRICING: Required<PricingOptions> = {
    spotDiscount: 0.6,
    s3ExpectedGbPerBucket: 100,
    albLcuPerHour: 1,
    natProcessedGbPerMonth: 100,
    backupExpectedGbPerVault: 250,
};

/** An AWS Backup vault costs the storage of its recovery points. */
const BACKUP_VAULT = "aws:backup/vault:Vault";

/** The price of one resource. */
export type ResourcePrice =
    | { readonly kind: "priced"; readonly monthlyUsd: number; readonly detail: string }
    | { readonly kind: "free"; readonly detail: string }
    | { readonly kind: "unpriced"; readonly reason: string }
    | { readonly kind: "unknown"; readonly reason: string };

export interface CostItem {
    readonly urn: string;
    readonly type: string;
    readonly monthlyUsd: number;
    readonly detail: string;
}

export interface CostIssue {
    readonly urn: string;
    readonly type: string;
    readonly reason: string;
}

export interface CostEstimate {
    /** Every priced or free resource; free ones at 0. */
    readonly items: CostItem[];
    /** Sum of the items, rounded to cents. */
    readonly total: number;
    /** Resources the table cannot price, with the missing row or field. */
    readonly unpriced: CostIssue[];
    /** Resources with a field the price depends on that is unknown until apply. */
    readonly unknown: CostIssue[];
}

/** What a resource's price may depend on elsewhere in the stack. */
export interface PricingContext {
    /** Launch templates by id and by name, for node groups that take their disk or type from one. */
    readonly launchTemplates: ReadonlyMap<string, Props>;
}

const NO_CONTEXT: PricingContext = { launchTemplates: new Map() };

/** Types that cost money but that the table does not model: unpriced rather than free. */
const NOT_MODELLED: ReadonlySet<string> = new Set([
    AWS.rdsCluster,
    "aws:rds/clusterInstance:ClusterInstance",
    "aws:elasticache/serverlessCache:ServerlessCache",
    "aws:autoscaling/group:Group",
    "aws:opensearch/domain:Domain",
    "aws:msk/cluster:Cluster",
]);

type Pricer = (props: Props, options: PricingOptions, context: PricingContext) => ResourcePrice;

// The millionth of a cent keeps binary fractions (22.265 stored as 22.26499...) rounding half up.
const round2 = (n: number): number => Math.round(n * 100 + 1e-6) / 100;
const priced = (monthlyUsd: number, detail: string): ResourcePrice => ({ kind: "priced", monthlyUsd: round2(monthlyUsd), detail });
const unpriced = (reason: string): ResourcePrice => ({ kind: "unpriced", reason });

function count(props: Props, ...path: string[]): number | undefined {
    return asNumber(readKnown(props, ...path));
}

const PRICERS: Readonly<Record<string, Pricer>> = {
    [AWS.eksNodeGroup]: priceNodeGroup,
    [AWS.ec2Instance]: (props) => {
        const type = asString(readKnown(props, "instanceType"));
        const row = type === undefined ? undefined : EC2_HOURLY[type];
        if (!row) return unpriced(`instance type ${type ?? "(not set)"} is not in the price table`);
        return priced(row.usdPerHour * HOURS_PER_MONTH, `1 x ${type} on-demand @ $${row.usdPerHour}/h (root disk not included)`);
    },
    [AWS.eksCluster]: () => priced(SERVICE_PRICES.eksControlPlaneHourly.usd * HOURS_PER_MONTH, `EKS control plane @ $${SERVICE_PRICES.eksControlPlaneHourly.usd}/h`),
    [AWS.rdsInstance]: priceRdsInstance,
    [AWS.elasticacheReplicationGroup]: (props) => priceCacheNodes(props, replicationGroupNodes(props)),
    [AWS.elasticacheCluster]: (props) => priceCacheNodes(props, count(props, "numCacheNodes") ?? 1),
    ...Object.fromEntries(AWS.loadBalancers.map((type) => [type, priceLoadBalancer])),
    [AWS.natGateway]: (_props, options) =>
        priced(
            SERVICE_PRICES.natHourly.usd * HOURS_PER_MONTH + SERVICE_PRICES.natPerGb.usd * options.natProcessedGbPerMonth,
            `NAT gateway @ $${SERVICE_PRICES.natHourly.usd}/h + ${options.natProcessedGbPerMonth} GB processed @ $${SERVICE_PRICES.natPerGb.usd}/GB`,
        ),
    [AWS.eip]: () => priced(SERVICE_PRICES.publicIpv4Hourly.usd * HOURS_PER_MONTH, `public IPv4 @ $${SERVICE_PRICES.publicIpv4Hourly.usd}/h`),
    [AWS.ebsVolume]: (props) => {
        const size = count(props, "size");
        if (size === undefined) return unpriced("size is not set");
        const type = asString(readKnown(props, "type")) ?? "gp2";
        const row = EBS_GB_MONTH[type];
        if (!row) return unpriced(`EBS volume type ${type} is not in the price table`);
        return priced(size * row.usd, `${size} GB ${type} @ $${row.usd}/GB-month`);
    },
    [AWS.secretsManagerSecret]: () => priced(SERVICE_PRICES.secretMonthly.usd, `1 secret @ $${SERVICE_PRICES.secretMonthly.usd}/month`),
    [AWS.kmsKey]: () => priced(SERVICE_PRICES.kmsKeyMonthly.usd, `1 customer-managed key @ $${SERVICE_PRICES.kmsKeyMonthly.usd}/month`),
    // Priced at the dearest rate of what a vault holds (RDS snapshots), so the estimate is an upper bound.
    [BACKUP_VAULT]: (_props, options) => {
        const gb = options.backupExpectedGbPerVault ?? DEFAULT_PRICING.backupExpectedGbPerVault;
        const rate = BACKUP_GB_MONTH.rdsSnapshot.usd;
        return priced(gb * rate, `${gb} GB of recovery points expected (policy config) @ $${rate}/GB-month (RDS snapshots; EBS and EFS cost $${BACKUP_GB_MONTH.warm.usd})`);
    },
    ...Object.fromEntries(
        AWS.s3Buckets.map((type): [string, Pricer] => [
            type,
            (_props, options) =>
                priced(
                    options.s3ExpectedGbPerBucket * SERVICE_PRICES.s3StandardGbMonth.usd,
                    `${options.s3ExpectedGbPerBucket} GB expected (policy config) @ $${SERVICE_PRICES.s3StandardGbMonth.usd}/GB-month`,
                ),
        ]),
    ),
};

function priceNodeGroup(props: Props, options: PricingOptions, context: PricingContext): ResourcePrice {
    const desired = count(props, "scalingConfig", "desiredSize");
    if (desired === undefined) return unpriced("scalingConfig.desiredSize is not set");
    const template = launchTemplateOf(props, context);
    let types = readKnownStrings(props, "instanceTypes");
    let typeSource = "";
    if (types.length === 0) {
        if (template.referenced && !template.props) {
            return unpriced("the node group sets no instanceTypes and its launch template is not among the stack's resources");
        }
        const fromTemplate = template.props ? asString(readKnown(template.props, "instanceType")) : undefined;
        types = [fromTemplate ?? EKS_DEFAULT_INSTANCE_TYPE];
        typeSource = fromTemplate ? " (from the launch template)" : " (EKS default)";
    }
    const missing = types.filter((t) => !EC2_HOURLY[t]);
    if (missing.length > 0) return unpriced(`instance type ${missing.join(", ")} is not in the price table`);
    // EKS may launch any of the listed types: price the dearest, so the estimate is an upper bound.
    const type = types.reduce((a, b) => (EC2_HOURLY[b].usdPerHour > EC2_HOURLY[a].usdPerHour ? b : a));
    const capacity = asString(readKnown(props, "capacityType")) ?? "ON_DEMAND";
    const spot = capacity === "SPOT";
    const hourly = EC2_HOURLY[type].usdPerHour * (spot ? 1 - options.spotDiscount : 1);

    const disk = rootDisk(props, template.props);
    const diskRow = EBS_GB_MONTH[disk.type];
    if (!diskRow) return unpriced(`EBS volume type ${disk.type} of the node root disk is not in the price table`);

    const compute = desired * hourly * HOURS_PER_MONTH;
    const storage = desired * disk.sizeGb * diskRow.usd;
    const capacityText = spot ? `spot (${Math.round(options.spotDiscount * 100)}% off $${EC2_HOURLY[type].usdPerHour}/h)` : `on-demand @ $${hourly}/h`;
    return priced(
        compute + storage,
        `${desired} x ${type}${typeSource} ${capacityText} + ${desired} x ${disk.sizeGb} GB ${disk.type} root disk (desired size; min/max ignored)`,
    );
}

function launchTemplateOf(props: Props, context: PricingContext): { referenced: boolean; props?: Props } {
    const ref = readIfKnown(props, "launchTemplate");
    if (ref === undefined || ref === null) return { referenced: false };
    const keys = [readIfKnown(ref, "id"), readIfKnown(ref, "name")].filter((k): k is string => typeof k === "string");
    const found = keys.map((k) => context.launchTemplates.get(k)).find((t) => t !== undefined);
    return { referenced: true, props: found };
}

function rootDisk(props: Props, template: Props | undefined): { sizeGb: number; type: string } {
    const diskSize = count(props, "diskSize");
    if (diskSize !== undefined) return { sizeGb: diskSize, type: EKS_DEFAULT_DISK.type };
    if (template) {
        const size = count(template, "blockDeviceMappings", "0", "ebs", "volumeSize");
        const type = asString(readKnown(template, "blockDeviceMappings", "0", "ebs", "volumeType"));
        if (size !== undefined) return { sizeGb: size, type: type ?? EKS_DEFAULT_DISK.type };
    }
    return { sizeGb: EKS_DEFAULT_DISK.sizeGb, type: EKS_DEFAULT_DISK.type };
}

function priceRdsInstance(props: Props): ResourcePrice {
    const engine = asString(readKnown(props, "engine")) ?? "postgres";
    if (engine !== "postgres") return unpriced(`RDS engine ${engine} is not in the price table (PostgreSQL only)`);
    const instanceClass = asString(readKnown(props, "instanceClass"));
    const row = instanceClass === undefined ? undefined : RDS_POSTGRES_HOURLY[instanceClass];
    if (!row) return unpriced(`RDS instance class ${instanceClass ?? "(not set)"} is not in the price table`);
    const storageGb = count(props, "allocatedStorage");
    if (storageGb === undefined) return unpriced("allocatedStorage is not set");
    const storageType = asString(readKnown(props, "storageType")) ?? RDS_DEFAULT_STORAGE_TYPE;
    const storageRow = RDS_STORAGE_GB_MONTH[storageType];
    if (!storageRow) return unpriced(`RDS storage type ${storageType} is not in the price table`);
    const multiAz = readKnown(props, "multiAz") === true;
    const hourly = multiAz ? row.multiAzUsd : row.singleAzUsd;
    const perGb = multiAz ? storageRow.multiAzUsd : storageRow.singleAzUsd;
    return priced(
        hourly * HOURS_PER_MONTH + storageGb * perGb,
        `${instanceClass} ${multiAz ? "Multi-AZ" : "single-AZ"} @ $${hourly}/h + ${storageGb} GB ${storageType} @ $${perGb}/GB-month (storage autoscaling not included)`,
    );
}

function replicationGroupNodes(props: Props): number {
    const clusters = count(props, "numCacheClusters");
    if (clusters !== undefined) return clusters;
    const shards = count(props, "numNodeGroups");
    const replicas = count(props, "replicasPerNodeGroup");
    return (shards ?? 1) * ((replicas ?? 0) + 1);
}

function priceCacheNodes(props: Props, nodes: number): ResourcePrice {
    const nodeType = asString(readKnown(props, "nodeType"));
    const row = nodeType === undefined ? undefined : ELASTICACHE_HOURLY[nodeType];
    if (!row) return unpriced(`ElastiCache node type ${nodeType ?? "(not set)"} is not in the price table`);
    return priced(nodes * row.usdPerHour * HOURS_PER_MONTH, `${nodes} x ${nodeType} @ $${row.usdPerHour}/h`);
}

function priceLoadBalancer(props: Props, options: PricingOptions): ResourcePrice {
    const kind = asString(readKnown(props, "loadBalancerType")) ?? "application";
    if (kind !== "application") return unpriced(`${kind} load balancers are not in the price table (application only)`);
    const { albHourly, albLcuHourly } = SERVICE_PRICES;
    return priced(
        (albHourly.usd + options.albLcuPerHour * albLcuHourly.usd) * HOURS_PER_MONTH,
        `ALB @ $${albHourly.usd}/h + ${options.albLcuPerHour} LCU (policy config) @ $${albLcuHourly.usd}/LCU-hour`,
    );
}

function freeDetail(type: string): string {
    if (type.startsWith("docker:")) return "runs on the local Docker engine";
    if (type.startsWith("kubernetes:")) return "runs on the cluster's nodes";
    if (type.startsWith("aws:")) return "no charge modelled";
    return "no cloud charge";
}

/** Prices one resource. `context` lets node groups find their launch template. */
export function priceResource(resource: PricedInput, options: PricingOptions, context: PricingContext = NO_CONTEXT): ResourcePrice {
    if (NOT_MODELLED.has(resource.type)) return unpriced(`resource type ${resource.type} is not in the price table`);
    const pricer = PRICERS[resource.type];
    if (!pricer) return { kind: "free", detail: freeDetail(resource.type) };
    try {
        return pricer(resource.props, options, context);
    } catch (error) {
        if (error instanceof UnknownFieldError) return { kind: "unknown", reason: error.message };
        throw error;
    }
}

/**
 * Estimates the monthly cost of `resources`: every resource's price, the total of those priced,
 * and the resources it could not price (missing from the table, or unknown until apply).
 */
export function estimateMonthlyCost(resources: readonly PricedInput[], options: PricingOptions): CostEstimate {
    const launchTemplates = new Map<string, Props>();
    for (const r of resources.filter((r) => r.type === AWS.launchTemplate)) {
        for (const key of [readIfKnown(r.props, "id"), readIfKnown(r.props, "name")]) {
            if (typeof key === "string") launchTemplates.set(key, r.props);
        }
    }
    const items: CostItem[] = [];
    const unpricedItems: CostIssue[] = [];
    const unknown: CostIssue[] = [];
    for (const resource of resources) {
        const price = priceResource(resource, options, { launchTemplates });
        const base = { urn: resource.urn, type: resource.type };
        switch (price.kind) {
            case "priced":
                items.push({ ...base, monthlyUsd: price.monthlyUsd, detail: price.detail });
                break;
            case "free":
                items.push({ ...base, monthlyUsd: 0, detail: price.detail });
                break;
            case "unpriced":
                unpricedItems.push({ ...base, reason: price.reason });
                break;
            case "unknown":
                unknown.push({ ...base, reason: price.reason });
                break;
        }
    }
    return { items, total: round2(items.reduce((sum, i) => sum + i.monthlyUsd, 0)), unpriced: unpricedItems, unknown };
}

/**
 * The instance types, RDS classes and ElastiCache node types a resource names that the price
 * table lacks, each as "instance type g7.xlarge". Reads plainly: during preview an unknown value
 * raises the pack's UnknownValueError, which the pack reports as its standard advisory.
 */
export function missingPriceRows(type: string, props: Props): string[] {
    const missing = (kind: string, names: string[], table: Readonly<Record<string, unknown>>): string[] =>
        names.filter((n) => !(n in table)).map((n) => `${kind} ${n}`);
    switch (type) {
        case AWS.eksNodeGroup:
            return missing("instance type", asStrings(props.instanceTypes), EC2_HOURLY);
        case AWS.launchTemplate:
        case AWS.ec2Instance:
            return missing("instance type", asStrings([props.instanceType]), EC2_HOURLY);
        case AWS.rdsInstance:
            return missing("RDS instance class", asStrings([props.instanceClass]), RDS_POSTGRES_HOURLY);
        case AWS.elasticacheReplicationGroup:
        case AWS.elasticacheCluster:
            return missing("ElastiCache node type", asStrings([props.nodeType]), ELASTICACHE_HOURLY);
        default:
            return [];
    }
}
