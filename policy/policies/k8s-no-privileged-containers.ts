import { ResourceValidationPolicy } from "@pulumi/policy";
import { validatePodSpecs } from "../lib/kubernetes";
import { asObject } from "../lib/props";

/** No container runs privileged (Pod Security Standards baseline, Checkov CKV_K8S_16). */
export const k8sNoPrivilegedContainers: ResourceValidationPolicy = {
    name: "k8s-no-privileged-containers",
    description: "Kubernetes workloads run no privileged container (Pod Security Standards baseline, Checkov CKV_K8S_16).",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Remove securityContext.privileged; GPUs are reached through the nvidia.com/gpu resource of the device plugin, not privileged mode.",
    validateResource: validatePodSpecs((_pod, containers, reportViolation) => {
        for (const c of containers.filter((c) => asObject(c.spec.securityContext)?.privileged === true)) {
            reportViolation(`${c.label} is privileged (PSS baseline, CKV_K8S_16).`);
        }
    }),
};
