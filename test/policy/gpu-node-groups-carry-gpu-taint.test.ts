import { expect } from "chai";
import { gpuNodeGroupsCarryGpuTaint as policy } from "../../policy/policies/gpu-node-groups-carry-gpu-taint";
import { gpuNodeGroup } from "./fixtures";
import { violations } from "./harness";

describe("policy gpu-node-groups-carry-gpu-taint", () => {
    it("passes a GPU node group tainted nvidia.com/gpu:NO_SCHEDULE (among other taints), and CPU node groups without it", async () => {
        expect(await violations(policy, gpuNodeGroup())).to.deep.equal([]);
        const more = [{ key: "dedicated", value: "llm", effect: "NO_EXECUTE" }, { key: "nvidia.com/gpu", effect: "NO_SCHEDULE" }];
        expect(await violations(policy, gpuNodeGroup({ taints: more }))).to.deep.equal([]);
        expect(await violations(policy, gpuNodeGroup({ instanceTypes: ["m6i.large"], amiType: "AL2023_x86_64_STANDARD", taints: undefined }))).to.deep.equal([]);
    });

    it("fails a GPU node group (by instance type or NVIDIA AMI) without the taint", async () => {
        const expected = ["the GPU node group has no taint nvidia.com/gpu with effect NO_SCHEDULE: pods that ask for no GPU can be scheduled on its nodes and keep them running."];
        expect(await violations(policy, gpuNodeGroup({ taints: undefined }))).to.deep.equal(expected);
        expect(await violations(policy, gpuNodeGroup({ instanceTypes: undefined, taints: [{ key: "dedicated", value: "gpu", effect: "NO_SCHEDULE" }] }))).to.deep.equal(expected);
    });

    it("fails the taint with another effect", async () => {
        expect(await violations(policy, gpuNodeGroup({ taints: [{ key: "nvidia.com/gpu", value: "true", effect: "PREFER_NO_SCHEDULE" }] }))).to.deep.equal([
            "the GPU node group's taint nvidia.com/gpu has effect PREFER_NO_SCHEDULE, not NO_SCHEDULE: pods that ask for no GPU can still be scheduled on its nodes.",
        ]);
    });
});
