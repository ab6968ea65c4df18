import { expect } from "chai";
import { gpuCapacitySpotRequired as policy } from "../../policy/policies/gpu-capacity-spot-required";
import { gpuNodeGroup } from "./fixtures";
import { violations } from "./harness";

describe("policy gpu-capacity-spot-required", () => {
    it("passes SPOT GPU capacity where required, and on-demand where not", async () => {
        expect(await violations(policy, gpuNodeGroup(), { requireSpot: true })).to.deep.equal([]);
        expect(await violations(policy, gpuNodeGroup({ capacityType: "ON_DEMAND" }))).to.deep.equal([]);
        const cpu = gpuNodeGroup({ instanceTypes: ["m6i.large"], amiType: "AL2023_x86_64_STANDARD", capacityType: "ON_DEMAND" });
        expect(await violations(policy, cpu, { requireSpot: true })).to.deep.equal([]);
    });

    it("fails on-demand GPU capacity, set or defaulted, where the stack requires SPOT", async () => {
        expect(await violations(policy, gpuNodeGroup({ capacityType: "ON_DEMAND" }), { requireSpot: true })).to.deep.equal([
            "GPU node group uses ON_DEMAND capacity; this stack requires SPOT.",
        ]);
        expect(await violations(policy, gpuNodeGroup({ capacityType: undefined }), { requireSpot: true })).to.deep.equal([
            "GPU node group uses ON_DEMAND capacity; this stack requires SPOT.",
        ]);
    });
});
