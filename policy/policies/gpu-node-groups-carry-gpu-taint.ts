import { ResourceValidationPolicy } from "@pulumi/policy";
import { isGpuNodeGroup, NVIDIA_GPU } from "../lib/gpu";
import { validateTypes } from "../lib/policy";
import { asList, asObject, asString } from "../lib/props";
import { AWS } from "../lib/types";

const EFFECT = "NO_SCHEDULE";

/**
 * GPU node groups are tainted nvidia.com/gpu with effect NO_SCHEDULE, so only pods that tolerate it
 * (the GPU workloads, and the device plugin and DCGM exporter) land on GPU nodes, and a CPU pod never
 * keeps a GPU node from scaling in (AWS EKS Best Practices Guide, AI/ML compute: taint GPU nodes;
 * NVIDIA k8s-device-plugin README: its DaemonSet tolerates nvidia.com/gpu:NoSchedule).
 */
export const gpuNodeGroupsCarryGpuTaint: ResourceValidationPolicy = {
    name: "gpu-node-groups-carry-gpu-taint",
    description:
        "GPU node groups carry the taint nvidia.com/gpu with effect NO_SCHEDULE, so only GPU workloads run on GPU nodes " +
        "(AWS EKS Best Practices Guide, AI/ML; NVIDIA k8s-device-plugin, which tolerates that taint).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Add taints: [{ key: \"nvidia.com/gpu\", value: \"true\", effect: \"NO_SCHEDULE\" }] to the GPU aws.eks.NodeGroup " +
        "(components/cluster/eks.ts GPU_TAINT), and the matching toleration (operator Exists, effect NoSchedule) to the GPU pods.",
    validateResource: validateTypes([AWS.eksNodeGroup], (props, _args, reportViolation) => {
        if (!isGpuNodeGroup(props)) return;
        const taints = asList(props.taints)
            .map((t) => asObject(t) ?? {})
            .filter((t) => t.key === NVIDIA_GPU);
        if (taints.some((t) => t.effect === EFFECT)) return;
        if (taints.length === 0) {
            reportViolation(`the GPU node group has no taint ${NVIDIA_GPU} with effect ${EFFECT}: pods that ask for no GPU can be scheduled on its nodes and keep them running.`);
        } else {
            const effects = taints.map((t) => asString(t.effect) ?? "(none)").join(", ");
            reportViolation(`the GPU node group's taint ${NVIDIA_GPU} has effect ${effects}, not ${EFFECT}: pods that ask for no GPU can still be scheduled on its nodes.`);
        }
    }),
};
