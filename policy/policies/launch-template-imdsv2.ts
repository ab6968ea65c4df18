import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig, validateTypes } from "../lib/policy";
import { asNumber, asObject } from "../lib/props";
import { AWS } from "../lib/types";

interface Config {
    /** Highest IMDS PUT response hop limit: 1 keeps pods off the node's credentials, 2 lets them through. */
    readonly maxHopLimit: number;
}

const DEFAULTS: Config = { maxHopLimit: 2 };

/** Launch templates require IMDSv2 with a small hop limit (Checkov CKV_AWS_79, CKV_AWS_341, FSBP EC2.170). */
export const launchTemplateImdsv2: ResourceValidationPolicy = {
    name: "launch-template-imdsv2",
    description:
        "Launch templates require IMDSv2 session tokens (httpTokens \"required\") and a PUT response hop limit of at most the stack's maximum " +
        "(Checkov CKV_AWS_79, CKV_AWS_341, FSBP EC2.170).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set metadataOptions: { httpEndpoint: \"enabled\", httpTokens: \"required\", httpPutResponseHopLimit: 1 or 2 }.",
    configSchema: {
        properties: {
            maxHopLimit: { type: "integer", minimum: 1, maximum: 64, default: DEFAULTS.maxHopLimit, description: "Highest httpPutResponseHopLimit" },
        },
    },
    validateResource: validateTypes([AWS.launchTemplate], (props, args, reportViolation) => {
        const { maxHopLimit } = policyConfig(args, DEFAULTS);
        const options = asObject(props.metadataOptions);
        if (options?.httpEndpoint === "disabled") return;
        if (options?.httpTokens !== "required") {
            reportViolation("metadataOptions.httpTokens is not \"required\": instances accept IMDSv1 requests (CKV_AWS_79, EC2.170).");
        }
        const hopLimit = asNumber(options?.httpPutResponseHopLimit);
        if (hopLimit !== undefined && hopLimit > maxHopLimit) {
            reportViolation(`metadataOptions.httpPutResponseHopLimit is ${hopLimit}; at most ${maxHopLimit} is allowed (CKV_AWS_341).`);
        }
    }),
};
