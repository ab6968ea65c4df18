import { Policies } from "@pulumi/policy";
import { stackMonthlyCostBelowAlertThreshold } from "./policies/stack-monthly-cost-below-alert-threshold";
import { stackMonthlyCostWithinBudget } from "./policies/stack-monthly-cost-within-budget";
import { priceTableCoversInstanceTypes } from "./policies/price-table-covers-instance-types";
import { gpuCapacitySpotRequired } from "./policies/gpu-capacity-spot-required";
import { gpuInstanceTypesAllowed } from "./policies/gpu-instance-types-allowed";
import { gpuNodeGroupMaxSize } from "./policies/gpu-node-group-max-size";
import { rdsBackupRetention } from "./policies/rds-backup-retention";
import { rdsDeletionProtection } from "./policies/rds-deletion-protection";
import { rdsNoPublicAccess } from "./policies/rds-no-public-access";
import { rdsStorageEncrypted } from "./policies/rds-storage-encrypted";
import { elasticacheAuthRequired } from "./policies/elasticache-auth-required";
import { elasticacheEncryptionAtRest } from "./policies/elasticache-encryption-at-rest";
import { elasticacheEncryptionInTransit } from "./policies/elasticache-encryption-in-transit";
import { eksControlPlaneLogging } from "./policies/eks-control-plane-logging";
import { eksEndpointNotPublic } from "./policies/eks-endpoint-not-public";
import { eksSecretsEncryption } from "./policies/eks-secrets-encryption";
import { albDropInvalidHeaders } from "./policies/alb-drop-invalid-headers";
import { albListenerHttpsOnly } from "./policies/alb-listener-https-only";
import { albListenerTlsPolicy } from "./policies/alb-listener-tls-policy";
import { securityGroupIngressRestricted } from "./policies/security-group-ingress-restricted";
import { s3BucketEncrypted } from "./policies/s3-bucket-encrypted";
import { s3BucketPublicAccessBlocked } from "./policies/s3-bucket-public-access-blocked";
import { s3BucketVersioned } from "./policies/s3-bucket-versioned";
import { launchTemplateImdsv2 } from "./policies/launch-template-imdsv2";
import { secretsmanagerKmsKey } from "./policies/secretsmanager-kms-key";
import { k8sDisallowPrivilegeEscalation } from "./policies/k8s-disallow-privilege-escalation";
import { k8sNoHostNamespaces } from "./policies/k8s-no-host-namespaces";
import { k8sNoHostPathVolumes } from "./policies/k8s-no-host-path-volumes";
import { k8sNoPrivilegedContainers } from "./policies/k8s-no-privileged-containers";
import { k8sNoSecretLiteralsInEnv } from "./policies/k8s-no-secret-literals-in-env";
import { k8sRequirePinnedImages } from "./policies/k8s-require-pinned-images";
import { k8sRequireResourceLimits } from "./policies/k8s-require-resource-limits";
import { dockerNoHostNamespaces } from "./policies/docker-no-host-namespaces";
import { dockerNoPrivilegedContainers } from "./policies/docker-no-privileged-containers";
import { dockerPinnedImages } from "./policies/docker-pinned-images";
import { dockerPortsBoundToLocalhost } from "./policies/docker-ports-bound-to-localhost";
import { dockerStackFitsHost } from "./policies/docker-stack-fits-host";
import { protectDataResources } from "./policies/protect-data-resources";

/** Every policy of the pack, budget first, then GPU guardrails, then security by service. */
export const ALL_POLICIES: Policies = [
    stackMonthlyCostWithinBudget,
    stackMonthlyCostBelowAlertThreshold,
    priceTableCoversInstanceTypes,
    gpuCapacitySpotRequired,
    gpuInstanceTypesAllowed,
    gpuNodeGroupMaxSize,
    rdsBackupRetention,
    rdsDeletionProtection,
    rdsNoPublicAccess,
    rdsStorageEncrypted,
    elasticacheAuthRequired,
    elasticacheEncryptionAtRest,
    elasticacheEncryptionInTransit,
    eksControlPlaneLogging,
    eksEndpointNotPublic,
    eksSecretsEncryption,
    albDropInvalidHeaders,
    albListenerHttpsOnly,
    albListenerTlsPolicy,
    securityGroupIngressRestricted,
    s3BucketEncrypted,
    s3BucketPublicAccessBlocked,
    s3BucketVersioned,
    launchTemplateImdsv2,
    secretsmanagerKmsKey,
    k8sDisallowPrivilegeEscalation,
    k8sNoHostNamespaces,
    k8sNoHostPathVolumes,
    k8sNoPrivilegedContainers,
    k8sNoSecretLiteralsInEnv,
    k8sRequirePinnedImages,
    k8sRequireResourceLimits,
    dockerNoHostNamespaces,
    dockerNoPrivilegedContainers,
    dockerPinnedImages,
    dockerPortsBoundToLocalhost,
    dockerStackFitsHost,
    protectDataResources,
];
