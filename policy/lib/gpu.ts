import { isGpuInstanceType } from "../../catalog/gpu";
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
