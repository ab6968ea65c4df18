import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityRole } from "../shared/iam";
import { named, Tags } from "../shared/tags";

export interface AwsAlertTopicArgs {
    /** Prefix of resource names, e.g. `genai-prod`. */
    readonly prefix: string;
    /** Name of the EKS cluster. */
    readonly clusterName: pulumi.Input<string>;
    /** ARN of the EKS cluster, which the publisher role trusts alone. */
    readonly clusterArn: pulumi.Input<string>;
    /** The stack's AWS account. */
    readonly account: pulumi.Input<string>;
    /** Namespace and service account of Alertmanager, which publishes to the topic. */
    readonly publisher: { namespace: string; serviceAccount: string };
    /** Addresses subscribed to the topic; each confirms its subscription once by e-mail. */
    readonly emails: readonly string[];
    /** Tags of every taggable resource of the component. */
    readonly tags: Tags;
}

/** The topic's policy: nobody but the publisher role may publish, whatever their IAM permissions say. */
export function renderAlertTopicPolicy(topicArn: string, publisherRoleArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "AlertmanagerPublishes", Effect: "Allow", Principal: { AWS: publisherRoleArn }, Action: "sns:Publish", Resource: topicArn },
            {
                Sid: "NobodyElsePublishes",
                Effect: "Deny",
                Principal: "*",
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { ArnNotEquals: { "aws:PrincipalArn": publisherRoleArn } },
            },
        ],
    });
}

/**
 * The SNS topic that e-mails critical alerts: encrypted with the SNS-managed KMS key, one e-mail
 * subscription per alert address, and a role, bound to Alertmanager's service account through EKS Pod
 * Identity, that may publish to this topic only.
 */
export class AwsAlertTopic extends pulumi.ComponentResource {
    public readonly topic: aws.sns.Topic;
    /** Binds the publisher role to Alertmanager's service account; Alertmanager must start after it. */
    public readonly publisherAssociation: aws.eks.PodIdentityAssociation;

    constructor(name: string, args: AwsAlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:observability:AlertTopic", name, {}, opts);
        const parent = { parent: this };
        const t = (n: string) => named(args.tags, `${args.prefix}-${n}`);
        this.topic = new aws.sns.Topic(`${name}`, { namePrefix: `${args.prefix}-alerts-`, kmsMasterKeyId: "alias/aws/sns", tags: t("alerts") }, parent);
        args.emails.forEach((email, i) => new aws.sns.TopicSubscription(`${name}-email-${i}`, { topic: this.topic.arn, protocol: "email", endpoint: email }, parent));
        const publisher = podIdentityRole(
            `${name}-publisher`,
            {
                clusterName: args.clusterName,
                clusterArn: args.clusterArn,
                account: args.account,
                namespace: args.publisher.namespace,
                serviceAccount: args.publisher.serviceAccount,
                policy: this.topic.arn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sns:Publish", Resource: arn }] })),
                tags: t("alert-publisher"),
                associate: true,
            },
            this,
        );
        new aws.sns.TopicPolicy(
            `${name}-publishers`,
            { arn: this.topic.arn, policy: pulumi.all([this.topic.arn, publisher.role.arn]).apply(([topicArn, roleArn]) => renderAlertTopicPolicy(topicArn, roleArn)) },
            parent,
        );
        this.publisherAssociation = publisher.association!;
        this.registerOutputs({ topicArn: this.topic.arn });
    }
}
