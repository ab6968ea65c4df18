import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { AWS } from "../lib/types";

/** ElastiCache encrypts data at rest (Checkov CKV_AWS_29, FSBP ElastiCache.4). */
export const elasticacheEncryptionAtRest: ResourceValidationPolicy = {
    name: "elasticache-encryption-at-rest",
    description: "ElastiCache replication groups encrypt data at rest (Checkov CKV_AWS_29, FSBP ElastiCache.4).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set atRestEncryptionEnabled: true (with kmsKeyId for a customer-managed key); it forces a new replication group.",
    validateResource: validateTypes([AWS.elasticacheReplicationGroup], (props, _args, reportViolation) => {
        if (props.atRestEncryptionEnabled !== true) {
            reportViolation("atRestEncryptionEnabled is not true: snapshots and swap are unencrypted (CKV_AWS_29, ElastiCache.4).");
        }
    }),
};
