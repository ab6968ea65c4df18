import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { DOCKER } from "../lib/types";

/** Docker containers do not run privileged (CIS Docker Benchmark 5.4). */
export const dockerNoPrivilegedContainers: ResourceValidationPolicy = {
    name: "docker-no-privileged-containers",
    description: "Docker containers do not run privileged (CIS Docker Benchmark 5.4).",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Remove privileged: true; request GPUs with deviceRequests and add single capabilities only where needed.",
    validateResource: validateTypes([DOCKER.container], (props, _args, reportViolation) => {
        if (props.privileged === true) {
            reportViolation("the container runs privileged: it has every capability and all host devices (CIS Docker 5.4).");
        }
    }),
};
