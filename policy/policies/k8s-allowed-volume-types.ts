import { ResourceValidationPolicy } from "@pulumi/policy";
import { validatePodSpecs } from "../lib/kubernetes";
import { asList, asObject, asString } from "../lib/props";

/** The volume sources the restricted profile allows. */
const ALLOWED = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

/**
 * Pods use only the volume types the restricted profile allows; others (hostPath, nfs, awsElasticBlockStore,
 * ...) reach storage directly instead of through a PersistentVolume the cluster's administrators define
 * (Pod Security Standards restricted "Volume Types").
 */
export const k8sAllowedVolumeTypes: ResourceValidationPolicy = {
    name: "k8s-allowed-volume-types",
    description: `Kubernetes workloads use only the volume types ${ALLOWED.join(", ")} (Pod Security Standards restricted).`,
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Replace the volume with a persistentVolumeClaim (storage through a StorageClass such as gp3-encrypted or the EFS CSI driver), " +
        "an emptyDir, a configMap, a secret or a projected volume.",
    validateResource: validatePodSpecs((pod, _containers, reportViolation) => {
        for (const volume of asList(pod.volumes).map((v) => asObject(v) ?? {})) {
            const types = Object.keys(volume).filter((key) => key !== "name" && volume[key] !== undefined && volume[key] !== null);
            const refused = types.filter((type) => !ALLOWED.includes(type));
            if (refused.length > 0) {
                reportViolation(
                    `volume ${asString(volume.name) ?? "unnamed"} is of type ${refused.join(", ")}; the restricted profile allows only ${ALLOWED.join(", ")} (PSS restricted).`,
                );
            }
        }
    }),
};
