import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { AWS } from "../lib/types";

/** EFS file systems are encrypted at rest (Checkov CKV_AWS_42, FSBP EFS.1). */
export const efsEncryptsDataAtRest: ResourceValidationPolicy = {
    name: "efs-encrypts-data-at-rest",
    description: "EFS file systems are encrypted at rest (Checkov CKV_AWS_42, FSBP EFS.1).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set encrypted: true on the aws.efs.FileSystem (components/cluster/addons.ts, the weights cache), optionally with kmsKeyId; " +
        "encryption can only be chosen at creation, so the file system is replaced.",
    validateResource: validateTypes([AWS.efsFileSystem], (props, _args, reportViolation) => {
        if (props.encrypted !== true) {
            reportViolation("encrypted is not true: the file system's data and metadata are stored unencrypted (CKV_AWS_42, EFS.1).");
        }
    }),
};
