import { StackValidationPolicy } from "@pulumi/policy";
import { BUDGET_DEFAULTS, BUDGET_SCHEMA, estimateStack } from "../cost/budget";
import { policyConfig, usd } from "../lib/policy";

/** The estimated monthly cost of the stack's resources stays within the stack's budget. */
export const stackMonthlyCostWithinBudget: StackValidationPolicy = {
    name: "stack-monthly-cost-within-budget",
    description:
        "The estimated monthly cost of the stack's resources does not exceed its budget, and every billable resource can be priced.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Reduce node group desired sizes, use smaller instance classes or SPOT capacity, or raise genai-platform:monthlyBudgetUsd " +
        "together with budgetUsd in policy/config/<stack>.json. For an unpriced resource, add its price to catalog/prices.ts (GPU types: catalog/gpu.ts, shape and price together).",
    configSchema: { properties: BUDGET_SCHEMA, required: ["budgetUsd"] },
    validateStack: (args, reportViolation) => {
        const { budgetUsd, ...pricing } = policyConfig(args, BUDGET_DEFAULTS);
        if (!(budgetUsd > 0)) {
            reportViolation("budgetUsd is not set in the stack's policy config: the budget cannot be checked.");
            return;
        }
        const estimate = estimateStack(args.resources, pricing);
        for (const item of estimate.unpriced) {
            reportViolation(`cannot price ${item.urn}: ${item.reason}; the budget cannot be verified.`, item.urn);
        }
        if (estimate.total > budgetUsd) {
            const largest = [...estimate.items]
                .sort((a, b) => b.monthlyUsd - a.monthlyUsd)
                .slice(0, 3)
                .map((i) => `${i.urn.split("::").pop()} ${usd(i.monthlyUsd)}`)
                .join(", ");
            reportViolation(
                `estimated monthly cost ${usd(estimate.total)} exceeds the budget ${usd(budgetUsd)} by ${usd(estimate.total - budgetUsd)} ` +
                    `(largest: ${largest}).`,
            );
        }
    },
};
