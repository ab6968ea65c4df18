import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Arch, IMAGES, InfraImage } from "../../catalog/images";
import { retainedVolume, serviceContainer, shellHealthcheck, userSpec } from "../shared/docker";
import { BACKUP_FORMATS, BACKUP_FRESH_MINUTES, BackupSource, backupPushUrl, renderBackupScript, renderPgpass } from "./backup";

export interface DockerBackupsArgs {
    /** Prefix of Docker object names, e.g. `genai-dev`. */
    readonly prefix: string;
    /** The application network, where Postgres and Redis are. */
    readonly appNetwork: docker.Network;
    /** The monitoring network (internal): the Grafana backup needs no network and joins this one rather than Docker's default bridge. */
    readonly monitoringNetwork: docker.Network;
    readonly postgres: { readonly host: string; readonly port: number; readonly database: string; readonly user: string; readonly password: pulumi.Output<string> };
    readonly redis: { readonly host: string; readonly port: number; readonly password: pulumi.Output<string> };
    /** Grafana's data volume, mounted read-only, and the container that creates it. */
    readonly grafana: { readonly volumeName: pulumi.Input<string>; readonly container: pulumi.Resource };
    /** The stack's Pushgateway (`http://host:port`), reachable from both networks, where each container reports its runs. */
    readonly pushgatewayUrl: string;
    /** Time of day of the daily backup, `HH:MM`, on the containers' clock (UTC). */
    readonly at: string;
    /** Days a backup is kept. */
    readonly keepDays: number;
    readonly hostArch: Arch;
    /** Protect the backup volume from deletion. */
    readonly protectData: boolean;
    /** Docker labels of every container and volume of the component. */
    readonly labels: Readonly<Record<string, string>>;
}

/** Where the backup volume is mounted in every backup container; each source writes its own directory in it. */
export const BACKUP_MOUNT = "/backups";
/** The backup script inside each backup container, on its PATH: `docker exec <container> genai-backup now`. */
export const BACKUP_SCRIPT_PATH = "/usr/local/bin/genai-backup";
export const PGPASS_FILE = "/run/secrets/pgpass";
export const BACKUP_REDIS_PASSWORD_FILE = "/run/secrets/redis_password";
const GRAFANA_DATA = "/var/lib/grafana";
/** A backup younger than this, in minutes, keeps a backup container healthy: a day and two hours of slack. */
const FRESH_MINUTES = BACKUP_FRESH_MINUTES;

/** Memory limits, MiB: each container sleeps most of the day and runs one client for seconds. */
export const BACKUP_MEMORY_MB: Readonly<Record<BackupSource, number>> = { postgres: 64, redis: 32, grafana: 32 };

/**
 * The healthcheck of a backup container: it reaches its source (with the image's own client, where the
 * image has one) and its newest backup is at most 26 hours old. A new container has 26 hours to write
 * its first backup before it can turn unhealthy.
 */
export function backupHealthCommand(source: BackupSource): string {
    const fresh = `find "$GENAI_BACKUP_DIR" -name '${source}-*.${BACKUP_FORMATS[source].extension}' -mmin -${FRESH_MINUTES} | grep -q .`;
    switch (source) {
        case "postgres":
            return `pg_isready -q && ${fresh}`;
        case "redis":
            return `redis-cli -h "$GENAI_REDIS_HOST" -p "$GENAI_REDIS_PORT" --askpass ping <"$GENAI_REDIS_PASSWORD_FILE" | grep -q PONG && ${fresh}`;
        case "grafana":
            return `[ -r "$GENAI_GRAFANA_DATA" ] && ${fresh}`;
    }
}

/**
 * The dev stack's daily backups into one retained volume, `<prefix>-backups`, one directory per source:
 * Postgres (pg_dump, custom format) and Redis (an RDB over the replication protocol) each from a
 * container of the server's own image and user, Grafana's data directory (a tar) from the catalog's
 * BusyBox image as Grafana's user, read-only. Secrets reach the containers as files only. A one-shot
 * container first opens the volume's root (which a fresh volume gives to root) to the three users,
 * sticky, so each can create and delete only its own files.
 */
export class DockerBackups extends pulumi.ComponentResource {
    public readonly volume: docker.Volume;
    public readonly containers: Record<BackupSource, docker.Container>;

    constructor(name: string, args: DockerBackupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:data:Backups", name, {}, opts);
        this.volume = retainedVolume(`${name}-volume`, `${args.prefix}-backups`, args.labels, this, args.protectData);
        const mount = { volumeName: this.volume.name, containerPath: BACKUP_MOUNT };
        const labels = { ...args.labels, "genai.component": "backup" };
        const pull = (image: InfraImage) => ({ ref: IMAGES[image].ref, archs: IMAGES[image].archs, hostArch: args.hostArch });

        const fetcher = IMAGES.fetcher;
        const init = serviceContainer(
            `${name}-init`,
            {
                pull: pull("fetcher"),
                containerName: `${args.prefix}-backup-init`,
                networks: [{ network: args.monitoringNetwork, aliases: [] }],
                volumes: [mount],
                command: ["sh", "-c", `chmod 1777 ${BACKUP_MOUNT}`],
                memoryMb: 32,
                user: userSpec(fetcher.user),
                labels: { ...labels, "genai.job": "backup-volume" },
                oneShot: true,
            },
            this,
        ).container;

        const script = (source: BackupSource) => ({ file: BACKUP_SCRIPT_PATH, content: renderBackupScript({ source, at: args.at, keepDays: args.keepDays }), permissions: "0555" });
        const job = (
            source: BackupSource,
            image: InfraImage,
            user: { uid: number; gid: number },
            extra: { networks: docker.Network; envs: string[]; uploads?: docker.types.input.ContainerUpload[]; volumes?: docker.types.input.ContainerVolume[]; after?: pulumi.Resource },
        ) =>
            serviceContainer(
                `${name}-${source}`,
                {
                    pull: pull(image),
                    containerName: `${args.prefix}-backup-${source}`,
                    networks: [{ network: extra.networks, aliases: [] }],
                    envs: [`GENAI_BACKUP_DIR=${BACKUP_MOUNT}/${source}`, `GENAI_BACKUP_PUSH_URL=${backupPushUrl(args.pushgatewayUrl, source)}`, ...extra.envs],
                    uploads: [script(source), ...(extra.uploads ?? [])],
                    volumes: [mount, ...(extra.volumes ?? [])],
                    entrypoint: [BACKUP_SCRIPT_PATH, "schedule"],
                    healthcheck: shellHealthcheck(backupHealthCommand(source), FRESH_MINUTES * 60),
                    memoryMb: BACKUP_MEMORY_MB[source],
                    cpus: 1,
                    user: userSpec(user),
                    labels: { ...labels, "genai.backup": source },
                    dependsOn: [init, ...(extra.after ? [extra.after] : [])],
                },
                this,
            ).container;

        const pg = args.postgres;
        const pgUser = IMAGES.postgres.user;
        const rd = args.redis;
        const redisUser = IMAGES.redis.user;
        const grafanaUser = IMAGES.grafana.user;
        this.containers = {
            postgres: job("postgres", "postgres", pgUser, {
                networks: args.appNetwork,
                envs: [`PGHOST=${pg.host}`, `PGPORT=${pg.port}`, `PGUSER=${pg.user}`, `PGDATABASE=${pg.database}`, `PGPASSFILE=${PGPASS_FILE}`],
                uploads: [
                    {
                        file: PGPASS_FILE,
                        content: pg.password.apply((password) => renderPgpass({ host: pg.host, port: pg.port, database: pg.database, user: pg.user, password })),
                        permissions: "0400",
                        owner: String(pgUser.uid),
                        group: String(pgUser.gid),
                    },
                ],
            }),
            redis: job("redis", "redis", redisUser, {
                networks: args.appNetwork,
                envs: [`GENAI_REDIS_HOST=${rd.host}`, `GENAI_REDIS_PORT=${rd.port}`, `GENAI_REDIS_PASSWORD_FILE=${BACKUP_REDIS_PASSWORD_FILE}`],
                uploads: [{ file: BACKUP_REDIS_PASSWORD_FILE, content: rd.password, permissions: "0400", owner: String(redisUser.uid), group: String(redisUser.gid) }],
            }),
            // A container of Grafana's image is a Grafana (the catalog holds it to Grafana's health endpoint): the
            // catalog's Alpine image, with BusyBox's tar and gzip, reads the data directory as Grafana's user instead.
            grafana: job("grafana", "fetcher", grafanaUser, {
                networks: args.monitoringNetwork,
                envs: [`GENAI_GRAFANA_DATA=${GRAFANA_DATA}`],
                volumes: [{ volumeName: args.grafana.volumeName, containerPath: GRAFANA_DATA, readOnly: true }],
                after: args.grafana.container,
            }),
        };
        this.registerOutputs({ volumeName: this.volume.name });
    }
}
