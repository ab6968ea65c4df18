import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Arch, HOST_ACCESS, ImageContract, IMAGES, InfraImage } from "../../catalog/images";
import { httpHealthcheck, retainedVolume, serviceContainer, ServiceContainerArgs, userSpec } from "../shared/docker";
import { AlertRuleSpec, renderPrometheusRules } from "./alerts";
import { prometheusArgs, renderBlackboxConfig, renderLokiConfig, renderPrometheusConfig, ScrapeJob, BLACKBOX_MODULE } from "./config-files";
import { GRAFANA_SETTINGS, grafanaEnv, grafanaPath, renderGrafanaDashboardProvider, renderGrafanaDatasources, renderInferenceDashboard, PanelSpec } from "./grafana";
import { renderDockerAlloyConfig, renderDockerApiProxyConfig } from "./log-shipping";

export interface DatabaseTarget {
    readonly host: string;
    readonly port: number;
    readonly database?: string;
    readonly user?: string;
    readonly password: pulumi.Output<string>;
}

export interface DockerObservabilityArgs {
    /** Prefix of Docker object names, e.g. `genai-dev`. */
    readonly prefix: string;
    /** The stack, whose containers the log shipper collects. */
    readonly stack: string;
    /** The monitoring network, shared by every component here. */
    readonly monitoringNetwork: docker.Network;
    /** The edge network; Grafana joins it so the load balancer can serve it. */
    readonly edgeNetwork: docker.Network;
    /** The application network; only the database exporters join it. */
    readonly appNetwork: docker.Network;
    /** Alertmanager's own network, with a route out for its receivers. */
    readonly alertsNetwork: docker.Network;
    /** Scrape jobs of the inference services and the load balancer. */
    readonly jobs: readonly ScrapeJob[];
    /** URLs the blackbox exporter checks answer 200 without a redirect (every model's health, through and around the load balancer). */
    readonly probes: readonly { readonly job: string; readonly urls: readonly string[]; readonly labels: Readonly<Record<string, string>> }[];
    /** The platform's alert rules. */
    readonly alertRules: readonly AlertRuleSpec[];
    /** Panels of the inference dashboard. */
    readonly panels: readonly PanelSpec[];
    /** Days Prometheus keeps metrics. */
    readonly metricsRetentionDays: number;
    /** Size in GB at which Prometheus drops the oldest blocks. */
    readonly metricsRetentionSizeGb: number;
    /** Days Loki keeps logs. */
    readonly logsRetentionDays: number;
    /** Grafana's admin password; uploaded as a file. */
    readonly grafanaAdminPassword: pulumi.Output<string>;
    /** Public URL Grafana is served under (through the load balancer), ending in `/grafana/`. */
    readonly grafanaRootUrl: string;
    /** alertmanager.yml, rendered by the stack; a secret output when it carries a receiver's URL. */
    readonly alertmanagerConfig: pulumi.Input<string>;
    /** Host port Alertmanager's UI is published on, bound to 127.0.0.1; undefined publishes none. */
    readonly alertmanagerHostPort?: number;
    /** Host port Prometheus is published on, bound to 127.0.0.1; undefined publishes none. */
    readonly prometheusHostPort?: number;
    /** Host port of the Pushgateway on 127.0.0.1, where applications on the host push their API spend; none when unset. */
    readonly pushgatewayHostPort?: number;
    /** The Postgres server the exporter reads. */
    readonly postgres: DatabaseTarget;
    /** The Redis server the exporter reads. */
    readonly redis: DatabaseTarget;
    readonly hostArch: Arch;
    /** Protect the metrics, logs and dashboards volumes from deletion. */
    readonly protectData: boolean;
    /** Docker labels of every container and volume of the component. */
    readonly labels: Readonly<Record<string, string>>;
}

const PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml";
const PROMETHEUS_RULES = "/etc/prometheus/rules/genai.yml";
const ALERTMANAGER_CONFIG = "/etc/alertmanager/alertmanager.yml";
const BLACKBOX_CONFIG = "/etc/blackbox_exporter/config.yml";
const ALLOY_CONFIG = "/etc/alloy/config.alloy";
const PROXY_CONFIG = "/usr/local/etc/haproxy/haproxy.cfg";
const SECRET_DIR = "/run/secrets";
const DOCKER_API_PORT = 2375;

/**
 * Grafana's start: the admin password applies only on first run, so a retained database is brought to
 * the current secret before the server starts (a destroyed and recreated stack, a rotation).
 */
export const GRAFANA_START_SCRIPT = [
    "set -eu",
    'if [ -s "$GF_PATHS_DATA/grafana.db" ]; then',
    '    grafana cli --homepath "$GF_PATHS_HOME" admin reset-admin-password --password-from-stdin < "$GF_SECURITY_ADMIN_PASSWORD__FILE" >/dev/null',
    "fi",
    "exec /run.sh",
].join("\n");

/** The scrape jobs of the platform's own services, each on its image's metrics endpoint. */
export function platformScrapeJobs(): ScrapeJob[] {
    const metrics = (image: InfraImage) => {
        const m = (IMAGES[image] as ImageContract).metrics;
        if (!m) throw new Error(`image ${image} has no metrics endpoint in the catalog`);
        return m;
    };
    return [
        { job: "prometheus", targets: [`localhost:${metrics("prometheus").port}`], labels: { component: "monitoring" } },
        { job: "alertmanager", targets: [`alertmanager:${metrics("alertmanager").port}`], labels: { component: "monitoring" } },
        { job: "grafana", targets: [`grafana:${metrics("grafana").port}`], metricsPath: grafanaPath(metrics("grafana").path), labels: { component: "monitoring" } },
        { job: "loki", targets: [`loki:${metrics("loki").port}`], labels: { component: "monitoring" } },
        { job: "alloy", targets: [`alloy:${metrics("alloy").port}`], labels: { component: "monitoring" } },
        { job: "node", targets: [`node-exporter:${metrics("nodeExporter").port}`], labels: { component: "host" } },
        { job: "postgres", targets: [`postgres-exporter:${metrics("postgresExporter").port}`], labels: { component: "postgres" } },
        { job: "redis", targets: [`redis-exporter:${metrics("redisExporter").port}`], labels: { component: "redis" } },
        // What the applications pushed keeps the job and instance they pushed it as.
        { job: "pushgateway", targets: [`pushgateway:${metrics("pushgateway").port}`], honorLabels: true, labels: { component: "monitoring" } },
    ];
}

/**
 * Prometheus, Alertmanager, Grafana, Loki and the log shipper for dev, with the host, database and
 * blackbox exporters. Everything sits on the monitoring network; Grafana also joins the edge network so
 * the load balancer can serve it, the database exporters the application network, and Alertmanager its
 * own network with a route out and its UI on 127.0.0.1.
 */
export class DockerObservability extends pulumi.ComponentResource {
    public readonly containers: Record<string, docker.Container> = {};
    /** The retained volumes, by role (`grafana-data`, ...), for the backups. */
    public readonly volumes: Record<string, docker.Volume> = {};
    /** Memory limit of each container, MiB, for the laptop-fit report. */
    public readonly memoryMb: Record<string, number> = {};
    public readonly prometheusConfig: string;
    public readonly rules: string;
    public readonly grafanaHost = "grafana";
    /** The Pushgateway, from the application and monitoring networks: applications' API spend, the backups' reports. */
    public readonly pushgatewayUrl = `http://pushgateway:${IMAGES.pushgateway.ports.http}`;
    public readonly grafanaPort = IMAGES.grafana.ports.http;

    constructor(name: string, args: DockerObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:observability:Observability", name, {}, opts);
        const monitoring = (alias: string) => ({ network: args.monitoringNetwork, aliases: [alias] });
        const labels = (component: string) => ({ ...args.labels, "genai.component": component });
        const volume = (id: string) => (this.volumes[id] = retainedVolume(`${name}-${id}`, `${args.prefix}-${id}`, args.labels, this, args.protectData));
        const add = (id: string, image: InfraImage, container: Omit<ServiceContainerArgs, "pull" | "containerName" | "user"> & { user?: string }) => {
            const contract: ImageContract = IMAGES[image];
            this.memoryMb[id] = container.memoryMb;
            this.containers[id] = serviceContainer(
                `${name}-${id}`,
                { ...container, pull: { ref: contract.ref, archs: contract.archs, hostArch: args.hostArch }, containerName: `${args.prefix}-${id}`, user: container.user ?? userSpec(contract.user) },
                this,
            ).container;
        };
        const healthOf = (image: InfraImage, path?: string, startSeconds?: number) => {
            const contract: ImageContract = IMAGES[image];
            if (contract.health.kind !== "http") throw new Error(`image ${image} has no HTTP health endpoint`);
            return httpHealthcheck(contract.httpClient, { port: contract.health.port, path: path ?? contract.health.path }, startSeconds ?? contract.readySeconds);
        };

        this.rules = renderPrometheusRules(args.alertRules);
        const blackbox = `blackbox-exporter:${IMAGES.blackboxExporter.ports.http}`;
        this.prometheusConfig = renderPrometheusConfig({
            jobs: [
                ...platformScrapeJobs(),
                ...args.jobs,
                ...args.probes.map((p) => ({ job: p.job, targets: p.urls, labels: p.labels, probe: { exporter: blackbox, module: BLACKBOX_MODULE } })),
            ],
            alertmanagers: [`alertmanager:${IMAGES.alertmanager.ports.http}`],
            ruleFiles: ["/etc/prometheus/rules/*.yml"],
            externalLabels: { platform: args.prefix },
        });
        add("prometheus", "prometheus", {
            // A published port needs a network with a route out: Prometheus joins Alertmanager's when it is published.
            networks: [monitoring("prometheus"), ...(args.prometheusHostPort ? [{ network: args.alertsNetwork, aliases: ["prometheus"] }] : [])],
            ports: args.prometheusHostPort ? [{ internal: IMAGES.prometheus.ports.http, external: args.prometheusHostPort, ip: "127.0.0.1" }] : undefined,
            uploads: [
                { file: PROMETHEUS_CONFIG, content: this.prometheusConfig },
                { file: PROMETHEUS_RULES, content: this.rules },
            ],
            volumes: [{ volumeName: volume("prometheus-data").name, containerPath: "/prometheus" }],
            command: prometheusArgs(args.metricsRetentionDays, args.metricsRetentionSizeGb, PROMETHEUS_CONFIG),
            healthcheck: healthOf("prometheus"),
            memoryMb: 512,
            cpus: 1,
            labels: labels("prometheus"),
        });

        add("alertmanager", "alertmanager", {
            networks: [monitoring("alertmanager"), { network: args.alertsNetwork, aliases: ["alertmanager"] }],
            uploads: [{ file: ALERTMANAGER_CONFIG, content: args.alertmanagerConfig }],
            volumes: [{ volumeName: volume("alertmanager-data").name, containerPath: "/alertmanager" }],
            ports: args.alertmanagerHostPort ? [{ internal: IMAGES.alertmanager.ports.http, external: args.alertmanagerHostPort, ip: "127.0.0.1" }] : undefined,
            command: [`--config.file=${ALERTMANAGER_CONFIG}`, "--storage.path=/alertmanager"],
            healthcheck: healthOf("alertmanager"),
            memoryMb: 128,
            labels: labels("alertmanager"),
        });

        // Applications push their external-API spend here: from the application network as
        // http://pushgateway:9091, from the host on 127.0.0.1 (published from the network with a route out).
        add("pushgateway", "pushgateway", {
            networks: [
                monitoring("pushgateway"),
                { network: args.appNetwork, aliases: ["pushgateway"] },
                ...(args.pushgatewayHostPort ? [{ network: args.alertsNetwork, aliases: ["pushgateway"] }] : []),
            ],
            ports: args.pushgatewayHostPort ? [{ internal: IMAGES.pushgateway.ports.http, external: args.pushgatewayHostPort, ip: "127.0.0.1" }] : undefined,
            healthcheck: healthOf("pushgateway"),
            memoryMb: 64,
            labels: labels("pushgateway"),
        });

        add("loki", "loki", {
            networks: [monitoring("loki")],
            uploads: [{ file: "/etc/loki/config.yml", content: renderLokiConfig({ retentionDays: args.logsRetentionDays, port: IMAGES.loki.ports.http }) }],
            volumes: [{ volumeName: volume("loki-data").name, containerPath: "/loki" }],
            command: ["-config.file=/etc/loki/config.yml"],
            memoryMb: 384,
            labels: labels("loki"),
        });

        add("grafana", "grafana", {
            networks: [monitoring(this.grafanaHost), { network: args.edgeNetwork, aliases: [this.grafanaHost] }],
            entrypoint: ["sh", "-c", GRAFANA_START_SCRIPT],
            envs: [
                "GF_SECURITY_ADMIN_USER=admin",
                `GF_SECURITY_ADMIN_PASSWORD__FILE=${SECRET_DIR}/grafana_admin_password`,
                // Dev is served over plain HTTP on 127.0.0.1.
                "GF_SECURITY_COOKIE_SECURE=false",
                `GF_SERVER_ROOT_URL=${args.grafanaRootUrl}`,
                ...grafanaEnv(GRAFANA_SETTINGS),
            ],
            uploads: [
                { file: `${SECRET_DIR}/grafana_admin_password`, content: args.grafanaAdminPassword, permissions: "0400", owner: String(IMAGES.grafana.user.uid) },
                {
                    file: "/etc/grafana/provisioning/datasources/genai.yml",
                    content: renderGrafanaDatasources(`http://prometheus:${IMAGES.prometheus.ports.http}`, `http://loki:${IMAGES.loki.ports.http}`),
                },
                { file: "/etc/grafana/provisioning/dashboards/genai.yml", content: renderGrafanaDashboardProvider("/var/lib/grafana-dashboards") },
                { file: "/var/lib/grafana-dashboards/inference.json", content: renderInferenceDashboard(args.panels) },
            ],
            volumes: [{ volumeName: volume("grafana-data").name, containerPath: "/var/lib/grafana" }],
            healthcheck: healthOf("grafana", grafanaPath(IMAGES.grafana.health.path)),
            memoryMb: 320,
            labels: labels("grafana"),
        });

        // The log shipper reads container logs through a proxy that only answers read-only Docker API calls.
        const proxyAccess = HOST_ACCESS.find((a) => a.role === "docker-api-proxy")!;
        add("docker-api-proxy", proxyAccess.image, {
            networks: [monitoring("docker-api")],
            uploads: [{ file: PROXY_CONFIG, content: renderDockerApiProxyConfig({ listenPort: DOCKER_API_PORT, socket: proxyAccess.hostPaths[0] }) }],
            volumes: [{ hostPath: proxyAccess.hostPaths[0], containerPath: proxyAccess.hostPaths[0], readOnly: true }],
            memoryMb: 64,
            user: userSpec(proxyAccess.user),
            labels: labels(proxyAccess.role),
        });
        add("alloy", "alloy", {
            networks: [monitoring("alloy")],
            uploads: [{ file: ALLOY_CONFIG, content: renderDockerAlloyConfig({ dockerApi: `tcp://docker-api:${DOCKER_API_PORT}`, lokiPushUrl: `http://loki:${IMAGES.loki.ports.http}/loki/api/v1/push`, stack: args.stack }) }],
            volumes: [{ volumeName: volume("alloy-data").name, containerPath: "/var/lib/alloy/data" }],
            command: ["run", ALLOY_CONFIG, "--storage.path=/var/lib/alloy/data", `--server.http.listen-addr=0.0.0.0:${IMAGES.alloy.ports.http}`],
            memoryMb: 192,
            labels: labels("alloy"),
            dependsOn: [this.containers["docker-api-proxy"], this.containers.loki],
        });

        const nodeAccess = HOST_ACCESS.find((a) => a.role === "node-exporter")!;
        add("node-exporter", nodeAccess.image, {
            networks: [monitoring("node-exporter")],
            volumes: [{ hostPath: nodeAccess.hostPaths[0], containerPath: "/host", readOnly: true }],
            command: ["--path.rootfs=/host"],
            healthcheck: healthOf("nodeExporter"),
            memoryMb: 64,
            user: userSpec(nodeAccess.user),
            labels: labels(nodeAccess.role),
        });

        add("blackbox-exporter", "blackboxExporter", {
            networks: [monitoring("blackbox-exporter"), { network: args.edgeNetwork, aliases: ["blackbox-exporter"] }],
            uploads: [{ file: BLACKBOX_CONFIG, content: renderBlackboxConfig() }],
            command: [`--config.file=${BLACKBOX_CONFIG}`],
            healthcheck: healthOf("blackboxExporter"),
            memoryMb: 64,
            labels: labels("blackbox-exporter"),
        });

        const onApp = (alias: string) => [monitoring(alias), { network: args.appNetwork, aliases: [alias] }];
        const pg = args.postgres;
        add("postgres-exporter", "postgresExporter", {
            networks: onApp("postgres-exporter"),
            envs: [
                `DATA_SOURCE_URI=${pg.host}:${pg.port}/${pg.database ?? "postgres"}?sslmode=disable`,
                `DATA_SOURCE_USER=${pg.user ?? "postgres"}`,
                `DATA_SOURCE_PASS_FILE=${SECRET_DIR}/postgres_password`,
            ],
            uploads: [{ file: `${SECRET_DIR}/postgres_password`, content: pg.password, permissions: "0400", owner: String(IMAGES.postgresExporter.user.uid) }],
            healthcheck: healthOf("postgresExporter"),
            memoryMb: 64,
            labels: labels("postgres-exporter"),
        });
        const rd = args.redis;
        const redisAddress = `redis://${rd.host}:${rd.port}`;
        add("redis-exporter", "redisExporter", {
            networks: onApp("redis-exporter"),
            envs: [`REDIS_ADDR=${redisAddress}`, `REDIS_PASSWORD_FILE=${SECRET_DIR}/redis_passwords.json`],
            uploads: [
                {
                    file: `${SECRET_DIR}/redis_passwords.json`,
                    content: rd.password.apply((password) => JSON.stringify({ [redisAddress]: password })),
                    permissions: "0400",
                    owner: String(IMAGES.redisExporter.user.uid),
                },
            ],
            healthcheck: healthOf("redisExporter"),
            memoryMb: 64,
            labels: labels("redis-exporter"),
        });
        this.registerOutputs({});
    }
}
