import { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { ADMINISTRATOR_ACCESS_ARN, allowsEverything, policyStatements } from "../lib/iam";
import { validateTypes } from "../lib/policy";
import { asList, asObject, asString, asStrings, Props } from "../lib/props";
import { AWS } from "../lib/types";

const DOCUMENT_RULES = "CKV_AWS_62, CKV_AWS_63, IAM.1";
const ATTACHMENT_RULE = "CKV_AWS_274";

/** Reports each statement of a policy document that allows "*" on "*"; `where` names the document in messages. */
function checkDocument(document: unknown, where: string, reportViolation: ReportViolation): void {
    const parsed = policyStatements(document);
    if (parsed === undefined) return;
    if ("error" in parsed) {
        reportViolation(`${where} ${parsed.error}, so it cannot be checked for "*" actions on "*" resources (${DOCUMENT_RULES}).`);
        return;
    }
    parsed.statements.forEach((statement, i) => {
        if (!allowsEverything(statement)) return;
        const sid = asString(statement.Sid);
        reportViolation(
            `${where} statement ${i}${sid ? ` (${sid})` : ""} allows every action ("*") on every resource ("*"): full administrator access (${DOCUMENT_RULES}).`,
        );
    });
}

function checkManagedArn(arn: string | undefined, where: string, reportViolation: ReportViolation): void {
    if (arn !== undefined && ADMINISTRATOR_ACCESS_ARN.test(arn)) {
        reportViolation(`${where} attaches ${arn}, the AWS managed policy that allows every action on every resource (${ATTACHMENT_RULE}).`);
    }
}

/**
 * No IAM policy allows every action on every resource: inline and customer-managed policy documents
 * (JSON strings or objects) have no Allow statement with Action "*" and Resource "*" (Checkov
 * CKV_AWS_62, CKV_AWS_63, FSBP IAM.1), and nothing attaches the AWS managed AdministratorAccess
 * policy (Checkov CKV_AWS_274), through an attachment resource or a role's managedPolicyArns.
 */
export const iamForbidAdminWildcards: ResourceValidationPolicy = {
    name: "iam-forbid-admin-wildcards",
    description:
        "No IAM policy allows \"*\" actions on \"*\" resources and nothing attaches AdministratorAccess " +
        "(Checkov CKV_AWS_62, CKV_AWS_63, CKV_AWS_274, FSBP IAM.1).",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "List the actions the role needs (service:Action) on the resources it needs (their ARNs, or ARN patterns with the stack's " +
        "region and account) in the aws.iam.RolePolicy / aws.iam.Policy document (components/cluster/addons.ts, components/shared/iam.ts " +
        "podIdentityRole), and attach narrower AWS managed policies than AdministratorAccess.",
    validateResource: validateTypes(
        [...AWS.iamPolicyDocuments, ...AWS.iamPolicyAttachments, AWS.iamRole],
        (props: Props, args, reportViolation) => {
            if ((AWS.iamPolicyDocuments as readonly string[]).includes(args.type)) {
                checkDocument(props.policy, "policy", reportViolation);
            } else if ((AWS.iamPolicyAttachments as readonly string[]).includes(args.type)) {
                checkManagedArn(asString(props.policyArn), "the attachment", reportViolation);
            } else {
                asList(props.inlinePolicies).forEach((item, i) => {
                    const inline = asObject(item) ?? {};
                    const name = asString(inline.name);
                    checkDocument(inline.policy, `inlinePolicies[${i}]${name ? ` (${name})` : ""}`, reportViolation);
                });
                for (const arn of asStrings(props.managedPolicyArns)) checkManagedArn(arn, "managedPolicyArns", reportViolation);
            }
        },
    ),
};
