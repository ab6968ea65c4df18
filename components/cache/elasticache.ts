import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ELASTICACHE_REDIS } from "../../catalog/aws";
import { rotatingKey } from "../shared/kms";
import { named, Tags } from "../shared/tags";

export interface ElastiCacheRedisArgs {
    /** Prefix of resource names, e.g. `genai-prod`. */
    readonly prefix: string;
    /** Private subnets the service is placed in. */
    readonly subnetIds: pulumi.Input<string>[];
    /** Security group of the service (its tier). */
    readonly securityGroupId: pulumi.Input<string>;
    /** ElastiCache node type, e.g. cache.r6g.large. */
    readonly nodeType: string;
    /** Read replicas besides the primary; with one or more, failover is automatic and Multi-AZ. */
    readonly replicas: number;
    /** Days snapshots are kept (0-35). */
    readonly snapshotRetentionDays: number;
    /** AUTH token; a secret Output, never in clear. */
    readonly authToken: pulumi.Output<string>;
    /** Pulumi `protect` and retain-on-delete, so no code change deletes the cache or its key. */
    readonly protectData: boolean;
    /** The stack's AWS account and region. */
    readonly account: pulumi.Input<string>;
    readonly region: string;
    /** Tags of every taggable resource of the component. */
    readonly tags: Tags;
}


/**
 * Redis 7 on ElastiCache: a replication group in private subnets with TLS and an AUTH token,
 * encrypted at rest with its own KMS key, `allkeys-lru` eviction, snapshots, and automatic failover
 * across zones when it has replicas. ElastiCache has no append-only file: replicas and snapshots
 * are its durability.
 */
export class ElastiCacheRedis extends pulumi.ComponentResource {
    public readonly replicationGroup: aws.elasticache.ReplicationGroup;

    constructor(name: string, args: ElastiCacheRedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:cache:Redis", name, {}, opts);
        const parent = { parent: this };
        const t = (n: string) => named(args.tags, `${args.prefix}-${n}`);
        const key = rotatingKey(`${name}-key`, `${args.prefix}: Redis at rest`, { account: args.account, region: args.region, service: "elasticache" }, t("redis"), this, args.protectData);
        // Each incarnation's final snapshot needs a name no earlier one used: the suffix changes with the
        // inputs that make ElastiCache replace the group.
        const snapshotSuffix = new random.RandomId(
            `${name}-final-snapshot`,
            { byteLength: 4, keepers: { engine: ELASTICACHE_REDIS.engine, kmsKeyId: key.arn, port: "6379", atRestEncryption: "true" } },
            parent,
        );
        const subnets = new aws.elasticache.SubnetGroup(`${name}-subnets`, { subnetIds: args.subnetIds, tags: t("redis") }, parent);
        const parameters = new aws.elasticache.ParameterGroup(
            `${name}-params`,
            { family: ELASTICACHE_REDIS.family, parameters: [{ name: "maxmemory-policy", value: "allkeys-lru" }], tags: t("redis") },
            parent,
        );
        const failover = args.replicas > 0;
        this.replicationGroup = new aws.elasticache.ReplicationGroup(
            `${name}`,
            {
                description: `${args.prefix} Redis`,
                engine: ELASTICACHE_REDIS.engine,
                engineVersion: ELASTICACHE_REDIS.engineVersion,
                nodeType: args.nodeType,
                numCacheClusters: 1 + args.replicas,
                automaticFailoverEnabled: failover,
                multiAzEnabled: failover,
                port: 6379,
                parameterGroupName: parameters.name,
                subnetGroupName: subnets.name,
                securityGroupIds: [args.securityGroupId],
                transitEncryptionEnabled: true,
                authToken: args.authToken,
                atRestEncryptionEnabled: true,
                kmsKeyId: key.arn,
                snapshotRetentionLimit: args.snapshotRetentionDays,
                snapshotWindow: "02:00-03:00",
                maintenanceWindow: "sun:05:30-sun:06:30",
                autoMinorVersionUpgrade: true,
                finalSnapshotIdentifier: pulumi.interpolate`${args.prefix}-redis-final-${snapshotSuffix.hex}`,
                tags: t("redis"),
            },
            { parent: this, protect: args.protectData, retainOnDelete: args.protectData },
        );
        this.registerOutputs({ endpoint: this.replicationGroup.primaryEndpointAddress });
    }
}
