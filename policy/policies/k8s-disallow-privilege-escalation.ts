import { ResourceValidationPolicy } from "@pulumi/policy";
import { validatePodSpecs } from "../lib/kubernetes";
import { asObject } from "../lib/props";

/** Every container sets allowPrivilegeEscalation: false (Checkov CKV_K8S_20, PSS restricted). */
export const k8sDisallowPrivilegeEscalation: ResourceValidationPolicy = {
    name: "k8s-disallow-privilege-escalation",
    description: "Every container sets securityContext.allowPrivilegeEscalation: false explicitly (Checkov CKV_K8S_20, Pod Security Standards restricted).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set securityContext: { allowPrivilegeEscalation: false } on every container and init container.",
    validateResource: validatePodSpecs((_pod, containers, reportViolation) => {
        for (const c of containers.filter((c) => asObject(c.spec.securityContext)?.allowPrivilegeEscalation !== false)) {
            reportViolation(`${c.label} does not set securityContext.allowPrivilegeEscalation: false (CKV_K8S_20).`);
        }
    }),
};
