import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { asString } from "../lib/props";
import { AWS } from "../lib/types";

/** Secrets Manager secrets are encrypted with a customer-managed KMS key (Checkov CKV_AWS_149). */
export const secretsmanagerKmsKey: ResourceValidationPolicy = {
    name: "secretsmanager-kms-key",
    description: "Secrets Manager secrets are encrypted with a customer-managed KMS key, not the default aws/secretsmanager key (Checkov CKV_AWS_149).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set kmsKeyId to the platform's KMS key (its ARN or id).",
    validateResource: validateTypes([AWS.secretsManagerSecret], (props, _args, reportViolation) => {
        if (!asString(props.kmsKeyId)) {
            reportViolation("kmsKeyId is not set: the secret uses the AWS-managed key, whose use cannot be restricted by key policy (CKV_AWS_149).");
        }
    }),
};
