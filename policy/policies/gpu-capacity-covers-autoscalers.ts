import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { GPU_CLASS_LABEL, NVIDIA_GPU, smallestGpuType } from "../lib/gpu";
import { asList, asNumber, asObject, asString, Props } from "../lib/props";
import { AWS, K8S } from "../lib/types";

/** KEDA's maxReplicaCount when a ScaledObject sets none. */
const KEDA_DEFAULT_MAX_REPLICAS = 100;
/** Kubernetes' maxSurge when a Deployment's rolling update sets none. */
const DEFAULT_MAX_SURGE = "25%";

/** What one GPU Deployment may hold at once: its most replicas plus its rollout surge, times its pod's GPUs. */
interface Demand {
    readonly deployment: PolicyResource;
    readonly name: string;
    readonly replicas: number;
    /** Whether `replicas` is a ScaledObject's maxReplicaCount (or the Deployment's own replicas). */
    readonly autoscaled: boolean;
    readonly surge: number;
    readonly gpus: number;
}

const namespaceOf = (props: Props): string => asString(asObject(props.metadata)?.namespace) ?? "default";
const nameOf = (props: Props): string | undefined => asString(asObject(props.metadata)?.name);

/** GPUs one pod holds: its containers' nvidia.com/gpu limits, or its largest init container's if larger. */
function podGpus(podSpec: Props): number {
    const limit = (container: unknown): number => asNumber(asObject(asObject(asObject(container)?.resources)?.limits)?.[NVIDIA_GPU]) ?? 0;
    const running = asList(podSpec.containers).reduce((sum: number, c) => sum + limit(c), 0);
    return Math.max(running, ...asList(podSpec.initContainers).map(limit));
}

/** Pods a rolling update adds above `replicas`: maxSurge as a number or a percentage (rounded up), 0 for Recreate. */
function rolloutSurge(spec: Props, replicas: number): number {
    const strategy = asObject(spec.strategy);
    if (asString(strategy?.type) === "Recreate") return 0;
    const maxSurge = asObject(strategy?.rollingUpdate)?.maxSurge ?? DEFAULT_MAX_SURGE;
    if (typeof maxSurge === "string" && maxSurge.endsWith("%")) return Math.ceil((replicas * Number(maxSurge.slice(0, -1))) / 100);
    return asNumber(maxSurge) ?? 0;
}

/** The most replicas a ScaledObject targeting the Deployment allows (the largest, if several do). */
function autoscalerMax(deployment: Props, scaledObjects: readonly PolicyResource[]): number | undefined {
    const maxima = scaledObjects
        .filter((so) => {
            const target = asObject(asObject(so.props.spec)?.scaleTargetRef) ?? {};
            const kind = asString(target.kind) ?? "Deployment";
            return kind === "Deployment" && asString(target.name) === nameOf(deployment) && namespaceOf(so.props) === namespaceOf(deployment);
        })
        .map((so) => asNumber(asObject(so.props.spec)?.maxReplicaCount) ?? KEDA_DEFAULT_MAX_REPLICAS);
    return maxima.length > 0 ? Math.max(...maxima) : undefined;
}

/** The GPU class and demand of a Deployment whose pods ask for GPUs and select a GPU class. */
function demandOf(deployment: PolicyResource, scaledObjects: readonly PolicyResource[]): { gpuClass: string; demand: Demand } | undefined {
    const spec = asObject(deployment.props.spec) ?? {};
    const podSpec = asObject(asObject(spec.template)?.spec) ?? {};
    const gpuClass = asString(asObject(podSpec.nodeSelector)?.[GPU_CLASS_LABEL]);
    const gpus = podGpus(podSpec);
    if (gpuClass === undefined || gpus === 0) return undefined;
    const max = autoscalerMax(deployment.props, scaledObjects);
    const replicas = max ?? asNumber(spec.replicas) ?? 1;
    const name = nameOf(deployment.props) ?? deployment.name;
    return { gpuClass, demand: { deployment, name, replicas, autoscaled: max !== undefined, surge: rolloutSurge(spec, replicas), gpus } };
}

const gpusOf = (d: Demand): number => (d.replicas + d.surge) * d.gpus;
const describeDemand = (d: Demand): string => `${d.name} (${d.replicas} ${d.autoscaled ? "max" : "replicas"} + ${d.surge} surge) x ${d.gpus}`;

/** A node group's GPUs at its maximum size, counting each node as its smallest instance type. */
function capacityOf(group: PolicyResource): { gpus: number; text: string } {
    const maxSize = asNumber(asObject(group.props.scalingConfig)?.maxSize) ?? 0;
    const smallest = smallestGpuType(group.props);
    const text = smallest
        ? `${group.name}: maxSize ${maxSize} x ${smallest.gpus} GPU of ${smallest.type}`
        : `${group.name}: maxSize ${maxSize} x 0 GPUs, no instance type catalog/gpu.ts knows`;
    return { gpus: maxSize * (smallest?.gpus ?? 0), text };
}

/**
 * Per GPU class, the node groups labelled with it can hold what its Deployments may ask for: the
 * groups' scalingConfig.maxSize x GPUs per instance (their smallest type in catalog/gpu.ts) is at
 * least the sum over the Deployments selecting the class of (their KEDA ScaledObject's
 * maxReplicaCount + the rolling update's maxSurge) x the pod's nvidia.com/gpu limit. A Deployment
 * links to its class by nodeSelector genai.io/gpu-class, a ScaledObject to its Deployment by
 * spec.scaleTargetRef.name and namespace; a Deployment no ScaledObject targets counts its replicas.
 */
export const gpuCapacityCoversAutoscalers: StackValidationPolicy = {
    name: "gpu-capacity-covers-autoscalers",
    description:
        "Per GPU class, the node groups' maxSize x GPUs per instance covers the class's Deployments at their KEDA maxReplicaCount " +
        "plus their rollout surge, times each pod's nvidia.com/gpu limit; otherwise scaled-out or surge pods stay Pending.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Raise maxSize of the class's entry in genai-platform:gpuNodeGroups (Pulumi.<stack>.yaml), or lower the models' replicas.max; " +
        "check the node group's label genai.io/gpu-class matches the Deployments' nodeSelector and each ScaledObject's scaleTargetRef.",
    validateStack: (args, reportViolation) => {
        const scaledObjects = args.resources.filter((r) => r.type === K8S.scaledObject);
        const groups = args.resources.filter((r) => r.type === AWS.eksNodeGroup);
        const demands = new Map<string, Demand[]>();
        for (const deployment of args.resources.filter((r) => r.type === K8S.deployment)) {
            const found = demandOf(deployment, scaledObjects);
            if (found) demands.set(found.gpuClass, [...(demands.get(found.gpuClass) ?? []), found.demand]);
        }
        for (const [gpuClass, classDemands] of demands) {
            const needed = classDemands.reduce((sum, d) => sum + gpusOf(d), 0);
            const classGroups = groups.filter((g) => asString(asObject(g.props.labels)?.[GPU_CLASS_LABEL]) === gpuClass);
            const capacities = classGroups.map(capacityOf);
            const available = capacities.reduce((sum, c) => sum + c.gpus, 0);
            if (available >= needed) continue;
            const supply =
                classGroups.length === 0
                    ? `no node group is labelled ${GPU_CLASS_LABEL}=${gpuClass}`
                    : `its node groups hold at most ${available} GPUs (${capacities.map((c) => c.text).join("; ")})`;
            reportViolation(
                `GPU class ${gpuClass}: ${supply}, but its Deployments may ask for ${needed} at their autoscalers' maxima during a rollout: ` +
                    `${classDemands.map(describeDemand).join(", ")}.`,
                (classGroups[0] ?? classDemands[0].deployment).urn,
            );
        }
    },
};
