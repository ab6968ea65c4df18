import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig, validateTypes } from "../lib/policy";
import { asString } from "../lib/props";
import { AWS } from "../lib/types";

interface Config {
    /** Whether application load balancers must have deletion protection in this stack (stacks that protect data). */
    readonly requireDeletionProtection: boolean;
}

const DEFAULTS: Config = { requireDeletionProtection: false };

/** In stacks that protect data (prod), application load balancers have deletion protection (Checkov CKV_AWS_150, FSBP ELB.6). */
export const albEnablesDeletionProtection: ResourceValidationPolicy = {
    name: "alb-enables-deletion-protection",
    description:
        "In stacks that require it (those with protectData, i.e. prod), application load balancers have deletion protection enabled (Checkov CKV_AWS_150, FSBP ELB.6).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Set enableDeletionProtection: true on the load balancer (components/traffic/alb.ts, from genai-platform:protectData). " +
        "The policy config requireDeletionProtection is generated from protectData by `npm run policy-config`.",
    configSchema: {
        properties: {
            requireDeletionProtection: {
                type: "boolean",
                default: DEFAULTS.requireDeletionProtection,
                description: "Application load balancers must have enableDeletionProtection (generated from genai-platform:protectData)",
            },
        },
    },
    validateResource: validateTypes(AWS.loadBalancers, (props, args, reportViolation) => {
        if ((asString(props.loadBalancerType) ?? "application") !== "application") return;
        const { requireDeletionProtection } = policyConfig<Config>(args, DEFAULTS);
        if (requireDeletionProtection && props.enableDeletionProtection !== true) {
            reportViolation("enableDeletionProtection is not true: one API call or a replacement deletes the load balancer and its listeners (CKV_AWS_150, ELB.6).");
        }
    }),
};
