import { ResourceValidationPolicy } from "@pulumi/policy";
import { validatePodSpecs } from "../lib/kubernetes";
import { asList, asObject, asString } from "../lib/props";

/** Pods mount no hostPath volume (Pod Security Standards baseline). */
export const k8sNoHostPathVolumes: ResourceValidationPolicy = {
    name: "k8s-no-host-path-volumes",
    description: "Kubernetes workloads mount no hostPath volume (Pod Security Standards baseline).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Use an emptyDir (medium: Memory for /dev/shm), a PersistentVolumeClaim, a ConfigMap or a Secret instead of hostPath.",
    validateResource: validatePodSpecs((pod, _containers, reportViolation) => {
        for (const volume of asList(pod.volumes).map((v) => asObject(v) ?? {})) {
            const hostPath = asObject(volume.hostPath);
            if (hostPath) {
                reportViolation(`volume ${asString(volume.name) ?? "unnamed"} mounts the node's ${asString(hostPath.path) ?? "path"} (hostPath, PSS baseline).`);
            }
        }
    }),
};
