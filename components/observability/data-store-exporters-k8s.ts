import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IMAGES } from "../../catalog/images";
import { SYSTEM_NODES } from "../cluster/eks";
import { KPS_RELEASE } from "./k8s";

/** Where a managed data store answers, and the secret that opens it. */
export interface PostgresTarget {
    readonly host: pulumi.Input<string>;
    readonly port: pulumi.Input<number>;
    readonly database: string;
    readonly user: pulumi.Input<string>;
    /** The password (a secret output). */
    readonly password: pulumi.Input<string>;
}

export interface RedisTarget {
    readonly host: pulumi.Input<string>;
    readonly port: pulumi.Input<number>;
    /** The AUTH token (a secret output). */
    readonly authToken: pulumi.Input<string>;
}

export interface DataStoreExportersArgs {
    /** The monitoring namespace, where the exporters run and Prometheus finds them. */
    readonly namespace: pulumi.Input<string>;
    readonly postgres: PostgresTarget;
    readonly redis: RedisTarget;
    readonly provider: k8s.Provider;
    /** What must exist first: the observability stack (its PodMonitor CRD), the data stores. */
    readonly dependsOn: pulumi.Resource[];
}

/** Where the exporters read their secrets: mounted files, never environment values. */
const SECRET_DIR = "/etc/genai/secrets";

/** The `redis_exporter` address of a TLS Redis (ElastiCache encrypts in transit). */
export function redisExporterAddress(host: string, port: number): string {
    return `rediss://${host}:${port}`;
}

/**
 * The Postgres and Redis exporters the dev stack runs next to its data stores, run in the cluster against
 * RDS and ElastiCache: `pg_up` and `redis_up` say whether each store answers (DatabaseDown, RedisDown).
 * Secrets reach them as mounted files; each runs as its image's user under the restricted profile.
 */
export class DataStoreExporters extends pulumi.ComponentResource {
    public readonly deployments: Record<"postgres" | "redis", k8s.apps.v1.Deployment>;

    constructor(name: string, args: DataStoreExportersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:observability:DataStoreExporters", name, {}, opts);
        const k = { parent: this, provider: args.provider, dependsOn: args.dependsOn };
        const pg = args.postgres;
        const postgresSecret = new k8s.core.v1.Secret(
            `${name}-postgres`,
            { metadata: { name: "postgres-exporter", namespace: args.namespace }, type: "Opaque", stringData: { password: pulumi.secret(pg.password) } },
            k,
        );
        const redisSecret = new k8s.core.v1.Secret(
            `${name}-redis`,
            {
                metadata: { name: "redis-exporter", namespace: args.namespace },
                type: "Opaque",
                // redis_exporter reads a JSON map of address to password from REDIS_PASSWORD_FILE.
                stringData: {
                    "passwords.json": pulumi.secret(pulumi.all([args.redis.host, args.redis.port, args.redis.authToken]).apply(([host, port, token]) => JSON.stringify({ [redisExporterAddress(host, port)]: token }))),
                },
            },
            k,
        );
        const exporter = (component: "postgres" | "redis", image: "postgresExporter" | "redisExporter", secret: k8s.core.v1.Secret, env: pulumi.Input<k8s.types.input.core.v1.EnvVar>[]) => {
            const spec = IMAGES[image];
            const labels = { app: `${component}-exporter`, component };
            const port = spec.metrics!.port;
            const deployment = new k8s.apps.v1.Deployment(
                `${name}-${component}`,
                {
                    metadata: { name: `${component}-exporter`, namespace: args.namespace, labels },
                    spec: {
                        replicas: 1,
                        selector: { matchLabels: labels },
                        template: {
                            metadata: { labels },
                            spec: {
                                nodeSelector: { ...SYSTEM_NODES },
                                automountServiceAccountToken: false,
                                securityContext: { runAsNonRoot: true, runAsUser: spec.user.uid, runAsGroup: spec.user.gid, seccompProfile: { type: "RuntimeDefault" } },
                                containers: [
                                    {
                                        name: "exporter",
                                        image: spec.ref,
                                        env,
                                        ports: [{ name: "metrics", containerPort: port }],
                                        readinessProbe: { httpGet: { path: spec.health.kind === "http" ? spec.health.path : "/", port }, periodSeconds: 10 },
                                        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
                                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                                        volumeMounts: [{ name: "secrets", mountPath: SECRET_DIR, readOnly: true }],
                                    },
                                ],
                                volumes: [{ name: "secrets", secret: { secretName: secret.metadata.name, defaultMode: 0o400 } }],
                            },
                        },
                    },
                },
                k,
            );
            new k8s.apiextensions.CustomResource(
                `${name}-${component}-monitor`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PodMonitor",
                    metadata: { name: `${component}-exporter`, namespace: args.namespace, labels: { release: KPS_RELEASE } },
                    spec: {
                        selector: { matchLabels: labels },
                        podTargetLabels: ["component"],
                        podMetricsEndpoints: [{ port: "metrics", path: spec.metrics!.path, interval: "15s" }],
                    },
                },
                k,
            );
            return deployment;
        };
        this.deployments = {
            postgres: exporter("postgres", "postgresExporter", postgresSecret, [
                { name: "DATA_SOURCE_URI", value: pulumi.interpolate`${pg.host}:${pg.port}/${pg.database}?sslmode=require` },
                { name: "DATA_SOURCE_USER", value: pg.user },
                { name: "DATA_SOURCE_PASS_FILE", value: `${SECRET_DIR}/password` },
            ]),
            redis: exporter("redis", "redisExporter", redisSecret, [
                { name: "REDIS_ADDR", value: pulumi.all([args.redis.host, args.redis.port]).apply(([host, port]) => redisExporterAddress(host, port)) },
                { name: "REDIS_PASSWORD_FILE", value: `${SECRET_DIR}/passwords.json` },
            ]),
        };
        this.registerOutputs({});
    }
}
