import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../../catalog/charts";
import { acceleratorLabel, CLUSTER_AUTOSCALER_GPU_LABEL, EKS_ACCESS_POLICIES, EKS_SUPPORT_TYPE } from "../../catalog/aws";
import { GPU_INSTANCE_TYPES } from "../../catalog/gpu";
import { rotatingKey } from "../shared/kms";
import { helmRelease } from "../shared/helm";
import { eksClusterArn, podIdentityRole, serviceTrustPolicy, sourceConditions } from "../shared/iam";
import { named, Tags } from "../shared/tags";

/** One GPU class's managed node group. */
export interface GpuNodeGroupSpec {
    /** GPU class, the value of the node label `genai.io/gpu-class`, e.g. `a10g`. */
    readonly gpuClass: string;
    /** GPU instance types (g5, g6, g6e, p4d, p5 families). */
    readonly instanceTypes: readonly string[];
    /** `ON_DEMAND`, `SPOT` or `CAPACITY_BLOCK`. */
    readonly capacityType: string;
    /** Fewest nodes. */
    readonly minSize: number;
    /** Nodes at creation; the cluster autoscaler moves it between min and max. */
    readonly desiredSize: number;
    /** Most nodes. */
    readonly maxSize: number;
    /** Root volume in GiB (gp3, encrypted), at least 100 for images and weights. */
    readonly diskSizeGb: number;
}

export interface EksClusterArgs {
    /** Prefix of resource names, e.g. `genai-prod`. */
    readonly prefix: string;
    /** Kubernetes version, pinned, in EKS standard support. */
    readonly version: string;
    /** Subnets of the nodes and the control plane's network interfaces. */
    readonly privateSubnetIds: pulumi.Input<string>[];
    /** Security group of nodes and pods. */
    readonly nodeSecurityGroupId: pulumi.Input<string>;
    /** CIDRs allowed to the public API endpoint; empty keeps the endpoint private. */
    readonly publicAccessCidrs: readonly string[];
    /** Security groups admitted to the API endpoint on 443 from inside the VPC (the deploy runners'). */
    readonly apiClientSecurityGroupIds: pulumi.Input<string>[];
    /** IAM roles given access to the Kubernetes API (EKS access entries), by what they may do. */
    readonly access: { readonly admins: readonly string[]; readonly viewers: readonly string[] };
    /** The stack's AWS account. */
    readonly account: pulumi.Input<string>;
    /** Instance type of the system node group (add-ons, monitoring). */
    readonly systemNodeInstanceType: string;
    /** Nodes of the system node group; the autoscaler may double it. */
    readonly systemNodeCount: number;
    /** One GPU node group per GPU class. */
    readonly gpuNodeGroups: readonly GpuNodeGroupSpec[];
    /** Days control-plane logs are kept. */
    readonly logRetentionDays: number;
    /** AWS region, for the kubeconfig's token command. */
    readonly region: string;
    /** Keep the secrets KMS key (protect and retain) so that no code change makes the cluster's secrets unreadable. */
    readonly protectData: boolean;
    /** Tags of every taggable resource of the component. */
    readonly tags: Tags;
}

/** The GPU taint of GPU nodes, in the EKS API's spelling. */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" } as const;
/** The toleration of GPU pods, in Kubernetes' spelling. */
export const GPU_TOLERATION = { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" } as const;
/** Node label naming a node's GPU class. */
export const GPU_CLASS_LABEL = "genai.io/gpu-class";
/** Node label naming a node's role, `system` or `gpu`. */
export const NODE_ROLE_LABEL = "genai.io/role";
/** Where the cluster's own workloads (add-ons, monitoring, jobs) run. */
export const SYSTEM_NODES = { [NODE_ROLE_LABEL]: "system" } as const;
/** The label the NVIDIA device plugin's node affinity requires (set by GPU feature discovery otherwise). */
export const GPU_PRESENT_LABEL = "nvidia.com/gpu.present";

/** The labels of a GPU node group's nodes: role, GPU class, the device plugin's, and the autoscaler's GPU label. */
export function gpuNodeLabels(gpuClass: string, instanceTypes: readonly string[]): Record<string, string> {
    // One GPU model per group (the config refuses a mix): the first type names it.
    const model = GPU_INSTANCE_TYPES[instanceTypes[0]].gpu;
    return { [NODE_ROLE_LABEL]: "gpu", [GPU_CLASS_LABEL]: gpuClass, [GPU_PRESENT_LABEL]: "true", [CLUSTER_AUTOSCALER_GPU_LABEL]: acceleratorLabel(model) };
}

export const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

const MANAGED_POLICY = "arn:aws:iam::aws:policy";

/** The kubeconfig of a cluster, authenticating with `aws eks get-token`. */
export function renderKubeconfig(name: string, endpoint: string, certificateAuthority: string, region: string): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: endpoint, "certificate-authority-data": certificateAuthority } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        users: [
            {
                name,
                user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", name, "--region", region] } },
            },
        ],
    });
}

/**
 * An EKS cluster for GPU inference: pinned version, private (or CIDR-restricted) API endpoint that the
 * deploy runners' security group reaches from inside the VPC, access entries for the roles that use the
 * Kubernetes API, secrets encrypted with a rotating KMS key, control-plane logs, a system node group and
 * one GPU node group per GPU class (NVIDIA AL2023 AMI, GPU taint and labels, IMDSv2, encrypted gp3 root
 * volume), the NVIDIA device plugin, and an explicit Kubernetes provider that every Kubernetes resource
 * uses, once the access entries and the runners' way in exist.
 */
export class EksCluster extends pulumi.ComponentResource {
    public readonly cluster: aws.eks.Cluster;
    public readonly provider: k8s.Provider;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly nodeRole: aws.iam.Role;
    public readonly secretsKey: aws.kms.Key;
    public readonly gpuNodeGroups: aws.eks.NodeGroup[] = [];
    /** Resources the cluster's workloads need before they can be scheduled. */
    public readonly ready: pulumi.Resource[] = [];

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:cluster:EksCluster", name, {}, opts);
        const parent = { parent: this };
        const t = (n: string, extra?: Record<string, string>) => named(args.tags, `${args.prefix}-${n}`, extra);
        const clusterName = `${args.prefix}-eks`;

        const account = pulumi.output(args.account);
        const arn = account.apply((id) => eksClusterArn(args.region, id, clusterName));
        this.secretsKey = rotatingKey(
            `${name}-secrets`,
            `${clusterName}: envelope encryption of Kubernetes secrets`,
            { account: args.account, region: args.region, service: "eks" },
            t("eks-secrets"),
            this,
            args.protectData,
        );
        const clusterRole = new aws.iam.Role(
            `${name}-cluster`,
            { assumeRolePolicy: pulumi.all([account, arn]).apply(([id, clusterArn]) => serviceTrustPolicy("eks.amazonaws.com", sourceConditions(id, clusterArn))), tags: t("eks-cluster") },
            parent,
        );
        const clusterPolicy = new aws.iam.RolePolicyAttachment(`${name}-cluster`, { role: clusterRole.name, policyArn: `${MANAGED_POLICY}/AmazonEKSClusterPolicy` }, parent);
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-control-plane`,
            { name: `/aws/eks/${clusterName}/cluster`, retentionInDays: args.logRetentionDays, tags: t("eks-logs") },
            parent,
        );

        const publicEndpoint = args.publicAccessCidrs.length > 0;
        this.cluster = new aws.eks.Cluster(
            `${name}-cluster`,
            {
                name: clusterName,
                version: args.version,
                roleArn: clusterRole.arn,
                vpcConfig: {
                    subnetIds: args.privateSubnetIds,
                    endpointPrivateAccess: true,
                    endpointPublicAccess: publicEndpoint,
                    publicAccessCidrs: publicEndpoint ? [...args.publicAccessCidrs] : undefined,
                },
                encryptionConfig: { provider: { keyArn: this.secretsKey.arn }, resources: ["secrets"] },
                enabledClusterLogTypes: CONTROL_PLANE_LOGS,
                // Every admin is an access entry of this program: none for whoever happened to create the cluster.
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
                upgradePolicy: { supportType: EKS_SUPPORT_TYPE },
                tags: t("eks"),
            },
            // The role keeps its policy until the cluster is gone, so deleting the cluster cleans up its network interfaces.
            { parent: this, dependsOn: [logGroup, clusterPolicy] },
        );

        // The node role carries only what the kubelet and the host-network VPC CNI need; pods cannot reach it
        // (IMDS hop limit 1), and the CSI drivers get their own roles through Pod Identity.
        // EC2 documents no source keys for instance roles: the account is checked where EC2 sets it, never required.
        this.nodeRole = new aws.iam.Role(
            `${name}-nodes`,
            { assumeRolePolicy: account.apply((id) => serviceTrustPolicy("ec2.amazonaws.com", { StringEqualsIfExists: { "aws:SourceAccount": id } })), tags: t("eks-nodes") },
            parent,
        );
        const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"].map(
            (policy) => new aws.iam.RolePolicyAttachment(`${name}-nodes-${policy}`, { role: this.nodeRole.name, policyArn: `${MANAGED_POLICY}/${policy}` }, parent),
        );
        const clusterSecurityGroupId = this.cluster.vpcConfig.clusterSecurityGroupId;

        const launchTemplate = (role: string, diskSizeGb: number) =>
            new aws.ec2.LaunchTemplate(
                `${name}-${role}`,
                {
                    namePrefix: `${args.prefix}-${role}-`,
                    updateDefaultVersion: true,
                    vpcSecurityGroupIds: [clusterSecurityGroupId, args.nodeSecurityGroupId],
                    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: diskSizeGb, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
                    tagSpecifications: [
                        { resourceType: "instance", tags: t(role) },
                        { resourceType: "volume", tags: t(role) },
                    ],
                    tags: t(role),
                },
                parent,
            );
        const nodeGroup = (role: string, spec: { instanceTypes: readonly string[]; capacityType: string; min: number; desired: number; max: number; diskSizeGb: number; amiType: string; labels: Record<string, string>; gpu: boolean }) => {
            const template = launchTemplate(role, spec.diskSizeGb);
            return new aws.eks.NodeGroup(
                `${name}-${role}`,
                {
                    clusterName: this.cluster.name,
                    nodeGroupNamePrefix: `${args.prefix}-${role}-`,
                    nodeRoleArn: this.nodeRole.arn,
                    subnetIds: args.privateSubnetIds,
                    amiType: spec.amiType,
                    instanceTypes: [...spec.instanceTypes],
                    capacityType: spec.capacityType,
                    scalingConfig: { minSize: spec.min, desiredSize: spec.desired, maxSize: spec.max },
                    updateConfig: { maxUnavailable: 1 },
                    launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
                    labels: spec.labels,
                    taints: spec.gpu ? [{ ...GPU_TAINT }] : undefined,
                    tags: t(role),
                },
                // The cluster autoscaler changes the desired size as pods need nodes: do not fight it. The node role
                // keeps its policies until the group is gone, so the CNI can release the nodes' network interfaces.
                { parent: this, ignoreChanges: ["scalingConfig.desiredSize"], deleteBeforeReplace: false, dependsOn: nodePolicies },
            );
        };
        const system = nodeGroup("system", {
            instanceTypes: [args.systemNodeInstanceType],
            capacityType: "ON_DEMAND",
            min: args.systemNodeCount,
            desired: args.systemNodeCount,
            max: args.systemNodeCount * 2,
            diskSizeGb: 50,
            amiType: "AL2023_x86_64_STANDARD",
            labels: { ...SYSTEM_NODES },
            gpu: false,
        });
        for (const group of args.gpuNodeGroups) {
            this.gpuNodeGroups.push(
                nodeGroup(`gpu-${group.gpuClass}`, {
                    instanceTypes: group.instanceTypes,
                    capacityType: group.capacityType,
                    min: group.minSize,
                    desired: group.desiredSize,
                    max: group.maxSize,
                    diskSizeGb: group.diskSizeGb,
                    amiType: "AL2023_x86_64_NVIDIA",
                    labels: gpuNodeLabels(group.gpuClass, group.instanceTypes),
                    gpu: true,
                }),
            );
        }

        const addon = (addonName: string, dependsOn: pulumi.Resource[], podIdentity?: { serviceAccount: string; policy: string }) => {
            const identity = podIdentity
                ? podIdentityRole(
                      `${name}-${addonName}`,
                      {
                          clusterName: this.cluster.name,
                          clusterArn: this.cluster.arn,
                          account: args.account,
                          namespace: "kube-system",
                          serviceAccount: podIdentity.serviceAccount,
                          managedPolicyArns: [`${MANAGED_POLICY}/${podIdentity.policy}`],
                          tags: t(addonName),
                          associate: false,
                      },
                      this,
                  )
                : undefined;
            return new aws.eks.Addon(
                `${name}-${addonName}`,
                {
                    clusterName: this.cluster.name,
                    addonName,
                    // A new cluster already runs self-managed vpc-cni, coredns and kube-proxy: the add-on takes them over.
                    resolveConflictsOnCreate: "OVERWRITE",
                    resolveConflictsOnUpdate: "OVERWRITE",
                    podIdentityAssociations: identity && podIdentity ? [{ roleArn: identity.role.arn, serviceAccount: podIdentity.serviceAccount }] : undefined,
                    tags: t(addonName),
                },
                // The add-on's pods get credentials at once: its role's policies come first.
                { parent: this, dependsOn: [...dependsOn, ...(identity?.policies ?? [])] },
            );
        };
        const podIdentityAgent = addon("eks-pod-identity-agent", [system]);
        const addons = [
            podIdentityAgent,
            addon("vpc-cni", [system]),
            addon("coredns", [system]),
            addon("kube-proxy", [system]),
            addon("aws-ebs-csi-driver", [system, podIdentityAgent], { serviceAccount: "ebs-csi-controller-sa", policy: "service-role/AmazonEBSCSIDriverPolicy" }),
            addon("aws-efs-csi-driver", [system, podIdentityAgent], { serviceAccount: "efs-csi-controller-sa", policy: "service-role/AmazonEFSCSIDriverPolicy" }),
        ];

        this.kubeconfig = pulumi.secret(
            pulumi
                .all([this.cluster.name, this.cluster.endpoint, this.cluster.certificateAuthority])
                .apply(([n, endpoint, ca]) => renderKubeconfig(n, endpoint, ca.data ?? "", args.region)),
        );
        // Who may use the Kubernetes API, and from where inside the VPC: in place before the first Kubernetes call.
        const grants = [
            ...args.access.admins.map((principalArn) => ({ principalArn, policyArn: EKS_ACCESS_POLICIES.clusterAdmin })),
            ...args.access.viewers.map((principalArn) => ({ principalArn, policyArn: EKS_ACCESS_POLICIES.view })),
        ];
        const access = grants.map(({ principalArn, policyArn }, i) => {
            const entry = new aws.eks.AccessEntry(`${name}-access-${i}`, { clusterName: this.cluster.name, principalArn, type: "STANDARD", tags: t("eks-access") }, parent);
            return new aws.eks.AccessPolicyAssociation(
                `${name}-access-${i}`,
                { clusterName: this.cluster.name, principalArn, policyArn, accessScope: { type: "cluster" } },
                { parent: this, dependsOn: [entry] },
            );
        });
        const apiClients = args.apiClientSecurityGroupIds.map(
            (groupId, i) =>
                new aws.vpc.SecurityGroupIngressRule(
                    `${name}-api-client-${i}`,
                    {
                        securityGroupId: clusterSecurityGroupId,
                        ipProtocol: "tcp",
                        fromPort: 443,
                        toPort: 443,
                        referencedSecurityGroupId: groupId,
                        description: "cluster: Kubernetes API from the deploy runners",
                        tags: t("eks-api-clients"),
                    },
                    parent,
                ),
        );
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: this.kubeconfig, enableServerSideApply: true },
            { parent: this, dependsOn: [system, ...addons, ...access, ...apiClients] },
        );

        const devicePlugin = helmRelease(
            `${name}-nvidia-device-plugin`,
            {
                name: "nvidia-device-plugin",
                namespace: "kube-system",
                chart: CHARTS.nvidiaDevicePlugin,
                values: {
                    tolerations: [GPU_TOLERATION],
                    nodeSelector: { [NODE_ROLE_LABEL]: "gpu" },
                },
            },
            { parent: this, provider: this.provider, dependsOn: this.gpuNodeGroups },
        );
        this.ready.push(system, ...this.gpuNodeGroups, ...addons, devicePlugin);
        this.registerOutputs({ clusterName: this.cluster.name, kubeconfig: this.kubeconfig });
    }
}
