import { StackValidationPolicy } from "@pulumi/policy";
import { asString } from "../lib/props";
import { bucketsWithCompanions } from "../lib/s3";
import { AWS } from "../lib/types";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];

/** Every bucket has a public access block with all four flags on (Checkov CKV_AWS_53..56, FSBP S3.8). */
export const s3BucketPublicAccessBlocked: StackValidationPolicy = {
    name: "s3-bucket-public-access-blocked",
    description:
        "Every S3 bucket has a BucketPublicAccessBlock with all four flags true and no public ACL (Checkov CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56, FSBP S3.8).",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Add an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets " +
        "true, `bucket: bucket.id`, parented to the bucket or named `<bucket>-public-access-block`.",
    validateStack: (args, reportViolation) => {
        for (const [bucket, blocks] of bucketsWithCompanions(args.resources, [AWS.s3PublicAccessBlock])) {
            const acl = asString(bucket.props.acl);
            if (acl && PUBLIC_ACLS.includes(acl)) {
                reportViolation(`bucket ${bucket.name} has the public ACL ${acl} (CKV_AWS_53..56, S3.8).`, bucket.urn);
            }
            if (blocks.length === 0) {
                reportViolation(`bucket ${bucket.name} has no BucketPublicAccessBlock (CKV_AWS_53..56, S3.8).`, bucket.urn);
                continue;
            }
            const missing = FLAGS.filter((flag) => !blocks.some((b) => b.props[flag] === true));
            if (missing.length > 0) {
                reportViolation(`bucket ${bucket.name}'s public access block does not set ${missing.join(", ")} to true (CKV_AWS_53..56, S3.8).`, bucket.urn);
            }
        }
    },
};
