/** vCPUs, memory and GPUs of an instance type. */
export interface InstanceShape {
    readonly vcpus: number;
    readonly memoryGib: number;
    readonly gpus: number;
}

function family(sizes: Record<string, [number, number, number]>, prefix: string): Record<string, InstanceShape> {
    return Object.fromEntries(Object.entries(sizes).map(([size, [vcpus, memoryGib, gpus]]) => [`${prefix}.${size}`, { vcpus, memoryGib, gpus }]));
}

const G5_G6: Record<string, [number, number, number]> = {
    xlarge: [4, 16, 1],
    "2xlarge": [8, 32, 1],
    "4xlarge": [16, 64, 1],
    "8xlarge": [32, 128, 1],
    "12xlarge": [48, 192, 4],
    "16xlarge": [64, 256, 1],
    "24xlarge": [96, 384, 4],
    "48xlarge": [192, 768, 8],
};

/** Shapes of the GPU instance types the platform supports (AWS instance type pages). */
export const GPU_INSTANCES: Readonly<Record<string, InstanceShape>> = {
    ...family({ xlarge: [4, 16, 1], "2xlarge": [8, 32, 1], "4xlarge": [16, 64, 1], "8xlarge": [32, 128, 1], "12xlarge": [48, 192, 4], "16xlarge": [64, 256, 1], metal: [96, 384, 8] }, "g4dn"),
    ...family(G5_G6, "g5"),
    ...family(G5_G6, "g6"),
    ...family({ xlarge: [4, 32, 1], "2xlarge": [8, 64, 1], "4xlarge": [16, 128, 1], "8xlarge": [32, 256, 1], "12xlarge": [48, 384, 4], "16xlarge": [64, 512, 1], "24xlarge": [96, 768, 4], "48xlarge": [192, 1536, 8] }, "g6e"),
    "p4d.24xlarge": { vcpus: 96, memoryGib: 1152, gpus: 8 },
    "p5.48xlarge": { vcpus: 192, memoryGib: 2048, gpus: 8 },
};

/**
 * What one pod can get on a node of this shape, after the kubelet's reservations and the node
 * agents (VPC CNI, kube-proxy, CSI drivers, device plugin, DCGM exporter, log shipper): one vCPU,
 * and a tenth of the memory plus 2 GiB, kept back.
 */
export function podAllocatable(shape: InstanceShape): { cpus: number; memoryMb: number; gpus: number } {
    return { cpus: shape.vcpus - 1, memoryMb: Math.floor((shape.memoryGib * 0.9 - 2) * 1024), gpus: shape.gpus };
}
