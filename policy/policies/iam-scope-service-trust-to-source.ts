import { ResourceValidationPolicy } from "@pulumi/policy";
import { conditionKeys, isAllow, policyStatements, servicePrincipals } from "../lib/iam";
import { policyConfig, validateTypes } from "../lib/policy";
import { asString } from "../lib/props";
import { AWS } from "../lib/types";

interface Config {
    /** Service principals that send no source context when they assume a role, exempt after a review. */
    readonly exemptServicePrincipals: readonly string[];
}

const DEFAULTS: Config = { exemptServicePrincipals: [] };

/** The global condition keys that tie a service's use of the role to the account's own resources. */
const SOURCE_KEYS = ["aws:sourceaccount", "aws:sourcearn"];

const RULE = "confused deputy, AWS IAM User Guide";

/**
 * A role an AWS service assumes names the source it acts for: every trust statement whose principal
 * is a service carries an aws:SourceAccount or aws:SourceArn condition, so the service cannot be made
 * to use the role on behalf of another account's resource (AWS IAM User Guide, "The confused deputy
 * problem", cross-service confused deputy prevention).
 */
export const iamScopeServiceTrustToSource: ResourceValidationPolicy = {
    name: "iam-scope-service-trust-to-source",
    description:
        "Trust policies whose principal is an AWS service carry an aws:SourceAccount or aws:SourceArn condition against the " +
        "cross-service confused deputy (AWS IAM User Guide, \"The confused deputy problem\").",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Add to the role's assumeRolePolicy statement a condition such as " +
        "{ StringEquals: { \"aws:SourceAccount\": <account id> } } or { ArnLike: { \"aws:SourceArn\": <ARN of the resource the service acts for> } } " +
        "(components/shared/iam.ts serviceTrustPolicy and the trust policies in components/network/aws.ts, data/postgres-rds.ts, " +
        "observability/alert-topic.ts). First check in the service's documentation that it sends the key: a service that does not " +
        "could no longer assume the role; list such a service in iam-scope-service-trust-to-source.exemptServicePrincipals instead.",
    configSchema: {
        properties: {
            exemptServicePrincipals: {
                type: "array",
                items: { type: "string" },
                default: [...DEFAULTS.exemptServicePrincipals],
                description: "Service principals (e.g. ec2.amazonaws.com) that send no aws:SourceAccount/aws:SourceArn when they assume a role",
            },
        },
    },
    validateResource: validateTypes([AWS.iamRole], (props, args, reportViolation) => {
        const { exemptServicePrincipals } = policyConfig<Config>(args, DEFAULTS);
        const parsed = policyStatements(props.assumeRolePolicy);
        if (parsed === undefined) return;
        if ("error" in parsed) {
            reportViolation(`assumeRolePolicy ${parsed.error}, so its service principals cannot be checked for a source condition (${RULE}).`);
            return;
        }
        parsed.statements.forEach((statement, i) => {
            const services = servicePrincipals(statement).filter((s) => !exemptServicePrincipals.includes(s));
            if (!isAllow(statement) || services.length === 0) return;
            if (conditionKeys(statement).some((k) => SOURCE_KEYS.includes(k))) return;
            const sid = asString(statement.Sid);
            reportViolation(
                `assumeRolePolicy statement ${i}${sid ? ` (${sid})` : ""} lets ${services.join(", ")} assume the role without an ` +
                    `aws:SourceAccount or aws:SourceArn condition: the service could be made to use it for another account's resource (${RULE}).`,
            );
        });
    }),
};
