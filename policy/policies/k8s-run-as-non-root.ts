import { ResourceValidationPolicy } from "@pulumi/policy";
import { securityContextOf, validatePodSpecs } from "../lib/kubernetes";
import { asNumber } from "../lib/props";

/**
 * Containers run as non-root: runAsNonRoot true on the pod or on every container (a container's false
 * overrides the pod's true), and runAsUser 0 nowhere (Pod Security Standards restricted, "Running as
 * Non-root" and "Running as Non-root user"; Checkov CKV_K8S_23, and CKV_K8S_40 as far as uid 0 goes).
 */
export const k8sRunAsNonRoot: ResourceValidationPolicy = {
    name: "k8s-run-as-non-root",
    description:
        "Every container, init container and ephemeral container runs with runAsNonRoot: true (set on the pod or the container) and no " +
        "securityContext sets runAsUser: 0 (Pod Security Standards restricted; Checkov CKV_K8S_23, CKV_K8S_40).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set securityContext: { runAsNonRoot: true, runAsUser: <the image's non-root uid> } on the pod spec (components/inference/model-k8s.ts " +
        "takes the uid from the catalog's engine or image contract), and remove runAsNonRoot: false / runAsUser: 0 from containers.",
    validateResource: validatePodSpecs((pod, containers, reportViolation) => {
        const podContext = securityContextOf(pod);
        if (asNumber(podContext.runAsUser) === 0) {
            reportViolation("the pod's securityContext sets runAsUser: 0, root (PSS restricted, CKV_K8S_23, CKV_K8S_40).");
        }
        for (const c of containers) {
            const context = securityContextOf(c.spec);
            if (context.runAsNonRoot === false) {
                reportViolation(`${c.label} sets runAsNonRoot: false (PSS restricted, CKV_K8S_23).`);
            } else if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true) {
                reportViolation(`${c.label} may run as root: neither its securityContext nor the pod's sets runAsNonRoot: true (PSS restricted, CKV_K8S_23).`);
            }
            if (asNumber(context.runAsUser) === 0) {
                reportViolation(`${c.label} sets runAsUser: 0, root (PSS restricted, CKV_K8S_23, CKV_K8S_40).`);
            }
        }
    }),
};
