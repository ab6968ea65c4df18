import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { AWS } from "../lib/types";

/** RDS instances are not reachable from the internet (Checkov CKV_AWS_17, FSBP RDS.2). */
export const rdsNoPublicAccess: ResourceValidationPolicy = {
    name: "rds-no-public-access",
    description: "RDS instances are not publicly accessible (Checkov CKV_AWS_17, FSBP RDS.2).",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Set publiclyAccessible: false and place the instance in private subnets; reach it from the cluster only.",
    validateResource: validateTypes([AWS.rdsInstance], (props, _args, reportViolation) => {
        if (props.publiclyAccessible === true) {
            reportViolation("publiclyAccessible is true: the database gets a public DNS name and address (CKV_AWS_17, RDS.2).");
        }
    }),
};
