import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Arch, IMAGES } from "../../catalog/images";
import { retainedVolume, serviceContainer, shellHealthcheck, userSpec } from "../shared/docker";
import { postgresServerSettings, renderPostgresInitSql } from "./postgres-init";
import { POSTGRES_START_SCRIPT } from "./postgres-start";

export interface DockerPostgresArgs {
    /** Prefix of Docker object names, e.g. `genai-dev`. */
    readonly prefix: string;
    /** The application network; Postgres joins no other. */
    readonly network: docker.Network;
    /** Name of the application database. */
    readonly databaseName: string;
    /** Owner role of the application database. */
    readonly user: string;
    /** The owner's password; delivered to the container as a file, never as an environment variable. */
    readonly password: pulumi.Output<string>;
    /** Host port published on 127.0.0.1; undefined publishes none. */
    readonly hostPort?: number;
    /** Memory limit in MiB. @default 512 */
    readonly memoryMb?: number;
    readonly hostArch: Arch;
    /** Protect the data volume from deletion. */
    readonly protectData: boolean;
    /** Docker labels of every container and volume of the component. */
    readonly labels: Readonly<Record<string, string>>;
}

/** Where the password file is uploaded inside the container. */
export const POSTGRES_PASSWORD_FILE = "/run/secrets/postgres_password";
const PG = IMAGES.postgres;
const SOCKET_DIR = "/var/run/postgresql";

/**
 * Postgres 15 for dev: data on a named volume that survives replacement and destroy, the application
 * extensions created by an init script, the owner's password reconciled with the secret at every start,
 * `pg_isready` healthcheck.
 */
export class DockerPostgres extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly volume: docker.Volume;
    /** Host name of the server on the application network. */
    public readonly host: string = "postgres";
    public readonly port: number = PG.ports.postgres;
    public readonly memoryMb: number;

    constructor(name: string, args: DockerPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:data:Postgres", name, {}, opts);
        this.memoryMb = args.memoryMb ?? 512;
        this.volume = retainedVolume(`${name}-data`, `${args.prefix}-postgres-data`, args.labels, this, args.protectData);
        const settings = Object.entries(postgresServerSettings(this.memoryMb))
            .map(([k, v]) => `-c ${k}=${v}`)
            .join(" ");
        this.container = serviceContainer(
            name,
            {
                pull: { ref: PG.ref, archs: PG.archs, hostArch: args.hostArch },
                containerName: `${args.prefix}-postgres`,
                networks: [{ network: args.network, aliases: [this.host] }],
                entrypoint: ["sh", "-c", POSTGRES_START_SCRIPT],
                envs: [
                    `POSTGRES_DB=${args.databaseName}`,
                    `POSTGRES_USER=${args.user}`,
                    `POSTGRES_PASSWORD_FILE=${POSTGRES_PASSWORD_FILE}`,
                    `GENAI_PG_START=docker-entrypoint.sh postgres ${settings}`,
                    `GENAI_PG_SOCKET_DIR=${SOCKET_DIR}`,
                    `GENAI_PG_PORT=${this.port}`,
                    `GENAI_PG_USER=${args.user}`,
                    `GENAI_PG_PASSWORD_FILE=${POSTGRES_PASSWORD_FILE}`,
                ],
                uploads: [
                    { file: POSTGRES_PASSWORD_FILE, content: args.password, permissions: "0400", owner: String(PG.user.uid), group: String(PG.user.gid) },
                    { file: "/docker-entrypoint-initdb.d/10-extensions.sql", content: renderPostgresInitSql() },
                ],
                volumes: [{ volumeName: this.volume.name, containerPath: "/var/lib/postgresql/data" }],
                ports: args.hostPort ? [{ internal: this.port, external: args.hostPort, ip: "127.0.0.1" }] : undefined,
                healthcheck: shellHealthcheck(`pg_isready -q -h ${SOCKET_DIR} -U ${args.user} -d ${args.databaseName}`, PG.readySeconds),
                memoryMb: this.memoryMb,
                cpus: 1,
                user: userSpec(PG.user),
                labels: { ...args.labels, "genai.component": "postgres" },
            },
            this,
        ).container;
        this.registerOutputs({ containerName: this.container.name, volumeName: this.volume.name });
    }
}
