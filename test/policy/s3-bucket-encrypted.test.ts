import { expect } from "chai";
import { s3BucketEncrypted as policy } from "../../policy/policies/s3-bucket-encrypted";
import { stackViolations, urnOf } from "./harness";

const bucket = { type: "aws:s3/bucket:Bucket", name: "bucket", props: { bucket: "genai-prod-platform" } };
const sse = (sseAlgorithm: string) => ({
    type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    name: "bucket-encryption",
    props: { bucket: "genai-prod-platform", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm } }] },
});

describe("policy s3-bucket-encrypted", () => {
    it("passes a bucket with an encryption configuration, KMS where required", async () => {
        expect(await stackViolations(policy, [bucket, sse("AES256")])).to.deep.equal([]);
        expect(await stackViolations(policy, [bucket, sse("aws:kms")], { requireKms: true })).to.deep.equal([]);
    });

    it("accepts the V2 alias type", async () => {
        const v2 = { ...sse("aws:kms"), type: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2" };
        expect(await stackViolations(policy, [bucket, v2])).to.deep.equal([]);
    });

    it("fails a bucket without encryption configuration", async () => {
        expect(await stackViolations(policy, [bucket])).to.deep.equal([
            { message: "bucket bucket has no server-side encryption configuration (CKV_AWS_19).", urn: urnOf(bucket) },
        ]);
    });

    it("fails S3-managed keys where the stack requires KMS", async () => {
        expect(await stackViolations(policy, [bucket, sse("AES256")], { requireKms: true })).to.deep.equal([
            { message: "bucket bucket is encrypted with AES256, not a KMS key (CKV_AWS_145).", urn: urnOf(bucket) },
        ]);
    });
});
