import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig, validateTypes } from "../lib/policy";
import { asList, asNumber, asObject, asString } from "../lib/props";
import { DOCKER } from "../lib/types";

interface Config {
    /** Host ports that may be published on every interface. */
    readonly allowedPublicPorts: readonly number[];
}

const LOOPBACK = new Set(["127.0.0.1", "::1"]);

/** Published ports are bound to the loopback interface unless allowed (CIS Docker Benchmark 5.14). */
export const dockerPortsBoundToLocalhost: ResourceValidationPolicy = {
    name: "docker-ports-bound-to-localhost",
    description:
        "Docker containers publish host ports on 127.0.0.1 only, unless the stack's policy config allows the port on every interface (CIS Docker Benchmark 5.14).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set ports[].ip: \"127.0.0.1\" (the docker provider defaults to 0.0.0.0), or list the external port in " +
        "docker-ports-bound-to-localhost.allowedPublicPorts of policy/config/<stack>.json.",
    configSchema: {
        properties: {
            allowedPublicPorts: {
                type: "array",
                items: { type: "integer", minimum: 1, maximum: 65535 },
                default: [],
                description: "Host ports that may be published on every interface",
            },
        },
    },
    validateResource: validateTypes([DOCKER.container], (props, args, reportViolation) => {
        const { allowedPublicPorts } = policyConfig<Config>(args, { allowedPublicPorts: [] });
        if (props.publishAllPorts === true) {
            reportViolation("publishAllPorts is true: every exposed port is published on 0.0.0.0 (CIS Docker 5.14).");
        }
        for (const port of asList(props.ports).map((p) => asObject(p) ?? {})) {
            const ip = asString(port.ip) ?? "0.0.0.0";
            const external = asNumber(port.external);
            if (LOOPBACK.has(ip) || (external !== undefined && allowedPublicPorts.includes(external))) continue;
            reportViolation(
                `port ${external ?? "(random)"}->${asNumber(port.internal) ?? "?"} is published on ${ip}; bind it to 127.0.0.1 (CIS Docker 5.14).`,
            );
        }
    }),
};
