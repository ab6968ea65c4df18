import { expect } from "chai";
import { rdsDeletionProtection } from "../../policy/policies/rds-deletion-protection";
import { rdsInstance } from "./fixtures";
import { violations } from "./harness";

describe("policy rds-deletion-protection", () => {
    it("passes a protected instance, and any instance where the stack does not require protection", async () => {
        expect(await violations(rdsDeletionProtection, rdsInstance(), { requireDeletionProtection: true })).to.deep.equal([]);
        expect(await violations(rdsDeletionProtection, rdsInstance({ deletionProtection: false }))).to.deep.equal([]);
    });

    it("fails an unprotected instance where the stack requires protection", async () => {
        expect(await violations(rdsDeletionProtection, rdsInstance({ deletionProtection: false }), { requireDeletionProtection: true })).to.deep.equal([
            "deletionProtection is not true: the instance can be deleted by an API call or a replacement (CKV_AWS_293, RDS.8).",
        ]);
    });
});
