import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { policyConfig } from "../lib/policy";
import { asList, asObject } from "../lib/props";
import { bucketsWithCompanions } from "../lib/s3";
import { AWS } from "../lib/types";

interface Config {
    /** Whether buckets must use a KMS key rather than S3-managed keys (CKV_AWS_145). */
    readonly requireKms: boolean;
}

/** Every `sseAlgorithm` inside a value: a companion's `rules`, or a bucket's inline configuration. */
function sseAlgorithms(value: unknown): string[] {
    if (Array.isArray(value)) return asList(value).flatMap(sseAlgorithms);
    const object = asObject(value);
    if (!object) return [];
    return Object.keys(object).flatMap((key) =>
        key === "sseAlgorithm" && typeof object[key] === "string" ? [object[key] as string] : sseAlgorithms(object[key]),
    );
}

function algorithmsOf(bucket: PolicyResource, configs: readonly PolicyResource[]): string[] {
    const inline = [bucket.props.serverSideEncryptionConfiguration, bucket.props.serverSideEncryptionConfigurations];
    return [...inline.flatMap(sseAlgorithms), ...configs.flatMap((c) => sseAlgorithms(c.props.rules))];
}

/** Every bucket has default encryption (Checkov CKV_AWS_19; with KMS, CKV_AWS_145). */
export const s3BucketEncrypted: StackValidationPolicy = {
    name: "s3-bucket-encrypted",
    description:
        "Every S3 bucket has a server-side encryption configuration (Checkov CKV_AWS_19), with a KMS key where the stack requires it (CKV_AWS_145).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Add an aws.s3.BucketServerSideEncryptionConfiguration with rules[].applyServerSideEncryptionByDefault.sseAlgorithm " +
        "\"aws:kms\" (and kmsMasterKeyId), `bucket: bucket.id`, parented to the bucket or named `<bucket>-encryption`.",
    configSchema: {
        properties: {
            requireKms: { type: "boolean", default: false, description: "Buckets must use aws:kms encryption (CKV_AWS_145)" },
        },
    },
    validateStack: (args, reportViolation) => {
        const { requireKms } = policyConfig<Config>(args, { requireKms: false });
        for (const [bucket, configs] of bucketsWithCompanions(args.resources, AWS.s3Encryption)) {
            const algorithms = algorithmsOf(bucket, configs);
            if (algorithms.length === 0) {
                reportViolation(`bucket ${bucket.name} has no server-side encryption configuration (CKV_AWS_19).`, bucket.urn);
            } else if (requireKms && !algorithms.some((a) => a.startsWith("aws:kms"))) {
                reportViolation(`bucket ${bucket.name} is encrypted with ${algorithms.join(", ")}, not a KMS key (CKV_AWS_145).`, bucket.urn);
            }
        }
    },
};
