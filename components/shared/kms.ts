import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * A customer-managed KMS key that rotates yearly and waits 30 days before it can be deleted. A key
 * that encrypts data is `protect`ed and retained with that data, or the data could not be decrypted.
 */
export function rotatingKey(name: string, description: string, tags: Record<string, string>, parent: pulumi.Resource, keep = false): aws.kms.Key {
    return new aws.kms.Key(name, { description, enableKeyRotation: true, deletionWindowInDays: 30, tags }, { parent, protect: keep, retainOnDelete: keep });
}
