import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { asList, asObject, asString } from "../lib/props";
import { AWS } from "../lib/types";

/** Load balancer listeners serve HTTPS; plain HTTP only redirects to HTTPS (Checkov CKV_AWS_2, CKV2_AWS_20, FSBP ELB.1). */
export const albListenerHttpsOnly: ResourceValidationPolicy = {
    name: "alb-listener-https-only",
    description:
        "Load balancer listeners use HTTPS; an HTTP listener only redirects to HTTPS (Checkov CKV_AWS_2, CKV2_AWS_20, FSBP ELB.1).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Serve traffic on an HTTPS listener with an ACM certificate; give the HTTP listener a single default action " +
        "{ type: \"redirect\", redirect: { protocol: \"HTTPS\", port: \"443\", statusCode: \"HTTP_301\" } }.",
    validateResource: validateTypes(AWS.listeners, (props, _args, reportViolation) => {
        // An ALB listener without a protocol is HTTP.
        if ((asString(props.protocol) ?? "HTTP") !== "HTTP") return;
        const actions = asList(props.defaultActions).map((a) => asObject(a) ?? {});
        const redirectsToHttps =
            actions.length === 1 && actions[0].type === "redirect" && asObject(actions[0].redirect)?.protocol === "HTTPS";
        if (!redirectsToHttps) {
            const types = actions.map((a) => asString(a.type) ?? "?").join(", ") || "none";
            reportViolation(
                `HTTP listener serves traffic (default actions: ${types}) instead of a single redirect to HTTPS (CKV_AWS_2, CKV2_AWS_20, ELB.1).`,
            );
        }
    }),
};
