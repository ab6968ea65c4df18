import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BUDGET_CRITICAL_THRESHOLD } from "./alerts";
import { named, Tags } from "../shared/tags";

export interface AwsBudgetsArgs {
    /** Prefix of resource names, e.g. `genai-prod`. */
    readonly prefix: string;
    /** The stack's environment tag; only spend tagged with it counts. */
    readonly environment: string;
    /** Monthly budget in USD. */
    readonly monthlyUsd: number;
    /** Fraction of the budget of the first alert, e.g. 0.8. */
    readonly alertThreshold: number;
    /** Addresses that receive the budget alerts; at least one. */
    readonly emails: readonly string[];
    /** Tags of every taggable resource of the component. */
    readonly tags: Tags;
}

/** Alert thresholds in percent: the configured one, the critical one and the budget itself. */
export function budgetThresholds(alertThreshold: number): number[] {
    return [...new Set([Math.round(alertThreshold * 100), Math.round(BUDGET_CRITICAL_THRESHOLD * 100), 100])].sort((a, b) => a - b);
}

/** Days in the month a daily budget is a share of. */
export const DAYS_PER_MONTH = 30;

/**
 * AWS Budgets for the stack's spend (by its environment tag): a monthly budget with actual-spend
 * alerts at the configured threshold, 90% and 100% plus a forecast alert at 100%, and a daily budget
 * of a thirtieth of it with actual-spend alerts (AWS has no forecasts for daily budgets).
 */
export class AwsBudgets extends pulumi.ComponentResource {
    public readonly monthly: aws.budgets.Budget;
    public readonly daily: aws.budgets.Budget;

    constructor(name: string, args: AwsBudgetsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:observability:Budget", name, {}, opts);
        const thresholds = budgetThresholds(args.alertThreshold);
        const notify = (threshold: number, notificationType: "ACTUAL" | "FORECASTED") => ({
            comparisonOperator: "GREATER_THAN",
            threshold,
            thresholdType: "PERCENTAGE",
            notificationType,
            subscriberEmailAddresses: [...args.emails],
        });
        const budget = (period: "MONTHLY" | "DAILY", amount: number, notifications: ReturnType<typeof notify>[]) =>
            new aws.budgets.Budget(
                `${name}-${period.toLowerCase()}`,
                {
                    name: `${args.prefix}-${period.toLowerCase()}`,
                    budgetType: "COST",
                    timeUnit: period,
                    limitAmount: amount.toFixed(2),
                    limitUnit: "USD",
                    costFilters: [{ name: "TagKeyValue", values: [`user:environment$${args.environment}`] }],
                    notifications,
                    tags: named(args.tags, `${args.prefix}-${period.toLowerCase()}-budget`),
                },
                { parent: this },
            );
        this.monthly = budget("MONTHLY", args.monthlyUsd, [...thresholds.map((t) => notify(t, "ACTUAL")), notify(100, "FORECASTED")]);
        this.daily = budget("DAILY", args.monthlyUsd / DAYS_PER_MONTH, thresholds.map((t) => notify(t, "ACTUAL")));
        this.registerOutputs({ monthly: this.monthly.name, daily: this.daily.name });
    }
}
