/**
 * The resources the check runs the policies on and prices: from the program evaluated with the
 * mock engine, or from a `pulumi stack export` file; and the export file the check writes.
 */
import * as fs from "fs";
import { ConfigError, engineConfigSource } from "../../stacks/config-reader";
import { ProgramFailure, RecordedResource, runProgram, SECRET_SIG, SECRET_SIG_KEY } from "../offline/evaluate";
import { readProjectFile, StackFileError } from "../offline/stack-files";
import { InputError, oneLine } from "./errors";

/** A property bag as the engine handles it: secrets as Pulumi secret objects, unknowns as sentinels. */
export type PropertyMap = Readonly<Record<string, unknown>>;

export interface CheckResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly id?: string;
    /** URN of the parent resource (the stack for top-level resources). */
    readonly parent?: string;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    /** URNs of the resources it depends on. */
    readonly dependencies: readonly string[];
    /** What the policies' Analyze sees, as the CLI sends it before a step. */
    readonly inputs: PropertyMap;
    /** What AnalyzeStack sees, as the CLI sends it after a preview or update. */
    readonly outputs: PropertyMap;
}

export interface CollectedStack {
    readonly resources: CheckResource[];
    readonly stackUrn: string;
}

/** Stands for an encrypted secret of a state file, which the check cannot decrypt. */
export const SECRET_PLACEHOLDER = "[secret]";

/** The `ciphertext` the check writes for every secret of an exported file. */
export const REDACTED_CIPHERTEXT = "[redacted by npm run check: secret values are never written]";

const STACK_TYPE = "pulumi:pulumi:Stack";

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Applies `replace` to every secret object inside `value`. */
function mapSecrets(value: unknown, replace: (secret: Record<string, unknown>) => unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => mapSecrets(v, replace));
    if (!isObject(value)) return value;
    if (value[SECRET_SIG_KEY] === SECRET_SIG) return replace(value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSecrets(v, replace)]));
}

/** The URN the offline evaluation gives a resource of the project (scripts/offline/evaluate.ts). */
function offlineUrn(stack: string, project: string, key: string): string {
    return `urn:pulumi:${stack}::${project}::${key}`;
}

/** A resource the mock engine recorded, as the check sees it. Outputs are the inputs plus the mock's id. */
function checkResource(r: RecordedResource, stack: string, project: string): CheckResource {
    const id = r.custom ? `${r.name}-id` : undefined;
    const stackUrn = offlineUrn(stack, project, `${STACK_TYPE}::${project}-${stack}`);
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        id,
        parent: r.type === STACK_TYPE ? undefined : r.parent ? offlineUrn(stack, project, r.parent) : stackUrn,
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
        dependencies: r.dependsOn.map((d) => offlineUrn(stack, project, d)),
        inputs: r.rawInputs,
        outputs: id ? { ...r.rawInputs, id } : r.rawInputs,
    };
}

/** Evaluates the program for `stack` with the mock engine (scripts/offline/evaluate.ts) and collects its resources. */
export async function collectFromProgram(
    stack: string,
    overrides: Readonly<Record<string, string>>,
    projectDir?: string,
    onResource?: (resource: CheckResource) => Promise<void> | void,
): Promise<CollectedStack> {
    // The program's modules, and the provider SDKs they load, only on this path.
    const { definePlatform } = await import("../../stacks/platform");
    // Each resource as the engine receives it (its options already recorded), in registration order.
    const resources: CheckResource[] = [];
    let project: string;
    try {
        project = readProjectFile(projectDir).name;
        await runProgram(stack, () => definePlatform(engineConfigSource()), {
            overrides,
            projectDir,
            onResource: (record) => {
                const resource = checkResource(record, stack, project);
                resources.push(resource);
                return onResource?.(resource);
            },
        });
    } catch (error) {
        if (error instanceof StackFileError) throw new InputError(error.message);
        if (error instanceof ProgramFailure) {
            throw new InputError(error.error instanceof ConfigError ? error.error.message : `the program of stack ${stack} failed: ${oneLine(error.error)}`);
        }
        throw error;
    }
    return { resources, stackUrn: offlineUrn(stack, project, `${STACK_TYPE}::${project}-${stack}`) };
}

function stateProblem(label: string, file: string, where: string, what: string): InputError {
    return new InputError(`${label} ${file}: ${where} ${what}`);
}

/** Secrets of a state file: encrypted ones become a placeholder, `--show-secrets` ones their value. */
function readableSecret(label: string, file: string, where: string) {
    return (secret: Record<string, unknown>): unknown => {
        if ("value" in secret) return secret;
        if (typeof secret.plaintext === "string") {
            try {
                return { [SECRET_SIG_KEY]: SECRET_SIG, value: JSON.parse(secret.plaintext) };
            } catch {
                throw stateProblem(label, file, where, "has a secret whose plaintext is not JSON");
            }
        }
        return { [SECRET_SIG_KEY]: SECRET_SIG, value: SECRET_PLACEHOLDER };
    };
}

/**
 * Reads the resources of a `pulumi stack export` file (version 3). Encrypted secrets cannot be
 * decrypted offline: policies see the placeholder "[secret]" instead. An InputError names any
 * problem with the file, which `label` names ("state file", "diff base").
 */
export function collectFromState(file: string, stack: string, label = "state file"): CollectedStack {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        throw new InputError(`${label} ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? oneLine(error)}`);
    }
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (error) {
        throw new InputError(`${label} ${file} is not valid JSON: ${oneLine(error)}`);
    }
    if (!isObject(doc) || !isObject(doc.deployment) || !Array.isArray(doc.deployment.resources)) {
        throw stateProblem(label, file, "it", "is not a `pulumi stack export` file (no deployment.resources list)");
    }
    if (doc.version !== undefined && doc.version !== 3) throw stateProblem(label, file, "version", `${JSON.stringify(doc.version)} is not supported (3 is)`);
    const resources = doc.deployment.resources.map((raw: unknown, i: number): CheckResource => {
        const where = `deployment.resources[${i}]`;
        if (!isObject(raw)) throw stateProblem(label, file, where, "is not an object");
        if (typeof raw.urn !== "string" || raw.urn.split("::").length < 4) throw stateProblem(label, file, `${where}.urn`, "is missing or not a URN");
        if (typeof raw.type !== "string") throw stateProblem(label, file, `${where}.type`, "is missing");
        for (const key of ["inputs", "outputs"] as const) {
            if (raw[key] !== undefined && !isObject(raw[key])) throw stateProblem(label, file, `${where}.${key}`, "is not an object");
        }
        if (raw.dependencies !== undefined && !(Array.isArray(raw.dependencies) && raw.dependencies.every((d) => typeof d === "string"))) {
            throw stateProblem(label, file, `${where}.dependencies`, "is not a list of URNs");
        }
        const secrets = readableSecret(label, file, where);
        return {
            urn: raw.urn,
            type: raw.type,
            name: raw.urn.split("::").pop() ?? raw.urn,
            custom: raw.custom === true,
            id: typeof raw.id === "string" ? raw.id : undefined,
            parent: typeof raw.parent === "string" ? raw.parent : undefined,
            protect: raw.protect === true,
            retainOnDelete: raw.retainOnDelete === true,
            dependencies: (raw.dependencies as string[] | undefined) ?? [],
            inputs: mapSecrets(raw.inputs ?? {}, secrets) as PropertyMap,
            outputs: mapSecrets(raw.outputs ?? {}, secrets) as PropertyMap,
        };
    });
    const project = resources[0]?.urn.split("::")[1] ?? "project";
    const stackUrn = resources.find((r) => r.type === STACK_TYPE)?.urn ?? `urn:pulumi:${stack}::${project}::${STACK_TYPE}::${project}-${stack}`;
    return { resources, stackUrn };
}

/** Every secret object with its value replaced by the redaction marker. */
export function redactSecrets(value: PropertyMap): PropertyMap {
    return mapSecrets(value, () => ({ [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: REDACTED_CIPHERTEXT })) as PropertyMap;
}

/** Writes `resources` as a `pulumi stack export`-shaped file that `--state` reads back; secrets redacted. */
export function writeStackExport(file: string, resources: readonly CheckResource[]): void {
    const deployment = {
        resources: resources.map((r) => ({
            urn: r.urn,
            ...(r.id !== undefined ? { id: r.id } : {}),
            type: r.type,
            custom: r.custom,
            ...(r.parent !== undefined ? { parent: r.parent } : {}),
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
            dependencies: r.dependencies,
            inputs: redactSecrets(r.inputs),
            outputs: redactSecrets(r.outputs),
        })),
    };
    try {
        fs.writeFileSync(file, `${JSON.stringify({ version: 3, deployment }, null, 2)}\n`);
    } catch (error) {
        throw new InputError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? oneLine(error)}`);
    }
}
