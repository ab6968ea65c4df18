import { GPU_INSTANCE_TYPES, isGpuInstanceType } from "../../catalog/gpu";
import { asString, asStrings, Props } from "./props";

/** The GPU instance types a node group lists. */
export function gpuInstanceTypes(props: Props): string[] {
    return asStrings(props.instanceTypes).filter(isGpuInstanceType);
}

/** Whether a node group runs GPU nodes: a GPU instance type, or an NVIDIA/GPU AMI type. */
export function isGpuNodeGroup(props: Props): boolean {
    const amiType = asString(props.amiType) ?? "";
    return gpuInstanceTypes(props).length > 0 || /NVIDIA|GPU/.test(amiType);
}

/** Node label naming a GPU node group's class; GPU pods select it in their nodeSelector. */
export const GPU_CLASS_LABEL = "genai.io/gpu-class";

/** The extended resource the NVIDIA device plugin advertises, and the key of the GPU nodes' taint. */
export const NVIDIA_GPU = "nvidia.com/gpu";

/**
 * The smallest instance type of a node group by GPUs per instance (catalog/gpu.ts), with its GPUs;
 * undefined when the catalog knows none of its types.
 */
export function smallestGpuType(props: Props): { type: string; gpus: number } | undefined {
    return asStrings(props.instanceTypes)
        .filter((t) => GPU_INSTANCE_TYPES[t] !== undefined)
        .map((type) => ({ type, gpus: GPU_INSTANCE_TYPES[type].gpus }))
        .sort((a, b) => a.gpus - b.gpus)[0];
}
