import { expect } from "chai";
import { rdsRunsMultiAz as policy } from "../../policy/policies/rds-runs-multi-az";
import { rdsInstance } from "./fixtures";
import { violations } from "./harness";

describe("policy rds-runs-multi-az", () => {
    it("passes a Multi-AZ instance, and a single-AZ one where the stack protects no data", async () => {
        expect(await violations(policy, rdsInstance(), { requireMultiAz: true })).to.deep.equal([]);
        expect(await violations(policy, rdsInstance({ multiAz: false }))).to.deep.equal([]);
        expect(await violations(policy, rdsInstance({ multiAz: false }), { requireMultiAz: false })).to.deep.equal([]);
    });

    it("fails a single-AZ instance (explicitly or by default) where the stack requires Multi-AZ", async () => {
        const expected = ["multiAz is not true: the database has no standby in another zone, so a zone or host failure stops it (CKV_AWS_157, RDS.5)."];
        expect(await violations(policy, rdsInstance({ multiAz: false }), { requireMultiAz: true })).to.deep.equal(expected);
        expect(await violations(policy, rdsInstance({ multiAz: undefined }), { requireMultiAz: true })).to.deep.equal(expected);
    });
});
