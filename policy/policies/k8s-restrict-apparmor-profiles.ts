import { ResourceValidationPolicy } from "@pulumi/policy";
import { securityContextOf, validatePodSpecs } from "../lib/kubernetes";
import { asObject, asString } from "../lib/props";

const ALLOWED_TYPES = ["RuntimeDefault", "Localhost"];
const ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

const annotationAllowed = (value: string): boolean => value === "runtime/default" || value.startsWith("localhost/");

/**
 * AppArmor is never turned off: appArmorProfile.type is RuntimeDefault or Localhost where set, and the
 * legacy per-container annotations name runtime/default or localhost/<profile> (Pod Security Standards
 * baseline "AppArmor").
 */
export const k8sRestrictApparmorProfiles: ResourceValidationPolicy = {
    name: "k8s-restrict-apparmor-profiles",
    description:
        "No pod or container overrides AppArmor with Unconfined: appArmorProfile.type and the container.apparmor annotations name only the " +
        "runtime default or a localhost profile (Pod Security Standards baseline).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Remove appArmorProfile (the runtime's default applies) or set { type: \"RuntimeDefault\" }; remove container.apparmor.security.beta.kubernetes.io " +
        "annotations set to unconfined.",
    validateResource: validatePodSpecs((pod, containers, reportViolation, metadata) => {
        const podType = asString(asObject(securityContextOf(pod).appArmorProfile)?.type);
        if (podType !== undefined && !ALLOWED_TYPES.includes(podType)) {
            reportViolation(`the pod's securityContext.appArmorProfile.type is ${podType}; only RuntimeDefault or Localhost is allowed (PSS baseline).`);
        }
        for (const c of containers) {
            const type = asString(asObject(securityContextOf(c.spec).appArmorProfile)?.type);
            if (type !== undefined && !ALLOWED_TYPES.includes(type)) {
                reportViolation(`${c.label} sets appArmorProfile.type ${type}; only RuntimeDefault or Localhost is allowed (PSS baseline).`);
            }
        }
        for (const [key, value] of Object.entries(asObject(metadata.annotations) ?? {})) {
            const profile = asString(value) ?? "";
            if (key.startsWith(ANNOTATION_PREFIX) && !annotationAllowed(profile)) {
                reportViolation(`the pod's annotation ${key} is ${profile}; only runtime/default or localhost/<profile> is allowed (PSS baseline).`);
            }
        }
    }),
};
