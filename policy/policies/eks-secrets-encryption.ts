import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { asObject, asString, asStrings } from "../lib/props";
import { AWS } from "../lib/types";

/** Kubernetes secrets are envelope-encrypted with a KMS key (Checkov CKV_AWS_58). */
export const eksSecretsEncryption: ResourceValidationPolicy = {
    name: "eks-secrets-encryption",
    description: "EKS clusters envelope-encrypt Kubernetes secrets with a KMS key (Checkov CKV_AWS_58).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set encryptionConfig: { provider: { keyArn: <KMS key ARN> }, resources: [\"secrets\"] } on the cluster.",
    validateResource: validateTypes([AWS.eksCluster], (props, _args, reportViolation) => {
        const config = asObject(props.encryptionConfig);
        const keyArn = asString(asObject(config?.provider)?.keyArn);
        if (!asStrings(config?.resources).includes("secrets") || !keyArn) {
            reportViolation("encryptionConfig does not encrypt \"secrets\" with a KMS key: secrets sit in etcd unencrypted by a customer key (CKV_AWS_58).");
        }
    }),
};
