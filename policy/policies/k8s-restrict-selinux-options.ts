import { ResourceValidationPolicy } from "@pulumi/policy";
import { securityContextOf, validatePodSpecs } from "../lib/kubernetes";
import { asObject, asString, Props } from "../lib/props";

/** The SELinux types a pod may ask for ("" leaves the runtime's). */
const ALLOWED_TYPES = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

/** The seLinuxOptions fields a securityContext sets that the standard refuses, with their values. */
function refusedOptions(context: Props): string[] {
    const options = asObject(context.seLinuxOptions);
    if (!options) return [];
    const value = (field: string): string => asString(options[field]) ?? "";
    return [
        ...["user", "role"].filter((field) => value(field) !== "").map((field) => `seLinuxOptions.${field} ${value(field)}`),
        ...(ALLOWED_TYPES.includes(value("type")) ? [] : [`seLinuxOptions.type ${value("type")}`]),
    ];
}

const RULE = `only a type of ${ALLOWED_TYPES.filter((t) => t !== "").join(", ")} (and a level) may be set (PSS baseline).`;

/**
 * No custom SELinux user or role, and only the container types (Pod Security Standards baseline "SELinux").
 */
export const k8sRestrictSelinuxOptions: ResourceValidationPolicy = {
    name: "k8s-restrict-selinux-options",
    description:
        "No pod or container sets an SELinux user or role, and seLinuxOptions.type is one of container_t, container_init_t, container_kvm_t, " +
        "container_engine_t (Pod Security Standards baseline).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Remove seLinuxOptions from the pod's and the containers' securityContext, or keep only an allowed type.",
    validateResource: validatePodSpecs((pod, containers, reportViolation) => {
        const podRefused = refusedOptions(securityContextOf(pod));
        if (podRefused.length > 0) reportViolation(`the pod's securityContext sets ${podRefused.join(", ")}; ${RULE}`);
        for (const c of containers) {
            const refused = refusedOptions(securityContextOf(c.spec));
            if (refused.length > 0) reportViolation(`${c.label} sets ${refused.join(", ")}; ${RULE}`);
        }
    }),
};
