/**
 * Calls policies directly, with fake validation arguments shaped like those @pulumi/policy's
 * server builds: `notApplicable` throws, `stackTags` is empty, `getConfig` returns the given config.
 * The pack's index is never imported here: constructing the PolicyPack starts its gRPC server.
 */
import {
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

/** What `notApplicable()` throws, so a test can tell "not applicable" from "passed". */
export class NotApplicable extends Error {}

export interface FakeResource {
    readonly type: string;
    readonly props: Record<string, unknown>;
    readonly name?: string;
    readonly protect?: boolean;
    /** URN of the parent resource. */
    readonly parent?: string;
}

export interface Reported {
    readonly message: string;
    readonly urn?: string;
}

const urnOf = (r: FakeResource): string => `urn:pulumi:test::genai-platform::${r.type}::${r.name ?? "res"}`;

function options(r: FakeResource): PolicyResourceOptions {
    return {
        protect: r.protect ?? false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        parent: r.parent,
    };
}

function notApplicable(reason?: string): never {
    throw new NotApplicable(reason ?? "not applicable");
}

/**
 * Runs a resource policy on one resource and returns the violation messages (the text passed to
 * reportViolation). Throws NotApplicable when the policy does not apply to the resource's type.
 */
export async function violations(policy: ResourceValidationPolicy, resource: FakeResource, config: object = {}): Promise<string[]> {
    const messages: string[] = [];
    const args: ResourceValidationArgs = {
        type: resource.type,
        props: resource.props,
        urn: urnOf(resource),
        name: resource.name ?? "res",
        opts: options(resource),
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => config as T,
        notApplicable,
    };
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const validate of validations) {
        await validate?.(args, (message) => messages.push(message));
    }
    return messages;
}

/** Runs a stack policy on resources and returns what it reported, with the URNs it named. */
export async function stackViolations(policy: StackValidationPolicy, resources: readonly FakeResource[], config: object = {}): Promise<Reported[]> {
    const reported: Reported[] = [];
    const policyResources: PolicyResource[] = resources.map((r) => ({
        type: r.type,
        props: r.props,
        urn: urnOf(r),
        name: r.name ?? "res",
        opts: options(r),
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    }));
    const args: StackValidationArgs = {
        resources: policyResources,
        stackTags: new Map(),
        getConfig: <T extends object>() => config as T,
        notApplicable,
    };
    await policy.validateStack(args, (message, urn) => reported.push({ message, urn }));
    return reported;
}

/** The URN the harness gives a fake resource. */
export { urnOf };

/**
 * @pulumi/policy's own unknown-checking proxy (what the pack's server wraps properties in), so a
 * test sees exactly how a policy behaves on a value unknown during preview.
 */
export const unknownCheckingProxy: <T extends object>(props: T) => T = require("@pulumi/policy").unknownCheckingProxy;
