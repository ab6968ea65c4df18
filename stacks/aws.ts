import * as k8s from "@pulumi/kubernetes";
import { ClusterAddons, WEIGHTS_STORAGE_CLASS } from "../components/cluster/addons";
import { EksCluster } from "../components/cluster/eks";
import { PlatformBucket } from "../components/data/bucket";
import { KubernetesModelService } from "../components/inference/model-k8s";
import { AwsNetwork } from "../components/network/aws";
import { platformTags } from "../components/shared/tags";
import { AwsLoadBalancer } from "../components/traffic/alb";
import { trafficSplit } from "../components/traffic/split";
import { StackConfig } from "./config";
import { PlatformOutputs } from "./docker";

/** In-cluster address of Prometheus (kube-prometheus-stack in the monitoring namespace). */
export const PROMETHEUS_URL = "http://kube-prometheus-stack-prometheus.monitoring.svc:9090";
/** Days ALB access logs are kept; backups are kept for the database's backup retention. */
const ALB_LOG_DAYS = 7;
const BACKUP_DAYS = 30;

/** The platform on AWS: VPC, EKS with GPU node groups, the model workloads and the weighted ALB. */
export function buildAwsPlatform(cfg: StackConfig): PlatformOutputs {
    const prefix = `genai-${cfg.stack}`;
    const isProd = cfg.stack === "prod";
    const tags = platformTags(cfg.stack, cfg.project, cfg.costCenter);
    const a = cfg.aws;

    const network = new AwsNetwork("network", {
        prefix,
        cidr: a.vpcCidr,
        availabilityZones: a.availabilityZones,
        natGatewayMode: a.natGatewayMode,
        flowLogs: a.vpcFlowLogs,
        flowLogRetentionDays: a.logArchiveRetentionDays,
        albIngressCidrs: a.albIngressCidrs,
        servicePorts: cfg.models.map((m) => m.port),
        tags,
    });

    const cluster = new EksCluster("cluster", {
        prefix,
        version: a.eksVersion,
        vpcId: network.vpc.id,
        privateSubnetIds: network.privateSubnetIds,
        nodeSecurityGroupId: network.nodeSecurityGroup.id,
        publicAccessCidrs: a.eksPublicAccessCidrs,
        systemNodeInstanceType: a.systemNodeInstanceType,
        systemNodeCount: a.systemNodeCount,
        gpuNodeGroups: a.gpuNodeGroups,
        logRetentionDays: a.logArchiveRetentionDays,
        region: a.region,
        tags,
    });

    const addons = new ClusterAddons("addons", {
        prefix,
        clusterName: cluster.cluster.name,
        vpcId: network.vpc.id,
        region: a.region,
        privateSubnetIds: network.privateSubnetIds,
        fileSystemSecurityGroupId: network.fileSystemSecurityGroup.id,
        protectFileSystem: isProd,
        provider: cluster.provider,
        tags,
        dependsOn: cluster.ready,
    });

    const bucket = new PlatformBucket("bucket", {
        prefix,
        rules: [
            { prefix: "alb-logs/", expireDays: ALB_LOG_DAYS },
            { prefix: "backups/", expireDays: BACKUP_DAYS },
        ],
        albLogPrefix: "alb-logs",
        region: a.region,
        protect: isProd,
        tags,
    });

    const lb = new AwsLoadBalancer("lb", {
        prefix,
        vpcId: network.vpc.id,
        publicSubnetIds: network.publicSubnetIds,
        securityGroupId: network.albSecurityGroup.id,
        certificateArn: a.acmCertificateArn,
        routes: cfg.models.map((model) => ({ split: trafficSplit(model), port: model.port, healthPath: model.healthPath })),
        stickinessSeconds: a.albStickinessSeconds,
        accessLogs: { bucket: bucket.bucket.bucket, prefix: "alb-logs" },
        deletionProtection: isProd,
        tags,
        dependsOn: [bucket],
    });

    const namespace = new k8s.core.v1.Namespace(
        "namespace",
        {
            metadata: {
                name: `genai-${cfg.stack}`,
                labels: {
                    environment: cfg.stack,
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                },
            },
        },
        { provider: cluster.provider },
    );

    for (const model of cfg.models) {
        const groups = lb.targetGroups[model.name];
        new KubernetesModelService(`model-${model.name}`, {
            model,
            namespace: namespace.metadata.name,
            targetGroupArns: { stable: groups.stable.arn, canary: groups.canary.arn },
            weightsStorageClass: WEIGHTS_STORAGE_CLASS,
            prometheusUrl: PROMETHEUS_URL,
            provider: cluster.provider,
            dependsOn: [...cluster.ready, addons.keda, addons.loadBalancerController, addons.weightsStorageClass],
        });
    }

    return {
        lbUrl: lb.dnsName.apply((dns) => `https://${dns}`),
        albDnsName: lb.dnsName,
        clusterName: cluster.cluster.name,
        kubeconfig: cluster.kubeconfig,
        grafanaUrl: lb.dnsName.apply((dns) => `https://${dns}/grafana/`),
        services: cfg.models.map((m) => m.name),
    };
}
