import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { asObject, asStrings } from "../lib/props";
import { WORLD_CIDRS } from "../lib/network";
import { AWS } from "../lib/types";

/** The EKS API endpoint is private, or public only to listed networks (Checkov CKV_AWS_38/CKV_AWS_39, FSBP EKS.1). */
export const eksEndpointNotPublic: ResourceValidationPolicy = {
    name: "eks-endpoint-not-public",
    description:
        "The EKS API server endpoint is not open to 0.0.0.0/0: private, or public only to listed CIDRs (Checkov CKV_AWS_39, CKV_AWS_38, FSBP EKS.1).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set vpcConfig.endpointPrivateAccess: true and endpointPublicAccess: false, or keep the public endpoint with " +
        "vpcConfig.publicAccessCidrs limited to the operators' and CI runners' networks.",
    validateResource: validateTypes([AWS.eksCluster], (props, _args, reportViolation) => {
        const vpc = asObject(props.vpcConfig);
        // AWS defaults: the public endpoint is on, and open to 0.0.0.0/0.
        if (vpc?.endpointPublicAccess === false) return;
        const cidrs = asStrings(vpc?.publicAccessCidrs);
        const open = cidrs.length === 0 ? ["0.0.0.0/0 (the default)"] : cidrs.filter((c) => WORLD_CIDRS.has(c));
        if (open.length > 0) {
            reportViolation(`the public API endpoint is open to ${open.join(", ")} (CKV_AWS_39, CKV_AWS_38, EKS.1).`);
        }
    }),
};
