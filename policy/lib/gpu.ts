import { asString, asStrings, Props } from "./props";

/** EC2 GPU families: g (g4dn, g5, g6, g6e, ...), gr6, and p (p4d, p5, ...). */
const GPU_FAMILY = /^(?:g\d+[a-z]*|gr\d+|p\d+[a-z]*)\./;

/** Whether an EC2 instance type carries GPUs. */
export function isGpuInstanceType(instanceType: string): boolean {
    return GPU_FAMILY.test(instanceType);
}

/** The GPU instance types a node group lists. */
export function gpuInstanceTypes(props: Props): string[] {
    return asStrings(props.instanceTypes).filter(isGpuInstanceType);
}

/** Whether a node group runs GPU nodes: a GPU instance type, or an NVIDIA/GPU AMI type. */
export function isGpuNodeGroup(props: Props): boolean {
    const amiType = asString(props.amiType) ?? "";
    return gpuInstanceTypes(props).length > 0 || /NVIDIA|GPU/.test(amiType);
}
