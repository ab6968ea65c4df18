import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** A trust policy that lets an AWS service assume the role. */
export function serviceTrustPolicy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    });
}

/**
 * A role for one Kubernetes service account through EKS Pod Identity, with an inline policy or
 * AWS-managed policies, and the association that binds it to the account.
 */
export function podIdentityRole(
    name: string,
    args: {
        clusterName: pulumi.Input<string>;
        namespace: string;
        serviceAccount: string;
        policy?: pulumi.Input<string>;
        managedPolicyArns?: readonly string[];
        tags: Record<string, string>;
        /** Create the association here; add-ons bind their roles through their own field instead. */
        associate: boolean;
    },
    parent: pulumi.Resource,
): { role: aws.iam.Role; association?: aws.eks.PodIdentityAssociation } {
    const opts = { parent };
    const role = new aws.iam.Role(name, { assumeRolePolicy: serviceTrustPolicy("pods.eks.amazonaws.com"), tags: args.tags }, opts);
    if (args.policy) new aws.iam.RolePolicy(name, { role: role.id, policy: args.policy }, opts);
    for (const arn of args.managedPolicyArns ?? []) {
        new aws.iam.RolePolicyAttachment(`${name}-${arn.split("/").pop()}`, { role: role.name, policyArn: arn }, opts);
    }
    const association = args.associate
        ? new aws.eks.PodIdentityAssociation(
              name,
              { clusterName: args.clusterName, namespace: args.namespace, serviceAccount: args.serviceAccount, roleArn: role.arn, tags: args.tags },
              opts,
          )
        : undefined;
    return { role, association };
}
