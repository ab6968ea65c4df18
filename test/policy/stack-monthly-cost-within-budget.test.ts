import { expect } from "chai";
import { stackMonthlyCostWithinBudget as policy } from "../../policy/policies/stack-monthly-cost-within-budget";
import { gpuNodeGroup } from "./fixtures";
import { stackViolations, urnOf } from "./harness";

// 2 x g5.xlarge on demand with the default 20 GB disks: 2 x 1.006 x 730 + 2 x 20 x 0.08 = 1471.96.
const onDemand = gpuNodeGroup({ capacityType: "ON_DEMAND" });
const eks = { type: "aws:eks/cluster:Cluster", name: "eks", props: {} };

describe("policy stack-monthly-cost-within-budget", () => {
    it("passes a stack within its budget", async () => {
        expect(await stackViolations(policy, [onDemand, eks], { budgetUsd: 2000 })).to.deep.equal([]);
    });

    it("fails a stack over its budget, naming the total, the budget and the largest items", async () => {
        expect(await stackViolations(policy, [onDemand, eks], { budgetUsd: 1500 })).to.deep.equal([
            { message: "estimated monthly cost $1,544.96 exceeds the budget $1,500.00 by $44.96 (largest: gpu-a10g $1,471.96, eks $73.00).", urn: undefined },
        ]);
    });

    it("fails a resource it cannot price: the budget cannot be verified", async () => {
        const unpriced = gpuNodeGroup({ instanceTypes: ["g7.xlarge"] });
        expect(await stackViolations(policy, [unpriced], { budgetUsd: 6000 })).to.deep.equal([
            {
                message: `cannot price ${urnOf(unpriced)}: instance type g7.xlarge is not in the price table; the budget cannot be verified.`,
                urn: urnOf(unpriced),
            },
        ]);
    });

    it("fails without a budget in the stack's policy config", async () => {
        expect(await stackViolations(policy, [eks])).to.deep.equal([
            { message: "budgetUsd is not set in the stack's policy config: the budget cannot be checked.", urn: undefined },
        ]);
    });
});
