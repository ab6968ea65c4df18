import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { AWS } from "../lib/types";

/** RDS storage is encrypted at rest (Checkov CKV_AWS_16, FSBP RDS.3). */
export const rdsStorageEncrypted: ResourceValidationPolicy = {
    name: "rds-storage-encrypted",
    description: "RDS instances encrypt their storage at rest (Checkov CKV_AWS_16, FSBP RDS.3).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set storageEncrypted: true (with kmsKeyId for a customer-managed key). An existing unencrypted instance must be " +
        "snapshotted, the snapshot copied with encryption, and restored.",
    validateResource: validateTypes([AWS.rdsInstance], (props, _args, reportViolation) => {
        if (props.storageEncrypted !== true) {
            reportViolation("storageEncrypted is not true: the database storage, backups and snapshots are unencrypted (CKV_AWS_16, RDS.3).");
        }
    }),
};
