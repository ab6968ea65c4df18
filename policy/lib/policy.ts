import { PolicyConfigSchema, ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { Props } from "./props";

/** A validation of one resource's properties, for resources of the types it was declared for. */
export type PropsValidation = (props: Props, args: ResourceValidationArgs, reportViolation: ReportViolation) => void;

/**
 * A resource validation for the given type tokens: like @pulumi/policy's `validateResourceOfType`,
 * but by token, so the pack needs no provider SDK. Other types are reported not applicable; with
 * a single type the function carries `__pulumiType`, which lets the pack skip other types early.
 */
export function validateTypes(types: readonly string[], validate: PropsValidation): ResourceValidation {
    const accepted = new Set(types);
    const validation: ResourceValidation = (args, reportViolation) => {
        if (!accepted.has(args.type)) {
            args.notApplicable(`Policy only applies to resources of type ${types.map((t) => `'${t}'`).join(", ")}`);
        }
        validate(args.props, args, reportViolation);
    };
    return types.length === 1 ? Object.assign(validation, { __pulumiType: types[0] }) : validation;
}

/**
 * A policy's configuration: the values the stack's policy config sets over the policy's defaults.
 * The CLI already fills schema defaults in; merging again keeps direct calls (tests) honest.
 */
export function policyConfig<T extends object>(args: { getConfig<U extends object>(): U }, defaults: T): T {
    return { ...defaults, ...args.getConfig<Partial<T>>() };
}

/** The JSON schema of one property of a policy's config. */
export type ConfigProperty = PolicyConfigSchema["properties"][string];

/** A dollar figure as the messages and reports print it. */
export function usd(amount: number): string {
    return `$${amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
