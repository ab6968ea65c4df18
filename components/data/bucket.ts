import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { named, Tags } from "../shared/tags";

/** A prefix of the bucket with its own expiry. */
export interface BucketPrefixRule {
    /** Key prefix, e.g. `alb-logs/`. */
    readonly prefix: string;
    /** Days after which objects (and their noncurrent versions) expire. */
    readonly expireDays: number;
}

export interface PlatformBucketArgs {
    /** Prefix of resource names, e.g. `genai-prod`. */
    readonly prefix: string;
    /** Key prefixes with their expiry. */
    readonly rules: readonly BucketPrefixRule[];
    /** Prefix the ALB writes its access logs under; grants the region's Elastic Load Balancing account write access there. */
    readonly albLogPrefix?: string;
    /** AWS region of the stack. */
    readonly region: string;
    /** Keep the bucket in Pulumi state so no code change can delete it (prod). */
    readonly protectData: boolean;
    /** Tags of every taggable resource of the component. */
    readonly tags: Tags;
}

/** The bucket policy: TLS-only access, and ALB log delivery by the region's Elastic Load Balancing account under its prefix. */
export function renderBucketPolicy(bucketArn: string, albLogs?: { prefix: string; deliveryAccountArn: string }): string {
    const statements: Record<string, unknown>[] = [
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    ];
    if (albLogs) {
        statements.push({
            Sid: "AlbAccessLogDelivery",
            Effect: "Allow",
            Principal: { AWS: albLogs.deliveryAccountArn },
            Action: "s3:PutObject",
            Resource: `${bucketArn}/${albLogs.prefix}/*`,
        });
    }
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * The platform's S3 bucket for backups and ALB access logs: public access blocked, encrypted
 * (SSE-S3, the only encryption ALB log delivery accepts), versioned, each prefix expiring on its own
 * schedule, TLS-only.
 */
export class PlatformBucket extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;

    constructor(name: string, args: PlatformBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:data:Bucket", name, {}, opts);
        for (const rule of args.rules) {
            if (rule.expireDays < 1) throw new Error(`PlatformBucket ${name}: prefix ${rule.prefix} expireDays ${rule.expireDays} is below 1`);
        }
        const parent = { parent: this };
        this.bucket = new aws.s3.Bucket(
            `${name}`,
            { bucketPrefix: `${args.prefix}-`, forceDestroy: false, tags: named(args.tags, `${args.prefix}-platform`) },
            { parent: this, protect: args.protectData, retainOnDelete: true },
        );
        const bucket = this.bucket.id;
        const access = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            parent,
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }] },
            parent,
        );
        const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket, versioningConfiguration: { status: "Enabled" } }, parent);
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            {
                bucket,
                rules: args.rules.map((rule) => ({
                    id: `expire-${rule.prefix.replace(/[^a-z0-9]+/g, "-").replace(/-$/, "")}`,
                    status: "Enabled",
                    filter: { prefix: rule.prefix },
                    expiration: { days: rule.expireDays },
                    noncurrentVersionExpiration: { noncurrentDays: rule.expireDays },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                })),
            },
            { parent: this, dependsOn: [versioning] },
        );
        const albLogPrefix = args.albLogPrefix;
        const policy = albLogPrefix
            ? pulumi
                  .all([this.bucket.arn, aws.elb.getServiceAccountOutput({ region: args.region }, parent).arn])
                  .apply(([arn, deliveryAccountArn]) => renderBucketPolicy(arn, { prefix: albLogPrefix, deliveryAccountArn }))
            : this.bucket.arn.apply((arn) => renderBucketPolicy(arn));
        new aws.s3.BucketPolicy(`${name}-policy`, { bucket, policy }, { parent: this, dependsOn: [access] });
        this.registerOutputs({ bucket: this.bucket.bucket });
    }
}
