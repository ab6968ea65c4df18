/**
 * The check's Analyze and AnalyzeStack requests in protobuf's wire format, written straight from the
 * resources' property bags. google-protobuf builds an object per value of a `google.protobuf.Struct`
 * before it writes one byte; for a thousand resources that was a third of the check's own time. The
 * bytes are the protocol's (pulumi/proto/pulumi/analyzer.proto, google/protobuf/struct.proto), and a
 * test decodes them with the generated classes to prove it.
 */

/** A growable buffer that writes protobuf fields. */
class Writer {
    private buf = Buffer.allocUnsafe(256);
    pos = 0;

    private ensure(n: number): void {
        if (this.pos + n <= this.buf.length) return;
        const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
        this.buf.copy(next, 0, 0, this.pos);
        this.buf = next;
    }

    varint(value: number): void {
        this.ensure(10);
        let v = value;
        while (v > 0x7f) {
            this.buf[this.pos++] = (v & 0x7f) | 0x80;
            v = Math.floor(v / 128);
        }
        this.buf[this.pos++] = v;
    }

    tag(field: number, wireType: number): void {
        this.varint(field * 8 + wireType);
    }

    string(field: number, value: string): void {
        const length = Buffer.byteLength(value, "utf8");
        this.tag(field, 2);
        this.varint(length);
        this.ensure(length);
        this.buf.write(value, this.pos, "utf8");
        this.pos += length;
    }

    /** A string field proto3 leaves out when empty. */
    optionalString(field: number, value: string | undefined): void {
        if (value) this.string(field, value);
    }

    double(field: number, value: number): void {
        this.tag(field, 1);
        this.ensure(8);
        this.buf.writeDoubleLE(value, this.pos);
        this.pos += 8;
    }

    bool(field: number, value: boolean): void {
        this.tag(field, 0);
        this.varint(value ? 1 : 0);
    }

    message(field: number, write: (w: Writer) => void): void {
        const inner = new Writer();
        write(inner);
        this.tag(field, 2);
        this.varint(inner.pos);
        this.ensure(inner.pos);
        inner.buf.copy(this.buf, this.pos, 0, inner.pos);
        this.pos += inner.pos;
    }

    bytes(): Buffer {
        return this.buf.subarray(0, this.pos);
    }
}

/** A value as JSON would give it: what `Struct.fromJavaScript(JSON.parse(JSON.stringify(v)))` sees. */
function jsonValue(value: unknown): unknown {
    if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
        return (value as { toJSON(): unknown }).toJSON();
    }
    return value;
}

function omitted(value: unknown): boolean {
    return value === undefined || typeof value === "function" || typeof value === "symbol";
}

/** google.protobuf.Value: null 1, number 2, string 3, bool 4, struct 5, list 6. */
function writeValue(w: Writer, raw: unknown): void {
    const value = jsonValue(raw);
    if (value === null || omitted(value) || (typeof value === "number" && !Number.isFinite(value))) {
        w.tag(1, 0);
        w.varint(0);
    } else if (typeof value === "number") {
        w.double(2, value);
    } else if (typeof value === "string") {
        w.string(3, value);
    } else if (typeof value === "boolean") {
        w.bool(4, value);
    } else if (Array.isArray(value)) {
        w.message(6, (list) => {
            for (const item of value) list.message(1, (v) => writeValue(v, omitted(item) ? null : item));
        });
    } else if (typeof value === "object") {
        w.message(5, (struct) => writeStruct(struct, value as Record<string, unknown>));
    } else {
        throw new TypeError(`cannot send a ${typeof value} to the policy pack`);
    }
}

/** google.protobuf.Struct: `map<string, Value> fields = 1`, each entry {key 1, value 2}. */
function writeStruct(w: Writer, object: Readonly<Record<string, unknown>>): void {
    for (const key of Object.keys(object)) {
        const value = jsonValue(object[key]);
        if (omitted(value)) continue;
        w.message(1, (entry) => {
            entry.string(1, key);
            entry.message(2, (v) => writeValue(v, value));
        });
    }
}

/** What a request says of one resource. */
export interface WireResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly protect: boolean;
    readonly parent?: string;
    readonly dependencies?: readonly string[];
}

/** pulumirpc.AnalyzerResourceOptions: protect 1, parent 8. */
function writeOptions(w: Writer, resource: WireResource): void {
    if (resource.protect) w.bool(1, true);
    w.optionalString(8, resource.parent);
}

/** pulumirpc.AnalyzeRequest: type 1, properties 2, urn 3, name 4, options 5. */
export function encodeAnalyzeRequest(resource: WireResource, properties: Readonly<Record<string, unknown>>): Buffer {
    const w = new Writer();
    w.optionalString(1, resource.type);
    w.message(2, (s) => writeStruct(s, properties));
    w.optionalString(3, resource.urn);
    w.optionalString(4, resource.name);
    w.message(5, (o) => writeOptions(o, resource));
    return w.bytes();
}

/** pulumirpc.AnalyzeStackRequest: resources 1, each an AnalyzerResource (type 1, properties 2, urn 3, name 4, options 5, parent 7, dependencies 8). */
export function encodeAnalyzeStackRequest(resources: readonly { resource: WireResource; properties: Readonly<Record<string, unknown>> }[]): Buffer {
    const w = new Writer();
    for (const { resource, properties } of resources) {
        w.message(1, (r) => {
            r.optionalString(1, resource.type);
            r.message(2, (s) => writeStruct(s, properties));
            r.optionalString(3, resource.urn);
            r.optionalString(4, resource.name);
            r.message(5, (o) => writeOptions(o, resource));
            r.optionalString(7, resource.parent);
            for (const dependency of resource.dependencies ?? []) r.string(8, dependency);
        });
    }
    return w.bytes();
}
