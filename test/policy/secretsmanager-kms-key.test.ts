import { expect } from "chai";
import { secretsmanagerKmsKey as policy } from "../../policy/policies/secretsmanager-kms-key";
import { violations } from "./harness";

const secret = (props: Record<string, unknown>) => ({ type: "aws:secretsmanager/secret:Secret", props: { name: "genai-prod/postgres-password", ...props } });

describe("policy secretsmanager-kms-key", () => {
    it("passes a secret encrypted with the platform's key", async () => {
        expect(await violations(policy, secret({ kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k" }))).to.deep.equal([]);
    });

    it("fails a secret on the AWS-managed key", async () => {
        expect(await violations(policy, secret({}))).to.deep.equal([
            "kmsKeyId is not set: the secret uses the AWS-managed key, whose use cannot be restricted by key policy (CKV_AWS_149).",
        ]);
    });
});
