import { expect } from "chai";
import { elasticacheEncryptionAtRest } from "../../policy/policies/elasticache-encryption-at-rest";
import { replicationGroup } from "./fixtures";
import { violations } from "./harness";

describe("policy elasticache-encryption-at-rest", () => {
    it("passes a replication group encrypted at rest", async () => {
        expect(await violations(elasticacheEncryptionAtRest, replicationGroup())).to.deep.equal([]);
    });

    it("fails one without at-rest encryption", async () => {
        expect(await violations(elasticacheEncryptionAtRest, replicationGroup({ atRestEncryptionEnabled: false }))).to.deep.equal([
            "atRestEncryptionEnabled is not true: snapshots and swap are unencrypted (CKV_AWS_29, ElastiCache.4).",
        ]);
    });
});
