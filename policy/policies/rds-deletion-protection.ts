import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig, validateTypes } from "../lib/policy";
import { AWS } from "../lib/types";

interface Config {
    /** Whether RDS instances must have deletion protection in this stack (prod). */
    readonly requireDeletionProtection: boolean;
}

/** In stacks that require it (prod), RDS instances have deletion protection (Checkov CKV_AWS_293, FSBP RDS.8). */
export const rdsDeletionProtection: ResourceValidationPolicy = {
    name: "rds-deletion-protection",
    description: "In stacks that require it (prod), RDS instances have deletion protection enabled (Checkov CKV_AWS_293, FSBP RDS.8).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set deletionProtection: true on the instance (and keep Pulumi's protect option, see protect-data-resources).",
    configSchema: {
        properties: {
            requireDeletionProtection: { type: "boolean", default: false, description: "RDS instances must have deletionProtection" },
        },
    },
    validateResource: validateTypes([AWS.rdsInstance], (props, args, reportViolation) => {
        const { requireDeletionProtection } = policyConfig<Config>(args, { requireDeletionProtection: false });
        if (requireDeletionProtection && props.deletionProtection !== true) {
            reportViolation("deletionProtection is not true: the instance can be deleted by an API call or a replacement (CKV_AWS_293, RDS.8).");
        }
    }),
};
