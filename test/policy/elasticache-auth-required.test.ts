import { expect } from "chai";
import { elasticacheAuthRequired } from "../../policy/policies/elasticache-auth-required";
import { replicationGroup } from "./fixtures";
import { violations } from "./harness";

describe("policy elasticache-auth-required", () => {
    it("passes an AUTH token, or RBAC user groups", async () => {
        expect(await violations(elasticacheAuthRequired, replicationGroup())).to.deep.equal([]);
        expect(await violations(elasticacheAuthRequired, replicationGroup({ authToken: undefined, userGroupIds: ["genai"] }))).to.deep.equal([]);
    });

    it("fails a group anyone on the network can use", async () => {
        expect(await violations(elasticacheAuthRequired, replicationGroup({ authToken: undefined }))).to.deep.equal([
            "neither authToken nor userGroupIds is set: anyone who reaches the port can read and write the cache (CKV_AWS_31).",
        ]);
    });
});
