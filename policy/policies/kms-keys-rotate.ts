import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { asString } from "../lib/props";
import { AWS } from "../lib/types";

/**
 * Customer-managed KMS keys rotate their key material (Checkov CKV_AWS_7, FSBP KMS.4). Only symmetric
 * encryption keys can rotate automatically: asymmetric and HMAC keys (keySpec other than
 * SYMMETRIC_DEFAULT) are left alone, as FSBP KMS.4 does.
 */
export const kmsKeysRotate: ResourceValidationPolicy = {
    name: "kms-keys-rotate",
    description: "Symmetric customer-managed KMS keys rotate their key material automatically (Checkov CKV_AWS_7, FSBP KMS.4).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Set enableKeyRotation: true on the aws.kms.Key (components/shared/kms.ts rotatingKey does; rotationPeriodInDays defaults to 365).",
    validateResource: validateTypes([AWS.kmsKey], (props, _args, reportViolation) => {
        const spec = asString(props.keySpec) ?? asString(props.customerMasterKeySpec) ?? "SYMMETRIC_DEFAULT";
        if (spec !== "SYMMETRIC_DEFAULT") return;
        if (props.enableKeyRotation !== true) {
            reportViolation("enableKeyRotation is not true: the key's material never rotates (CKV_AWS_7, KMS.4).");
        }
    }),
};
