import * as pulumi from "@pulumi/pulumi";

/**
 * A configuration error: names the stack, the key, the bad value and what is allowed.
 * It is a `pulumi.RunError`, so the CLI prints the message alone, without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        public readonly stack: string,
        public readonly key: string,
        public readonly value: string,
        public readonly allowed: string,
    ) {
        super(`Invalid configuration for stack "${stack}": ${key} = ${value}; allowed: ${allowed}.`);
        this.name = "ConfigError";
    }
}

/** Where raw configuration strings come from: the Pulumi engine, or a test. */
export interface ConfigSource {
    readonly project: string;
    readonly stack: string;
    /** The raw string of a key, as the CLI passes it: a project key without its prefix, or a qualified `provider:key`. */
    get(key: string): string | undefined;
}

/** The configuration the Pulumi CLI hands to this program. */
export function engineConfigSource(): ConfigSource {
    const project = pulumi.getProject();
    return {
        project,
        stack: pulumi.getStack(),
        get: (key) => pulumi.runtime.getConfig(key.includes(":") ? key : `${project}:${key}`),
    };
}

/** Renders a raw value for an error message; secrets are never echoed. */
export function show(value: unknown): string {
    return value === undefined ? "(not set)" : JSON.stringify(value);
}

/**
 * Typed, validating access to a config source. Every failure is a ConfigError
 * thrown before any resource is registered.
 */
export class ConfigReader {
    /** Every top-level key this reader was asked for, so tests can compare it with Pulumi.yaml. */
    public readonly keysRead = new Set<string>();

    constructor(private readonly source: ConfigSource) {}

    get stack(): string {
        return this.source.stack;
    }

    /** Throws a ConfigError for `key` (a path such as `models[1].port`). */
    fail(key: string, value: unknown, allowed: string): never {
        throw new ConfigError(this.source.stack, `${this.source.project}:${key}`, show(value), allowed);
    }

    raw(key: string): string | undefined {
        this.keysRead.add(key);
        const value = this.source.get(key);
        return value === undefined || value === "" ? undefined : value;
    }

    private required(key: string, allowed: string): string {
        const value = this.raw(key);
        if (value === undefined) this.fail(key, undefined, allowed);
        return value;
    }

    string(key: string, allowed = "a non-empty string"): string {
        return this.required(key, allowed);
    }

    optionalString(key: string): string | undefined {
        return this.raw(key);
    }

    oneOf<T extends string>(key: string, choices: readonly T[]): T {
        const allowed = `one of ${choices.map((c) => `"${c}"`).join(", ")}`;
        const value = this.required(key, allowed);
        if (!(choices as readonly string[]).includes(value)) this.fail(key, value, allowed);
        return value as T;
    }

    integer(key: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
        const allowed = rangeText("an integer", min, max);
        const value = this.required(key, allowed);
        return checkInteger(value, min, max) ?? this.fail(key, value, allowed);
    }

    number(key: string, min: number, max: number, exclusiveMin = false): number {
        const allowed = `a number ${exclusiveMin ? "greater than" : "from"} ${min}${exclusiveMin ? " and at most" : " to"} ${max}`;
        const value = this.required(key, allowed);
        const parsed = /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
        if (Number.isNaN(parsed) || parsed > max || parsed < min || (exclusiveMin && parsed === min)) {
            this.fail(key, value, allowed);
        }
        return parsed;
    }

    boolean(key: string): boolean {
        const value = this.required(key, "true or false");
        if (value !== "true" && value !== "false") this.fail(key, value, "true or false");
        return value === "true";
    }

    /** A JSON-encoded list of strings (the CLI encodes array config as JSON). */
    stringList(key: string, itemPattern?: RegExp, itemAllowed = "strings"): string[] {
        const value = this.required(key, `a list of ${itemAllowed}`);
        const parsed = parseJson(value);
        if (!Array.isArray(parsed)) this.fail(key, value, `a list of ${itemAllowed}`);
        return parsed.map((item, i) => {
            if (typeof item !== "string" || (itemPattern && !itemPattern.test(item))) {
                this.fail(`${key}[${i}]`, item, itemAllowed);
            }
            return item;
        });
    }

    /** A structured (object or list) key; the CLI passes these as JSON. */
    structured(key: string, allowed: string): unknown {
        const value = this.required(key, allowed);
        const parsed = parseJson(value);
        if (parsed === undefined || typeof parsed !== "object" || parsed === null) this.fail(key, value, allowed);
        return parsed;
    }

    /** A secret from Pulumi config, wrapped so that it stays secret in every output. */
    optionalSecret(key: string): pulumi.Output<string> | undefined {
        const value = this.raw(key);
        return value === undefined ? undefined : pulumi.secret(value);
    }
}

export function rangeText(what: string, min: number, max: number): string {
    return max === Number.MAX_SAFE_INTEGER ? `${what} >= ${min}` : `${what} from ${min} to ${max}`;
}

/** Parses an integer written as a string or given as a number; undefined when invalid or out of range. */
export function checkInteger(value: unknown, min: number, max: number): number | undefined {
    const parsed =
        typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) return undefined;
    return parsed;
}

function parseJson(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return undefined;
    }
}
