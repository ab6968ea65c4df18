/**
 * The GPU instance types the platform may run: shape and price in one table. The stack config
 * accepts exactly these types, the node groups size from them, the policy pack's allowlist and
 * the cost estimator read them, so a type is either fully known or refused everywhere.
 */
import { Evidence, readOn } from "./evidence";

/** The GPU model of an instance family, as the node group classes name it. */
export type GpuModel = "T4" | "A10G" | "L4" | "L40S" | "A100" | "H100";

export interface GpuInstanceType {
    /** GPU model on the instance. */
    readonly gpu: GpuModel;
    /** GPUs per instance. */
    readonly gpus: number;
    /** Memory per GPU, in GB. */
    readonly gpuMemoryGb: number;
    readonly vcpus: number;
    readonly memoryGib: number;
    /** us-east-1 on-demand Linux price per instance-hour, USD. */
    readonly usdPerHour: number;
    /** Year and month the price was read. */
    readonly priceAsOf: string;
    readonly evidence: readonly Evidence[];
}

const GPU_MEMORY_GB: Readonly<Record<GpuModel, number>> = { T4: 16, A10G: 24, L4: 24, L40S: 48, A100: 40, H100: 80 };

const family = (name: string): Evidence => readOn(`https://aws.amazon.com/ec2/instance-types/${name}/`, "vCPUs, memory and GPUs per size");
const vantage = (type: string): Evidence =>
    readOn(`https://instances.vantage.sh/aws/ec2/${type}`, "us-east-1 on-demand Linux, data as of 2026-01 (after the June 2025 GPU price cut)");

function row(type: string, gpu: GpuModel, gpus: number, vcpus: number, memoryGib: number, usdPerHour: number): [string, GpuInstanceType] {
    const familyName = type.split(".")[0];
    return [type, { gpu, gpus, gpuMemoryGb: GPU_MEMORY_GB[gpu], vcpus, memoryGib, usdPerHour, priceAsOf: "2026-01", evidence: [family(familyName), vantage(type)] }];
}

/** Every GPU instance type the platform knows, with its shape and price. */
export const GPU_INSTANCE_TYPES: Readonly<Record<string, GpuInstanceType>> = Object.fromEntries([
    row("g4dn.xlarge", "T4", 1, 4, 16, 0.526),
    row("g4dn.2xlarge", "T4", 1, 8, 32, 0.752),
    row("g5.xlarge", "A10G", 1, 4, 16, 1.006),
    row("g5.2xlarge", "A10G", 1, 8, 32, 1.212),
    row("g5.4xlarge", "A10G", 1, 16, 64, 1.624),
    row("g5.12xlarge", "A10G", 4, 48, 192, 5.672),
    row("g5.48xlarge", "A10G", 8, 192, 768, 16.288),
    row("g6.xlarge", "L4", 1, 4, 16, 0.8048),
    row("g6.2xlarge", "L4", 1, 8, 32, 0.9776),
    row("g6e.xlarge", "L40S", 1, 4, 32, 1.861),
    row("p4d.24xlarge", "A100", 8, 96, 1152, 21.957642),
    row("p5.48xlarge", "H100", 8, 192, 2048, 55.04),
]);

/** The GPU instance types, in table order. */
export const GPU_INSTANCE_TYPE_NAMES: readonly string[] = Object.keys(GPU_INSTANCE_TYPES);

/** EC2 GPU families: g (g4dn, g5, g6, g6e, ...), gr6, and p (p4d, p5, ...); known to the table or not. */
const GPU_FAMILY = /^(?:g\d+[a-z]*|gr\d+|p\d+[a-z]*)\./;

/** Whether an EC2 instance type carries GPUs, whether or not the table knows it. */
export function isGpuInstanceType(instanceType: string): boolean {
    return GPU_FAMILY.test(instanceType);
}

/**
 * What one pod can get on a node of this shape, after the kubelet's reservations and the node
 * agents (VPC CNI, kube-proxy, CSI drivers, device plugin, DCGM exporter, log shipper): one vCPU,
 * and a tenth of the memory plus 2 GiB, kept back.
 */
export function podAllocatable(shape: Pick<GpuInstanceType, "vcpus" | "memoryGib" | "gpus">): { cpus: number; memoryMb: number; gpus: number } {
    return { cpus: shape.vcpus - 1, memoryMb: Math.floor((shape.memoryGib * 0.9 - 2) * 1024), gpus: shape.gpus };
}
