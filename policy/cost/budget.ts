import { PolicyResource } from "@pulumi/policy";
import { ConfigProperty } from "../lib/policy";
import { CostEstimate, DEFAULT_PRICING, estimateMonthlyCost, PricingOptions } from "./estimate";

/** Configuration of the budget policies: the stack's budget and the pricing assumptions. */
export interface BudgetConfig extends PricingOptions {
    /** The stack's monthly budget in USD: `genai-platform:monthlyBudgetUsd` of the stack. */
    readonly budgetUsd: number;
}

/** Defaults of the budget config; the budget itself has none and must be configured. */
export const BUDGET_DEFAULTS: BudgetConfig = { budgetUsd: Number.NaN, ...DEFAULT_PRICING };

/** Config schema properties the budget policies share. */
export const BUDGET_SCHEMA: Record<keyof BudgetConfig, ConfigProperty> = {
    budgetUsd: {
        type: "number",
        exclusiveMinimum: 0,
        description: "Monthly budget of the stack in USD; equals genai-platform:monthlyBudgetUsd in Pulumi.<stack>.yaml",
    },
    spotDiscount: {
        type: "number",
        minimum: 0,
        maximum: 0.95,
        default: DEFAULT_PRICING.spotDiscount,
        description: "Fraction off the on-demand price assumed for SPOT capacity (observed GPU spot discounts: 50-70%)",
    },
    s3ExpectedGbPerBucket: {
        type: "number",
        minimum: 0,
        default: DEFAULT_PRICING.s3ExpectedGbPerBucket,
        description: "Expected size of each S3 bucket in GB",
    },
    albLcuPerHour: {
        type: "number",
        minimum: 0,
        default: DEFAULT_PRICING.albLcuPerHour,
        description: "Average load balancer capacity units an ALB uses per hour",
    },
    natProcessedGbPerMonth: {
        type: "number",
        minimum: 0,
        default: DEFAULT_PRICING.natProcessedGbPerMonth,
        description: "GB each NAT gateway processes per month",
    },
    backupExpectedGbPerVault: {
        type: "number",
        minimum: 0,
        default: DEFAULT_PRICING.backupExpectedGbPerVault,
        description: "GB of recovery points each AWS Backup vault holds",
    },
};

/** Prices the resources a stack policy sees. */
export function estimateStack(resources: readonly PolicyResource[], options: PricingOptions): CostEstimate {
    return estimateMonthlyCost(
        resources.map((r) => ({ type: r.type, urn: r.urn, props: r.props })),
        options,
    );
}
