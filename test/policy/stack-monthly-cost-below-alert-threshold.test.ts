import { expect } from "chai";
import { UNKNOWN } from "../../policy/lib/props";
import { stackMonthlyCostBelowAlertThreshold as policy } from "../../policy/policies/stack-monthly-cost-below-alert-threshold";
import { gpuNodeGroup } from "./fixtures";
import { stackViolations, unknownCheckingProxy, urnOf } from "./harness";

const onDemand = gpuNodeGroup({ capacityType: "ON_DEMAND" }); // 1471.96 a month

describe("policy stack-monthly-cost-below-alert-threshold", () => {
    it("passes a stack below the alert threshold", async () => {
        expect(await stackViolations(policy, [onDemand], { budgetUsd: 2000 })).to.deep.equal([]);
    });

    it("advises at the default threshold of 80% and at a configured one", async () => {
        expect(await stackViolations(policy, [onDemand], { budgetUsd: 1800 })).to.deep.equal([
            { message: "estimated monthly cost $1,471.96 is 82% of the budget $1,800.00, at or above the alert threshold of 80% ($1,440.00).", urn: undefined },
        ]);
        expect(await stackViolations(policy, [onDemand], { budgetUsd: 2000, budgetAlertThreshold: 0.5 })).to.have.length(1);
    });

    it("advises that a resource cannot be priced while a field is unknown until apply", async () => {
        const unknown = { ...onDemand, props: unknownCheckingProxy({ ...onDemand.props, scalingConfig: { desiredSize: UNKNOWN, maxSize: 3, minSize: 1 } }) };
        expect(await stackViolations(policy, [unknown], { budgetUsd: 2000 })).to.deep.equal([
            { message: `cannot price ${urnOf(onDemand)}: scalingConfig.desiredSize is unknown until apply.`, urn: urnOf(onDemand) },
        ]);
    });
});
