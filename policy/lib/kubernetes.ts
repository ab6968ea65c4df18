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
