import { ResourceValidationPolicy } from "@pulumi/policy";
import { missingPriceRows } from "../cost/estimate";
import { validateTypes } from "../lib/policy";
import { AWS } from "../lib/types";

/** Every instance type, RDS class and ElastiCache node type the stack uses has a row in the price table. */
export const priceTableCoversInstanceTypes: ResourceValidationPolicy = {
    name: "price-table-covers-instance-types",
    description:
        "Every EC2 instance type, RDS instance class and ElastiCache node type in the stack is in the price table, so the budget check never prices it at 0.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Add the missing type to catalog/prices.ts (GPU types: catalog/gpu.ts, shape and price together) with its us-east-1 on-demand price, source and date, or use a type that is already there.",
    validateResource: validateTypes(
        [AWS.eksNodeGroup, AWS.launchTemplate, AWS.ec2Instance, AWS.rdsInstance, AWS.elasticacheReplicationGroup, AWS.elasticacheCluster],
        (props, args, reportViolation) => {
            for (const missing of missingPriceRows(args.type, props)) {
                reportViolation(`${missing} is not in the price table (catalog/prices.ts; GPU types in catalog/gpu.ts): its cost cannot be estimated.`);
            }
        },
    ),
};
