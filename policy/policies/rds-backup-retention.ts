import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig, validateTypes } from "../lib/policy";
import { asNumber } from "../lib/props";
import { AWS } from "../lib/types";

interface Config {
    /** Fewest days of automated backups the stack accepts. */
    readonly minBackupRetentionDays: number;
}

const DEFAULTS: Config = { minBackupRetentionDays: 7 };

/** RDS keeps automated backups long enough (Checkov CKV_AWS_133, FSBP RDS.11). */
export const rdsBackupRetention: ResourceValidationPolicy = {
    name: "rds-backup-retention",
    description: "RDS instances keep automated backups for at least the stack's minimum number of days (Checkov CKV_AWS_133, FSBP RDS.11).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set backupRetentionPeriod (genai-platform:dbBackupRetentionDays) to at least the minimum, up to 35 days.",
    configSchema: {
        properties: {
            minBackupRetentionDays: {
                type: "integer",
                minimum: 1,
                maximum: 35,
                default: DEFAULTS.minBackupRetentionDays,
                description: "Fewest days of automated backups (staging 7, prod 30)",
            },
        },
    },
    validateResource: validateTypes([AWS.rdsInstance], (props, args, reportViolation) => {
        const { minBackupRetentionDays } = policyConfig(args, DEFAULTS);
        const days = asNumber(props.backupRetentionPeriod) ?? 0;
        if (days < minBackupRetentionDays) {
            reportViolation(
                `backupRetentionPeriod is ${days} day(s); this stack requires at least ${minBackupRetentionDays} (CKV_AWS_133, RDS.11).`,
            );
        }
    }),
};
