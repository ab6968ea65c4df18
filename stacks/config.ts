import * as pulumi from "@pulumi/pulumi";
import { isPinnedImage } from "../components/images";
import { ModelKind, ModelSpec } from "../components/inference/model";
import { checkInteger, ConfigReader, ConfigSource, rangeText } from "./config-reader";

export type Platform = "docker" | "aws";
export const PLATFORMS: readonly Platform[] = ["docker", "aws"];

export interface TrafficConfig {
    /** Origins allowed by CORS; empty allows none. */
    readonly corsOrigins: readonly string[];
    /** Requests per minute one client may send to a model. */
    readonly rateLimitPerMinute: number;
    /** Requests per second one client may send to the API routes. */
    readonly apiRateLimitPerSecond: number;
    /** Requests per second one client may send to the login routes. */
    readonly authRateLimitPerSecond: number;
    /** Host interface the dev load balancer binds to. */
    readonly lbBindAddress: string;
    /** Host port of the dev load balancer. */
    readonly lbHostPort: number;
}

export interface DatabaseConfig {
    readonly name: string;
    readonly user: string;
    /** Host port Postgres is published on in dev, bound to 127.0.0.1; undefined publishes none. */
    readonly hostPort?: number;
    readonly instanceClass: string;
    readonly allocatedStorageGb: number;
    readonly maxAllocatedStorageGb: number;
    readonly backupRetentionDays: number;
    readonly multiAz: boolean;
}

export interface CacheConfig {
    readonly maxMemoryMb: number;
    readonly nodeType: string;
    /** Read replicas besides the primary. */
    readonly replicas: number;
    readonly snapshotRetentionDays: number;
}

export interface ObservabilityConfig {
    readonly metricsRetentionDays: number;
    readonly metricsRetentionSizeGb: number;
    readonly logsRetentionDays: number;
    readonly alertEmails: readonly string[];
    /** Ship dev container logs to Loki through the Loki Docker logging driver. */
    readonly lokiDockerDriver: boolean;
}

export interface BudgetConfig {
    readonly monthlyUsd: number;
    /** Fraction of the budget at which the first alert fires, e.g. 0.8. */
    readonly alertThreshold: number;
}

/** Secrets that come from Pulumi secret config; every one is a secret Output. */
export interface ConfiguredSecrets {
    readonly huggingFaceToken?: pulumi.Output<string>;
    readonly openaiApiKey?: pulumi.Output<string>;
    readonly openrouterApiKey?: pulumi.Output<string>;
    readonly alertSlackWebhookUrl?: pulumi.Output<string>;
}

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    readonly platform: Platform;
    readonly costCenter: string;
    readonly models: readonly ModelSpec[];
    readonly traffic: TrafficConfig;
    readonly database: DatabaseConfig;
    readonly cache: CacheConfig;
    readonly observability: ObservabilityConfig;
    readonly budget: BudgetConfig;
    readonly secrets: ConfiguredSecrets;
}

/**
 * Keys that Pulumi.yaml cannot declare in its typed `config:` block: structured values
 * (the project schema has no object type) and optional secrets (a declared key without a
 * default is required in every stack). They are documented in Pulumi.yaml's comments.
 */
export const UNDECLARABLE_KEYS: Readonly<Record<string, string>> = {
    models: "structured list of served models",
    huggingFaceToken: "optional secret; required when a model has gatedWeights",
    openaiApiKey: "optional secret, handed to workloads that call OpenAI",
    openrouterApiKey: "optional secret, handed to workloads that call OpenRouter",
    alertSlackWebhookUrl: "optional secret, Alertmanager's Slack receiver",
};

const MODEL_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const MODEL_KINDS: readonly ModelKind[] = ["llm", "image"];
const HTTP_PATH = /^\/[A-Za-z0-9._~\/-]*$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const SECRET_LOOKING_ENV = /(PASSWORD|SECRET|TOKEN|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIAL)/;

/** Reads and validates the whole stack configuration; throws a ConfigError on the first bad value. */
export function loadStackConfig(source: ConfigSource, reader = new ConfigReader(source)): StackConfig {
    const r = reader;
    const platform = r.oneOf("platform", PLATFORMS);
    const secrets: ConfiguredSecrets = {
        huggingFaceToken: r.optionalSecret("huggingFaceToken"),
        openaiApiKey: r.optionalSecret("openaiApiKey"),
        openrouterApiKey: r.optionalSecret("openrouterApiKey"),
        alertSlackWebhookUrl: r.optionalSecret("alertSlackWebhookUrl"),
    };
    const models = readModels(r);
    const gated = models.find((m) => m.gatedWeights);
    if (gated && !secrets.huggingFaceToken) {
        r.fail("huggingFaceToken", undefined, `a secret (pulumi config set --secret huggingFaceToken ...), required because model "${gated.name}" has gatedWeights`);
    }
    const budgetMonthly = r.number("monthlyBudgetUsd", 0, 10_000_000, true);
    const database: DatabaseConfig = {
        name: r.string("dbName"),
        user: r.string("dbUser"),
        hostPort: optionalPort(r, "dbHostPort"),
        instanceClass: r.string("dbInstanceClass"),
        allocatedStorageGb: r.integer("dbAllocatedStorageGb", 20, 65536),
        maxAllocatedStorageGb: r.integer("dbMaxAllocatedStorageGb", 20, 65536),
        backupRetentionDays: r.integer("dbBackupRetentionDays", 1, 35),
        multiAz: r.boolean("dbMultiAz"),
    };
    if (database.maxAllocatedStorageGb < database.allocatedStorageGb) {
        r.fail("dbMaxAllocatedStorageGb", database.maxAllocatedStorageGb, `an integer >= dbAllocatedStorageGb (${database.allocatedStorageGb})`);
    }
    return {
        project: source.project,
        stack: source.stack,
        platform,
        costCenter: r.string("costCenter"),
        models,
        traffic: {
            corsOrigins: r.stringList("corsOrigins", /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?$/, "origins such as https://app.example.com"),
            rateLimitPerMinute: r.integer("rateLimitPerMinute", 1, 100_000),
            apiRateLimitPerSecond: r.integer("apiRateLimitPerSecond", 1, 100_000),
            authRateLimitPerSecond: r.integer("authRateLimitPerSecond", 1, 100_000),
            lbBindAddress: r.oneOf("lbBindAddress", ["127.0.0.1", "0.0.0.0"]),
            lbHostPort: r.integer("lbHostPort", 1, 65535),
        },
        database,
        cache: {
            maxMemoryMb: r.integer("cacheMaxMemoryMb", 16, 1_048_576),
            nodeType: r.string("cacheNodeType"),
            replicas: r.integer("cacheReplicas", 0, 5),
            snapshotRetentionDays: r.integer("cacheSnapshotRetentionDays", 0, 35),
        },
        observability: {
            metricsRetentionDays: r.integer("metricsRetentionDays", 1, 3650),
            metricsRetentionSizeGb: r.integer("metricsRetentionSizeGb", 1, 100_000),
            logsRetentionDays: r.integer("logsRetentionDays", 1, 3650),
            alertEmails: r.stringList("alertEmails", /^[^@\s]+@[^@\s]+\.[^@\s]+$/, "e-mail addresses"),
            lokiDockerDriver: r.boolean("lokiDockerDriver"),
        },
        budget: {
            monthlyUsd: budgetMonthly,
            alertThreshold: r.number("budgetAlertThreshold", 0, 1, true),
        },
        secrets,
    };
}

function optionalPort(r: ConfigReader, key: string): number | undefined {
    const port = r.integer(key, 0, 65535);
    return port === 0 ? undefined : port;
}

type Json = Record<string, unknown>;

function readModels(r: ConfigReader): ModelSpec[] {
    const raw = r.structured("models", "a non-empty list of models ({name, kind, image, port, healthPath, ...})");
    if (!Array.isArray(raw) || raw.length === 0) {
        r.fail("models", raw, "a non-empty list of models ({name, kind, image, port, healthPath, ...})");
    }
    const seen = new Set<string>();
    return raw.map((entry: unknown, i: number) => {
        const at = `models[${i}]`;
        if (typeof entry !== "object" || entry === null || Array.isArray(entry)) r.fail(at, entry, "an object");
        const model = readModel(r, at, entry as Json);
        if (seen.has(model.name)) r.fail(`${at}.name`, model.name, "a name not used by another model");
        seen.add(model.name);
        return model;
    });
}

function readModel(r: ConfigReader, at: string, m: Json): ModelSpec {
    const field = new FieldReader(r, at, m);
    const name = field.string("name", MODEL_NAME, "lower-case letters, digits and dashes, 2-32 characters");
    const image = field.image("image");
    const replicas = field.object("replicas");
    const min = replicas.integer("min", 1, 1000, 1);
    const max = replicas.integer("max", 1, 1000, 5);
    if (min > max) r.fail(`${at}.replicas.min`, min, `an integer <= replicas.max (${max})`);
    const gpus = field.integer("gpus", 0, 8, 0);
    const canaryJson = m["canary"];
    let canary: ModelSpec["canary"];
    if (canaryJson !== undefined) {
        const c = field.object("canary");
        canary = { image: c.image("image"), weight: c.integer("weight", 0, 100) };
    }
    const env = field.stringMap("env", ENV_NAME);
    for (const key of Object.keys(env)) {
        if (SECRET_LOOKING_ENV.test(key)) {
            r.fail(`${at}.env.${key}`, "(hidden)", "no secrets in plain env: use a secret config key such as huggingFaceToken");
        }
    }
    return {
        name,
        kind: field.oneOf("kind", MODEL_KINDS),
        image,
        port: field.integer("port", 1, 65535),
        healthPath: field.string("healthPath", HTTP_PATH, "an HTTP path starting with /"),
        metricsPath: field.string("metricsPath", HTTP_PATH, "an HTTP path starting with /", "/metrics"),
        autoscaling: {
            minReplicas: min,
            maxReplicas: max,
            queueDepthTarget: field.integer("queueDepthTarget", 1, 10_000, 5),
            gpuUtilizationTarget: field.integer("gpuUtilizationTarget", 1, 100, 80),
            scaleDownStabilizationSeconds: field.integer("scaleDownStabilizationSeconds", 0, 3600, 300),
        },
        gpus,
        gpuClass: field.optionalString("gpuClass", /^[a-z0-9-]+$/, "a node group class such as a10g"),
        memoryMb: field.integer("memoryMb", 64, 2_097_152, 4096),
        cpus: field.number("cpus", 0.1, 192, 2),
        args: field.stringList("args"),
        env,
        gatedWeights: field.boolean("gatedWeights", false),
        weightsCacheGb: field.integer("weightsCacheGb", 1, 65536, 100),
        canary,
    };
}

/** Reads the fields of one object inside a structured key, with paths for messages. */
class FieldReader {
    constructor(
        private readonly r: ConfigReader,
        private readonly at: string,
        private readonly obj: Json,
    ) {}

    private path(key: string): string {
        return `${this.at}.${key}`;
    }

    private value(key: string): unknown {
        return this.obj[key];
    }

    string(key: string, pattern: RegExp, allowed: string, fallback?: string): string {
        const v = this.value(key) ?? fallback;
        if (typeof v !== "string" || !pattern.test(v)) this.r.fail(this.path(key), v, allowed);
        return v;
    }

    optionalString(key: string, pattern: RegExp, allowed: string): string | undefined {
        return this.value(key) === undefined ? undefined : this.string(key, pattern, allowed);
    }

    oneOf<T extends string>(key: string, choices: readonly T[]): T {
        const v = this.value(key);
        if (typeof v !== "string" || !(choices as readonly string[]).includes(v)) {
            this.r.fail(this.path(key), v, `one of ${choices.map((c) => `"${c}"`).join(", ")}`);
        }
        return v as T;
    }

    image(key: string): string {
        const v = this.value(key);
        if (typeof v !== "string" || !isPinnedImage(v)) {
            this.r.fail(this.path(key), v, "an image pinned to a version tag or digest (not latest, not untagged)");
        }
        return v;
    }

    integer(key: string, min: number, max: number, fallback?: number): number {
        const v = this.value(key) ?? fallback;
        const parsed = checkInteger(v, min, max);
        if (parsed === undefined) this.r.fail(this.path(key), v, rangeText("an integer", min, max));
        return parsed;
    }

    number(key: string, min: number, max: number, fallback: number): number {
        const v = this.value(key) ?? fallback;
        if (typeof v !== "number" || v < min || v > max) this.r.fail(this.path(key), v, `a number from ${min} to ${max}`);
        return v;
    }

    boolean(key: string, fallback: boolean): boolean {
        const v = this.value(key) ?? fallback;
        if (typeof v !== "boolean") this.r.fail(this.path(key), v, "true or false");
        return v;
    }

    stringList(key: string): string[] {
        const v = this.value(key) ?? [];
        if (!Array.isArray(v) || v.some((item) => typeof item !== "string")) this.r.fail(this.path(key), v, "a list of strings");
        return v as string[];
    }

    stringMap(key: string, keyPattern: RegExp): Record<string, string> {
        const v = this.value(key) ?? {};
        if (typeof v !== "object" || v === null || Array.isArray(v)) this.r.fail(this.path(key), v, "a map of strings");
        for (const [k, item] of Object.entries(v)) {
            if (!keyPattern.test(k) || typeof item !== "string") this.r.fail(`${this.path(key)}.${k}`, item, "a string under an UPPER_CASE name");
        }
        return v as Record<string, string>;
    }

    object(key: string): FieldReader {
        const v = this.value(key);
        if (typeof v !== "object" || v === null || Array.isArray(v)) this.r.fail(this.path(key), v, "an object");
        return new FieldReader(this.r, this.path(key), v as Json);
    }
}
