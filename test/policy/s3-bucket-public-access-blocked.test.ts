import { expect } from "chai";
import { s3BucketPublicAccessBlocked as policy } from "../../policy/policies/s3-bucket-public-access-blocked";
import { stackViolations, urnOf } from "./harness";

const bucket = { type: "aws:s3/bucket:Bucket", name: "bucket", props: { bucketPrefix: "genai-prod-", id: "bucket-id" } };
const flags = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
const block = (props: Record<string, unknown>, name = "bucket-public-access") => ({ type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name, props });

describe("policy s3-bucket-public-access-blocked", () => {
    it("passes a bucket whose block names it by id (bucket: bucket.id)", async () => {
        expect(await stackViolations(policy, [bucket, block({ ...flags, bucket: "bucket-id" }, "pab")])).to.deep.equal([]);
    });

    it("matches a block whose bucket is unknown by parent or by name prefix", async () => {
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const child = { ...block({ ...flags, bucket: unknown }, "pab"), parent: urnOf(bucket) };
        expect(await stackViolations(policy, [bucket, child])).to.deep.equal([]);
        expect(await stackViolations(policy, [bucket, block({ ...flags, bucket: unknown })])).to.deep.equal([]);
    });

    it("fails a bucket without a public access block", async () => {
        expect(await stackViolations(policy, [bucket])).to.deep.equal([
            { message: "bucket bucket has no BucketPublicAccessBlock (CKV_AWS_53..56, S3.8).", urn: urnOf(bucket) },
        ]);
    });

    it("fails a block that leaves flags off, naming them", async () => {
        const partial = block({ ...flags, blockPublicPolicy: false, restrictPublicBuckets: undefined, bucket: "bucket-id" });
        expect(await stackViolations(policy, [bucket, partial])).to.deep.equal([
            {
                message: "bucket bucket's public access block does not set blockPublicPolicy, restrictPublicBuckets to true (CKV_AWS_53..56, S3.8).",
                urn: urnOf(bucket),
            },
        ]);
    });

    it("fails a public ACL", async () => {
        const open = { ...bucket, props: { ...bucket.props, acl: "public-read" } };
        expect(await stackViolations(policy, [open, block({ ...flags, bucket: "bucket-id" })])).to.deep.equal([
            { message: "bucket bucket has the public ACL public-read (CKV_AWS_53..56, S3.8).", urn: urnOf(bucket) },
        ]);
    });
});
