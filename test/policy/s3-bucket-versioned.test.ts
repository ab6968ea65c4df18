import { expect } from "chai";
import { s3BucketVersioned as policy } from "../../policy/policies/s3-bucket-versioned";
import { stackViolations, urnOf } from "./harness";

const bucket = { type: "aws:s3/bucket:Bucket", name: "models", props: { id: "models-id" } };
const logs = { type: "aws:s3/bucket:Bucket", name: "models-logs", props: { id: "models-logs-id" } };
const versioning = (name: string, status: string, target?: string) => ({
    type: "aws:s3/bucketVersioning:BucketVersioning",
    name,
    props: { bucket: target, versioningConfiguration: { status } },
});

describe("policy s3-bucket-versioned", () => {
    it("passes buckets with versioning enabled", async () => {
        expect(await stackViolations(policy, [bucket, versioning("v", "Enabled", "models-id")])).to.deep.equal([]);
    });

    it("gives a companion matched by name prefix to the longest bucket name", async () => {
        const resources = [bucket, logs, versioning("models-versioning", "Enabled"), versioning("models-logs-versioning", "Enabled")];
        expect(await stackViolations(policy, resources)).to.deep.equal([]);
        expect(await stackViolations(policy, [bucket, logs, versioning("models-logs-versioning", "Enabled")])).to.deep.equal([
            { message: "bucket models does not have versioning enabled (CKV_AWS_21).", urn: urnOf(bucket) },
        ]);
    });

    it("fails suspended or missing versioning", async () => {
        expect(await stackViolations(policy, [bucket, versioning("v", "Suspended", "models-id")])).to.deep.equal([
            { message: "bucket models does not have versioning enabled (CKV_AWS_21).", urn: urnOf(bucket) },
        ]);
    });
});
