import { ResourceValidationPolicy } from "@pulumi/policy";
import { validatePodSpecs } from "../lib/kubernetes";

const HOST_NAMESPACES = [
    { field: "hostNetwork", rule: "CKV_K8S_19" },
    { field: "hostPID", rule: "CKV_K8S_17" },
    { field: "hostIPC", rule: "CKV_K8S_18" },
] as const;

/** Pods do not share the node's network, PID or IPC namespace (PSS baseline, Checkov CKV_K8S_17/18/19). */
export const k8sNoHostNamespaces: ResourceValidationPolicy = {
    name: "k8s-no-host-namespaces",
    description: "Kubernetes workloads do not use hostNetwork, hostPID or hostIPC (Pod Security Standards baseline, Checkov CKV_K8S_17, CKV_K8S_18, CKV_K8S_19).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Remove hostNetwork, hostPID and hostIPC from the pod spec; expose ports through a Service.",
    validateResource: validatePodSpecs((pod, _containers, reportViolation) => {
        for (const { field, rule } of HOST_NAMESPACES.filter(({ field }) => pod[field] === true)) {
            reportViolation(`the pod spec sets ${field}: true (PSS baseline, ${rule}).`);
        }
    }),
};
