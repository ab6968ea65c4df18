import { ResourceValidationPolicy } from "@pulumi/policy";
import { securityContextOf, validatePodSpecs } from "../lib/kubernetes";
import { asObject, asString, Props } from "../lib/props";

const ALLOWED = ["RuntimeDefault", "Localhost"];

const profileType = (context: Props): string | undefined => asString(asObject(context.seccompProfile)?.type);

/**
 * Every container runs under a seccomp profile, RuntimeDefault or Localhost, set on the pod or on the
 * container; Unconfined is refused wherever it is set (Pod Security Standards restricted "Seccomp",
 * Checkov CKV_K8S_31).
 */
export const k8sSeccompRuntimeDefault: ResourceValidationPolicy = {
    name: "k8s-seccomp-runtime-default",
    description:
        "Every container runs under the RuntimeDefault or a Localhost seccomp profile, set on the pod or the container, and nothing sets " +
        "Unconfined (Pod Security Standards restricted; Checkov CKV_K8S_31).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Set securityContext: { seccompProfile: { type: \"RuntimeDefault\" } } on the pod spec, and remove seccompProfile Unconfined from containers.",
    validateResource: validatePodSpecs((pod, containers, reportViolation) => {
        const podType = profileType(securityContextOf(pod));
        if (podType !== undefined && !ALLOWED.includes(podType)) {
            reportViolation(`the pod's securityContext.seccompProfile.type is ${podType}; only RuntimeDefault or Localhost is allowed (PSS restricted, CKV_K8S_31).`);
        }
        for (const c of containers) {
            const type = profileType(securityContextOf(c.spec));
            if (type !== undefined && !ALLOWED.includes(type)) {
                reportViolation(`${c.label} sets seccompProfile.type ${type}; only RuntimeDefault or Localhost is allowed (PSS restricted, CKV_K8S_31).`);
            } else if (type === undefined && podType === undefined) {
                reportViolation(`${c.label} runs without a seccomp profile: neither its securityContext nor the pod's sets seccompProfile (PSS restricted, CKV_K8S_31).`);
            }
        }
    }),
};
