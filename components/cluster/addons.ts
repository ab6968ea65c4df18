import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../../catalog/charts";
import { helmRelease } from "../shared/helm";
import { podIdentityRole } from "../shared/iam";
import { named, Tags } from "../shared/tags";
import { chartCrds, loadBalancerControllerCrdUrls } from "./crds";
import { SYSTEM_NODES } from "./eks";

export interface ClusterAddonsArgs {
    /** Prefix of resource names, e.g. `genai-prod`. */
    readonly prefix: string;
    /** Name of the EKS cluster. */
    readonly clusterName: pulumi.Input<string>;
    /** ARN of the EKS cluster, which the add-ons' Pod Identity roles trust alone. */
    readonly clusterArn: pulumi.Input<string>;
    /** The stack's AWS account. */
    readonly account: pulumi.Input<string>;
    /** The ALB target groups the load balancer controller binds pods into; it may touch no other. */
    readonly targetGroupArns: pulumi.Input<string>[];
    /** VPC of the stack. */
    readonly vpcId: pulumi.Input<string>;
    /** AWS region of the stack. */
    readonly region: string;
    /** Subnets the weights file system gets a mount target in. */
    readonly privateSubnetIds: pulumi.Input<string>[];
    /** Security group of the weights file system's mount targets. */
    readonly fileSystemSecurityGroupId: pulumi.Input<string>;
    /** Keep the weights file system in Pulumi state so no code change can delete it. */
    readonly protectData: boolean;
    /** The cluster's Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** Tags of every taggable resource of the component. */
    readonly tags: Tags;
    /** Tags the EBS CSI driver gives every volume of the gp3 storage class (AWS Backup selects them by tag). */
    readonly volumeTags: Readonly<Record<string, string>>;
    /** Resources that must exist first. */
    readonly dependsOn: pulumi.Resource[];
}


/** Storage class of the encrypted gp3 volumes of Prometheus, Alertmanager, Grafana and Loki. */
export const GP3_STORAGE_CLASS = "gp3-encrypted";

/** Storage class of the shared model-weights cache. */
export const WEIGHTS_STORAGE_CLASS = "efs-weights";

/**
 * The EBS CSI driver's StorageClass parameters that tag each volume it provisions: `tagSpecification_<n>`,
 * `key=value` (aws-ebs-csi-driver docs/tagging.md). A change applies to volumes provisioned after it.
 */
export function volumeTagParameters(tags: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(tags).map(([key, value], i) => [`tagSpecification_${i + 1}`, `${key}=${value}`]));
}

/** What the cluster autoscaler may do: read the node groups, resize those of this cluster only. */
export function clusterAutoscalerPolicy(clusterName: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                    "eks:DescribeNodegroup",
                ],
                Resource: "*",
            },
            {
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
            },
        ],
    });
}

/** What the load balancer controller may do: bind pod IPs into the target groups this stack created, and no other. */
export function loadBalancerControllerPolicy(targetGroupArns: readonly string[]): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["elasticloadbalancing:Describe*", "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:DescribeAvailabilityZones"],
                Resource: "*",
            },
            { Effect: "Allow", Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"], Resource: [...targetGroupArns] },
        ],
    });
}

/**
 * Cluster add-ons the workloads rely on: KEDA (autoscaling on Prometheus queries), the cluster
 * autoscaler (adds GPU nodes when pods wait for them, removes idle ones), the AWS load balancer controller (TargetGroupBinding of pod IPs into the ALB's target groups, with an IAM role
 * through EKS Pod Identity), and an encrypted EFS file system with its storage class for the shared
 * model-weights cache.
 */
export class ClusterAddons extends pulumi.ComponentResource {
    public readonly keda: k8s.helm.v3.Release;
    public readonly clusterAutoscaler: k8s.helm.v3.Release;
    public readonly loadBalancerController: k8s.helm.v3.Release;
    public readonly weightsStorageClass: k8s.storage.v1.StorageClass;
    public readonly volumeStorageClass: k8s.storage.v1.StorageClass;
    public readonly fileSystem: aws.efs.FileSystem;

    constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:cluster:Addons", name, {}, opts);
        const parent = { parent: this };
        const k = { parent: this, provider: args.provider, dependsOn: args.dependsOn };
        const t = (n: string) => named(args.tags, `${args.prefix}-${n}`);

        this.keda = helmRelease(
            `${name}-keda`,
            {
                name: "keda",
                namespace: "keda",
                createNamespace: true,
                chart: CHARTS.keda,
                values: { nodeSelector: { ...SYSTEM_NODES } },
            },
            k,
        );

        const autoscalerAccount = "cluster-autoscaler";
        const autoscaler = podIdentityRole(
            `${name}-cluster-autoscaler`,
            {
                clusterName: args.clusterName,
                clusterArn: args.clusterArn,
                account: args.account,
                namespace: "kube-system",
                serviceAccount: autoscalerAccount,
                policy: pulumi.output(args.clusterName).apply(clusterAutoscalerPolicy),
                tags: t("cluster-autoscaler"),
                associate: true,
            },
            this,
        );
        this.clusterAutoscaler = helmRelease(
            `${name}-cluster-autoscaler`,
            {
                name: "cluster-autoscaler",
                namespace: "kube-system",
                chart: CHARTS.clusterAutoscaler,
                values: {
                    cloudProvider: "aws",
                    awsRegion: args.region,
                    autoDiscovery: { clusterName: args.clusterName },
                    rbac: { serviceAccount: { create: true, name: autoscalerAccount } },
                    extraArgs: { "balance-similar-node-groups": true, "skip-nodes-with-system-pods": false, "scale-down-unneeded-time": "10m" },
                    nodeSelector: { ...SYSTEM_NODES },
                },
            },
            { ...k, dependsOn: [...args.dependsOn, ...(autoscaler.association ? [autoscaler.association] : [])] },
        );

        const controller = podIdentityRole(
            `${name}-lb-controller`,
            {
                clusterName: args.clusterName,
                clusterArn: args.clusterArn,
                account: args.account,
                namespace: "kube-system",
                serviceAccount: "aws-load-balancer-controller",
                policy: pulumi.all(args.targetGroupArns).apply(loadBalancerControllerPolicy),
                tags: t("lb-controller"),
                associate: true,
            },
            this,
        );
        const controllerCrds = chartCrds(`${name}-lb-controller-crds`, loadBalancerControllerCrdUrls(), k);
        const chart = CHARTS.loadBalancerController;
        // Not helmRelease: the chart's CRDs come from controllerCrds, so Helm must skip its crds/ directory.
        this.loadBalancerController = new k8s.helm.v3.Release(
            `${name}-lb-controller`,
            {
                name: "aws-load-balancer-controller",
                namespace: "kube-system",
                chart: chart.chart,
                version: chart.version,
                repositoryOpts: { repo: chart.repo },
                skipCrds: true,
                values: {
                    clusterName: args.clusterName,
                    region: args.region,
                    vpcId: args.vpcId,
                    serviceAccount: { create: true, name: "aws-load-balancer-controller" },
                    // This stack creates the ALB, its listeners and target groups itself: the controller only binds
                    // pods into them (TargetGroupBinding), and reconciles no Service, Ingress class or Gateway.
                    controllerConfig: { featureGates: { EnableServiceController: false, ALBGatewayAPI: false, NLBGatewayAPI: false } },
                    enableServiceMutatorWebhook: false,
                    createIngressClassResource: false,
                    nodeSelector: { ...SYSTEM_NODES },
                },
            },
            { ...k, dependsOn: [...args.dependsOn, controllerCrds, ...(controller.association ? [controller.association] : [])] },
        );

        this.fileSystem = new aws.efs.FileSystem(
            `${name}-weights`,
            { encrypted: true, performanceMode: "generalPurpose", throughputMode: "elastic", lifecyclePolicies: [{ transitionToIa: "AFTER_30_DAYS" }], tags: t("weights-cache") },
            { parent: this, protect: args.protectData, retainOnDelete: args.protectData },
        );
        const mountTargets = args.privateSubnetIds.map(
            (subnetId, i) => new aws.efs.MountTarget(`${name}-weights-${i}`, { fileSystemId: this.fileSystem.id, subnetId, securityGroups: [args.fileSystemSecurityGroupId] }, parent),
        );
        this.weightsStorageClass = new k8s.storage.v1.StorageClass(
            `${name}-weights`,
            {
                metadata: { name: WEIGHTS_STORAGE_CLASS },
                provisioner: "efs.csi.aws.com",
                reclaimPolicy: "Retain",
                parameters: { provisioningMode: "efs-ap", fileSystemId: this.fileSystem.id, directoryPerms: "700", uid: "1000", gid: "1000" },
            },
            { ...k, dependsOn: [...args.dependsOn, ...mountTargets] },
        );
        this.volumeStorageClass = new k8s.storage.v1.StorageClass(
            `${name}-gp3`,
            {
                metadata: { name: GP3_STORAGE_CLASS },
                provisioner: "ebs.csi.aws.com",
                reclaimPolicy: "Retain",
                volumeBindingMode: "WaitForFirstConsumer",
                allowVolumeExpansion: true,
                parameters: { type: "gp3", encrypted: "true", ...volumeTagParameters(args.volumeTags) },
            },
            k,
        );
        this.registerOutputs({ fileSystemId: this.fileSystem.id });
    }
}
