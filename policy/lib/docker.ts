/** Reading Docker containers as the docker provider (v4, v5) declares them. */
import * as path from "path";
import { asList, asObject, asString, Props } from "./props";

/** A container label's value: labels are a list of `{label, value}`, or a map in hand-written fixtures. */
export function dockerLabel(props: Props, key: string): string | undefined {
    if (Array.isArray(props.labels)) {
        const entry = asList(props.labels)
            .map((l) => asObject(l) ?? {})
            .find((l) => l.label === key);
        return asString(entry?.value);
    }
    return asString(asObject(props.labels)?.[key]);
}

/** A host path mounted into a container. */
export interface HostMount {
    /** `volumes[0]`, `mounts[1]`: how messages name it. */
    readonly label: string;
    /** The host path, normalised (no `.`, `..`, doubled or trailing slashes). */
    readonly hostPath: string;
    readonly readOnly: boolean;
}

/** Normalises a POSIX path: `/var/run/../run//docker.sock/` -> `/run/docker.sock`. */
export function normalizeHostPath(hostPath: string): string {
    const normalized = path.posix.normalize(hostPath);
    return normalized.length > 1 ? normalized.replace(/\/+$/, "") : normalized;
}

/** Every host path a container mounts: `volumes[].hostPath` and `mounts[]` of type bind. */
export function hostMounts(props: Props): HostMount[] {
    const volumes = asList(props.volumes).flatMap((item, i) => {
        const volume = asObject(item) ?? {};
        const hostPath = asString(volume.hostPath);
        return hostPath ? [{ label: `volumes[${i}]`, hostPath: normalizeHostPath(hostPath), readOnly: volume.readOnly === true }] : [];
    });
    const mounts = asList(props.mounts).flatMap((item, i) => {
        const mount = asObject(item) ?? {};
        const source = asString(mount.source);
        return mount.type === "bind" && source ? [{ label: `mounts[${i}]`, hostPath: normalizeHostPath(source), readOnly: mount.readOnly === true }] : [];
    });
    return [...volumes, ...mounts];
}
