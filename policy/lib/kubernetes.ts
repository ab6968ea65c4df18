import { ReportViolation, ResourceValidation } from "@pulumi/policy";
import { validateTypes } from "./policy";
import { asList, asObject, asString, Props } from "./props";
import { K8S_POD_SPEC_PATHS, K8S_WORKLOADS } from "./types";

/** One container of a pod spec, with where it sits. */
export interface ContainerView {
    /** `containers[0] (vllm)`: how messages name it. */
    readonly label: string;
    /** Ephemeral (debug) containers cannot set resources. */
    readonly ephemeral: boolean;
    readonly spec: Props;
}

/** The pod spec of a workload (`spec.template.spec`, or `spec` for a Pod), when present. */
function podSpecOf(type: string, props: Props): Props | undefined {
    const path = K8S_POD_SPEC_PATHS[type] ?? [];
    let current: Props | undefined = props;
    for (const key of path) current = current && asObject(current[key]);
    return current;
}

/** Containers, init containers and ephemeral containers of a pod spec. */
function containersOf(podSpec: Props): ContainerView[] {
    return (["containers", "initContainers", "ephemeralContainers"] as const).flatMap((list) =>
        asList(podSpec[list]).flatMap((item, i) => {
            const spec = asObject(item);
            const label = `${list}[${i}] (${asString(spec?.name) ?? "unnamed"})`;
            return spec ? [{ label, ephemeral: list === "ephemeralContainers", spec }] : [];
        }),
    );
}

/** A resource validation of the pod spec of every Kubernetes workload type (K8S_POD_SPEC_PATHS). */
export function validatePodSpecs(
    validate: (podSpec: Props, containers: ContainerView[], reportViolation: ReportViolation) => void,
): ResourceValidation {
    return validateTypes(K8S_WORKLOADS, (props, args, reportViolation) => {
        const podSpec = podSpecOf(args.type, props);
        if (podSpec) validate(podSpec, containersOf(podSpec), reportViolation);
    });
}

const SECRET_WORDS: ReadonlySet<string> = new Set(["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS"]);
const SECRET_PAIRS: readonly (readonly [string, string])[] = [["API", "KEY"], ["PRIVATE", "KEY"], ["ACCESS", "KEY"]];
const REFERENCE_SUFFIXES: ReadonlySet<string> = new Set(["FILE", "PATH", "DIR"]);

/**
 * Whether an environment variable's name says it holds a secret. Matches whole words of the name
 * (split on `_`, `-`, `.` and camelCase), so HF_TOKEN, OPENAI_API_KEY and clientSecret match while
 * TOKENIZERS_PARALLELISM and MAX_TOKENS do not; names ending in _FILE, _PATH or _DIR point to a
 * secret rather than hold one.
 */
export function looksLikeSecretName(name: string): boolean {
    const words = name
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .toUpperCase()
        .split(/[^A-Z0-9]+/)
        .filter((w) => w !== "");
    if (words.length === 0 || REFERENCE_SUFFIXES.has(words[words.length - 1])) return false;
    return words.some((w, i) => SECRET_WORDS.has(w) || SECRET_PAIRS.some(([a, b]) => w === a && words[i + 1] === b));
}
