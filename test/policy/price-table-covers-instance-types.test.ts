import { expect } from "chai";
import { priceTableCoversInstanceTypes as policy } from "../../policy/policies/price-table-covers-instance-types";
import { gpuNodeGroup, launchTemplate, rdsInstance, replicationGroup } from "./fixtures";
import { violations } from "./harness";

describe("policy price-table-covers-instance-types", () => {
    it("passes types the price table has", async () => {
        for (const resource of [gpuNodeGroup(), rdsInstance(), replicationGroup(), launchTemplate()]) {
            expect(await violations(policy, resource), resource.type).to.deep.equal([]);
        }
    });

    it("fails a node group instance type, RDS class or ElastiCache node type the table lacks, naming it", async () => {
        expect(await violations(policy, gpuNodeGroup({ instanceTypes: ["g6e.12xlarge"] }))).to.deep.equal([
            "instance type g6e.12xlarge is not in the price table (catalog/prices.ts; GPU types in catalog/gpu.ts): its cost cannot be estimated.",
        ]);
        expect(await violations(policy, rdsInstance({ instanceClass: "db.r7g.xlarge" }))).to.deep.equal([
            "RDS instance class db.r7g.xlarge is not in the price table (catalog/prices.ts; GPU types in catalog/gpu.ts): its cost cannot be estimated.",
        ]);
        expect(await violations(policy, replicationGroup({ nodeType: "cache.r7g.large" }))).to.deep.equal([
            "ElastiCache node type cache.r7g.large is not in the price table (catalog/prices.ts; GPU types in catalog/gpu.ts): its cost cannot be estimated.",
        ]);
    });
});
