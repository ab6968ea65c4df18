import { expect } from "chai";
import { rdsStorageEncrypted } from "../../policy/policies/rds-storage-encrypted";
import { rdsInstance } from "./fixtures";
import { NotApplicable, violations } from "./harness";

describe("policy rds-storage-encrypted", () => {
    it("passes an encrypted instance", async () => {
        expect(await violations(rdsStorageEncrypted, rdsInstance())).to.deep.equal([]);
    });

    it("fails an instance whose storageEncrypted is false or unset", async () => {
        const expected = ["storageEncrypted is not true: the database storage, backups and snapshots are unencrypted (CKV_AWS_16, RDS.3)."];
        expect(await violations(rdsStorageEncrypted, rdsInstance({ storageEncrypted: false }))).to.deep.equal(expected);
        expect(await violations(rdsStorageEncrypted, rdsInstance({ storageEncrypted: undefined }))).to.deep.equal(expected);
    });

    it("does not apply to other types", async () => {
        let error: unknown;
        await violations(rdsStorageEncrypted, { type: "aws:s3/bucket:Bucket", props: {} }).catch((e) => (error = e));
        expect(error).to.be.instanceOf(NotApplicable);
    });
});
