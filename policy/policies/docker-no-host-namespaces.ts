import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { DOCKER } from "../lib/types";

const MODES = [
    { field: "networkMode", namespace: "network" },
    { field: "pidMode", namespace: "process" },
    { field: "ipcMode", namespace: "IPC" },
] as const;

/** Docker containers do not share the host's network, process or IPC namespace (CIS Docker Benchmark, section 5). */
export const dockerNoHostNamespaces: ResourceValidationPolicy = {
    name: "docker-no-host-namespaces",
    description:
        "Docker containers do not share the host's network, process or IPC namespace: networkMode, pidMode and ipcMode are not \"host\" (CIS Docker Benchmark, section 5).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Attach the container to the platform's Docker networks (networksAdvanced) and publish ports bound to 127.0.0.1.",
    validateResource: validateTypes([DOCKER.container], (props, _args, reportViolation) => {
        for (const { field, namespace } of MODES.filter(({ field }) => props[field] === "host")) {
            reportViolation(`${field} is "host": the container shares the host's ${namespace} namespace (CIS Docker 5).`);
        }
    }),
};
