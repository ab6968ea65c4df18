import { ResourceValidationPolicy } from "@pulumi/policy";
import { isGpuNodeGroup } from "../lib/gpu";
import { policyConfig, validateTypes } from "../lib/policy";
import { asNumber, asObject } from "../lib/props";
import { AWS } from "../lib/types";

interface Config {
    /** Largest `scalingConfig.maxSize` a GPU node group may have. */
    readonly maxSize: number;
}

const DEFAULTS: Config = { maxSize: 2 };

/** GPU node groups cannot scale past the stack's cap. */
export const gpuNodeGroupMaxSize: ResourceValidationPolicy = {
    name: "gpu-node-group-max-size",
    description: "A GPU node group's scalingConfig.maxSize does not exceed the stack's cap, which bounds the worst-case GPU bill.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Lower scalingConfig.maxSize (the models' replicas.max drive it), or raise gpu-node-group-max-size.maxSize in policy/config/<stack>.json after a budget review.",
    configSchema: {
        properties: {
            maxSize: { type: "integer", minimum: 0, default: DEFAULTS.maxSize, description: "Largest maxSize of a GPU node group" },
        },
    },
    validateResource: validateTypes([AWS.eksNodeGroup], (props, args, reportViolation) => {
        if (!isGpuNodeGroup(props)) return;
        const { maxSize } = policyConfig(args, DEFAULTS);
        const actual = asNumber(asObject(props.scalingConfig)?.maxSize);
        if (actual !== undefined && actual > maxSize) {
            reportViolation(`GPU node group scalingConfig.maxSize is ${actual}; this stack allows at most ${maxSize}.`);
        }
    }),
};
