import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { AWS } from "../lib/types";

/** ElastiCache encrypts traffic in transit (Checkov CKV_AWS_30, FSBP ElastiCache.5). */
export const elasticacheEncryptionInTransit: ResourceValidationPolicy = {
    name: "elasticache-encryption-in-transit",
    description: "ElastiCache replication groups encrypt traffic in transit with TLS (Checkov CKV_AWS_30, FSBP ElastiCache.5).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set transitEncryptionEnabled: true (transitEncryptionMode \"required\") and connect with TLS (rediss://).",
    validateResource: validateTypes([AWS.elasticacheReplicationGroup], (props, _args, reportViolation) => {
        if (props.transitEncryptionEnabled !== true) {
            reportViolation("transitEncryptionEnabled is not true: clients talk to Redis in clear text (CKV_AWS_30, ElastiCache.5).");
        } else if (props.transitEncryptionMode === "preferred") {
            reportViolation("transitEncryptionMode is \"preferred\": clients may still connect without TLS; set \"required\" (CKV_AWS_30).");
        }
    }),
};
