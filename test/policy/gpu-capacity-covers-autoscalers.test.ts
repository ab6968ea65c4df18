import { expect } from "chai";
import { gpuCapacityCoversAutoscalers as policy } from "../../policy/policies/gpu-capacity-covers-autoscalers";
import { gpuNodeGroup } from "./fixtures";
import { FakeResource, stackViolations, urnOf } from "./harness";

const NS = "genai-prod";

/** A GPU Deployment as components/inference/model-k8s.ts declares it. */
function gpuDeployment(name: string, opts: { gpus?: number; gpuClass?: string; replicas?: number; strategy?: unknown; namespace?: string } = {}): FakeResource {
    return {
        type: "kubernetes:apps/v1:Deployment",
        name: `model-${name}`,
        props: {
            metadata: { name, namespace: opts.namespace ?? NS },
            spec: {
                replicas: opts.replicas ?? 1,
                strategy: opts.strategy ?? { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                template: {
                    spec: {
                        nodeSelector: { "genai.io/gpu-class": opts.gpuClass ?? "a10g" },
                        containers: [{ name: "server", resources: { limits: { cpu: "6", memory: "24576Mi", "nvidia.com/gpu": String(opts.gpus ?? 1) } } }],
                    },
                },
            },
        },
    };
}

const scaledObject = (target: string, maxReplicaCount: number | undefined, namespace = NS): FakeResource => ({
    type: "kubernetes:keda.sh/v1alpha1:ScaledObject",
    name: `model-${target}-autoscaler`,
    props: { metadata: { name: target, namespace }, spec: { scaleTargetRef: { name: target }, minReplicaCount: 1, maxReplicaCount } },
});

const group = (maxSize: number, instanceTypes = ["g5.2xlarge"], gpuClass = "a10g"): FakeResource => ({
    ...gpuNodeGroup({ instanceTypes, labels: { "genai.io/gpu-class": gpuClass }, scalingConfig: { desiredSize: 1, minSize: 1, maxSize } }),
    name: `cluster-gpu-${gpuClass}`,
});

/** prod: llm and image at 5 replicas each plus one surge pod each: 12 GPUs. */
const PROD = [gpuDeployment("llm-stable"), scaledObject("llm-stable", 5), gpuDeployment("image-stable"), scaledObject("image-stable", 5)];

describe("policy gpu-capacity-covers-autoscalers", () => {
    it("passes node groups that hold every Deployment of their class at its maximum plus its surge (exactly, too)", async () => {
        expect(await stackViolations(policy, [group(12), ...PROD])).to.deep.equal([]);
        expect(await stackViolations(policy, [group(20), ...PROD])).to.deep.equal([]);
    });

    it("passes CPU Deployments (no GPU limit), and a stack without GPU Deployments", async () => {
        const cpu = gpuDeployment("api", { gpus: 0 });
        expect(await stackViolations(policy, [group(1), cpu, scaledObject("api", 50)])).to.deep.equal([]);
        expect(await stackViolations(policy, [group(0)])).to.deep.equal([]);
    });

    it("fails a class whose node groups are too small, naming the groups and each Deployment's count", async () => {
        const small = group(11);
        expect(await stackViolations(policy, [small, ...PROD])).to.deep.equal([
            {
                message:
                    "GPU class a10g: its node groups hold at most 11 GPUs (cluster-gpu-a10g: maxSize 11 x 1 GPU of g5.2xlarge), but its Deployments may ask for 12 " +
                    "at their autoscalers' maxima during a rollout: llm-stable (5 max + 1 surge) x 1, image-stable (5 max + 1 surge) x 1.",
                urn: urnOf(small),
            },
        ]);
    });

    it("counts each node as the group's smallest type, multi-GPU pods, percentage and Recreate surges, KEDA's default maximum, and Deployments without a ScaledObject in their namespace", async () => {
        const mixed = group(4, ["g5.12xlarge", "g5.2xlarge"]);
        const resources = [
            mixed,
            gpuDeployment("llm-stable", { gpus: 2, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%" } } }),
            scaledObject("llm-stable", 3),
            gpuDeployment("batch", { strategy: { type: "Recreate" }, replicas: 2 }),
            gpuDeployment("image-stable", { strategy: {} }),
            scaledObject("image-stable", undefined),
            scaledObject("batch", 7, "other-namespace"),
        ];
        expect(await stackViolations(policy, resources)).to.deep.equal([
            {
                message:
                    "GPU class a10g: its node groups hold at most 4 GPUs (cluster-gpu-a10g: maxSize 4 x 1 GPU of g5.2xlarge), but its Deployments may ask for 135 " +
                    "at their autoscalers' maxima during a rollout: llm-stable (3 max + 1 surge) x 2, batch (2 replicas + 0 surge) x 1, image-stable (100 max + 25 surge) x 1.",
                urn: urnOf(mixed),
            },
        ]);
    });

    it("fails a class no node group is labelled with, on its first Deployment", async () => {
        const h100 = gpuDeployment("big", { gpuClass: "h100", gpus: 8 });
        expect(await stackViolations(policy, [group(12), ...PROD, h100, scaledObject("big", 1)])).to.deep.equal([
            {
                message: "GPU class h100: no node group is labelled genai.io/gpu-class=h100, but its Deployments may ask for 16 at their autoscalers' maxima during a rollout: big (1 max + 1 surge) x 8.",
                urn: urnOf(h100),
            },
        ]);
    });

    it("fails a class whose node group has no instance type the catalog knows", async () => {
        const unknown = group(12, ["g7.xlarge"]);
        expect(await stackViolations(policy, [unknown, ...PROD])).to.deep.equal([
            {
                message:
                    "GPU class a10g: its node groups hold at most 0 GPUs (cluster-gpu-a10g: maxSize 12 x 0 GPUs, no instance type catalog/gpu.ts knows), but its Deployments may ask for 12 " +
                    "at their autoscalers' maxima during a rollout: llm-stable (5 max + 1 surge) x 1, image-stable (5 max + 1 surge) x 1.",
                urn: urnOf(unknown),
            },
        ]);
    });
});
