/**
 * The EC2 vCPU quotas a cloud stack's GPU node groups need at their maxima. AWS counts running G and VT
 * instances against one On-Demand quota and one Spot quota per Region, in vCPUs; both are 0 or small in
 * a new account, and a node group beyond them simply never gets its nodes.
 */
import { G_AND_VT_FAMILY, GPU_VCPU_QUOTAS } from "../../catalog/aws";
import { GPU_INSTANCE_TYPES } from "../../catalog/gpu";
import { GpuNodeGroupConfig } from "../../stacks/config";

/** One quota and the vCPUs the stack needs of it. */
export interface QuotaNeed {
    /** Service Quotas code of the quota (service `ec2`). */
    readonly code: string;
    readonly name: string;
    /** vCPUs the node groups use when every one runs at its maxSize on its largest instance type. */
    readonly vcpus: number;
}

/**
 * The On-Demand and the Spot "G and VT" vCPUs the node groups need at their maxima: maxSize times the
 * vCPUs of the group's largest instance type, summed by capacity type. Capacity Blocks are reserved
 * capacity outside these quotas, and P instances count against quotas of their own.
 */
export function gpuQuotaNeeds(groups: readonly Pick<GpuNodeGroupConfig, "instanceTypes" | "capacityType" | "maxSize">[]): QuotaNeed[] {
    const need = (capacityType: GpuNodeGroupConfig["capacityType"]) =>
        groups
            .filter((g) => g.capacityType === capacityType)
            .map((g) => g.maxSize * Math.max(0, ...g.instanceTypes.filter((t) => G_AND_VT_FAMILY.test(t)).map((t) => GPU_INSTANCE_TYPES[t].vcpus)))
            .reduce((sum, vcpus) => sum + vcpus, 0);
    return [
        { ...GPU_VCPU_QUOTAS.onDemand, vcpus: need("ON_DEMAND") },
        { ...GPU_VCPU_QUOTAS.spot, vcpus: need("SPOT") },
    ];
}

/** One line for the terminal report. */
export function quotaLine(needs: readonly QuotaNeed[]): string {
    return `EC2 vCPU quotas the GPU node groups need at their maxima: ${needs.map((n) => `${n.name} ${n.vcpus} (${n.code})`).join(", ")}`;
}
