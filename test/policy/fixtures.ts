/**
 * Compliant baseline resources, as the lead's AWS components and the Docker components declare
 * them. Each policy test starts from one and breaks it in each way the policy catches.
 */
import { FakeResource } from "./harness";

export const rdsInstance = (props: Record<string, unknown> = {}): FakeResource => ({
    type: "aws:rds/instance:Instance",
    name: "postgres",
    props: {
        engine: "postgres",
        instanceClass: "db.r6g.large",
        allocatedStorage: 100,
        storageType: "gp3",
        multiAz: true,
        storageEncrypted: true,
        publiclyAccessible: false,
        backupRetentionPeriod: 30,
        deletionProtection: true,
        ...props,
    },
});

export const replicationGroup = (props: Record<string, unknown> = {}): FakeResource => ({
    type: "aws:elasticache/replicationGroup:ReplicationGroup",
    name: "redis",
    props: {
        nodeType: "cache.r6g.large",
        numCacheClusters: 2,
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
        authToken: "generated-token",
        ...props,
    },
});

export const eksCluster = (props: Record<string, unknown> = {}): FakeResource => ({
    type: "aws:eks/cluster:Cluster",
    name: "cluster",
    props: {
        vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"], subnetIds: ["a", "b"] },
        encryptionConfig: { provider: { keyArn: "arn:aws:kms:us-east-1:123456789012:key/k" }, resources: ["secrets"] },
        enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        ...props,
    },
});

export const gpuNodeGroup = (props: Record<string, unknown> = {}): FakeResource => ({
    type: "aws:eks/nodeGroup:NodeGroup",
    name: "gpu-a10g",
    props: {
        amiType: "AL2023_x86_64_NVIDIA",
        instanceTypes: ["g5.xlarge"],
        capacityType: "SPOT",
        scalingConfig: { desiredSize: 2, minSize: 1, maxSize: 3 },
        labels: { "genai.io/gpu-class": "a10g", "nvidia.com/gpu.present": "true" },
        taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
        ...props,
    },
});

export const launchTemplate = (props: Record<string, unknown> = {}): FakeResource => ({
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    name: "gpu-a10g",
    props: {
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 200, volumeType: "gp3", encrypted: "true" } }],
        ...props,
    },
});

export const listener = (props: Record<string, unknown> = {}): FakeResource => ({
    type: "aws:lb/listener:Listener",
    name: "https",
    props: {
        port: 443,
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/c",
        defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } }],
        ...props,
    },
});

export const httpRedirectListener = (props: Record<string, unknown> = {}): FakeResource => ({
    type: "aws:lb/listener:Listener",
    name: "http",
    props: {
        port: 80,
        protocol: "HTTP",
        defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
        ...props,
    },
});

export const loadBalancer = (props: Record<string, unknown> = {}): FakeResource => ({
    type: "aws:lb/loadBalancer:LoadBalancer",
    name: "lb",
    props: {
        loadBalancerType: "application",
        dropInvalidHeaderFields: true,
        internal: false,
        enableDeletionProtection: true,
        accessLogs: { enabled: true, bucket: "genai-prod-bucket", prefix: "alb-logs" },
        ...props,
    },
});

/** A Deployment whose pod spec passes every Kubernetes policy. */
export const deployment = (podSpec: Record<string, unknown> = {}, container: Record<string, unknown> = {}): FakeResource => ({
    type: "kubernetes:apps/v1:Deployment",
    name: "llm-stable",
    props: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        spec: {
            template: {
                spec: {
                    containers: [
                        {
                            name: "server",
                            image: "vllm/vllm-openai:v0.6.3.post1",
                            env: [
                                { name: "HF_HOME", value: "/models-cache/huggingface" },
                                { name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "platform-secrets", key: "hf-token" } } },
                            ],
                            resources: { limits: { cpu: "6", memory: "28672Mi", "nvidia.com/gpu": "1" } },
                            securityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] } },
                            ...container,
                        },
                    ],
                    securityContext: { runAsNonRoot: true, runAsUser: 2000, runAsGroup: 0, fsGroup: 0, seccompProfile: { type: "RuntimeDefault" } },
                    volumes: [{ name: "shm", emptyDir: { medium: "Memory" } }],
                    ...podSpec,
                },
            },
        },
    },
});

export const dockerContainer = (props: Record<string, unknown> = {}): FakeResource => ({
    type: "docker:index/container:Container",
    name: "lb",
    props: {
        name: "genai-dev-lb",
        image: "sha256:lb-image",
        ports: [{ internal: 8080, external: 8080, ip: "127.0.0.1" }],
        networksAdvanced: [{ name: "genai-dev-edge" }],
        ...props,
    },
});
