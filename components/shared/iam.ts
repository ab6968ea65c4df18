import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The conditions of a trust statement, by operator then condition key. */
export type TrustConditions = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * A trust policy that lets an AWS service assume the role, under the conditions that tie it to this
 * account's own resources (the cross-service confused deputy: see `sourceConditions`).
 */
export function serviceTrustPolicy(service: string, conditions?: TrustConditions): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: ["sts:AssumeRole", "sts:TagSession"], ...(conditions ? { Condition: conditions } : {}) }],
    });
}

/**
 * The service acts for a resource of this account only: `aws:SourceAccount`, and `aws:SourceArn` (an
 * ARN or an ARN pattern) where the service documents that it sets it.
 */
export function sourceConditions(account: string, sourceArn?: string): TrustConditions {
    return { StringEquals: { "aws:SourceAccount": account }, ...(sourceArn ? { ArnLike: { "aws:SourceArn": sourceArn } } : {}) };
}

/**
 * The trust policy of a Pod Identity role: EKS Pod Identity, for this account, and only for one service
 * account of one namespace of one cluster (the session tags it sets when it assumes the role).
 */
export function podIdentityTrustPolicy(account: string, clusterArn: string, namespace: string, serviceAccount: string): string {
    return serviceTrustPolicy("pods.eks.amazonaws.com", {
        StringEquals: {
            "aws:SourceAccount": account,
            "aws:RequestTag/eks-cluster-arn": clusterArn,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": serviceAccount,
        },
    });
}

/** The ARN of an EKS cluster, known before the cluster exists. */
export function eksClusterArn(region: string, account: string, clusterName: string): string {
    return `arn:aws:eks:${region}:${account}:cluster/${clusterName}`;
}

/**
 * A role for one Kubernetes service account through EKS Pod Identity, trusted for that account of that
 * cluster only, with an inline policy or AWS-managed policies, and the association that binds it.
 */
export function podIdentityRole(
    name: string,
    args: {
        clusterName: pulumi.Input<string>;
        /** ARN of the cluster, which the role trusts alone. */
        clusterArn: pulumi.Input<string>;
        /** The AWS account of the stack. */
        account: pulumi.Input<string>;
        namespace: string;
        serviceAccount: string;
        policy?: pulumi.Input<string>;
        managedPolicyArns?: readonly string[];
        tags: Record<string, string>;
        /** Create the association here; add-ons bind their roles through their own field instead. */
        associate: boolean;
    },
    parent: pulumi.Resource,
): { role: aws.iam.Role; policies: pulumi.Resource[]; association?: aws.eks.PodIdentityAssociation } {
    const opts = { parent };
    const trust = pulumi
        .all([args.account, args.clusterArn])
        .apply(([account, clusterArn]) => podIdentityTrustPolicy(account, clusterArn, args.namespace, args.serviceAccount));
    const role = new aws.iam.Role(name, { assumeRolePolicy: trust, tags: args.tags }, opts);
    const policies: pulumi.Resource[] = [];
    if (args.policy) policies.push(new aws.iam.RolePolicy(name, { role: role.id, policy: args.policy }, opts));
    for (const arn of args.managedPolicyArns ?? []) {
        policies.push(new aws.iam.RolePolicyAttachment(`${name}-${arn.split("/").pop()}`, { role: role.name, policyArn: arn }, opts));
    }
    // The pod gets credentials as soon as it is associated: only once the role can do its work.
    const association = args.associate
        ? new aws.eks.PodIdentityAssociation(
              name,
              { clusterName: args.clusterName, namespace: args.namespace, serviceAccount: args.serviceAccount, roleArn: role.arn, tags: args.tags },
              { parent, dependsOn: policies },
          )
        : undefined;
    return { role, policies, association };
}
