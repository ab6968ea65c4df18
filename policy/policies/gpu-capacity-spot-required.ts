import { ResourceValidationPolicy } from "@pulumi/policy";
import { isGpuNodeGroup } from "../lib/gpu";
import { policyConfig, validateTypes } from "../lib/policy";
import { asString } from "../lib/props";
import { AWS } from "../lib/types";

interface Config {
    /** Whether GPU node groups must use SPOT capacity in this stack. */
    readonly requireSpot: boolean;
}

/** Where the stack requires it (staging), GPU node groups run on SPOT capacity. */
export const gpuCapacitySpotRequired: ResourceValidationPolicy = {
    name: "gpu-capacity-spot-required",
    description: "In stacks that require it (staging), GPU node groups use SPOT capacity, not on-demand.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set capacityType: \"SPOT\" on the GPU node group (and list several instance types so spot capacity can be found).",
    configSchema: {
        properties: {
            requireSpot: { type: "boolean", default: false, description: "GPU node groups must use SPOT capacity" },
        },
    },
    validateResource: validateTypes([AWS.eksNodeGroup], (props, args, reportViolation) => {
        const { requireSpot } = policyConfig<Config>(args, { requireSpot: false });
        if (!requireSpot || !isGpuNodeGroup(props)) return;
        const capacity = asString(props.capacityType) ?? "ON_DEMAND";
        if (capacity !== "SPOT") {
            reportViolation(`GPU node group uses ${capacity} capacity; this stack requires SPOT.`);
        }
    }),
};
