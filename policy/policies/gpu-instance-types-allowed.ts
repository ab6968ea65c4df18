import { ResourceValidationPolicy } from "@pulumi/policy";
import { isGpuInstanceType } from "../../catalog/gpu";
import { gpuInstanceTypes } from "../lib/gpu";
import { policyConfig, validateTypes } from "../lib/policy";
import { asString } from "../lib/props";
import { AWS } from "../lib/types";

interface Config {
    /** GPU instance types this stack may run. */
    readonly allowedInstanceTypes: readonly string[];
}

/** GPU instance types come from the stack's allowlist. */
export const gpuInstanceTypesAllowed: ResourceValidationPolicy = {
    name: "gpu-instance-types-allowed",
    description: "EKS node groups and launch templates use only the GPU instance types the stack's policy config allows.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Use an allowed GPU instance type (policy/config/<stack>.json, gpu-instance-types-allowed.allowedInstanceTypes), " +
        "or add the type there after review; it must also be in the price table.",
    configSchema: {
        properties: {
            allowedInstanceTypes: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "GPU instance types the stack may run, e.g. [\"g5.xlarge\", \"g6.xlarge\"]",
            },
        },
    },
    validateResource: validateTypes([AWS.eksNodeGroup, AWS.launchTemplate, AWS.ec2Instance], (props, args, reportViolation) => {
        const { allowedInstanceTypes } = policyConfig<Config>(args, { allowedInstanceTypes: [] });
        const types = args.type === AWS.eksNodeGroup ? gpuInstanceTypes(props) : [asString(props.instanceType) ?? ""].filter(isGpuInstanceType);
        for (const type of types.filter((t) => !allowedInstanceTypes.includes(t))) {
            reportViolation(
                `GPU instance type ${type} is not allowed in this stack (allowed: ${allowedInstanceTypes.join(", ") || "none"}).`,
            );
        }
    }),
};
