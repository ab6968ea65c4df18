import { expect } from "chai";
import { gpuNodeGroupMaxSize as policy } from "../../policy/policies/gpu-node-group-max-size";
import { gpuNodeGroup } from "./fixtures";
import { violations } from "./harness";

describe("policy gpu-node-group-max-size", () => {
    it("passes a GPU node group within the cap, and CPU node groups of any size", async () => {
        expect(await violations(policy, gpuNodeGroup(), { maxSize: 3 })).to.deep.equal([]);
        const cpu = gpuNodeGroup({ instanceTypes: ["m6i.large"], amiType: "AL2023_x86_64_STANDARD", scalingConfig: { desiredSize: 2, minSize: 2, maxSize: 20 } });
        expect(await violations(policy, cpu, { maxSize: 3 })).to.deep.equal([]);
    });

    it("fails a GPU node group above the cap, recognised by instance type or NVIDIA AMI", async () => {
        const big = gpuNodeGroup({ scalingConfig: { desiredSize: 2, minSize: 1, maxSize: 12 } });
        expect(await violations(policy, big, { maxSize: 10 })).to.deep.equal(["GPU node group scalingConfig.maxSize is 12; this stack allows at most 10."]);
        const byAmi = gpuNodeGroup({ instanceTypes: undefined, scalingConfig: { desiredSize: 1, minSize: 1, maxSize: 4 } });
        expect(await violations(policy, byAmi, { maxSize: 3 })).to.deep.equal(["GPU node group scalingConfig.maxSize is 4; this stack allows at most 3."]);
    });
});
