import { ResourceValidationPolicy } from "@pulumi/policy";
import { validatePodSpecs } from "../lib/kubernetes";
import { asObject } from "../lib/props";

/** Every container sets CPU and memory limits (Checkov CKV_K8S_10..13). */
export const k8sRequireResourceLimits: ResourceValidationPolicy = {
    name: "k8s-require-resource-limits",
    description: "Every container and init container sets resources.limits.cpu and resources.limits.memory (Checkov CKV_K8S_11, CKV_K8S_13).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set resources.limits (cpu, memory, and nvidia.com/gpu equal to its request for GPU pods) on every container.",
    validateResource: validatePodSpecs((_pod, containers, reportViolation) => {
        for (const c of containers.filter((c) => !c.ephemeral)) {
            const limits = asObject(asObject(c.spec.resources)?.limits);
            const missing = (["cpu", "memory"] as const).filter((r) => limits?.[r] === undefined || limits?.[r] === null);
            if (missing.length > 0) {
                reportViolation(`${c.label} sets no ${missing.join(" or ")} limit (CKV_K8S_11, CKV_K8S_13).`);
            }
        }
    }),
};
