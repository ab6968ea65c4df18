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
import { gpuCapacityCoversAutoscalers } from "./policies/gpu-capacity-covers-autoscalers";
import { gpuNodeGroupsCarryGpuTaint } from "./policies/gpu-node-groups-carry-gpu-taint";
import { rdsRunsMultiAz } from "./policies/rds-runs-multi-az";
import { eksPrivateEndpointHasDeployerPath } from "./policies/eks-private-endpoint-has-deployer-path";
import { albEnablesDeletionProtection } from "./policies/alb-enables-deletion-protection";
import { albWritesAccessLogs } from "./policies/alb-writes-access-logs";
import { efsEncryptsDataAtRest } from "./policies/efs-encrypts-data-at-rest";
import { kmsKeysRotate } from "./policies/kms-keys-rotate";
import { cloudwatchLogGroupsSetRetention } from "./policies/cloudwatch-log-groups-set-retention";
import { iamForbidAdminWildcards } from "./policies/iam-forbid-admin-wildcards";
import { iamScopeServiceTrustToSource } from "./policies/iam-scope-service-trust-to-source";
import { k8sRunAsNonRoot } from "./policies/k8s-run-as-non-root";
import { k8sSeccompRuntimeDefault } from "./policies/k8s-seccomp-runtime-default";
import { k8sDropAllCapabilities } from "./policies/k8s-drop-all-capabilities";
import { k8sAllowedVolumeTypes } from "./policies/k8s-allowed-volume-types";
import { k8sDisallowHostPorts } from "./policies/k8s-disallow-host-ports";
import { k8sDisallowHostProcess } from "./policies/k8s-disallow-host-process";
import { k8sRestrictApparmorProfiles } from "./policies/k8s-restrict-apparmor-profiles";
import { k8sRestrictSelinuxOptions } from "./policies/k8s-restrict-selinux-options";
import { k8sRequireDefaultProcMount } from "./policies/k8s-require-default-proc-mount";
import { k8sAllowOnlySafeSysctls } from "./policies/k8s-allow-only-safe-sysctls";
import { dockerNoSensitiveHostMounts } from "./policies/docker-no-sensitive-host-mounts";
import { dockerNoAddedCapabilities } from "./policies/docker-no-added-capabilities";

/**
 * Every policy of the pack: budget first, then GPU capacity and guardrails, then security by service
 * (AWS data stores, cluster, load balancer, network, storage, keys, logs, IAM), then Kubernetes pods
 * (the Pod Security Standards' baseline and restricted controls, one policy each), then Docker.
 */
export const ALL_POLICIES: Policies = [
    stackMonthlyCostWithinBudget,
    stackMonthlyCostBelowAlertThreshold,
    priceTableCoversInstanceTypes,
    gpuCapacitySpotRequired,
    gpuInstanceTypesAllowed,
    gpuNodeGroupMaxSize,
    gpuCapacityCoversAutoscalers,
    gpuNodeGroupsCarryGpuTaint,
    rdsBackupRetention,
    rdsDeletionProtection,
    rdsNoPublicAccess,
    rdsRunsMultiAz,
    rdsStorageEncrypted,
    elasticacheAuthRequired,
    elasticacheEncryptionAtRest,
    elasticacheEncryptionInTransit,
    eksControlPlaneLogging,
    eksEndpointNotPublic,
    eksPrivateEndpointHasDeployerPath,
    eksSecretsEncryption,
    albDropInvalidHeaders,
    albEnablesDeletionProtection,
    albListenerHttpsOnly,
    albListenerTlsPolicy,
    albWritesAccessLogs,
    securityGroupIngressRestricted,
    s3BucketEncrypted,
    s3BucketPublicAccessBlocked,
    s3BucketVersioned,
    efsEncryptsDataAtRest,
    launchTemplateImdsv2,
    secretsmanagerKmsKey,
    kmsKeysRotate,
    cloudwatchLogGroupsSetRetention,
    iamForbidAdminWildcards,
    iamScopeServiceTrustToSource,
    k8sAllowOnlySafeSysctls,
    k8sAllowedVolumeTypes,
    k8sDisallowHostPorts,
    k8sDisallowHostProcess,
    k8sDisallowPrivilegeEscalation,
    k8sDropAllCapabilities,
    k8sNoHostNamespaces,
    k8sNoHostPathVolumes,
    k8sNoPrivilegedContainers,
    k8sRequireDefaultProcMount,
    k8sRestrictApparmorProfiles,
    k8sRestrictSelinuxOptions,
    k8sRunAsNonRoot,
    k8sSeccompRuntimeDefault,
    k8sNoSecretLiteralsInEnv,
    k8sRequirePinnedImages,
    k8sRequireResourceLimits,
    dockerNoAddedCapabilities,
    dockerNoHostNamespaces,
    dockerNoPrivilegedContainers,
    dockerNoSensitiveHostMounts,
    dockerPinnedImages,
    dockerPortsBoundToLocalhost,
    dockerStackFitsHost,
    protectDataResources,
];
