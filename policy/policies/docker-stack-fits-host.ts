import { StackValidationPolicy } from "@pulumi/policy";
import { policyConfig } from "../lib/policy";
import { asNumber, asString } from "../lib/props";
import { DOCKER } from "../lib/types";

interface Config {
    /** Memory the services' limits may add up to, MiB; 0 checks nothing (cloud stacks). */
    readonly hostMemoryMb: number;
    /** CPUs of the Docker engine; no container may ask for more. */
    readonly hostCpus: number;
}

const DEFAULTS: Config = { hostMemoryMb: 0, hostCpus: 0 };

/**
 * A dev stack fits the machine it is sized for: its long-running containers' memory limits add up to at
 * most the host's budget (one-shot jobs run before the services start), and no container asks for more
 * CPUs than the Docker engine has (Docker refuses to create it).
 */
export const dockerStackFitsHost: StackValidationPolicy = {
    name: "docker-stack-fits-host",
    description: "The Docker containers' memory limits add up to at most the host's memory budget, and none asks for more CPUs than the host has.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Lower memoryMb or cpus of the models in Pulumi.<stack>.yaml, drop the dev canary, or raise genai-platform:hostMemoryMb / hostCpus when the machine has more.",
    configSchema: {
        properties: {
            hostMemoryMb: { type: "number", default: 0, description: "Memory budget of the Docker host, MiB (from genai-platform:hostMemoryMb); 0 disables the check" },
            hostCpus: { type: "number", default: 0, description: "CPUs of the Docker engine (from genai-platform:hostCpus); 0 disables the check" },
        },
    },
    validateStack: (args, reportViolation) => {
        const { hostMemoryMb, hostCpus } = policyConfig<Config>(args, DEFAULTS);
        const containers = args.resources.filter((r) => r.type === DOCKER.container);
        if (hostMemoryMb > 0) {
            const services = containers.filter((c) => asString(c.props.restart) !== "no");
            const total = services.reduce((sum, c) => sum + (asNumber(c.props.memory) ?? 0), 0);
            if (total > hostMemoryMb) {
                const largest = [...services]
                    .sort((a, b) => (asNumber(b.props.memory) ?? 0) - (asNumber(a.props.memory) ?? 0))
                    .slice(0, 3)
                    .map((c) => `${c.name} ${asNumber(c.props.memory)} MiB`)
                    .join(", ");
                reportViolation(`the containers' memory limits add up to ${total} MiB, over the host budget of ${hostMemoryMb} MiB (largest: ${largest}).`);
            }
        }
        if (hostCpus > 0) {
            for (const c of containers) {
                const cpus = Number(asString(c.props.cpus) ?? asNumber(c.props.cpus) ?? 0);
                if (cpus > hostCpus) reportViolation(`${c.name} asks for ${cpus} CPUs; the Docker engine has ${hostCpus}, and Docker refuses the container.`, c.urn);
            }
        }
    },
};
