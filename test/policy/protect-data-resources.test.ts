import { expect } from "chai";
import { protectDataResources as policy } from "../../policy/policies/protect-data-resources";
import { rdsInstance, replicationGroup } from "./fixtures";
import { violations } from "./harness";

const REQUIRED = { requireProtect: true };

describe("policy protect-data-resources", () => {
    it("passes protected data resources, and anything where the stack does not require protection", async () => {
        expect(await violations(policy, { ...rdsInstance(), protect: true }, REQUIRED)).to.deep.equal([]);
        expect(await violations(policy, { ...replicationGroup(), protect: true }, REQUIRED)).to.deep.equal([]);
        expect(await violations(policy, rdsInstance())).to.deep.equal([]);
    });

    it("fails an unprotected database, cache, bucket, file system or volume where protection is required", async () => {
        expect(await violations(policy, rdsInstance(), REQUIRED)).to.deep.equal([
            "postgres holds data but is not protected: a replacement or destroy would delete it.",
        ]);
        for (const type of ["aws:elasticache/replicationGroup:ReplicationGroup", "aws:s3/bucket:Bucket", "aws:efs/fileSystem:FileSystem", "docker:index/volume:Volume"]) {
            expect(await violations(policy, { type, name: "data", props: {} }, REQUIRED), type).to.deep.equal([
                "data holds data but is not protected: a replacement or destroy would delete it.",
            ]);
        }
    });
});
