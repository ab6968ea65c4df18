import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

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

export interface ServiceContainerArgs {
    /** Pinned image reference; pulled by a RemoteImage that is kept locally. */
    readonly image: string;
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
    /** Host ports published, each bound to one interface. */
    readonly ports?: readonly PublishedPort[];
    /** Arguments replacing the image's command. */
    readonly command?: readonly string[];
    /** How Docker checks the container is healthy. */
    readonly healthcheck: docker.types.input.ContainerHealthcheck;
    /** Memory limit in MiB. */
    readonly memoryMb: number;
    /** CPU limit in cores. */
    readonly cpus?: number;
    /** GPUs requested from the NVIDIA runtime; 0 requests none. @default 0 */
    readonly gpus?: number;
    /** Size of /dev/shm in MiB. */
    readonly shmSizeMb?: number;
    /** User (uid:gid) the container runs as. */
    readonly user?: string;
    /** Docker labels of every container and volume of the component. */
    readonly labels: Readonly<Record<string, string>>;
    /** Log driver and its options. @default json-file, 10 MiB x 3 files */
    readonly logging?: { driver: string; options: Record<string, string> };
    /** Resources that must exist first. */
    readonly dependsOn?: pulumi.Resource[];
}

/**
 * A long-running service container with the platform's defaults: pinned image, restart unless
 * stopped, no new privileges, memory limit, bounded logs, a healthcheck, and host ports bound to
 * an explicit interface only.
 */
export function serviceContainer(name: string, args: ServiceContainerArgs, parent: pulumi.Resource): docker.Container {
    const image = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, { parent });
    const logging = args.logging ?? { driver: "json-file", options: { "max-size": "10m", "max-file": "3" } };
    return new docker.Container(
        name,
        {
            name: args.containerName,
            image: image.imageId,
            restart: "unless-stopped",
            securityOpts: ["no-new-privileges:true"],
            networksAdvanced: args.networks.map((n) => ({ name: n.network.name, aliases: [...n.aliases] })),
            envs: args.envs ? [...args.envs] : undefined,
            uploads: args.uploads ? [...args.uploads] : undefined,
            volumes: args.volumes ? [...args.volumes] : undefined,
            ports: args.ports?.map((p) => ({ internal: p.internal, external: p.external, ip: p.ip })),
            command: args.command ? [...args.command] : undefined,
            healthcheck: args.healthcheck,
            memory: args.memoryMb,
            cpus: args.cpus !== undefined ? String(args.cpus) : undefined,
            shmSize: args.shmSizeMb,
            user: args.user,
            deviceRequests: args.gpus ? [{ driver: "nvidia", count: args.gpus, capabilities: ["gpu"] }] : undefined,
            labels: Object.entries(args.labels).map(([label, value]) => ({ label, value })),
            logDriver: logging.driver,
            logOpts: logging.options,
        },
        { parent, dependsOn: args.dependsOn },
    );
}

/** A named volume that survives replacement and `pulumi destroy` of the stack. */
export function retainedVolume(name: string, volumeName: string, labels: Readonly<Record<string, string>>, parent: pulumi.Resource): docker.Volume {
    return new docker.Volume(
        name,
        { name: volumeName, labels: Object.entries(labels).map(([label, value]) => ({ label, value })) },
        { parent, retainOnDelete: true },
    );
}

/** A healthcheck that runs a shell command inside the container. */
export function shellHealthcheck(command: string, startPeriodSeconds = 30): docker.types.input.ContainerHealthcheck {
    return { tests: ["CMD-SHELL", command], interval: "10s", timeout: "5s", retries: 5, startPeriod: `${startPeriodSeconds}s` };
}

/** A healthcheck that GETs an HTTP path on the container itself with curl or wget. */
export function httpHealthcheck(port: number, path: string, startPeriodSeconds = 30): docker.types.input.ContainerHealthcheck {
    const url = `http://127.0.0.1:${port}${path}`;
    return shellHealthcheck(`curl -fsS ${url} >/dev/null 2>&1 || wget -q -O /dev/null ${url} || exit 1`, startPeriodSeconds);
}
