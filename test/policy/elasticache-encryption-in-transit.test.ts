import { expect } from "chai";
import { elasticacheEncryptionInTransit } from "../../policy/policies/elasticache-encryption-in-transit";
import { replicationGroup } from "./fixtures";
import { violations } from "./harness";

describe("policy elasticache-encryption-in-transit", () => {
    it("passes a replication group with TLS required", async () => {
        expect(await violations(elasticacheEncryptionInTransit, replicationGroup())).to.deep.equal([]);
        expect(await violations(elasticacheEncryptionInTransit, replicationGroup({ transitEncryptionMode: "required" }))).to.deep.equal([]);
    });

    it("fails one without transit encryption", async () => {
        expect(await violations(elasticacheEncryptionInTransit, replicationGroup({ transitEncryptionEnabled: undefined }))).to.deep.equal([
            "transitEncryptionEnabled is not true: clients talk to Redis in clear text (CKV_AWS_30, ElastiCache.5).",
        ]);
    });

    it("fails one that only prefers TLS", async () => {
        expect(await violations(elasticacheEncryptionInTransit, replicationGroup({ transitEncryptionMode: "preferred" }))).to.deep.equal([
            "transitEncryptionMode is \"preferred\": clients may still connect without TLS; set \"required\" (CKV_AWS_30).",
        ]);
    });
});
