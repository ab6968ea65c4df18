/**
 * IAM policy documents as resources carry them: a JSON string (what `JSON.stringify` and
 * `aws.iam.getPolicyDocument` give) or an object, whose Statement is one statement or a list, and
 * whose Action, Resource and Principal elements are a string or a list.
 */
import { asList, asObject, asString, asStrings, Props } from "./props";

/** A policy document's statements, or why it cannot be read. */
export type PolicyStatements = { readonly statements: readonly Props[] } | { readonly error: string };

/** The statements of a policy document given as a JSON string or an object; undefined when there is none. */
export function policyStatements(document: unknown): PolicyStatements | undefined {
    if (document === undefined || document === null || document === "") return undefined;
    let parsed: unknown = document;
    if (typeof document === "string") {
        try {
            parsed = JSON.parse(document);
        } catch {
            return { error: "is not valid JSON" };
        }
    }
    const object = asObject(parsed);
    if (!object) return { error: "is not a JSON object" };
    const statement = object.Statement;
    const list = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
    return { statements: asList(list).map((s) => asObject(s) ?? {}) };
}

/** A policy element that is a string or a list of strings, as a list. */
export function elementValues(value: unknown): string[] {
    return typeof value === "string" ? [value] : asStrings(value);
}

/** Whether a statement allows (rather than denies). */
export function isAllow(statement: Props): boolean {
    return asString(statement.Effect) === "Allow";
}

/** Whether a statement allows every action on every resource: `"Action": "*"` and `"Resource": "*"`. */
export function allowsEverything(statement: Props): boolean {
    const everyAction = elementValues(statement.Action).some((a) => a === "*" || a === "*:*");
    const everyResource = elementValues(statement.Resource).includes("*");
    return isAllow(statement) && everyAction && everyResource;
}

/** The AWS service principals of a statement (`"Principal": {"Service": ...}`). */
export function servicePrincipals(statement: Props): string[] {
    return elementValues(asObject(statement.Principal)?.Service);
}

/** The condition keys a statement tests, lower-cased (IAM compares condition keys case-insensitively). */
export function conditionKeys(statement: Props): string[] {
    const condition = asObject(statement.Condition) ?? {};
    return Object.values(condition).flatMap((operator) => Object.keys(asObject(operator) ?? {}).map((k) => k.toLowerCase()));
}

/** The AWS managed policy that grants full administrator access, in any partition. */
export const ADMINISTRATOR_ACCESS_ARN = /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/;
