import { ResourceValidationPolicy } from "@pulumi/policy";
import { validatePodSpecs } from "../lib/kubernetes";
import { policyConfig } from "../lib/policy";
import { asList, asNumber, asObject } from "../lib/props";

interface Config {
    /** Node ports a container may bind with hostPort (the known list the standard allows). */
    readonly allowedHostPorts: readonly number[];
}

const DEFAULTS: Config = { allowedHostPorts: [] };

/** Containers bind no port of the node (hostPort), unless listed (Pod Security Standards baseline "Host Ports", Checkov CKV_K8S_26). */
export const k8sDisallowHostPorts: ResourceValidationPolicy = {
    name: "k8s-disallow-host-ports",
    description:
        "No container binds a port of the node through hostPort, unless the stack's policy config lists it (Pod Security Standards baseline; Checkov CKV_K8S_26).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Remove ports[].hostPort and reach the pod through a Service (or the ALB's TargetGroupBinding); list a port that must be bound in " +
        "k8s-disallow-host-ports.allowedHostPorts only after a review.",
    configSchema: {
        properties: {
            allowedHostPorts: {
                type: "array",
                items: { type: "integer", minimum: 1, maximum: 65535 },
                default: [...DEFAULTS.allowedHostPorts],
                description: "Node ports containers may bind with hostPort",
            },
        },
    },
    validateResource: validatePodSpecs((_pod, containers, reportViolation, _metadata, args) => {
        const { allowedHostPorts } = policyConfig<Config>(args, DEFAULTS);
        for (const c of containers) {
            for (const port of asList(c.spec.ports).map((p) => asObject(p) ?? {})) {
                const hostPort = asNumber(port.hostPort) ?? 0;
                if (hostPort === 0 || allowedHostPorts.includes(hostPort)) continue;
                reportViolation(`${c.label} binds port ${hostPort} of the node (hostPort for containerPort ${asNumber(port.containerPort) ?? "?"}) (PSS baseline, CKV_K8S_26).`);
            }
        }
    }),
};
