/**
 * GPU capacity: what the models of a GPU class can ask for at their autoscalers' maxima during a
 * rollout, and how many nodes of a node group that takes. The config refuses a node group that cannot
 * hold it; the policy pack refuses one sized beyond it.
 */
import { GPU_INSTANCE_TYPES } from "../catalog/gpu";
import { ModelSpec, modelVersions } from "../components/inference/model";

/** Pods a rolling update adds above a Deployment's replicas (maxSurge). */
export const ROLLOUT_SURGE = 1;

/** GPUs the models of a class may hold at once: every version at its maximum replicas plus a surge pod, times its GPUs. */
export function gpuDemand(models: readonly ModelSpec[], gpuClass: string): number {
    return models
        .filter((m) => m.gpus > 0 && m.gpuClass === gpuClass)
        .reduce((sum, m) => sum + modelVersions(m).length * (m.autoscaling.maxReplicas + ROLLOUT_SURGE) * m.gpus, 0);
}

/** Nodes a group needs for a demand, counting each node as its smallest instance type's GPUs. */
export function nodesForDemand(demand: number, instanceTypes: readonly string[]): number {
    const gpusPerNode = Math.min(...instanceTypes.map((t) => GPU_INSTANCE_TYPES[t].gpus));
    return Math.ceil(demand / gpusPerNode);
}
