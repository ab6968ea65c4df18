import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig, validateTypes } from "../lib/policy";
import { asObject, asStrings } from "../lib/props";
import { DOCKER } from "../lib/types";

interface Config {
    /** Capabilities a container may add, without the CAP_ prefix (e.g. NET_BIND_SERVICE). */
    readonly allowedCapabilities: readonly string[];
}

const DEFAULTS: Config = { allowedCapabilities: [] };

/** `cap_net_admin` and `NET_ADMIN` are the same capability to Docker. */
const canonical = (capability: string): string => capability.toUpperCase().replace(/^CAP_/, "");

/** Docker containers add no Linux capability beyond the stack's short allowlist (CIS Docker Benchmark 5.3). */
export const dockerNoAddedCapabilities: ResourceValidationPolicy = {
    name: "docker-no-added-capabilities",
    description: "Docker containers add no Linux capability (capabilities.adds) beyond the allowlist in the policy config, empty by default (CIS Docker 5.3).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Remove the capability from capabilities.adds (keep drops: [\"ALL\"]); run the process as a user that owns what it needs, or " +
        "list the capability in docker-no-added-capabilities.allowedCapabilities after a review.",
    configSchema: {
        properties: {
            allowedCapabilities: {
                type: "array",
                items: { type: "string" },
                default: [...DEFAULTS.allowedCapabilities],
                description: "Capabilities a container may add, e.g. NET_BIND_SERVICE",
            },
        },
    },
    validateResource: validateTypes([DOCKER.container], (props, args, reportViolation) => {
        const allowed = policyConfig<Config>(args, DEFAULTS).allowedCapabilities.map(canonical);
        const added = asStrings(asObject(props.capabilities)?.adds).filter((c) => !allowed.includes(canonical(c)));
        if (added.length > 0) {
            const may = allowed.length > 0 ? `only ${allowed.join(", ")} may be added` : "this stack allows none";
            reportViolation(`capabilities.adds ${added.join(", ")}: ${may} (CIS Docker 5.3).`);
        }
    }),
};
