import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { asNumber } from "../lib/props";
import { AWS } from "../lib/types";

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days. */
export const CLOUDWATCH_RETENTION_DAYS: readonly number[] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/**
 * Every CloudWatch log group has a retention CloudWatch accepts (Checkov CKV_AWS_66). Unset (or 0)
 * means the events never expire: they are billed forever.
 */
export const cloudwatchLogGroupsSetRetention: ResourceValidationPolicy = {
    name: "cloudwatch-log-groups-set-retention",
    description:
        "Every CloudWatch log group sets retentionInDays to one of the values CloudWatch accepts, so its events expire (Checkov CKV_AWS_66).",
    enforcementLevel: "mandatory",
    severity: "low",
    remediationSteps:
        "Set retentionInDays on the aws.cloudwatch.LogGroup to one of " +
        `${CLOUDWATCH_RETENTION_DAYS.join(", ")} ` +
        "(the program's VPC flow log and EKS control-plane log groups take it from genai-platform:logArchiveRetentionDays).",
    validateResource: validateTypes([AWS.logGroup], (props, _args, reportViolation) => {
        const days = asNumber(props.retentionInDays);
        if (days === undefined || days === 0) {
            reportViolation("retentionInDays is not set: the log group keeps its events forever (CKV_AWS_66).");
        } else if (!CLOUDWATCH_RETENTION_DAYS.includes(days)) {
            const near = nearest(days);
            reportViolation(`retentionInDays is ${days}, which CloudWatch refuses; the nearest accepted ${near.length === 1 ? "value is" : "values are"} ${near.join(" and ")} (CKV_AWS_66).`);
        }
    }),
};

/** The accepted values just below and above `days`. */
function nearest(days: number): number[] {
    const below = [...CLOUDWATCH_RETENTION_DAYS].reverse().find((d) => d < days);
    const above = CLOUDWATCH_RETENTION_DAYS.find((d) => d > days);
    return [below, above].filter((d): d is number => d !== undefined);
}
