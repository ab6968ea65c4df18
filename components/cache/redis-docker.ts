import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { IMAGES } from "../images";
import { retainedVolume, serviceContainer, shellHealthcheck } from "../shared/docker";
import { renderRedisConf } from "./redis-conf";

export interface DockerRedisArgs {
    /** Prefix of Docker object names, e.g. `genai-dev`. */
    readonly prefix: string;
    /** The application network; Redis joins no other. */
    readonly network: docker.Network;
    /** AUTH password; written into the uploaded redis.conf, never into the environment. */
    readonly password: pulumi.Output<string>;
    /** maxmemory in MiB. @default 256 */
    readonly maxMemoryMb?: number;
    /** Docker labels of every container and volume of the component. */
    readonly labels: Readonly<Record<string, string>>;
}

export const REDIS_CONF_PATH = "/usr/local/etc/redis/redis.conf";
export const REDIS_PASSWORD_FILE = "/run/secrets/redis_password";
export const REDIS_PORT = 6379;

/** Redis 7 for dev: password, append-only file on a retained volume, LRU memory cap, healthcheck. */
export class DockerRedis extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly volume: docker.Volume;
    public readonly host: string = "redis";
    public readonly port: number = REDIS_PORT;

    constructor(name: string, args: DockerRedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:cache:Redis", name, {}, opts);
        const maxMemoryMb = args.maxMemoryMb ?? 256;
        this.volume = retainedVolume(`${name}-data`, `${args.prefix}-redis-data`, args.labels, this);
        const conf = args.password.apply((password) => renderRedisConf({ password, maxMemoryMb }));
        this.container = serviceContainer(
            name,
            {
                image: IMAGES.redis,
                containerName: `${args.prefix}-redis`,
                networks: [{ network: args.network, aliases: [this.host] }],
                uploads: [
                    { file: REDIS_CONF_PATH, content: conf, permissions: "0400", owner: "999", group: "999" },
                    { file: REDIS_PASSWORD_FILE, content: args.password, permissions: "0400", owner: "999", group: "999" },
                ],
                volumes: [{ volumeName: this.volume.name, containerPath: "/data" }],
                command: ["redis-server", REDIS_CONF_PATH],
                // The password is read from a file at check time, so it appears in no container metadata.
                healthcheck: shellHealthcheck(`REDISCLI_AUTH="$(cat ${REDIS_PASSWORD_FILE})" redis-cli ping | grep -q PONG`),
                // Headroom above maxmemory for the AOF rewrite buffer and fragmentation.
                memoryMb: Math.ceil(maxMemoryMb * 1.5) + 64,
                user: "999:999",
                labels: { ...args.labels, "genai.component": "redis" },
            },
            this,
        );
        this.registerOutputs({ containerName: this.container.name, volumeName: this.volume.name });
    }
}
