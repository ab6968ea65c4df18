import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Arch, HttpClient } from "../../catalog/images";
import { httpProbeCommand, HttpProbe } from "../../catalog/probes";

/** A network a container joins, with the names other containers reach it by. */
export interface NetworkAttachment {
    readonly network: docker.Network;
    readonly aliases: readonly string[];
}

/** Host port bindings are always to one interface, 127.0.0.1 unless the stack says otherwise. */
export interface PublishedPort {
    readonly internal: number;
    readonly external: number;
    readonly ip: string;
}

/** How an image is pulled: for which platform, and after which earlier pull. */
export interface ImagePull {
    /** Pinned image reference. */
    readonly ref: string;
    /** Architectures the image is published for (catalog). */
    readonly archs: readonly Arch[];
    /** The Docker host's architecture; an image without it is pulled for amd64 and emulated. */
    readonly hostArch: Arch;
    /** A pull to wait for first, so multi-GB images are pulled one at a time. */
    readonly after?: pulumi.Resource;
}

export interface ServiceContainerArgs {
    readonly pull: ImagePull;
    /** Docker container name, unique on the engine. */
    readonly containerName: string;
    /** Networks the container joins, with its aliases on each. */
    readonly networks: readonly NetworkAttachment[];
    /** Plain, non-secret environment; secrets go in `uploads` as files. */
    readonly envs?: readonly string[];
    /** Files uploaded into the container before it starts (configs, secret files). */
    readonly uploads?: readonly docker.types.input.ContainerUpload[];
    /** Volumes and read-only host paths mounted into the container. */
    readonly volumes?: readonly docker.types.input.ContainerVolume[];
    /** In-memory file systems, path to mount options. */
    readonly tmpfs?: Readonly<Record<string, string>>;
    /** Host ports published, each bound to one interface. */
    readonly ports?: readonly PublishedPort[];
    /** Replaces the image's entrypoint. */
    readonly entrypoint?: readonly string[];
    /** Arguments replacing the image's command. */
    readonly command?: readonly string[];
    /** How Docker checks the container is healthy; undefined for images without a client to probe with. */
    readonly healthcheck?: docker.types.input.ContainerHealthcheck;
    /** Memory limit in MiB. */
    readonly memoryMb: number;
    /** CPU limit in cores. */
    readonly cpus?: number;
    /** GPUs requested from the NVIDIA runtime; 0 requests none. @default 0 */
    readonly gpus?: number;
    /** Size of /dev/shm in MiB. */
    readonly shmSizeMb?: number;
    /** User (uid:gid) the container runs as: one its image supports (catalog). */
    readonly user: string;
    /** Capabilities kept after dropping all. @default none */
    readonly capabilities?: readonly string[];
    /** Docker labels of every container and volume of the component. */
    readonly labels: Readonly<Record<string, string>>;
    /** Runs once to completion (the deployment waits for it) instead of serving. */
    readonly oneShot?: boolean;
    /** Resources that must exist first. */
    readonly dependsOn?: pulumi.Resource[];
}

/** Multi-GB images: the provider's default 20 minutes does not fit a laptop's connection. */
export const IMAGE_PULL_TIMEOUT = "60m";

/** The platform to pull an image for: the host's architecture, or amd64 under emulation when the image lacks it. */
export function pullPlatform(archs: readonly Arch[], hostArch: Arch): string {
    return `linux/${archs.includes(hostArch) ? hostArch : "amd64"}`;
}

/** A pinned image pulled for the host's platform and kept locally. */
export function pulledImage(name: string, pull: ImagePull, parent: pulumi.Resource): docker.RemoteImage {
    return new docker.RemoteImage(
        name,
        { name: pull.ref, platform: pullPlatform(pull.archs, pull.hostArch), keepLocally: true },
        { parent, dependsOn: pull.after ? [pull.after] : undefined, customTimeouts: { create: IMAGE_PULL_TIMEOUT, update: IMAGE_PULL_TIMEOUT } },
    );
}

/**
 * A container with the platform's defaults: pinned image, every capability dropped, no new
 * privileges, a memory limit, bounded logs, a healthcheck, an explicit user, and host ports bound to
 * one interface only. A service restarts unless stopped; a one-shot job runs to completion first.
 */
export function serviceContainer(name: string, args: ServiceContainerArgs, parent: pulumi.Resource): { container: docker.Container; image: docker.RemoteImage } {
    const image = pulledImage(`${name}-image`, args.pull, parent);
    const container = new docker.Container(
        name,
        {
            name: args.containerName,
            image: image.imageId,
            restart: args.oneShot ? "no" : "unless-stopped",
            ...(args.oneShot ? { attach: true, mustRun: false, logs: true } : {}),
            securityOpts: ["no-new-privileges:true"],
            capabilities: { drops: ["ALL"], adds: args.capabilities ? [...args.capabilities] : undefined },
            networksAdvanced: args.networks.map((n) => ({ name: n.network.name, aliases: [...n.aliases] })),
            envs: args.envs ? [...args.envs] : undefined,
            uploads: args.uploads ? [...args.uploads] : undefined,
            volumes: args.volumes ? [...args.volumes] : undefined,
            tmpfs: args.tmpfs ? { ...args.tmpfs } : undefined,
            ports: args.ports?.map((p) => ({ internal: p.internal, external: p.external, ip: p.ip })),
            entrypoints: args.entrypoint ? [...args.entrypoint] : undefined,
            command: args.command ? [...args.command] : undefined,
            healthcheck: args.healthcheck,
            memory: args.memoryMb,
            cpus: args.cpus !== undefined ? String(args.cpus) : undefined,
            shmSize: args.shmSizeMb,
            user: args.user,
            deviceRequests: args.gpus ? [{ driver: "nvidia", count: args.gpus, capabilities: ["gpu"] }] : undefined,
            labels: Object.entries(args.labels).map(([label, value]) => ({ label, value })),
            logDriver: "json-file",
            logOpts: { "max-size": "10m", "max-file": "3" },
        },
        { parent, dependsOn: args.dependsOn },
    );
    return { container, image };
}

/** A named volume that survives replacement and `pulumi destroy` of the stack, and is protected when data is. */
export function retainedVolume(name: string, volumeName: string, labels: Readonly<Record<string, string>>, parent: pulumi.Resource, protect = false): docker.Volume {
    return new docker.Volume(
        name,
        { name: volumeName, labels: Object.entries(labels).map(([label, value]) => ({ label, value })) },
        { parent, retainOnDelete: true, protect },
    );
}

/** A healthcheck that runs a shell command inside the container; failures during the start period do not count. */
export function shellHealthcheck(command: string, startPeriodSeconds = 30): docker.types.input.ContainerHealthcheck {
    return { tests: ["CMD-SHELL", command], interval: "10s", timeout: "5s", retries: 5, startPeriod: `${startPeriodSeconds}s` };
}

/** A healthcheck that passes only when the probe's path answers 200 itself (a redirect fails). */
export function httpHealthcheck(client: HttpClient, probe: HttpProbe, startPeriodSeconds = 30): docker.types.input.ContainerHealthcheck {
    return shellHealthcheck(httpProbeCommand(client, probe), startPeriodSeconds);
}

/** `uid:gid` of a catalog user. */
export function userSpec(user: { uid: number; gid: number }): string {
    return `${user.uid}:${user.gid}`;
}
