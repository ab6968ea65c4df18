import { expect } from "chai";
import { kmsKeysRotate as policy } from "../../policy/policies/kms-keys-rotate";
import { violations } from "./harness";

const key = (props: Record<string, unknown>) => ({ type: "aws:kms/key:Key", name: "postgres-key", props: { description: "Postgres", deletionWindowInDays: 30, ...props } });

describe("policy kms-keys-rotate", () => {
    it("passes a rotating symmetric key, and asymmetric or HMAC keys, which cannot rotate", async () => {
        expect(await violations(policy, key({ enableKeyRotation: true }))).to.deep.equal([]);
        expect(await violations(policy, key({ enableKeyRotation: true, keySpec: "SYMMETRIC_DEFAULT", rotationPeriodInDays: 90 }))).to.deep.equal([]);
        expect(await violations(policy, key({ keySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }))).to.deep.equal([]);
        expect(await violations(policy, key({ customerMasterKeySpec: "HMAC_256" }))).to.deep.equal([]);
    });

    it("fails a symmetric key whose rotation is off or unset (the AWS default)", async () => {
        const expected = ["enableKeyRotation is not true: the key's material never rotates (CKV_AWS_7, KMS.4)."];
        expect(await violations(policy, key({ enableKeyRotation: false }))).to.deep.equal(expected);
        expect(await violations(policy, key({}))).to.deep.equal(expected);
        expect(await violations(policy, key({ keySpec: "SYMMETRIC_DEFAULT" }))).to.deep.equal(expected);
    });
});
