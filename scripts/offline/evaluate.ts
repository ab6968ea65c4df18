/**
 * Offline evaluation: runs the real program for a stack under Pulumi's mock engine, with the stack's
 * configuration resolved as the CLI would, and records every registered resource with its type, name,
 * inputs (secrets marked) and resource options. The test harness and the offline check both use it.
 */
import * as pulumi from "@pulumi/pulumi";
import { resolveStackConfig, ResolvedStackConfig } from "./stack-files";

// The SDK's RPC queue drain, which the engine's own shutdown uses; not part of the typed API.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeSettings: { waitForRPCs(): Promise<void> } = require("@pulumi/pulumi/runtime/settings");

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** True for provider resources (custom), false for components. */
    readonly custom: boolean;
    /** Inputs as the mock engine received them, with secret values unwrapped. */
    readonly inputs: Record<string, any>;
    /** Inputs exactly as the engine received them: secret values wrapped in Pulumi's secret signature. */
    readonly rawInputs: Record<string, any>;
    /** Names of the top-level inputs that carry a secret value anywhere inside. */
    readonly secretInputs: Set<string>;
    /** Type::name of the parent resource, when it has one. */
    parent?: string;
    protect: boolean;
    retainOnDelete: boolean;
    dependsOn: string[];
    /** Name of the explicit provider resource, when one was passed. */
    provider?: string;
}

export interface ProgramRun {
    readonly config: ResolvedStackConfig;
    readonly resources: RecordedResource[];
    readonly outputs: Record<string, unknown>;
    /** Calls of provider functions the program made (all must be mocked). */
    readonly invokes: string[];
    ofType(type: string): RecordedResource[];
    one(type: string, name: string): RecordedResource;
}

/** Outputs the mock engine computes for a resource, where the provider would compute them. */
export type ComputedOutputs = (type: string, name: string, inputs: Record<string, any>) => Record<string, unknown>;

/** Invokes the harness answers; any other invoke fails loudly. */
export type InvokeHandlers = Record<string, (inputs: Record<string, any>) => Record<string, unknown>>;

/** The value every mocked RandomPassword returns: recognisable, so tests can hunt for it in clear. */
export function mockSecretValue(name: string): string {
    return `MockSecret${name.replace(/[^A-Za-z0-9]/g, "")}Qx7`;
}

/** Account and region the offline evaluation pretends to run in. */
export const OFFLINE_ACCOUNT = "123456789012";
export const OFFLINE_REGION = "us-east-1";

/**
 * Outputs a provider would compute, made up deterministically so that the program's dependent
 * inputs (ARNs, endpoints, generated names) are known offline.
 */
const defaultComputed: ComputedOutputs = (type, name, inputs) => {
    const computed: Record<string, unknown> = {};
    if (type.startsWith("aws:") && inputs.arn === undefined) {
        const service = type.split(":")[1].split("/")[0];
        computed.arn = `arn:aws:${service}:${OFFLINE_REGION}:${OFFLINE_ACCOUNT}:${name}`;
    }
    if (type.startsWith("aws:") && inputs.name === undefined) computed.name = name;
    switch (type) {
        case "random:index/randomPassword:RandomPassword":
            return { result: mockSecretValue(name) };
        case "random:index/randomId:RandomId":
            return { hex: "0a1b2c3d" };
        case "docker:index/remoteImage:RemoteImage":
            return { imageId: `sha256:${name}` };
        case "docker:index/network:Network":
            return { id: `net-${name}` };
        case "aws:eks/cluster:Cluster":
            return {
                ...computed,
                endpoint: `https://${name}.eks.offline`,
                certificateAuthority: { data: "offline-ca" },
                vpcConfig: { ...inputs.vpcConfig, clusterSecurityGroupId: `sg-${name}` },
            };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { ...computed, latestVersion: 1 };
        case "aws:s3/bucket:Bucket":
            return { ...computed, bucket: inputs.bucket ?? `${inputs.bucketPrefix ?? ""}${name}` };
        case "aws:rds/instance:Instance":
            return { ...computed, address: `${name}.offline.${OFFLINE_REGION}.rds.amazonaws.com` };
        case "aws:elasticache/replicationGroup:ReplicationGroup":
            return { ...computed, primaryEndpointAddress: `master.${name}.offline.cache.amazonaws.com` };
        case "aws:lb/loadBalancer:LoadBalancer":
            return { ...computed, dnsName: `${name}.${OFFLINE_REGION}.elb.amazonaws.com`, arnSuffix: offlineArnSuffix(type, name) };
        case "aws:lb/targetGroup:TargetGroup":
            return { ...computed, arnSuffix: offlineArnSuffix(type, name) };
        default:
            return computed;
    }
};

/** The ARN suffix of an offline load balancer (`app/<name>/<id>`) or target group (`targetgroup/<name>/<id>`): CloudWatch's dimension values. */
export function offlineArnSuffix(type: "aws:lb/loadBalancer:LoadBalancer" | "aws:lb/targetGroup:TargetGroup", name: string): string {
    return `${type === "aws:lb/loadBalancer:LoadBalancer" ? "app" : "targetgroup"}/${name}/0123456789abcdef`;
}

/** The zones of the offline region: names and the zone IDs they map to, in the same order. */
export const OFFLINE_ZONES = {
    names: ["a", "b", "c", "d"].map((z) => `${OFFLINE_REGION}${z}`),
    zoneIds: [1, 2, 3, 4].map((z) => `use1-az${z}`),
} as const;

/** The Elastic Load Balancing account that delivers ALB access logs in the offline region (us-east-1's). */
export const OFFLINE_ELB_LOG_ACCOUNT = "127311923021";

/** Instance type offerings by zone ID: every offline zone offers every type asked for. */
export function instanceTypeOfferings(inputs: Record<string, any>): Record<string, unknown> {
    const types: string[] = (inputs.filters ?? []).find((f: { name: string }) => f.name === "instance-type")?.values ?? [];
    const offers = OFFLINE_ZONES.zoneIds.flatMap((zone) => types.map((type) => ({ zone, type })));
    return {
        id: OFFLINE_REGION,
        instanceTypes: offers.map((o) => o.type),
        locations: offers.map((o) => o.zone),
        locationTypes: offers.map(() => inputs.locationType ?? "region"),
    };
}

/** Provider functions the program calls, answered offline. */
const defaultInvokes: InvokeHandlers = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({ names: [...OFFLINE_ZONES.names], zoneIds: [...OFFLINE_ZONES.zoneIds] }),
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        accountId: OFFLINE_ACCOUNT,
        arn: `arn:aws:sts::${OFFLINE_ACCOUNT}:assumed-role/offline-deploy/offline`,
        userId: "AROAOFFLINE:offline",
        id: OFFLINE_ACCOUNT,
    }),
    "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": (inputs) => instanceTypeOfferings(inputs),
    "aws:elb/getServiceAccount:getServiceAccount": (inputs) => ({
        id: OFFLINE_ELB_LOG_ACCOUNT,
        arn: `arn:aws:iam::${OFFLINE_ELB_LOG_ACCOUNT}:root`,
        region: inputs.region ?? OFFLINE_REGION,
    }),
};

export interface RunOptions {
    /** Raw config values (unqualified keys get the project prefix) that override the stack file's. */
    overrides?: Record<string, unknown>;
    /** Keys (unqualified) to remove from the stack's config. */
    remove?: string[];
    /** Unqualified keys whose override values are secret. */
    secretOverrides?: Record<string, string>;
    preview?: boolean;
    invokes?: InvokeHandlers;
    computed?: ComputedOutputs;
    /** Folder holding Pulumi.yaml and the stack files; the project's own by default. */
    projectDir?: string;
    /**
     * Called with each resource as the engine receives it, its options already recorded, while the program
     * still runs: the offline check hands it to the policy pack at once.
     */
    onResource?: (record: RecordedResource) => Promise<void> | void;
}

function qualify(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/** Builds the config a stack would run with, plus test overrides. */
export function stackConfig(stack: string, options: RunOptions = {}): ResolvedStackConfig {
    const base = resolveStackConfig(stack, options.projectDir);
    const values = { ...base.values };
    const secretKeys = [...base.secretKeys];
    for (const key of options.remove ?? []) delete values[qualify(base.project, key)];
    for (const [key, value] of Object.entries(options.overrides ?? {})) {
        values[qualify(base.project, key)] = typeof value === "string" ? value : JSON.stringify(value);
    }
    for (const [key, value] of Object.entries(options.secretOverrides ?? {})) {
        values[qualify(base.project, key)] = value;
        secretKeys.push(qualify(base.project, key));
    }
    return { ...base, values, secretKeys };
}

/** Pulumi's signature key and the value that marks a secret in serialized properties. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function isSecretWrapper(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

function containsSecret(value: unknown): boolean {
    if (isSecretWrapper(value)) return true;
    if (Array.isArray(value)) return value.some(containsSecret);
    if (typeof value === "object" && value !== null) return Object.values(value).some(containsSecret);
    return false;
}

/** The value with every secret wrapper replaced by what it wraps. */
export function unwrapSecrets(value: any): any {
    if (isSecretWrapper(value)) return unwrapSecrets(value.value);
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

function unmockedError(tokens: string[]): Error {
    return new Error(`unmocked invoke ${[...new Set(tokens)].join(", ")}: the offline evaluation answers only known provider functions; add it to its invoke handlers`);
}

/** A program run that threw; carries what was registered before it did. */
export class ProgramFailure extends Error {
    constructor(
        public readonly error: unknown,
        public readonly registered: RecordedResource[],
    ) {
        super(error instanceof Error ? error.message : String(error));
    }
}

/**
 * Evaluates the program for `stack` with the mock engine and returns what it registered.
 * `program` is the program's entry function; it runs inside a fresh root stack resource.
 */
export async function runProgram(
    stack: string,
    program: () => Promise<Record<string, unknown>> | Record<string, unknown>,
    options: RunOptions = {},
): Promise<ProgramRun> {
    const config = stackConfig(stack, options);
    pulumi.runtime.setAllConfig(config.values, config.secretKeys);

    const resources: RecordedResource[] = [];
    const byKey = new Map<string, RecordedResource>();
    const recordedOptions = new Map<
        string,
        { parent?: string; protect: boolean; retainOnDelete: boolean; dependsOn: string[]; provider?: string }
    >();
    const invokes: string[] = [];
    const computed = options.computed ?? defaultComputed;
    const handlers = { ...defaultInvokes, ...options.invokes };
    const unmocked: string[] = [];
    const applyOptions = (record: RecordedResource): void => {
        const opts = recordedOptions.get(`${record.type}::${record.name}`);
        if (opts) {
            record.parent = opts.parent;
            record.protect = opts.protect;
            record.retainOnDelete = opts.retainOnDelete;
            record.dependsOn = opts.dependsOn;
            record.provider = opts.provider;
        }
    };

    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const key = `${args.type}::${args.name}`;
                const outputs = { ...args.inputs, ...computed(args.type, args.name, args.inputs) };
                const urn = `urn:pulumi:${stack}::${config.project}::${args.type}::${args.name}`;
                const record: RecordedResource = {
                    type: args.type,
                    name: args.name,
                    urn,
                    custom: args.custom ?? true,
                    inputs: unwrapSecrets(args.inputs),
                    rawInputs: args.inputs,
                    secretInputs: new Set(Object.keys(args.inputs).filter((k) => containsSecret(args.inputs[k]))),
                    protect: false,
                    retainOnDelete: false,
                    dependsOn: [],
                };
                resources.push(record);
                byKey.set(key, record);
                // The stack transformation ran when the resource was constructed, before it was registered.
                applyOptions(record);
                const handled = options.onResource?.(record);
                const id = args.custom === false ? undefined : (outputs.id as string | undefined) ?? `${args.name}-id`;
                const registered = { id: id ?? "", state: outputs };
                return handled ? handled.then(() => registered) : registered;
            },
            call(args) {
                invokes.push(args.token);
                const handler = handlers[args.token];
                if (!handler) {
                    unmocked.push(args.token);
                    throw new Error(`unmocked invoke ${args.token}`);
                }
                return handler(args.inputs);
            },
        },
        config.project,
        stack,
        options.preview ?? false,
    );

    let outputs: Record<string, unknown> | undefined;
    // The SDK captures a stack trace for every promise it creates; under ts-node each capture is
    // source-mapped, which made an evaluation ten times slower. The evaluation needs none of them.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        outputs = (await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((t) => {
            const parent = t.opts.parent as any;
            recordedOptions.set(`${t.type}::${t.name}`, {
                parent: parent && parent.__pulumiType !== "pulumi:pulumi:Stack" ? `${parent.__pulumiType}::${parent.__name}` : undefined,
                protect: t.opts.protect === true,
                retainOnDelete: t.opts.retainOnDelete === true,
                dependsOn: dependsOnNames(t.opts.dependsOn),
                provider: t.opts.provider ? `${(t.opts.provider as any).__pulumiType ?? ""}::${(t.opts.provider as any).__name ?? ""}` : undefined,
            });
            return undefined;
        });
        return program();
        })) as Record<string, unknown> | undefined;
        // The stack's outputs can resolve before every registration has reached the engine.
        await runtimeSettings.waitForRPCs();
    } catch (error) {
        throw new ProgramFailure(unmocked.length > 0 ? unmockedError(unmocked) : error, resources);
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
    if (unmocked.length > 0) throw new ProgramFailure(unmockedError(unmocked), resources);


    return {
        config,
        resources,
        outputs: outputs ?? {},
        invokes,
        ofType: (type) => resources.filter((r) => r.type === type),
        one(type, name) {
            const found = byKey.get(`${type}::${name}`);
            if (!found) {
                const names = resources.filter((r) => r.type === type).map((r) => r.name);
                throw new Error(`no ${type} named ${name}; registered: ${names.join(", ") || "none"}`);
            }
            return found;
        },
    };
}

function dependsOnNames(dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined): string[] {
    if (!dependsOn) return [];
    const list = Array.isArray(dependsOn) ? dependsOn : [dependsOn];
    return list
        .filter((d): d is pulumi.Resource => d instanceof pulumi.Resource)
        .map((d) => `${(d as any).__pulumiType}::${(d as any).__name}`);
}

/** Resolves an Output (or plain value) to its value; the tiny `promiseOf` of pulumi/examples. */
export function promiseOf<T>(output: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

/** Whether an Output is marked secret. */
export function isSecret(output: pulumi.Output<unknown>): Promise<boolean> {
    return pulumi.isSecret(output);
}
