import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rotatingKey } from "../shared/kms";
import { named, Tags } from "../shared/tags";

export interface AwsSecretStoreArgs {
    /** Prefix of resource names, e.g. `genai-prod`. */
    readonly prefix: string;
    /** Secret values by key (`postgres-password`, `openai-api-key`, ...); every value is a secret Output. */
    readonly secrets: Readonly<Record<string, pulumi.Output<string>>>;
    /** Days after which a secret is due for rotation (recorded as a tag and in the README's runbook). */
    readonly rotationDays: number;
    /** Keep the KMS key (protect and retain), so stored secrets stay readable whatever the code does. */
    readonly protectData: boolean;
    /** The stack's AWS account and region. */
    readonly account: pulumi.Input<string>;
    readonly region: string;
    /** Namespaces that get a Kubernetes Secret, each with the keys it needs. */
    readonly kubernetesSecrets: readonly KubernetesSecretSpec[];
    /** The cluster's Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** Tags of every taggable resource of the component. */
    readonly tags: Tags;
}

/** A Kubernetes Secret: which stored secrets it carries, under which keys, plus plain values beside them. */
export interface KubernetesSecretSpec {
    /** Namespace of the Secret. */
    readonly namespace: pulumi.Input<string>;
    /** Name of the Kubernetes Secret. */
    readonly name: string;
    /** Keys of the stored secrets to include, by the key they get in the Kubernetes Secret. */
    readonly keys: Readonly<Record<string, string>>;
    /** Non-secret values the consumer expects in the same Secret (e.g. a user name). */
    readonly literals?: Readonly<Record<string, string>>;
}

/** Keys of the platform's secrets in Secrets Manager and Kubernetes. */
export const SECRET_KEYS = {
    postgresPassword: "postgres-password",
    redisAuthToken: "redis-auth-token",
    grafanaAdminPassword: "grafana-admin-password",
    huggingFaceToken: "hf-token",
    openaiApiKey: "openai-api-key",
    openrouterApiKey: "openrouter-api-key",
    alertSlackWebhookUrl: "slack-webhook-url",
} as const;

/**
 * Stores every secret of a cloud stack in AWS Secrets Manager, encrypted with a customer-managed KMS
 * key that rotates yearly, and hands them to workloads as Kubernetes Secrets (encrypted at rest by the
 * cluster's envelope encryption), which pods read through `secretKeyRef`.
 */
export class AwsSecretStore extends pulumi.ComponentResource {
    public readonly key: aws.kms.Key;
    public readonly secretArns: Record<string, pulumi.Output<string>> = {};
    /** Kubernetes Secrets by name. */
    public readonly kubernetesSecrets: Record<string, k8s.core.v1.Secret> = {};

    constructor(name: string, args: AwsSecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:secrets:SecretStore", name, {}, opts);
        const parent = { parent: this };
        for (const secret of args.kubernetesSecrets) {
            const missing = Object.values(secret.keys).filter((k) => !(k in args.secrets));
            if (missing.length > 0) throw new Error(`AwsSecretStore ${name}: Kubernetes secret ${secret.name} asks for unknown keys ${missing.join(", ")}`);
        }
        this.key = rotatingKey(
            `${name}-key`,
            `${args.prefix}: platform secrets in Secrets Manager`,
            { account: args.account, region: args.region, service: "secretsmanager" },
            named(args.tags, `${args.prefix}-secrets`),
            this,
            args.protectData,
        );
        for (const [key, value] of Object.entries(args.secrets)) {
            const secret = new aws.secretsmanager.Secret(
                `${name}-${key}`,
                {
                    // A deleted secret keeps its name for the recovery window: a unique suffix lets a recreated stack
                    // store its secrets at once while the old values stay recoverable for 30 days.
                    namePrefix: `${args.prefix}/${key}-`,
                    kmsKeyId: this.key.arn,
                    recoveryWindowInDays: 30,
                    description: `${args.prefix} ${key}; rotate every ${args.rotationDays} days`,
                    tags: named(args.tags, `${args.prefix}-${key}`, { "rotation-days": String(args.rotationDays) }),
                },
                parent,
            );
            new aws.secretsmanager.SecretVersion(`${name}-${key}`, { secretId: secret.id, secretString: pulumi.secret(value) }, parent);
            this.secretArns[key] = secret.arn;
        }
        for (const secret of args.kubernetesSecrets) {
            this.kubernetesSecrets[secret.name] = new k8s.core.v1.Secret(
                `${name}-${secret.name}`,
                {
                    metadata: { name: secret.name, namespace: secret.namespace, labels: { "app.kubernetes.io/part-of": "genai-platform" } },
                    type: "Opaque",
                    stringData: pulumi.secret(
                        pulumi.all({ ...secret.literals, ...Object.fromEntries(Object.entries(secret.keys).map(([as, k]) => [as, args.secrets[k]])) }),
                    ),
                },
                { parent: this, provider: args.provider },
            );
        }
        this.registerOutputs({ secretArns: this.secretArns });
    }
}
