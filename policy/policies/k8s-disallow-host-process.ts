import { ResourceValidationPolicy } from "@pulumi/policy";
import { securityContextOf, validatePodSpecs } from "../lib/kubernetes";
import { asObject, Props } from "../lib/props";

const isHostProcess = (context: Props): boolean => asObject(context.windowsOptions)?.hostProcess === true;

/** No Windows HostProcess pod or container, which runs with the node's privileges (Pod Security Standards baseline "HostProcess"). */
export const k8sDisallowHostProcess: ResourceValidationPolicy = {
    name: "k8s-disallow-host-process",
    description: "No pod or container sets securityContext.windowsOptions.hostProcess: true (Pod Security Standards baseline).",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Remove windowsOptions.hostProcess from the pod's and the containers' securityContext.",
    validateResource: validatePodSpecs((pod, containers, reportViolation) => {
        if (isHostProcess(securityContextOf(pod))) {
            reportViolation("the pod's securityContext sets windowsOptions.hostProcess: true: it runs on the node as a host process (PSS baseline).");
        }
        for (const c of containers.filter((c) => isHostProcess(securityContextOf(c.spec)))) {
            reportViolation(`${c.label} sets windowsOptions.hostProcess: true: it runs on the node as a host process (PSS baseline).`);
        }
    }),
};
