/**
 * The subset of JSON Schema the policies' config schemas use (type, enum, minimum/maximum and
 * their exclusive forms, items, required), checked the way the Pulumi CLI checks a
 * `--policy-pack-config` file before a preview.
 */
export interface JsonSchema {
    readonly type?: string | readonly string[];
    readonly enum?: readonly unknown[];
    readonly minimum?: number;
    readonly maximum?: number;
    readonly exclusiveMinimum?: number;
    readonly exclusiveMaximum?: number;
    readonly items?: JsonSchema;
    readonly properties?: Readonly<Record<string, JsonSchema>>;
    readonly required?: readonly string[];
    readonly default?: unknown;
}

function typeOf(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    return typeof value;
}

function hasType(value: unknown, type: string): boolean {
    if (type === "integer") return typeof value === "number" && Number.isInteger(value);
    return typeOf(value) === type;
}

/** The problems of `value` against `schema`, each prefixed with its path. */
export function validate(value: unknown, schema: JsonSchema, path: string): string[] {
    const types = schema.type === undefined ? [] : typeof schema.type === "string" ? [schema.type] : schema.type;
    if (types.length > 0 && !types.some((t) => hasType(value, t))) {
        return [`${path}: must be ${types.join(" or ")}, got ${typeOf(value)}`];
    }
    const problems: string[] = [];
    if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
        problems.push(`${path}: must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
    }
    if (typeof value === "number") {
        if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path}: must be >= ${schema.minimum}`);
        if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path}: must be <= ${schema.maximum}`);
        if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) problems.push(`${path}: must be > ${schema.exclusiveMinimum}`);
        if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) problems.push(`${path}: must be < ${schema.exclusiveMaximum}`);
    }
    if (Array.isArray(value) && schema.items) {
        const items = schema.items;
        value.forEach((item, i) => problems.push(...validate(item, items, `${path}[${i}]`)));
    }
    if (typeOf(value) === "object") {
        const object = value as Record<string, unknown>;
        for (const key of schema.required ?? []) {
            if (!(key in object)) problems.push(`${path === "" ? "" : `${path}.`}${key}: is required`);
        }
        for (const [key, propertySchema] of Object.entries(schema.properties ?? {})) {
            if (key in object) problems.push(...validate(object[key], propertySchema, path === "" ? key : `${path}.${key}`));
        }
    }
    return problems;
}
