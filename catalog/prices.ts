/**
 * The price table: us-east-1 list prices in USD, each row with its source and the month it was
 * read. Rows marked `unconfirmed` come from a single third-party table; prefer a better source
 * when one turns up. An instance type, class or node type missing here is never priced at 0: the
 * estimate reports it as unpriced and the `price-table-covers-instance-types` policy fails.
 */
import { GPU_INSTANCE_TYPES } from "./gpu";

/** Hours in a month, as AWS and Infracost count them. */
export const HOURS_PER_MONTH = 730;

export interface PriceSource {
    /** Where the figure comes from. */
    readonly source: string;
    /** Year and month the figure was read, e.g. "2026-01". */
    readonly asOf: string;
    /** True when only one third-party table gives the figure. */
    readonly unconfirmed?: true;
}

export interface HourlyPrice extends PriceSource {
    readonly usdPerHour: number;
}

/** A flat rate per unit: per hour, per month, per GB processed, per GB-month, per LCU-hour. */
export interface UnitPrice extends PriceSource {
    readonly usd: number;
    readonly per: "hour" | "month" | "GB" | "GB-month" | "LCU-hour";
}

/** A price that differs between single-AZ and Multi-AZ deployments (RDS). */
export interface AzPrice extends PriceSource {
    readonly singleAzUsd: number;
    readonly multiAzUsd: number;
}

const AWS_LIST: PriceSource = { source: "aws.amazon.com pricing pages", asOf: "2026-01" };
const AWS_LIST_UNCONFIRMED: PriceSource = { ...AWS_LIST, unconfirmed: true };

const hourly = (usdPerHour: number, source: PriceSource): HourlyPrice => ({ usdPerHour, ...source });
const rate = (usd: number, per: UnitPrice["per"], source: PriceSource): UnitPrice => ({ usd, per, ...source });

/** EC2 on-demand, Linux, per instance-hour: the GPU types from the GPU table, then the system node types. */
export const EC2_HOURLY: Readonly<Record<string, HourlyPrice>> = {
    ...Object.fromEntries(
        Object.entries(GPU_INSTANCE_TYPES).map(([type, gpu]) => [type, hourly(gpu.usdPerHour, { source: gpu.evidence[gpu.evidence.length - 1].url, asOf: gpu.priceAsOf })]),
    ),
    "t3.medium": hourly(0.0416, AWS_LIST),
    "m5.large": hourly(0.096, AWS_LIST),
    "m6i.large": hourly(0.096, AWS_LIST),
    "c6i.large": hourly(0.085, AWS_LIST_UNCONFIRMED),
};

/** The instance type EKS gives a managed node group that names none. */
export const EKS_DEFAULT_INSTANCE_TYPE = "t3.medium";

/** RDS for PostgreSQL, per instance-hour. */
export const RDS_POSTGRES_HOURLY: Readonly<Record<string, AzPrice>> = {
    "db.t4g.micro": { singleAzUsd: 0.016, multiAzUsd: 0.032, ...AWS_LIST },
    "db.t4g.small": { singleAzUsd: 0.032, multiAzUsd: 0.064, ...AWS_LIST },
    "db.t4g.medium": { singleAzUsd: 0.065, multiAzUsd: 0.13, ...AWS_LIST },
    "db.m6g.large": { singleAzUsd: 0.159, multiAzUsd: 0.318, ...AWS_LIST_UNCONFIRMED },
    "db.r6g.large": { singleAzUsd: 0.225, multiAzUsd: 0.45, ...AWS_LIST_UNCONFIRMED },
};

/** RDS storage per GB-month. gp2 is assumed to cost what gp3 costs (same RDS list price). */
export const RDS_STORAGE_GB_MONTH: Readonly<Record<string, AzPrice>> = {
    gp3: { singleAzUsd: 0.115, multiAzUsd: 0.23, ...AWS_LIST },
    gp2: { singleAzUsd: 0.115, multiAzUsd: 0.23, ...AWS_LIST_UNCONFIRMED },
};

/** Storage type RDS gives an instance that names none. */
export const RDS_DEFAULT_STORAGE_TYPE = "gp2";

/** ElastiCache (Redis OSS / Valkey), per node-hour. */
export const ELASTICACHE_HOURLY: Readonly<Record<string, HourlyPrice>> = {
    "cache.t4g.micro": hourly(0.016, AWS_LIST_UNCONFIRMED),
    "cache.t4g.small": hourly(0.032, AWS_LIST_UNCONFIRMED),
    "cache.t4g.medium": hourly(0.065, AWS_LIST_UNCONFIRMED),
    "cache.m6g.large": hourly(0.149, AWS_LIST),
    "cache.r6g.large": hourly(0.206, AWS_LIST_UNCONFIRMED),
};

/** EBS volumes per GB-month, by volume type. */
export const EBS_GB_MONTH: Readonly<Record<string, UnitPrice>> = {
    gp3: rate(0.08, "GB-month", AWS_LIST),
    gp2: rate(0.1, "GB-month", AWS_LIST_UNCONFIRMED),
};

/**
 * AWS Backup storage per GB-month, warm tier, us-east-1. AWS's pricing page renders its table in the
 * browser: the figures come from two third-party copies of it (EBS and EFS $0.05) and one for RDS ($0.095).
 */
export const BACKUP_GB_MONTH = {
    /** EBS snapshots and EFS recovery points. */
    warm: rate(0.05, "GB-month", {
        source: "https://aws.amazon.com/backup/pricing/ as copied by https://cloudburn.io/blog/aws-backup-pricing (2026-02) and https://www.factualminds.com/blog/aws-backup-pricing-vaults-cross-region-restores/ (2026-06)",
        asOf: "2026-12",
    }),
    /** RDS snapshots taken by AWS Backup. */
    rdsSnapshot: rate(0.095, "GB-month", { source: "https://druva.com/blog/4-things-you-should-know-about-your-aws-backup-bill", asOf: "2026-12", unconfirmed: true }),
} as const satisfies Record<string, UnitPrice>;

/** Root disk of an EKS managed node when neither the node group nor a launch template sets one. */
export const EKS_DEFAULT_DISK = { sizeGb: 20, type: "gp3" } as const;

/** Flat-rate services. */
export const SERVICE_PRICES = {
    /** EKS control plane per cluster-hour (standard support; extended support costs 0.60). */
    eksControlPlaneHourly: rate(0.1, "hour", AWS_LIST),
    /** Application Load Balancer per hour, plus LCUs. */
    albHourly: rate(0.0225, "hour", AWS_LIST),
    /** ALB per LCU-hour. */
    albLcuHourly: rate(0.008, "LCU-hour", AWS_LIST),
    /** NAT gateway per hour, plus data processed. */
    natHourly: rate(0.045, "hour", AWS_LIST),
    /** NAT gateway per GB processed. */
    natPerGb: rate(0.045, "GB", AWS_LIST),
    /** Public IPv4 address (Elastic IP) per hour. */
    publicIpv4Hourly: rate(0.005, "hour", AWS_LIST_UNCONFIRMED),
    /** Secrets Manager per secret-month. */
    secretMonthly: rate(0.4, "month", AWS_LIST),
    /** KMS customer-managed key per key-month. */
    kmsKeyMonthly: rate(1, "month", AWS_LIST),
    /** S3 Standard per GB-month. */
    s3StandardGbMonth: rate(0.023, "GB-month", AWS_LIST),
} as const satisfies Record<string, UnitPrice>;
