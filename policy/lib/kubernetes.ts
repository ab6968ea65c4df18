import { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
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

function objectAt(props: Props, path: readonly string[]): Props | undefined {
    let current: Props | undefined = props;
    for (const key of path) current = current && asObject(current[key]);
    return current;
}

/** The pod spec of a workload (`spec.template.spec`, or `spec` for a Pod), when present. */
function podSpecOf(type: string, props: Props): Props | undefined {
    return objectAt(props, K8S_POD_SPEC_PATHS[type] ?? []);
}

/** The pod's metadata: the template's (`spec.template.metadata`), or the Pod's own. */
function podMetadataOf(type: string, props: Props): Props | undefined {
    const specPath = K8S_POD_SPEC_PATHS[type] ?? [];
    return objectAt(props, [...specPath.slice(0, -1), "metadata"]);
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

/**
 * A resource validation of the pod spec of every Kubernetes workload type (K8S_POD_SPEC_PATHS), with
 * its containers, init containers and ephemeral containers, the pod's metadata ({} when absent), and
 * the validation's arguments (for the policy's config).
 */
export function validatePodSpecs(
    validate: (podSpec: Props, containers: ContainerView[], reportViolation: ReportViolation, podMetadata: Props, args: ResourceValidationArgs) => void,
): ResourceValidation {
    return validateTypes(K8S_WORKLOADS, (props, args, reportViolation) => {
        const podSpec = podSpecOf(args.type, props);
        if (podSpec) validate(podSpec, containersOf(podSpec), reportViolation, podMetadataOf(args.type, props) ?? {}, args);
    });
}

/** The `securityContext` of a pod spec or a container spec, {} when absent. */
export function securityContextOf(spec: Props): Props {
    return asObject(spec.securityContext) ?? {};
}
