import { PolicyResource } from "@pulumi/policy";
import { readIfKnown } from "./props";
import { AWS } from "./types";

/**
 * Finds the bucket a companion resource (public access block, encryption, versioning) configures.
 * In aws v7 these are separate resources naming the bucket in their `bucket` input, which during
 * preview is often unknown (it is the new bucket's id). So, in order:
 *  1. its `bucket` value equals the bucket's `bucket` name, `id` or `arn`;
 *  2. it is a child of the bucket (`parent: bucket`);
 *  3. its logical name starts with the bucket's logical name and a dash (`models` ->
 *     `models-public-access-block`); the longest such bucket name wins.
 */
function bucketOf(companion: PolicyResource, buckets: readonly PolicyResource[]): PolicyResource | undefined {
    const target = readIfKnown(companion.props, "bucket");
    if (typeof target === "string") {
        const byValue = buckets.find((b) => ["bucket", "id", "arn"].some((key) => readIfKnown(b.props, key) === target));
        if (byValue) return byValue;
    }
    const parentUrn = companion.opts.parent ?? companion.parent?.urn;
    const byParent = buckets.find((b) => b.urn === parentUrn);
    if (byParent) return byParent;
    return buckets
        .filter((b) => companion.name.startsWith(`${b.name}-`))
        .sort((a, b) => b.name.length - a.name.length)[0];
}

/** The stack's buckets, each with the companions of `companionTypes` that configure it. */
export function bucketsWithCompanions(
    resources: readonly PolicyResource[],
    companionTypes: readonly string[],
): Map<PolicyResource, PolicyResource[]> {
    const bucketTypes: readonly string[] = AWS.s3Buckets;
    const buckets = resources.filter((r) => bucketTypes.includes(r.type));
    const result = new Map<PolicyResource, PolicyResource[]>(buckets.map((b) => [b, []]));
    for (const companion of resources.filter((r) => companionTypes.includes(r.type))) {
        const bucket = bucketOf(companion, buckets);
        if (bucket) result.get(bucket)?.push(companion);
    }
    return result;
}
