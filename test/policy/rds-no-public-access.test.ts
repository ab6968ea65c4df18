import { expect } from "chai";
import { rdsNoPublicAccess } from "../../policy/policies/rds-no-public-access";
import { rdsInstance } from "./fixtures";
import { violations } from "./harness";

describe("policy rds-no-public-access", () => {
    it("passes a private instance, and one that leaves publiclyAccessible to its false default", async () => {
        expect(await violations(rdsNoPublicAccess, rdsInstance())).to.deep.equal([]);
        expect(await violations(rdsNoPublicAccess, rdsInstance({ publiclyAccessible: undefined }))).to.deep.equal([]);
    });

    it("fails a publicly accessible instance", async () => {
        expect(await violations(rdsNoPublicAccess, rdsInstance({ publiclyAccessible: true }))).to.deep.equal([
            "publiclyAccessible is true: the database gets a public DNS name and address (CKV_AWS_17, RDS.2).",
        ]);
    });
});
