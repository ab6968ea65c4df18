import { expect } from "chai";
import { gpuInstanceTypesAllowed as policy } from "../../policy/policies/gpu-instance-types-allowed";
import { gpuNodeGroup, launchTemplate } from "./fixtures";
import { violations } from "./harness";

const STAGING = { allowedInstanceTypes: ["g5.xlarge", "g5.2xlarge", "g6.xlarge", "g6.2xlarge"] };

describe("policy gpu-instance-types-allowed", () => {
    it("passes allowed GPU types and ignores CPU types", async () => {
        expect(await violations(policy, gpuNodeGroup(), STAGING)).to.deep.equal([]);
        expect(await violations(policy, gpuNodeGroup({ instanceTypes: ["m6i.large"], amiType: "AL2023_x86_64_STANDARD" }), STAGING)).to.deep.equal([]);
    });

    it("fails a GPU type outside the allowlist, on a node group or a launch template", async () => {
        expect(await violations(policy, gpuNodeGroup({ instanceTypes: ["g5.xlarge", "p5.48xlarge"] }), STAGING)).to.deep.equal([
            "GPU instance type p5.48xlarge is not allowed in this stack (allowed: g5.xlarge, g5.2xlarge, g6.xlarge, g6.2xlarge).",
        ]);
        expect(await violations(policy, launchTemplate({ instanceType: "g6e.xlarge" }), STAGING)).to.deep.equal([
            "GPU instance type g6e.xlarge is not allowed in this stack (allowed: g5.xlarge, g5.2xlarge, g6.xlarge, g6.2xlarge).",
        ]);
    });

    it("allows no GPU type by default", async () => {
        expect(await violations(policy, gpuNodeGroup())).to.deep.equal(["GPU instance type g5.xlarge is not allowed in this stack (allowed: none)."]);
    });
});
