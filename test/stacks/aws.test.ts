import { expect } from "chai";
import { ENGINES } from "../../catalog/engines";
import { isPinnedImage } from "../../catalog/rules";
import { loadStackConfig } from "../../stacks/config";
import { ProgramRun, RecordedResource, runProgram, stackConfig } from "../harness";
import { evaluatedStack, program } from "../support/stacks";

const T = {
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    cluster: "aws:eks/cluster:Cluster",
    deployment: "kubernetes:apps/v1:Deployment",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    scaledObject: "kubernetes:keda.sh/v1alpha1:ScaledObject",
    binding: "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding",
    listener: "aws:lb/listener:Listener",
    rule: "aws:lb/listenerRule:ListenerRule",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    nat: "aws:ec2/natGateway:NatGateway",
    subnet: "aws:ec2/subnet:Subnet",
    kms: "aws:kms/key:Key",
};

/** AWS resource types that take no tags. */
const UNTAGGABLE = new Set([
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:efs/mountTarget:MountTarget",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:sns/topicSubscription:TopicSubscription",
    // Notification settings of a vault, which takes no tags.
    "aws:backup/vaultNotifications:VaultNotifications",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    "aws:codebuild/webhook:Webhook",
    "aws:backup/selection:Selection",
]);


function container(d: RecordedResource): any {
    return d.inputs.spec.template.spec.containers[0];
}

function stackTests(stack: "staging" | "prod") {
    describe(`${stack} stack (AWS)`, () => {
        let run: ProgramRun;
        const values = stackConfig(stack).values;
        const cfg = loadStackConfig({ project: "genai-platform", stack, get: (k) => values[k.includes(":") ? k : `genai-platform:${k}`] });

        before(async () => {
            run = await evaluatedStack(stack);
        });

        describe("network", () => {
            it("spans the configured zones with public subnets for the ALB and private ones for the rest", () => {
                const subnets = run.ofType(T.subnet);
                expect(subnets.filter((s) => s.inputs.tags.tier === "public")).to.have.length(cfg.aws.availabilityZones);
                expect(subnets.filter((s) => s.inputs.tags.tier === "private")).to.have.length(cfg.aws.availabilityZones);
                for (const s of subnets) expect(s.inputs.mapPublicIpOnLaunch ?? false, s.name).to.equal(false);
                expect(run.one(T.alb, "lb").inputs.subnets.every((id: string) => id.includes("public"))).to.equal(true);
                for (const ng of run.ofType(T.nodeGroup)) expect(ng.inputs.subnetIds.every((id: string) => id.includes("private")), ng.name).to.equal(true);
            });
            it(stack === "prod" ? "has a NAT gateway per zone and flow logs" : "shares one NAT gateway and keeps flow logs off", () => {
                expect(run.ofType(T.nat)).to.have.length(stack === "prod" ? 3 : 1);
                expect(run.ofType("aws:ec2/flowLog:FlowLog")).to.have.length(stack === "prod" ? 1 : 0);
            });
            it("opens 0.0.0.0/0 only on the load balancer's 80 and 443", () => {
                const open = run.ofType(T.ingress).filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0");
                expect(open.map((r) => r.inputs.fromPort).sort()).to.deep.equal([443, 80].sort());
                const albGroup = run.one(T.sg, "network-alb");
                for (const r of open) {
                    expect(r.inputs.securityGroupId).to.equal(`${albGroup.name}-id`);
                    expect(r.inputs.toPort).to.equal(r.inputs.fromPort);
                }
                for (const sg of run.ofType(T.sg)) expect(sg.inputs.ingress ?? [], sg.name).to.deep.equal([]);
            });
            it("lets only the nodes reach Postgres and Redis, and only the ALB reach the nodes on the model ports", () => {
                const rule = (name: string) => run.one(T.ingress, name).inputs;
                expect(rule("network-database-from-nodes")).to.include({ fromPort: 5432, toPort: 5432, referencedSecurityGroupId: "network-nodes-id", securityGroupId: "network-database-id" });
                expect(rule("network-cache-from-nodes")).to.include({ fromPort: 6379, referencedSecurityGroupId: "network-nodes-id", securityGroupId: "network-cache-id" });
                const fromAlb = run.ofType(T.ingress).filter((r) => r.inputs.securityGroupId === "network-nodes-id" && r.inputs.referencedSecurityGroupId === "network-alb-id");
                expect(fromAlb.map((r) => r.inputs.fromPort).sort()).to.deep.equal([...new Set([...cfg.models.map((m) => m.engine.port), 3000])].sort());
            });
        });

        describe("EKS cluster", () => {
            it("pins a supported version, encrypts secrets with a rotating key and logs the control plane", () => {
                const cluster = run.one(T.cluster, "cluster-cluster").inputs;
                expect(cluster.version).to.equal(cfg.aws.eksVersion);
                expect(cluster.encryptionConfig.resources).to.deep.equal(["secrets"]);
                expect(cluster.encryptionConfig.provider.keyArn).to.equal("arn:aws:kms:us-east-1:123456789012:cluster-secrets");
                expect(run.one(T.kms, "cluster-secrets").inputs.enableKeyRotation).to.equal(true);
                expect(cluster.enabledClusterLogTypes).to.include.members(["api", "audit", "authenticator"]);
            });
            it(stack === "prod" ? "keeps the API endpoint private" : "opens the API endpoint only to the configured CIDRs", () => {
                const vpc = run.one(T.cluster, "cluster-cluster").inputs.vpcConfig;
                expect(vpc.endpointPrivateAccess).to.equal(true);
                if (stack === "prod") {
                    expect(vpc.endpointPublicAccess).to.equal(false);
                } else {
                    expect(vpc.endpointPublicAccess).to.equal(true);
                    expect(vpc.publicAccessCidrs).to.deep.equal(cfg.aws.eksPublicAccessCidrs);
                    expect(vpc.publicAccessCidrs).to.not.include("0.0.0.0/0");
                }
            });
            it("runs GPU node groups with the NVIDIA AMI, the GPU taint, the configured capacity and sizes", () => {
                const gpu = run.ofType(T.nodeGroup).filter((ng) => ng.inputs.labels["genai.io/role"] === "gpu");
                expect(gpu).to.have.length(cfg.aws.gpuNodeGroups.length);
                for (const [i, spec] of cfg.aws.gpuNodeGroups.entries()) {
                    const ng = gpu[i].inputs;
                    expect(ng.amiType).to.equal("AL2023_x86_64_NVIDIA");
                    expect(ng.taints).to.deep.equal([{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }]);
                    expect(ng.capacityType).to.equal(spec.capacityType);
                    expect(ng.labels["nvidia.com/gpu.present"], "the device plugin's node affinity").to.equal("true");
                    expect(ng.instanceTypes).to.deep.equal(spec.instanceTypes);
                    expect(ng.scalingConfig).to.deep.equal({ minSize: spec.minSize, desiredSize: spec.desiredSize, maxSize: spec.maxSize });
                    expect(ng.labels["genai.io/gpu-class"]).to.equal(spec.gpuClass);
                    expect(ng.diskSize).to.equal(undefined);
                }
            });
            it("launches every node with IMDSv2 and an encrypted gp3 root volume of at least 100 GiB on GPU nodes", () => {
                for (const lt of run.ofType(T.launchTemplate)) {
                    expect(lt.inputs.metadataOptions.httpTokens, lt.name).to.equal("required");
                    // Hop limit 1: pods cannot reach the node's instance role.
                    expect(lt.inputs.metadataOptions.httpPutResponseHopLimit, lt.name).to.equal(1);
                    const ebs = lt.inputs.blockDeviceMappings[0].ebs;
                    expect(ebs).to.include({ volumeType: "gp3", encrypted: "true" });
                    if (lt.name.includes("gpu")) expect(ebs.volumeSize, lt.name).to.be.at.least(100);
                }
            });
            it("gives the nodes only the kubelet's and the CNI's policies, and the CSI drivers their own roles", () => {
                const nodePolicies = run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.inputs.role === "cluster-nodes").map((a) => a.inputs.policyArn.split("/").pop());
                expect(nodePolicies.sort()).to.deep.equal(["AmazonEC2ContainerRegistryReadOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy"]);
                for (const [addon, account] of [["aws-ebs-csi-driver", "ebs-csi-controller-sa"], ["aws-efs-csi-driver", "efs-csi-controller-sa"]]) {
                    const pia = run.one("aws:eks/addon:Addon", `cluster-${addon}`).inputs.podIdentityAssociations;
                    expect(pia).to.deep.equal([{ roleArn: `arn:aws:iam:us-east-1:123456789012:cluster-${addon}`, serviceAccount: account }]);
                }
            });
            it("scales the node groups with the cluster autoscaler, allowed to resize this cluster's groups only", () => {
                const release = run.one("kubernetes:helm.sh/v3:Release", "addons-cluster-autoscaler").inputs;
                expect(release.values.autoDiscovery.clusterName).to.equal(`genai-${stack}-eks`);
                const policy = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", "addons-cluster-autoscaler").inputs.policy);
                const resize = policy.Statement.find((s: any) => s.Action.includes("autoscaling:SetDesiredCapacity"));
                expect(resize.Condition.StringEquals).to.deep.equal({ [`aws:ResourceTag/k8s.io/cluster-autoscaler/genai-${stack}-eks`]: "owned" });
                expect(run.one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "addons-cluster-autoscaler").inputs.serviceAccount).to.equal("cluster-autoscaler");
            });
            it("installs the pinned NVIDIA device plugin, tolerating the GPU taint", () => {
                const plugin = run.one("kubernetes:helm.sh/v3:Release", "cluster-nvidia-device-plugin").inputs;
                expect(plugin.version).to.match(/^\d+\.\d+\.\d+$/);
                expect(plugin.values.tolerations).to.deep.include({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
            });
            it("uses the cluster's provider for every Kubernetes resource", () => {
                const kube = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
                expect(kube.length).to.be.greaterThan(10);
                for (const r of kube) expect(r.provider, `${r.type} ${r.name}`).to.equal("pulumi:providers:kubernetes::cluster-k8s");
            });
        });

        describe("model workloads", () => {
            it("runs a Deployment per version with GPU limits, toleration and GPU-class node selector", () => {
                const expected = cfg.models.flatMap((m) => [`${m.name}-stable`, ...(m.canary ? [`${m.name}-canary`] : [])]);
                expect(modelDeployments(run).map((d) => d.inputs.metadata.name).sort()).to.deep.equal(expected.sort());
                for (const d of modelDeployments(run)) {
                    const model = cfg.models.find((m) => m.name === d.inputs.metadata.labels.model)!;
                    const c = container(d);
                    expect(c.resources.limits["nvidia.com/gpu"], d.name).to.equal(String(model.gpus));
                    expect(c.resources.requests, d.name).to.deep.equal(c.resources.limits);
                    expect(d.inputs.spec.template.spec.tolerations).to.deep.equal([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
                    expect(d.inputs.spec.template.spec.nodeSelector).to.deep.equal({ "genai.io/gpu-class": model.gpuClass });
                    expect(isPinnedImage(c.image), c.image).to.equal(true);
                }
            });
            it("allows each engine its load time, then checks readiness and liveness on its health endpoint", () => {
                for (const d of modelDeployments(run)) {
                    const c = container(d);
                    const engine = ENGINES[d.inputs.metadata.labels.engine as keyof typeof ENGINES];
                    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold, d.name).to.be.at.least(engine.readySeconds);
                    expect(c.startupProbe.httpGet.path).to.equal(engine.health.path);
                    expect(c.livenessProbe.httpGet.path).to.equal(engine.health.path);
                    if (engine.id === "comfyui") expect(c.readinessProbe.exec.command.join(" ")).to.contain("sd_turbo.safetensors");
                    else expect(c.readinessProbe.httpGet.path).to.equal(engine.health.path);
                }
            });
            it("rolls out with zero downtime: start the new pod before stopping the old", () => {
                for (const d of modelDeployments(run)) {
                    expect(d.inputs.spec.strategy, d.name).to.deep.equal({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
                }
            });
            it("runs unprivileged, without privilege escalation, with every capability dropped", () => {
                for (const d of modelDeployments(run)) {
                    const pod = d.inputs.spec.template.spec;
                    expect(container(d).securityContext, d.name).to.deep.include({ privileged: false, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
                    expect(pod.securityContext.runAsNonRoot).to.equal(true);
                    expect(pod.hostNetwork ?? false).to.equal(false);
                }
            });
            it("mounts /dev/shm in memory and a shared weights cache, and spreads across zones", () => {
                for (const d of modelDeployments(run)) {
                    const pod = d.inputs.spec.template.spec;
                    const shm = pod.volumes.find((v: any) => v.name === "dshm");
                    expect(shm.emptyDir.medium).to.equal("Memory");
                    expect(container(d).volumeMounts).to.deep.include({ name: "dshm", mountPath: "/dev/shm" });
                    expect(pod.volumes.find((v: any) => v.name === "weights").persistentVolumeClaim.claimName).to.match(/-weights$/);
                    expect(pod.topologySpreadConstraints[0].topologyKey).to.equal("topology.kubernetes.io/zone");
                }
                for (const pvc of run.ofType("kubernetes:core/v1:PersistentVolumeClaim")) {
                    expect(pvc.inputs.spec.accessModes).to.deep.equal(["ReadWriteMany"]);
                    expect(pvc.retainOnDelete).to.equal(true);
                }
            });
            it("protects every version with a PodDisruptionBudget that still lets a node drain", () => {
                const pdbs = run.ofType(T.pdb).map((p) => p.inputs.metadata.name).sort();
                expect(pdbs).to.deep.equal(modelDeployments(run).map((d) => d.inputs.metadata.name).sort());
                for (const p of run.ofType(T.pdb)) {
                    const model = cfg.models.find((m) => m.name === p.inputs.metadata.labels.model)!;
                    const expected = model.autoscaling.minReplicas >= 2 ? { minAvailable: model.autoscaling.minReplicas - 1 } : { maxUnavailable: 1 };
                    expect(p.inputs.spec, p.name).to.deep.include(expected);
                }
            });
            it("keeps a stopping pod serving while the ALB deregisters it, and gates readiness on the ALB target", () => {
                for (const d of modelDeployments(run)) expect(container(d).lifecycle.preStop.exec.command, d.name).to.deep.equal(["sleep", "15"]);
                const ns = run.one("kubernetes:core/v1:Namespace", "namespace").inputs.metadata.labels;
                expect(ns).to.include({ "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled", "pod-security.kubernetes.io/enforce": "restricted" });
            });
            it("autoscales each version on its engine's queue length where it has one, and GPU utilisation, min/max from config, 300 s cool-down", () => {
                for (const so of run.ofType(T.scaledObject)) {
                    const model = cfg.models.find((m) => m.name === so.inputs.metadata.labels.model)!;
                    const spec = so.inputs.spec;
                    expect(spec.minReplicaCount).to.equal(model.autoscaling.minReplicas);
                    expect(spec.maxReplicaCount).to.equal(model.autoscaling.maxReplicas);
                    expect(spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).to.equal(300);
                    const queries = spec.triggers.map((t: any) => t.metadata.query).join(" ");
                    expect(queries).to.contain("DCGM_FI_DEV_GPU_UTIL");
                    if (model.engine.id === "vllm") {
                        expect(queries).to.contain("vllm:num_requests_waiting");
                        expect(spec.triggers.find((t: any) => t.name === "queue-length").metadata.threshold).to.equal("5");
                    } else {
                        // ComfyUI exports no queue metric: it scales on GPU utilisation alone.
                        expect(spec.triggers.map((t: any) => t.name)).to.deep.equal(["gpu-utilization"]);
                    }
                    // Utilisation is an average: compared as a value, not divided by the replica count.
                    expect(spec.triggers.find((t: any) => t.name === "gpu-utilization").metricType).to.equal("Value");
                }
                expect(run.ofType(T.scaledObject)).to.have.length(modelDeployments(run).length);
            });
            it("binds every version's pods into its ALB target group", () => {
                const bindings = run.ofType(T.binding).filter((b) => b.inputs.metadata.labels?.component === "inference");
                expect(bindings).to.have.length(modelDeployments(run).length);
                for (const b of bindings) {
                    const { model, track } = b.inputs.metadata.labels;
                    expect(b.inputs.spec.targetGroupARN).to.equal(`arn:aws:lb:us-east-1:123456789012:lb-${model}-${track}`);
                    expect(b.inputs.spec.targetType).to.equal("ip");
                }
            });
        });

        describe("ALB", () => {
            it("serves HTTPS with a TLS 1.2+ policy and the configured certificate, and HTTP only as a redirect", () => {
                const https = run.one(T.listener, "lb-https").inputs;
                expect(https).to.include({ port: 443, protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificateArn: cfg.aws.acmCertificateArn });
                const http = run.one(T.listener, "lb-http").inputs;
                expect(http.defaultActions).to.deep.equal([{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
            });
            it(`drops invalid headers, logs access to S3${stack === "prod" ? " and is protected from deletion" : ""}`, () => {
                const alb = run.one(T.alb, "lb").inputs;
                expect(alb).to.include({ internal: false, dropInvalidHeaderFields: true, enableDeletionProtection: stack === "prod" });
                expect(alb.accessLogs).to.include({ enabled: true, prefix: "alb-logs" });
            });
            it("gives each model a stable and a canary IP target group health-checked on its health path", () => {
                for (const model of cfg.models) {
                    for (const track of ["stable", "canary"]) {
                        const tg = run.one(T.targetGroup, `lb-${model.name}-${track}`).inputs;
                        expect(tg).to.include({ targetType: "ip", port: model.engine.port, protocol: "HTTP" });
                        expect(tg.healthCheck.path).to.equal(model.engine.health.path);
                    }
                }
            });
            it("rate limits each client with a WAF web ACL answering 429", () => {
                const acl = run.one("aws:wafv2/webAcl:WebAcl", "lb-rate-limits").inputs;
                expect(acl.scope).to.equal("REGIONAL");
                const models = acl.rules.find((r: any) => r.name === "models-per-client-minute");
                expect(models.statement.rateBasedStatement).to.include({ limit: stack === "prod" ? 20 : 30, evaluationWindowSec: 60, aggregateKeyType: "IP" });
                expect(models.action.block.customResponse.responseCode).to.equal(429);
                expect(acl.rules.find((r: any) => r.name === "api-per-client").statement.rateBasedStatement.limit).to.equal(600);
                expect(acl.rules.find((r: any) => r.name === "login-per-client").statement.rateBasedStatement.limit).to.equal(300);
                expect(run.one("aws:wafv2/webAclAssociation:WebAclAssociation", "lb-rate-limits").inputs.webAclArn).to.equal("arn:aws:wafv2:us-east-1:123456789012:lb-rate-limits");
            });
            it("splits each model's traffic by the configured weights", () => {
                for (const model of cfg.models) {
                    const forward = run.one(T.rule, `lb-${model.name}`).inputs.actions[0].forward;
                    const canary = model.canary?.weight ?? 0;
                    expect(forward.targetGroups.map((g: any) => g.weight)).to.deep.equal([100 - canary, canary]);
                    expect(forward.stickiness.enabled).to.equal(cfg.aws.albStickinessSeconds > 0);
                }
            });
        });

        it("tags every taggable AWS resource with environment, project, managed-by and cost-center", () => {
            const aws = run.resources.filter((r) => r.type.startsWith("aws:") && !UNTAGGABLE.has(r.type));
            expect(aws.length).to.be.greaterThan(40);
            for (const r of aws) {
                expect(r.inputs.tags, `${r.type} ${r.name}`).to.include({ environment: stack, project: "genai-platform", "managed-by": "pulumi", "cost-center": cfg.costCenter });
            }
        });

        it("exports the ALB DNS name, the cluster name and the kubeconfig", () => {
            expect(run.outputs.albDnsName).to.equal("lb.us-east-1.elb.amazonaws.com");
            expect(run.outputs.clusterName).to.equal(`genai-${stack}-eks`);
            expect(JSON.parse(run.outputs.kubeconfig as string).users[0].user.exec.args).to.include(`genai-${stack}-eks`);
        });
    });
}

stackTests("staging");
stackTests("prod");

describe("cloud blue/green switch", () => {
    for (const weight of [0, 100]) {
        it(`sends ${weight}% to the canary target group at canary weight ${weight}`, async () => {
            const models = JSON.parse(stackConfig("staging").values["genai-platform:models"]);
            models[0].canary.weight = weight;
            const run = await runProgram("staging", program, { overrides: { models } });
            const forward = run.one(T.rule, "lb-llm").inputs.actions[0].forward;
            expect(forward.targetGroups.map((g: any) => g.weight)).to.deep.equal([100 - weight, weight]);
        });
    }
});

describe("cloud configuration", () => {
    const fail = (overrides: Record<string, unknown>) => () => {
        const values = stackConfig("staging", { overrides }).values;
        return loadStackConfig({ project: "genai-platform", stack: "staging", get: (k) => values[k.includes(":") ? k : `genai-platform:${k}`] });
    };
    it("requires an ACM certificate ARN", () => expect(fail({ acmCertificateArn: "" })).to.throw(/acmCertificateArn = \(not set\); allowed: the ARN of an ACM certificate/));
    it("refuses an EKS endpoint open to the internet", () => expect(fail({ eksPublicAccessCidrs: ["0.0.0.0/0"] })).to.throw(/eksPublicAccessCidrs .* 0\.0\.0\.0\/0 would open/));
    it("refuses an EKS version the catalog does not know", () => expect(fail({ eksVersion: "1.27" })).to.throw(/eksVersion = "1.27"; allowed: an EKS version the catalog knows/));
    it("refuses an EKS version a pinned chart does not support", () => expect(fail({ eksVersion: "1.36" })).to.throw(/eksVersion = "1.36"; allowed: a version every pinned chart supports: chart keda keda 2.20.2 supports Kubernetes up to 1.35/));
    it("refuses a GPU model without a node group for its class", () =>
        expect(fail({ gpuNodeGroups: [{ class: "l4", instanceTypes: ["g6.xlarge"], capacityType: "SPOT", minSize: 1, maxSize: 2 }] })).to.throw(/models\[0\]\.gpuClass = "a10g"; allowed: the class of a configured GPU node group \(l4\)/));
    it("refuses a non-GPU instance type in a GPU node group", () =>
        expect(fail({ gpuNodeGroups: [{ class: "a10g", instanceTypes: ["m5.large"], capacityType: "SPOT", minSize: 1, maxSize: 2 }] })).to.throw(/gpuNodeGroups\[0\]\.instanceTypes\[0\] = "m5.large"/));
    it("refuses a model that does not fit on its node group's instances, naming what one pod can get", () =>
        expect(fail({ gpuNodeGroups: [{ class: "a10g", instanceTypes: ["g5.xlarge"], capacityType: "SPOT", minSize: 1, maxSize: 11 }] })).to.throw(
            /models\[0\]\.cpus = 6; allowed: at most 3, what one pod can get on a g5\.xlarge node of GPU class a10g/,
        ));
    it("refuses a GPU node group too small for its models at their maxima during a rollout", () =>
        expect(fail({ gpuNodeGroups: [{ class: "a10g", instanceTypes: ["g5.2xlarge"], capacityType: "SPOT", minSize: 1, maxSize: 4 }] })).to.throw(
            /gpuNodeGroups\[0\]\.maxSize = 4; allowed: at least 11: the a10g models need 11 GPUs at their autoscalers' maxima plus one surge pod per version/,
        ));
    it("refuses a node group mixing GPU models", () =>
        expect(fail({ gpuNodeGroups: [{ class: "a10g", instanceTypes: ["g5.2xlarge", "g6.2xlarge"], capacityType: "SPOT", minSize: 1, maxSize: 11 }] })).to.throw(
            /gpuNodeGroups\[0\]\.instanceTypes = \["g5\.2xlarge","g6\.2xlarge"\]; allowed: instance types with one GPU model \(these carry A10G, L4\)/,
        ));
    it("refuses a GPU type the catalog does not price and shape", () =>
        expect(fail({ gpuNodeGroups: [{ class: "a10g", instanceTypes: ["g6e.2xlarge"], capacityType: "SPOT", minSize: 1, maxSize: 11 }] })).to.throw(
            /gpuNodeGroups\[0\]\.instanceTypes\[0\] = "g6e\.2xlarge"; allowed: a GPU instance type the catalog prices and shapes \(catalog\/gpu\.ts\): g4dn\.xlarge/,
        ));
    it("refuses a model that asks for more GPUs than an instance has", () => {
        const models = JSON.parse(stackConfig("staging").values["genai-platform:models"]);
        models[0].gpus = 4;
        expect(fail({ models })).to.throw(/models\[0\]\.gpus = 4; allowed: at most 1, what one pod can get on a g5\.2xlarge node/);
    });
    it("refuses a root volume below 100 GiB", () =>
        expect(fail({ gpuNodeGroups: [{ class: "a10g", instanceTypes: ["g5.xlarge"], capacityType: "SPOT", minSize: 1, maxSize: 2, diskSizeGb: 50 }] })).to.throw(/diskSizeGb = 50; allowed: an integer from 100/));
});

/** The model servers' Deployments (the data stores' exporters are Deployments too, tested on their own). */
function modelDeployments(run: ProgramRun) {
    return run.ofType("kubernetes:apps/v1:Deployment").filter((d) => d.name.startsWith("model-"));
}
