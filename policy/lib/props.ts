/**
 * Narrowing helpers for resource properties, which reach policies as untyped JSON. Reading a
 * property that is unknown during preview throws @pulumi/policy's UnknownValueError; the helpers
 * let it through, so the pack reports its standard advisory ("can't run policy ... during
 * preview"), except where a caller asks for `readKnown` explicitly.
 */

/** Resource properties as policies receive them. */
export type Props = Readonly<Record<string, unknown>>;

/**
 * The sentinels the engine sends for values that are unknown until apply (the values of
 * @pulumi/policy's proxy.js and of the Go SDK's `UnknownStringValue` and friends).
 */
const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (the one the CLI sends for every unknown)
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** The string sentinel: what `pulumi preview` sends for any value unknown until apply. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether `value` is one of the engine's unknown sentinels (plain data, outside the policy proxy). */
function isUnknownSentinel(value: unknown): boolean {
    return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

/** Whether `error` is the UnknownValueError @pulumi/policy's proxy throws on reading an unknown. */
function isUnknownValueError(error: unknown): boolean {
    return error instanceof Error && "unknownTypeSentinel" in error && Array.isArray((error as { props?: unknown }).props);
}

/** Thrown by `readKnown` when a field is unknown until apply; carries the field's dotted path. */
export class UnknownFieldError extends Error {
    constructor(public readonly field: string) {
        super(`${field} is unknown until apply`);
        this.name = "UnknownFieldError";
    }
}

/**
 * Reads `path` from `value`, turning an unknown (proxy error or sentinel) into an UnknownFieldError
 * that names the field. Missing intermediate objects give undefined.
 */
export function readKnown(value: unknown, ...path: (string | number)[]): unknown {
    let current = value;
    for (let i = 0; i < path.length; i++) {
        if (current === null || typeof current !== "object") return undefined;
        try {
            current = (current as Record<string | number, unknown>)[path[i]];
        } catch (error) {
            if (isUnknownValueError(error)) throw new UnknownFieldError(dotted(path.slice(0, i + 1)));
            throw error;
        }
        if (isUnknownSentinel(current)) throw new UnknownFieldError(dotted(path.slice(0, i + 1)));
    }
    return current;
}

/** Reads `path` like `readKnown`, but answers undefined for an unknown value. */
export function readIfKnown(value: unknown, ...path: (string | number)[]): unknown {
    try {
        return readKnown(value, ...path);
    } catch (error) {
        if (error instanceof UnknownFieldError) return undefined;
        throw error;
    }
}

/** A list of known strings at `path`; an unknown list or element raises UnknownFieldError. */
export function readKnownStrings(value: unknown, ...path: (string | number)[]): string[] {
    const list = readKnown(value, ...path);
    if (!Array.isArray(list)) return [];
    const strings: string[] = [];
    // Index by index: mapping a proxied array would read an unknown element outside readKnown.
    for (let i = 0; i < list.length; i++) {
        const item = readKnown(value, ...path, i);
        if (typeof item === "string") strings.push(item);
    }
    return strings;
}

function dotted(path: (string | number)[]): string {
    return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** The value when it is a string. */
export function asString(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** The value when it is a finite number (or a string holding one, as some providers send). */
export function asNumber(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    return undefined;
}

/** The value when it is an array, else an empty list. */
export function asList(value: unknown): readonly unknown[] {
    return Array.isArray(value) ? value : [];
}

/** The value when it is a plain object. */
export function asObject(value: unknown): Props | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Props) : undefined;
}

/** The string elements of a list value. */
export function asStrings(value: unknown): string[] {
    return asList(value).filter((s): s is string => typeof s === "string");
}
