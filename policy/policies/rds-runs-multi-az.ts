import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig, validateTypes } from "../lib/policy";
import { AWS } from "../lib/types";

interface Config {
    /** Whether RDS instances must run Multi-AZ in this stack (stacks that protect data). */
    readonly requireMultiAz: boolean;
}

const DEFAULTS: Config = { requireMultiAz: false };

/** In stacks that protect data (prod), RDS instances run with a Multi-AZ standby (Checkov CKV_AWS_157, FSBP RDS.5). */
export const rdsRunsMultiAz: ResourceValidationPolicy = {
    name: "rds-runs-multi-az",
    description: "In stacks that require it (those with protectData, i.e. prod), RDS instances run with a Multi-AZ standby (Checkov CKV_AWS_157, FSBP RDS.5).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Set genai-platform:dbMultiAz: true in Pulumi.<stack>.yaml (multiAz on the aws.rds.Instance, components/data/postgres-rds.ts). " +
        "The policy config requireMultiAz is generated from protectData by `npm run policy-config`.",
    configSchema: {
        properties: {
            requireMultiAz: {
                type: "boolean",
                default: DEFAULTS.requireMultiAz,
                description: "RDS instances must have multiAz (generated from genai-platform:protectData)",
            },
        },
    },
    validateResource: validateTypes([AWS.rdsInstance], (props, args, reportViolation) => {
        const { requireMultiAz } = policyConfig<Config>(args, DEFAULTS);
        if (requireMultiAz && props.multiAz !== true) {
            reportViolation("multiAz is not true: the database has no standby in another zone, so a zone or host failure stops it (CKV_AWS_157, RDS.5).");
        }
    }),
};
