import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { asStrings } from "../lib/props";
import { AWS } from "../lib/types";

/** ElastiCache clients authenticate: an AUTH token or RBAC user groups (Checkov CKV_AWS_31). */
export const elasticacheAuthRequired: ResourceValidationPolicy = {
    name: "elasticache-auth-required",
    description: "ElastiCache replication groups require authentication: an AUTH token, or RBAC user groups (Checkov CKV_AWS_31).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set authToken from a generated secret (it requires transitEncryptionEnabled), or attach userGroupIds.",
    validateResource: validateTypes([AWS.elasticacheReplicationGroup], (props, _args, reportViolation) => {
        const token = props.authToken ?? props.authTokenWo;
        const hasToken = typeof token === "string" && token !== "";
        if (!hasToken && asStrings(props.userGroupIds).length === 0) {
            reportViolation("neither authToken nor userGroupIds is set: anyone who reaches the port can read and write the cache (CKV_AWS_31).");
        }
    }),
};
