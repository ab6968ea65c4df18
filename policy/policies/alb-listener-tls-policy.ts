import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig, validateTypes } from "../lib/policy";
import { asString } from "../lib/props";
import { AWS } from "../lib/types";

interface Config {
    /** ELB security policies that allow TLS 1.2 and later only. */
    readonly allowedSslPolicies: readonly string[];
}

const DEFAULTS: Config = {
    allowedSslPolicies: [
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-TLS-1-2-2017-01",
        "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
        "ELBSecurityPolicy-FS-1-2-2019-08",
        "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    ],
};

/** HTTPS and TLS listeners negotiate TLS 1.2 or later only (Checkov CKV_AWS_103, FSBP ELB.17). */
export const albListenerTlsPolicy: ResourceValidationPolicy = {
    name: "alb-listener-tls-policy",
    description: "HTTPS and TLS listeners use an SSL policy that allows TLS 1.2 and later only (Checkov CKV_AWS_103, FSBP ELB.17).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set sslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (or another policy of the allowlist).",
    configSchema: {
        properties: {
            allowedSslPolicies: {
                type: "array",
                items: { type: "string" },
                default: [...DEFAULTS.allowedSslPolicies],
                description: "ELB security policies accepted on HTTPS/TLS listeners (TLS 1.2+ only)",
            },
        },
    },
    validateResource: validateTypes(AWS.listeners, (props, args, reportViolation) => {
        const protocol = asString(props.protocol);
        if (protocol !== "HTTPS" && protocol !== "TLS") return;
        const { allowedSslPolicies } = policyConfig(args, DEFAULTS);
        // Without sslPolicy AWS applies ELBSecurityPolicy-2016-08, which still accepts TLS 1.0.
        const policy = asString(props.sslPolicy) ?? "ELBSecurityPolicy-2016-08 (the default)";
        if (!allowedSslPolicies.includes(policy)) {
            reportViolation(`${protocol} listener uses SSL policy ${policy}, which is not a TLS 1.2+ policy of the allowlist (CKV_AWS_103, ELB.17).`);
        }
    }),
};
