import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { IMAGES } from "../images";
import { retainedVolume, serviceContainer, shellHealthcheck } from "../shared/docker";
import { postgresServerSettings, renderPostgresInitSql } from "./postgres-init";

export interface DockerPostgresArgs {
    /** Prefix of Docker object names, e.g. `genai-dev`. */
    readonly prefix: string;
    /** The application network; Postgres joins no other. */
    readonly network: docker.Network;
    /** Name of the application database. */
    readonly databaseName: string;
    /** Owner role of the application database. */
    readonly user: string;
    /** Superuser password; delivered to the container as a file, never as an environment variable. */
    readonly password: pulumi.Output<string>;
    /** Host port published on 127.0.0.1; undefined publishes none. */
    readonly hostPort?: number;
    /** Memory limit in MiB. @default 1024 */
    readonly memoryMb?: number;
    /** Docker labels of every container and volume of the component. */
    readonly labels: Readonly<Record<string, string>>;
}

/** Where the password file is uploaded inside the container. */
export const POSTGRES_PASSWORD_FILE = "/run/secrets/postgres_password";
export const POSTGRES_PORT = 5432;

/**
 * Postgres 15 for dev: data on a named volume that survives replacement and destroy, the
 * application extensions created by an init script, `pg_isready` healthcheck.
 */
export class DockerPostgres extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly volume: docker.Volume;
    /** Host name of the server on the application network. */
    public readonly host: string = "postgres";
    public readonly port: number = POSTGRES_PORT;

    constructor(name: string, args: DockerPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:data:Postgres", name, {}, opts);
        const memoryMb = args.memoryMb ?? 1024;
        this.volume = retainedVolume(`${name}-data`, `${args.prefix}-postgres-data`, args.labels, this);
        const settings = Object.entries(postgresServerSettings(memoryMb)).flatMap(([k, v]) => ["-c", `${k}=${v}`]);
        this.container = serviceContainer(
            name,
            {
                image: IMAGES.postgres,
                containerName: `${args.prefix}-postgres`,
                networks: [{ network: args.network, aliases: [this.host] }],
                envs: [`POSTGRES_DB=${args.databaseName}`, `POSTGRES_USER=${args.user}`, `POSTGRES_PASSWORD_FILE=${POSTGRES_PASSWORD_FILE}`],
                uploads: [
                    { file: POSTGRES_PASSWORD_FILE, content: args.password, permissions: "0400", owner: "70", group: "70" },
                    { file: "/docker-entrypoint-initdb.d/10-extensions.sql", content: renderPostgresInitSql() },
                ],
                volumes: [{ volumeName: this.volume.name, containerPath: "/var/lib/postgresql/data" }],
                ports: args.hostPort ? [{ internal: POSTGRES_PORT, external: args.hostPort, ip: "127.0.0.1" }] : undefined,
                command: ["postgres", ...settings],
                healthcheck: shellHealthcheck(`pg_isready -U ${args.user} -d ${args.databaseName}`),
                memoryMb,
                labels: { ...args.labels, "genai.component": "postgres" },
            },
            this,
        );
        this.registerOutputs({ containerName: this.container.name, volumeName: this.volume.name });
    }
}
