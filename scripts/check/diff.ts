/**
 * The offline resource diff of `npm run check -- <stack> --diff <export.json>`: what `pulumi preview`
 * would do to each resource, worked out from an earlier `--export` (the base branch's resources) and the
 * resources evaluated now, without the cloud or the CLI. A resource is created, deleted, updated in
 * place, or replaced when one of the inputs the catalog lists for its type changes (catalog/replacements.ts).
 * A replacement gives the resource a new id: inputs of other resources that hold that id or ARN change
 * too, and may replace them in turn, as in a preview. Secret values are compared but never reported:
 * a change names its property paths only.
 */
import { DATA_HOLDING_TYPES, ReplacementRule } from "../../catalog/replacements";
import { SECRET_SIG, SECRET_SIG_KEY } from "../offline/evaluate";
import { CheckResource, SECRET_PLACEHOLDER } from "./resources";

export type ChangeKind = "create" | "delete" | "update" | "replace";

/** One resource the base and the current program disagree on: the `changes` entries of `--json`. */
export interface ResourceChange {
    readonly urn: string;
    readonly type: string;
    readonly kind: ChangeKind;
    /** Changed input paths (`a.b[0]["c.d"]`), sorted; empty for a create or a delete. */
    readonly paths: string[];
}

/** What the terminal and markdown renderings say beyond `changes`. */
export interface ChangeDetail {
    /** Paths that force the replacement, for a `replace`. */
    readonly replacedBy: readonly string[];
    /** Resources whose replacement changes this one's inputs (their new id or ARN). */
    readonly becauseOf: readonly string[];
    /** What the resource holds that a replacement or deletion loses, when it holds data. */
    readonly holds?: string;
    readonly protect: boolean;
}

export interface ResourceDiff {
    readonly changes: ResourceChange[];
    /** Per changed URN. */
    readonly details: ReadonlyMap<string, ChangeDetail>;
    /** One line per protected or data-holding resource that would be replaced or deleted. */
    readonly warnings: string[];
    /** Types with an update whose replacement inputs the catalog does not list. */
    readonly uncatalogued: string[];
}

const STACK_TYPE = "pulumi:pulumi:Stack";
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isSecret(value: unknown): value is { value?: unknown } {
    return isObject(value) && value[SECRET_SIG_KEY] === SECRET_SIG;
}

/** A secret's value when it can be read: a redacted or encrypted one cannot. */
function readableSecret(secret: { value?: unknown }): { value: unknown } | undefined {
    return "value" in secret && secret.value !== SECRET_PLACEHOLDER ? { value: secret.value } : undefined;
}

function join(path: string, key: string | number): string {
    if (typeof key === "number") return `${path}[${key}]`;
    if (IDENTIFIER.test(key)) return path === "" ? key : `${path}.${key}`;
    return `${path}[${JSON.stringify(key)}]`;
}

function deepEqual(a: unknown, b: unknown): boolean {
    return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(canonical);
    if (isObject(value)) return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
    return value;
}

/** Every path where `before` and `after` differ, descending into objects and lists; a secret is one leaf. */
export function changedPaths(before: unknown, after: unknown, path = "", out: string[] = []): string[] {
    if (isSecret(before) || isSecret(after)) {
        if (isSecret(before) !== isSecret(after)) {
            out.push(path);
        } else {
            const [a, b] = [readableSecret(before as { value?: unknown }), readableSecret(after as { value?: unknown })];
            // A redacted secret (any `--export`) cannot be compared: only a change of its place shows.
            if (a && b && !deepEqual(a.value, b.value)) out.push(path);
        }
        return out;
    }
    if (Array.isArray(before) && Array.isArray(after)) {
        for (let i = 0; i < Math.max(before.length, after.length); i++) {
            if (i >= before.length || i >= after.length) out.push(join(path, i));
            else changedPaths(before[i], after[i], join(path, i), out);
        }
        return out;
    }
    if (isObject(before) && isObject(after)) {
        for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
            if (before[key] === undefined && after[key] === undefined) continue;
            if (!(key in before) || !(key in after) || before[key] === undefined || after[key] === undefined) out.push(join(path, key));
            else changedPaths(before[key], after[key], join(path, key), out);
        }
        return out;
    }
    if (before !== after) out.push(path);
    return out;
}

/** The path with list indexes as `[*]`, the form of the catalog's rules. */
function generic(path: string): string {
    return path.replace(/\[\d+\]/g, "[*]");
}

function within(path: string, prefix: string): boolean {
    return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

/** The changed paths that force a replacement under `rule`: at, inside or above one of its paths. */
export function forcingPaths(paths: readonly string[], rule: ReplacementRule | undefined): string[] {
    if (!rule) return [];
    return paths.filter((p) => rule.replaceOn.some((r) => within(generic(p), r) || within(r, generic(p))));
}

/** Whether `text` holds `token` not followed by more of a name (`...:role/app` is not in `...:role/app-2`). */
function containsToken(text: string, token: string): boolean {
    for (let at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + 1)) {
        if (!/[A-Za-z0-9_-]/.test(text.charAt(at + token.length))) return true;
    }
    return false;
}

/** Paths in `inputs` whose string values hold one of `tokens` (an id exactly, an ARN anywhere in a string). */
function referencePaths(inputs: unknown, ids: ReadonlySet<string>, arns: readonly string[], path = "", out: string[] = []): string[] {
    if (isSecret(inputs)) return out;
    if (typeof inputs === "string") {
        if (ids.has(inputs) || arns.some((arn) => containsToken(inputs, arn))) out.push(path);
    } else if (Array.isArray(inputs)) {
        inputs.forEach((v, i) => referencePaths(v, ids, arns, join(path, i), out));
    } else if (isObject(inputs)) {
        for (const [k, v] of Object.entries(inputs)) referencePaths(v, ids, arns, join(path, k), out);
    }
    return out;
}

const KIND_ORDER: readonly ChangeKind[] = ["replace", "delete", "create", "update"];

/**
 * Compares the base branch's resources with the current ones by URN. `rules` maps a type to its
 * replacement rule (catalog/replacements.ts); `holdsData` a type to what it holds.
 */
export function diffResources(
    base: readonly CheckResource[],
    current: readonly CheckResource[],
    rules: Readonly<Record<string, ReplacementRule>>,
    holdsData: Readonly<Record<string, string>> = DATA_HOLDING_TYPES,
): ResourceDiff {
    const before = new Map(base.filter((r) => r.type !== STACK_TYPE).map((r) => [r.urn, r]));
    const after = new Map(current.filter((r) => r.type !== STACK_TYPE).map((r) => [r.urn, r]));
    const direct = new Map<string, string[]>();
    for (const [urn, now] of after) {
        const was = before.get(urn);
        if (was) direct.set(urn, changedPaths(was.inputs, now.inputs));
    }

    // Replacements give new ids and ARNs; whatever holds the old ones changes with them, until nothing more is replaced.
    const replaced = new Set<string>();
    const induced = new Map<string, { paths: Set<string>; causes: Set<string> }>();
    const pathsOf = (urn: string): string[] => [...new Set([...(direct.get(urn) ?? []), ...(induced.get(urn)?.paths ?? [])])].sort();
    for (let grew = true; grew; ) {
        grew = false;
        for (const urn of direct.keys()) {
            if (!replaced.has(urn) && forcingPaths(pathsOf(urn), rules[after.get(urn)!.type]).length > 0) {
                replaced.add(urn);
                grew = true;
            }
        }
        if (!grew) break;
        for (const cause of replaced) {
            const old = before.get(cause)!;
            const ids = new Set(typeof old.id === "string" && old.id !== "" ? [old.id] : []);
            const arns = typeof old.outputs.arn === "string" && old.outputs.arn.startsWith("arn:") ? [old.outputs.arn] : [];
            if (ids.size === 0 && arns.length === 0) continue;
            for (const [urn, now] of after) {
                if (urn === cause || !before.has(urn)) continue;
                const refs = referencePaths(now.inputs, ids, arns);
                if (refs.length === 0) continue;
                const entry = induced.get(urn) ?? { paths: new Set<string>(), causes: new Set<string>() };
                const size = entry.paths.size + entry.causes.size;
                refs.forEach((p) => entry.paths.add(p));
                entry.causes.add(cause);
                induced.set(urn, entry);
                if (entry.paths.size + entry.causes.size > size) grew = true;
            }
        }
    }

    const changes: ResourceChange[] = [];
    const details = new Map<string, ChangeDetail>();
    const detail = (r: CheckResource, replacedBy: string[] = [], becauseOf: string[] = []): ChangeDetail => ({
        replacedBy,
        becauseOf,
        holds: holdsData[r.type],
        protect: r.protect,
    });
    for (const [urn, now] of after) {
        const was = before.get(urn);
        if (!was) {
            changes.push({ urn, type: now.type, kind: "create", paths: [] });
            details.set(urn, detail(now));
            continue;
        }
        const paths = pathsOf(urn);
        if (paths.length === 0) continue;
        const replacedBy = replaced.has(urn) ? forcingPaths(paths, rules[now.type]) : [];
        changes.push({ urn, type: now.type, kind: replaced.has(urn) ? "replace" : "update", paths });
        details.set(urn, { ...detail(now, replacedBy, [...(induced.get(urn)?.causes ?? [])].sort()), protect: now.protect || was.protect });
    }
    for (const [urn, was] of before) {
        if (after.has(urn)) continue;
        changes.push({ urn, type: was.type, kind: "delete", paths: [] });
        details.set(urn, detail(was));
    }

    const atRisk = (c: ResourceChange): boolean => {
        const d = details.get(c.urn)!;
        return (c.kind === "replace" || c.kind === "delete") && (d.protect || d.holds !== undefined);
    };
    changes.sort(
        (a, b) =>
            Number(atRisk(b)) - Number(atRisk(a)) ||
            KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
            a.type.localeCompare(b.type) ||
            a.urn.localeCompare(b.urn),
    );
    const warnings = changes.filter(atRisk).map((c) => warningLine(c, details.get(c.urn)!));
    const uncatalogued = [...new Set(changes.filter((c) => c.kind === "update" && !rules[c.type]).map((c) => c.type))].sort();
    return { changes, details, warnings, uncatalogued };
}

export const shortName = (urn: string): string => urn.split("::").pop() ?? urn;

function warningLine(change: ResourceChange, detail: ChangeDetail): string {
    const what = [detail.protect ? "protected" : "", detail.holds ? `holds ${detail.holds}` : ""].filter((s) => s !== "").join(", ");
    const why =
        change.kind === "delete"
            ? "is no longer declared"
            : detail.replacedBy.length > 0
              ? `changes ${detail.replacedBy.join(", ")}`
              : `takes the new id of ${detail.becauseOf.map(shortName).join(", ")}`;
    const verb = change.kind === "delete" ? "deleted" : "replaced";
    return `${shortName(change.urn)} (${change.type}; ${what}) would be ${verb}: it ${why}${
        detail.protect ? "; Pulumi refuses while it is protected" : ""
    }`;
}

/** Counts of changes by kind, in the order of the report. */
export function changeCounts(changes: readonly ResourceChange[]): Record<ChangeKind, number> {
    const counts: Record<ChangeKind, number> = { replace: 0, delete: 0, create: 0, update: 0 };
    for (const c of changes) counts[c.kind]++;
    return counts;
}
