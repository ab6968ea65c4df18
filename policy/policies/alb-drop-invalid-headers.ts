import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { asString } from "../lib/props";
import { AWS } from "../lib/types";

/** Application load balancers drop invalid HTTP headers (Checkov CKV_AWS_131, FSBP ELB.4). */
export const albDropInvalidHeaders: ResourceValidationPolicy = {
    name: "alb-drop-invalid-headers",
    description: "Application load balancers drop HTTP headers with invalid fields, against request smuggling (Checkov CKV_AWS_131, FSBP ELB.4).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set dropInvalidHeaderFields: true on the load balancer.",
    validateResource: validateTypes(AWS.loadBalancers, (props, _args, reportViolation) => {
        if ((asString(props.loadBalancerType) ?? "application") !== "application") return;
        if (props.dropInvalidHeaderFields !== true) {
            reportViolation("dropInvalidHeaderFields is not true: invalid headers reach the targets (CKV_AWS_131, ELB.4).");
        }
    }),
};
