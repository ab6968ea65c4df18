import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** The credentials the platform generates for itself. */
export const GENERATED_SECRETS = ["postgresPassword", "redisPassword", "grafanaAdminPassword"] as const;
export type GeneratedSecretName = (typeof GENERATED_SECRETS)[number];

export interface GeneratedSecretsArgs {
    /** Length of every generated password, in characters. @default 32 */
    readonly length?: number;
}

/**
 * Generates every password the platform needs, once, with @pulumi/random. Letters and digits only,
 * so a password needs no quoting in any config file. Each value is wrapped with `pulumi.secret`
 * so that it stays secret even where a provider would not mark it (e.g. under the mock engine).
 */
export class GeneratedSecrets extends pulumi.ComponentResource {
    public readonly values: Readonly<Record<GeneratedSecretName, pulumi.Output<string>>>;

    constructor(name: string, args: GeneratedSecretsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("genai:secrets:GeneratedSecrets", name, {}, opts);
        const length = args.length ?? 32;
        if (length < 16) throw new Error(`GeneratedSecrets ${name}: length ${length} is below 16`);
        const values = {} as Record<GeneratedSecretName, pulumi.Output<string>>;
        for (const secret of GENERATED_SECRETS) {
            const password = new random.RandomPassword(
                `${name}-${secret}`,
                { length, special: false, minLower: 2, minUpper: 2, minNumeric: 2 },
                { parent: this },
            );
            values[secret] = pulumi.secret(password.result);
        }
        this.values = values;
        this.registerOutputs({});
    }
}
