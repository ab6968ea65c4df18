import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** What the account may do to a key through IAM: administer it, never use it directly. */
export const KEY_ADMIN_ACTIONS = [
    "kms:Describe*",
    "kms:Get*",
    "kms:List*",
    "kms:Enable*",
    "kms:Disable*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
] as const;

/** What a service may do with the key on behalf of the account's principals. */
export const KEY_USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants"] as const;

/** The AWS service a key serves, by its endpoint prefix (`rds`, `elasticache`, `secretsmanager`, `eks`). */
export interface KeyPurpose {
    /** The stack's AWS account. */
    readonly account: pulumi.Input<string>;
    readonly region: string;
    /** Endpoint prefix of the only service through which the key may be used. */
    readonly service: string;
}

/**
 * The key policy of a key with one purpose: the account administers it through IAM, and its principals
 * may use it only through the one service (`kms:ViaService`), from this account (`kms:CallerAccount`).
 */
export function keyPolicy(account: string, region: string, service: string): string {
    const root = { AWS: `arn:aws:iam::${account}:root` };
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "AccountAdministersThroughIam", Effect: "Allow", Principal: root, Action: [...KEY_ADMIN_ACTIONS], Resource: "*" },
            {
                Sid: `UseThrough${service}`,
                Effect: "Allow",
                Principal: root,
                Action: [...KEY_USE_ACTIONS],
                Resource: "*",
                Condition: { StringEquals: { "kms:ViaService": `${service}.${region}.amazonaws.com`, "kms:CallerAccount": account } },
            },
        ],
    });
}

/**
 * A customer-managed KMS key for one purpose (its key policy), that rotates yearly and waits 30 days
 * before it can be deleted. A key that encrypts data is `protect`ed and retained with that data, or the
 * data could not be decrypted.
 */
export function rotatingKey(name: string, description: string, purpose: KeyPurpose, tags: Record<string, string>, parent: pulumi.Resource, keep = false): aws.kms.Key {
    const policy = pulumi.output(purpose.account).apply((account) => keyPolicy(account, purpose.region, purpose.service));
    return new aws.kms.Key(name, { description, enableKeyRotation: true, deletionWindowInDays: 30, policy, tags }, { parent, protect: keep, retainOnDelete: keep });
}
