import { ResourceValidationPolicy } from "@pulumi/policy";
import { securityContextOf, validatePodSpecs } from "../lib/kubernetes";
import { asString } from "../lib/props";

/** Containers see /proc masked as usual: procMount is Default or unset (Pod Security Standards baseline "/proc Mount Type"). */
export const k8sRequireDefaultProcMount: ResourceValidationPolicy = {
    name: "k8s-require-default-proc-mount",
    description: "No container sets securityContext.procMount other than Default, which would unmask /proc (Pod Security Standards baseline).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Remove securityContext.procMount (or set it to \"Default\") on every container.",
    validateResource: validatePodSpecs((_pod, containers, reportViolation) => {
        for (const c of containers) {
            const procMount = asString(securityContextOf(c.spec).procMount);
            if (procMount !== undefined && procMount !== "Default") {
                reportViolation(`${c.label} sets procMount: ${procMount}; only Default is allowed (PSS baseline).`);
            }
        }
    }),
};
