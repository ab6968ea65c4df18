import { expect } from "chai";
import { eksSecretsEncryption } from "../../policy/policies/eks-secrets-encryption";
import { eksCluster } from "./fixtures";
import { violations } from "./harness";

const MESSAGE = "encryptionConfig does not encrypt \"secrets\" with a KMS key: secrets sit in etcd unencrypted by a customer key (CKV_AWS_58).";

describe("policy eks-secrets-encryption", () => {
    it("passes a cluster encrypting secrets with a KMS key", async () => {
        expect(await violations(eksSecretsEncryption, eksCluster())).to.deep.equal([]);
    });

    it("fails a cluster without encryptionConfig", async () => {
        expect(await violations(eksSecretsEncryption, eksCluster({ encryptionConfig: undefined }))).to.deep.equal([MESSAGE]);
    });

    it("fails an encryptionConfig that leaves out secrets or the key", async () => {
        expect(await violations(eksSecretsEncryption, eksCluster({ encryptionConfig: { provider: { keyArn: "arn:k" }, resources: [] } }))).to.deep.equal([MESSAGE]);
        expect(await violations(eksSecretsEncryption, eksCluster({ encryptionConfig: { provider: {}, resources: ["secrets"] } }))).to.deep.equal([MESSAGE]);
    });
});
