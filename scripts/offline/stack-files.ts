import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** The project root: the folder holding Pulumi.yaml. */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

export interface ProjectFile {
    readonly name: string;
    /** Declared keys with their type, default and description, as written in Pulumi.yaml. */
    readonly config: Readonly<Record<string, { type: string; default?: unknown; description?: string; secret?: boolean }>>;
}

/** The configuration the Pulumi CLI would hand to the program for one stack. */
export interface ResolvedStackConfig {
    readonly project: string;
    readonly stack: string;
    /** Fully qualified keys (`project:key`, `aws:region`) to raw strings, as in PULUMI_CONFIG. */
    readonly values: Record<string, string>;
    /** Fully qualified keys whose values are secret. */
    readonly secretKeys: string[];
}

/** Raised when a stack file is missing or malformed. */
export class StackFileError extends Error {}

export function readProjectFile(dir = PROJECT_DIR): ProjectFile {
    const text = fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8");
    let doc: ProjectFile;
    try {
        doc = parse(text) as ProjectFile;
    } catch (e) {
        throw new StackFileError(`Pulumi.yaml is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
    return { name: doc.name, config: doc.config ?? {} };
}

export function stackNames(dir = PROJECT_DIR): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** Placeholder that stands for an encrypted value when the program is evaluated offline. */
export const OFFLINE_SECRET_PLACEHOLDER = "offline-placeholder-secret";

function encode(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Emulates how the CLI resolves a stack's configuration: project defaults from Pulumi.yaml,
 * then the stack file's values. Encrypted (`secure:`) values cannot be decrypted offline;
 * they are replaced by a placeholder and marked secret.
 */
export function resolveStackConfig(stack: string, dir = PROJECT_DIR): ResolvedStackConfig {
    const project = readProjectFile(dir);
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new StackFileError(`unknown stack "${stack}": no Pulumi.${stack}.yaml (stacks: ${stackNames(dir).join(", ")})`);
    }
    let doc: { config?: Record<string, unknown> };
    try {
        doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    } catch (e) {
        throw new StackFileError(`Pulumi.${stack}.yaml is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, decl] of Object.entries(project.config)) {
        if (decl.default !== undefined) values[`${project.name}:${key}`] = encode(decl.default);
        if (decl.secret) secretKeys.push(`${project.name}:${key}`);
    }
    for (const [rawKey, value] of Object.entries(doc.config ?? {})) {
        const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
        if (value !== null && typeof value === "object" && "secure" in (value as object)) {
            values[key] = OFFLINE_SECRET_PLACEHOLDER;
            secretKeys.push(key);
        } else {
            values[key] = encode(value);
        }
    }
    return { project: project.name, stack, values, secretKeys };
}
