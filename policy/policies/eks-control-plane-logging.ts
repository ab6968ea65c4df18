import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { asStrings } from "../lib/props";
import { AWS } from "../lib/types";

const REQUIRED_LOG_TYPES = ["api", "audit", "authenticator"] as const;

/** The EKS control plane logs API, audit and authenticator events (Checkov CKV_AWS_37, FSBP EKS.8). */
export const eksControlPlaneLogging: ResourceValidationPolicy = {
    name: "eks-control-plane-logging",
    description: "EKS clusters send api, audit and authenticator control-plane logs to CloudWatch (Checkov CKV_AWS_37, FSBP EKS.8).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set enabledClusterLogTypes to include \"api\", \"audit\" and \"authenticator\".",
    validateResource: validateTypes([AWS.eksCluster], (props, _args, reportViolation) => {
        const enabled = asStrings(props.enabledClusterLogTypes);
        const missing = REQUIRED_LOG_TYPES.filter((t) => !enabled.includes(t));
        if (missing.length > 0) {
            reportViolation(`enabledClusterLogTypes lacks ${missing.join(", ")} (CKV_AWS_37, EKS.8).`);
        }
    }),
};
