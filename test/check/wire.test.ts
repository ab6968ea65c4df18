import { expect } from "chai";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest, WireResource } from "../../scripts/check/wire";
import { SECRET_SIG, SECRET_SIG_KEY } from "../../scripts/offline/evaluate";

const resource: WireResource = {
    urn: "urn:pulumi:prod::genai-platform::aws:rds/instance:Instance::postgres",
    type: "aws:rds/instance:Instance",
    name: "postgres",
    protect: true,
    parent: "urn:pulumi:prod::genai-platform::genai:data:Postgres::postgres",
    dependencies: ["urn:pulumi:prod::genai-platform::aws:kms/key:Key::data", "urn:pulumi:prod::genai-platform::aws:ec2/vpc:Vpc::vpc"],
};

/** Every kind of value a property bag holds, and those JSON drops or turns into null. */
const properties = {
    instanceClass: "db.r6g.large",
    allocatedStorage: 100,
    ratio: -0.25,
    big: 2 ** 40,
    multiAz: true,
    storageEncrypted: false,
    nothing: null,
    dropped: undefined,
    tags: { Name: "postgres", "kubernetes.io/cluster/x": "owned", ünïcode: "✓" },
    ports: [5432, "x", null, undefined, [1, [2]], { a: {} }],
    password: { [SECRET_SIG_KEY]: SECRET_SIG, value: "s3cret" },
    when: new Date("2026-12-02T00:00:00Z"),
    notANumber: Number.NaN,
    empty: {},
    emptyList: [],
    emptyString: "",
};

/** What the generated classes make of the same data: the check's encoding before it wrote its own. */
function viaGeneratedClasses(props: Record<string, unknown>): Record<string, unknown> {
    return Struct.fromJavaScript(JSON.parse(JSON.stringify(props))).toJavaScript() as Record<string, unknown>;
}

describe("the check's Analyzer requests on the wire", () => {
    it("writes an AnalyzeRequest the generated classes read back as the same request", () => {
        const decoded = pb.AnalyzeRequest.deserializeBinary(new Uint8Array(encodeAnalyzeRequest(resource, properties)));
        expect(decoded.getType()).to.equal(resource.type);
        expect(decoded.getUrn()).to.equal(resource.urn);
        expect(decoded.getName()).to.equal(resource.name);
        expect(decoded.getOptions()?.getProtect()).to.equal(true);
        expect(decoded.getOptions()?.getParent()).to.equal(resource.parent);
        expect(decoded.getProperties()?.toJavaScript()).to.deep.equal(viaGeneratedClasses(properties));
    });

    it("writes an AnalyzeStackRequest with each resource's parent and dependencies", () => {
        const other: WireResource = { urn: "urn:pulumi:prod::genai-platform::pulumi:pulumi:Stack::genai-platform-prod", type: "pulumi:pulumi:Stack", name: "genai-platform-prod", protect: false };
        const decoded = pb.AnalyzeStackRequest.deserializeBinary(
            new Uint8Array(encodeAnalyzeStackRequest([{ resource, properties }, { resource: other, properties: {} }])),
        );
        const [first, second] = decoded.getResourcesList();
        expect(first.getUrn()).to.equal(resource.urn);
        expect(first.getParent()).to.equal(resource.parent);
        expect(first.getDependenciesList()).to.deep.equal(resource.dependencies);
        expect(first.getOptions()?.getProtect()).to.equal(true);
        expect(first.getProperties()?.toJavaScript()).to.deep.equal(viaGeneratedClasses(properties));
        expect(second.getType()).to.equal("pulumi:pulumi:Stack");
        expect(second.getParent()).to.equal("");
        expect(second.getOptions()?.getProtect()).to.equal(false);
        expect(second.getProperties()?.toJavaScript()).to.deep.equal({});
    });
});
