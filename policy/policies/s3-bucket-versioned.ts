import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { asList, asObject } from "../lib/props";
import { bucketsWithCompanions } from "../lib/s3";
import { AWS } from "../lib/types";

function isVersioned(bucket: PolicyResource, configs: readonly PolicyResource[]): boolean {
    const inline = [bucket.props.versioning, ...asList(bucket.props.versionings)];
    return (
        inline.some((v) => asObject(v)?.enabled === true) ||
        configs.some((c) => asObject(c.props.versioningConfiguration)?.status === "Enabled")
    );
}

/** Every bucket keeps object versions (Checkov CKV_AWS_21). */
export const s3BucketVersioned: StackValidationPolicy = {
    name: "s3-bucket-versioned",
    description: "Every S3 bucket has versioning enabled, so an overwrite or delete can be undone (Checkov CKV_AWS_21).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Add an aws.s3.BucketVersioning with versioningConfiguration.status \"Enabled\", `bucket: bucket.id`, " +
        "parented to the bucket or named `<bucket>-versioning`; pair it with a lifecycle rule for old versions.",
    validateStack: (args, reportViolation) => {
        for (const [bucket, configs] of bucketsWithCompanions(args.resources, AWS.s3Versioning)) {
            if (!isVersioned(bucket, configs)) {
                reportViolation(`bucket ${bucket.name} does not have versioning enabled (CKV_AWS_21).`, bucket.urn);
            }
        }
    },
};
