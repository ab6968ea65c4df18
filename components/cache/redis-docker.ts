import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Arch, IMAGES } from "../../catalog/images";
import { retainedVolume, serviceContainer, shellHealthcheck, userSpec } from "../shared/docker";
import { renderRedisConf } from "./redis-conf";

export interface DockerRedisArgs {
    /** Prefix of Docker object names, e.g. `genai-dev`. */
    readonly prefix: string;
    /** The application network; Redis joins no other. */
    readonly network: docker.Network;
    /** AUTH password; written into the uploaded redis.conf, never into the environment. */
    readonly password: pulumi.Output<string>;
    /** maxmemory in MiB. */
    readonly maxMemoryMb: number;
    readonly hostArch: Arch;
    /** Protect the data volume from deletion. */
    readonly protectData: boolean;
    /** Docker labels of every container and volume of the component. */
    readonly labels: Readonly<Record<string, string>>;
}

export const REDIS_CONF_PATH = "/usr/local/etc/redis/redis.conf";
export const REDIS_PASSWORD_FILE = "/run/secrets/redis_password";
const REDIS = IMAGES.redis;

/**
 * Redis 7 for dev: password, append-only file on a retained volume, LRU memory cap, healthcheck. The
 * password lives in the uploaded configuration only, so a new one applies at the next start whatever
 * the volume holds.
 */
export class DockerRedis extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly volume: docker.Volume;
    public readonly host: string = "redis";
    public readonly port: number = REDIS.ports.redis;
    public readonly memoryMb: number;

    constructor(name: string, args: DockerRedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:cache:Redis", name, {}, opts);
        this.volume = retainedVolume(`${name}-data`, `${args.prefix}-redis-data`, args.labels, this, args.protectData);
        const conf = args.password.apply((password) => renderRedisConf({ password, maxMemoryMb: args.maxMemoryMb, port: this.port }));
        const owner = { owner: String(REDIS.user.uid), group: String(REDIS.user.gid) };
        // Headroom above maxmemory for the AOF rewrite buffer and fragmentation.
        this.memoryMb = Math.ceil(args.maxMemoryMb * 1.5) + 64;
        this.container = serviceContainer(
            name,
            {
                pull: { ref: REDIS.ref, archs: REDIS.archs, hostArch: args.hostArch },
                containerName: `${args.prefix}-redis`,
                networks: [{ network: args.network, aliases: [this.host] }],
                uploads: [
                    { file: REDIS_CONF_PATH, content: conf, permissions: "0400", ...owner },
                    { file: REDIS_PASSWORD_FILE, content: args.password, permissions: "0400", ...owner },
                ],
                volumes: [{ volumeName: this.volume.name, containerPath: "/data" }],
                command: ["redis-server", REDIS_CONF_PATH],
                // The password is read from a file at check time, so it appears in no container metadata.
                healthcheck: shellHealthcheck(`REDISCLI_AUTH="$(cat ${REDIS_PASSWORD_FILE})" redis-cli ping | grep -q PONG`, REDIS.readySeconds),
                memoryMb: this.memoryMb,
                cpus: 1,
                user: userSpec(REDIS.user),
                labels: { ...args.labels, "genai.component": "redis" },
            },
            this,
        ).container;
        this.registerOutputs({ containerName: this.container.name, volumeName: this.volume.name });
    }
}
