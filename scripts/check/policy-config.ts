/**
 * A stack's policy config (`policy/config/<stack>.json`), read and reconciled with the pack's
 * metadata the way the Pulumi CLI does for `--policy-pack-config`: each policy starts from its
 * own enforcement level and its schema's defaults, then `all` and the file's entries apply, then
 * the result is validated against the schemas. The CLI also refuses an entry for a policy the
 * pack lacks unless it only sets an enforcement level; the check refuses every such entry.
 */
import * as fs from "fs";
import * as path from "path";
import { InputError } from "./errors";
import { JsonSchema, validate } from "./json-schema";

const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;
export type EnforcementLevel = (typeof ENFORCEMENT_LEVELS)[number];

/** One policy's settings: its enforcement level and its config properties. */
export interface PolicySettings {
    readonly enforcementLevel?: EnforcementLevel;
    readonly properties: Readonly<Record<string, unknown>>;
}

/** What the pack says about one of its policies (GetAnalyzerInfo). */
export interface PolicyMetadata {
    readonly name: string;
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly configSchema?: { readonly properties: Readonly<Record<string, JsonSchema>>; readonly required: readonly string[] };
}

/** The folder of the per-stack policy config files. */
export const POLICY_CONFIG_DIR = path.resolve(__dirname, "..", "..", "policy", "config");

function isEnforcementLevel(value: unknown): value is EnforcementLevel {
    return typeof value === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(value);
}

/** Reads and parses `policy/config/<stack>.json`; an InputError names what is wrong. */
export function readPolicyConfig(stack: string, dir = POLICY_CONFIG_DIR): Map<string, PolicySettings> {
    const file = path.join(dir, `${stack}.json`);
    const label = path.relative(process.cwd(), file) || file;
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new InputError(`stack ${stack} has no policy config: ${label} cannot be read`);
    }
    if (text.trim() === "") return new Map();
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (error) {
        throw new InputError(`${label} is not valid JSON: ${(error as Error).message}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new InputError(`${label} must hold a JSON object`);
    const result = new Map<string, PolicySettings>();
    for (const [policy, value] of Object.entries(parsed)) {
        if (typeof value === "string") {
            if (!isEnforcementLevel(value)) throw new InputError(`${label}: "${value}" is not a valid enforcement level for ${policy}`);
            result.set(policy, { enforcementLevel: value, properties: {} });
        } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined && !isEnforcementLevel(enforcementLevel)) {
                throw new InputError(`${label}: ${JSON.stringify(enforcementLevel)} is not a valid enforcement level for ${policy}`);
            }
            result.set(policy, { enforcementLevel, properties });
        } else {
            throw new InputError(`${label}: ${policy} must be an enforcement level or an object`);
        }
    }
    return result;
}

/**
 * The config the pack is configured with: every policy's level and properties, defaults filled
 * in. Throws an InputError listing the schema violations or an unknown policy name.
 */
export function reconcilePolicyConfig(
    policies: readonly PolicyMetadata[],
    given: ReadonlyMap<string, PolicySettings>,
    label: string,
): Map<string, Required<PolicySettings>> {
    const known = new Set(policies.map((p) => p.name));
    const unknown = [...given.keys()].filter((name) => name !== "all" && !known.has(name));
    if (unknown.length > 0) throw new InputError(`${label} configures unknown policies: ${unknown.join(", ")}`);
    const allLevel = given.get("all")?.enforcementLevel;
    const result = new Map<string, Required<PolicySettings>>();
    for (const policy of policies) {
        const defaults = Object.fromEntries(
            Object.entries(policy.configSchema?.properties ?? {})
                .filter(([, schema]) => schema.default !== undefined)
                .map(([key, schema]) => [key, schema.default]),
        );
        const entry = given.get(policy.name);
        result.set(policy.name, {
            enforcementLevel: entry?.enforcementLevel ?? allLevel ?? policy.enforcementLevel,
            properties: { ...defaults, ...entry?.properties },
        });
    }
    const problems = policies.flatMap((policy) =>
        policy.configSchema
            ? validate(result.get(policy.name)?.properties, { type: "object", ...policy.configSchema }, "").map((p) => `${policy.name}: ${p}`)
            : [],
    );
    if (problems.length > 0) throw new InputError(`${label} is invalid: ${problems.join("; ")}`);
    return result;
}
