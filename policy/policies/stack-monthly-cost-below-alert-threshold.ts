import { StackValidationPolicy } from "@pulumi/policy";
import { BUDGET_DEFAULTS, BUDGET_SCHEMA, BudgetConfig, estimateStack } from "../cost/budget";
import { policyConfig, usd } from "../lib/policy";

interface AlertConfig extends BudgetConfig {
    /** Fraction of the budget from which the estimate is reported, e.g. 0.8. */
    readonly budgetAlertThreshold: number;
}

/**
 * Advises when the estimate reaches the alert threshold of the budget, and names every resource
 * whose price depends on a value unknown until apply (during preview).
 */
export const stackMonthlyCostBelowAlertThreshold: StackValidationPolicy = {
    name: "stack-monthly-cost-below-alert-threshold",
    description:
        "The estimated monthly cost stays below the budget alert threshold (default 80% of the budget), and every price is known before apply.",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
        "Review the largest items of the cost report (npm run check -- <stack>) before the budget alerts fire; " +
        "for a resource that cannot be priced during preview, pass literal sizes and types instead of outputs.",
    configSchema: {
        properties: {
            ...BUDGET_SCHEMA,
            budgetAlertThreshold: {
                type: "number",
                exclusiveMinimum: 0,
                maximum: 1,
                default: 0.8,
                description: "Fraction of the budget from which the estimate is reported; equals genai-platform:budgetAlertThreshold",
            },
        },
        required: ["budgetUsd"],
    },
    validateStack: (args, reportViolation) => {
        const { budgetUsd, budgetAlertThreshold, ...pricing } = policyConfig<AlertConfig>(args, {
            ...BUDGET_DEFAULTS,
            budgetAlertThreshold: 0.8,
        });
        const estimate = estimateStack(args.resources, pricing);
        for (const item of estimate.unknown) {
            reportViolation(`cannot price ${item.urn}: ${item.reason}.`, item.urn);
        }
        const threshold = budgetAlertThreshold * budgetUsd;
        if (budgetUsd > 0 && estimate.total >= threshold) {
            reportViolation(
                `estimated monthly cost ${usd(estimate.total)} is ${Math.round((estimate.total / budgetUsd) * 100)}% of the budget ` +
                    `${usd(budgetUsd)}, at or above the alert threshold of ${Math.round(budgetAlertThreshold * 100)}% (${usd(threshold)}).`,
            );
        }
    },
};
