import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { IMAGES } from "../images";
import { httpHealthcheck, retainedVolume, serviceContainer } from "../shared/docker";
import { AlertRuleSpec, renderPrometheusRules } from "./alerts";
import { prometheusArgs, renderAlertmanagerConfig, renderLokiConfig, renderPrometheusConfig, ScrapeJob } from "./config-files";
import { renderGrafanaDashboardProvider, renderGrafanaDatasources, renderInferenceDashboard } from "./grafana";

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
    /** The monitoring network, shared by every component here. */
    readonly monitoringNetwork: docker.Network;
    /** The edge network; only Grafana joins it, so the load balancer can publish it. */
    readonly edgeNetwork: docker.Network;
    /** The application network; only the database exporters join it. */
    readonly appNetwork: docker.Network;
    /** Scrape jobs of the inference services. */
    readonly modelJobs: readonly ScrapeJob[];
    /** The platform's alert rules. */
    readonly alertRules: readonly AlertRuleSpec[];
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
    /** Slack incoming-webhook URL of Alertmanager's receivers (secret). */
    readonly slackWebhookUrl?: pulumi.Output<string>;
    /** The Postgres server the exporter reads. */
    readonly postgres: DatabaseTarget;
    /** The Redis server the exporter reads. */
    readonly redis: DatabaseTarget;
    /** Publish Loki on 127.0.0.1:3100 for the Loki Docker logging driver. @default false */
    readonly publishLokiForDockerDriver?: boolean;
    /** Docker labels of every container and volume of the component. */
    readonly labels: Readonly<Record<string, string>>;
}

export const PORTS = {
    prometheus: 9090,
    alertmanager: 9093,
    grafana: 3000,
    loki: 3100,
    nodeExporter: 9100,
    postgresExporter: 9187,
    redisExporter: 9121,
} as const;

const PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml";
const PROMETHEUS_RULES = "/etc/prometheus/rules/genai.yml";
const ALERTMANAGER_CONFIG = "/etc/alertmanager/alertmanager.yml";
const SECRET_DIR = "/run/secrets";

/** Scrape jobs of the platform's own services, besides the models. */
export function platformScrapeJobs(): ScrapeJob[] {
    return [
        { job: "prometheus", targets: [`localhost:${PORTS.prometheus}`], labels: { component: "monitoring" } },
        { job: "alertmanager", targets: [`alertmanager:${PORTS.alertmanager}`], labels: { component: "monitoring" } },
        { job: "grafana", targets: [`grafana:${PORTS.grafana}`], labels: { component: "monitoring" } },
        { job: "loki", targets: [`loki:${PORTS.loki}`], labels: { component: "monitoring" } },
        { job: "node", targets: [`node-exporter:${PORTS.nodeExporter}`], labels: { component: "host" } },
        { job: "postgres", targets: [`postgres-exporter:${PORTS.postgresExporter}`], labels: { component: "postgres" } },
        { job: "redis", targets: [`redis-exporter:${PORTS.redisExporter}`], labels: { component: "redis" } },
    ];
}

/**
 * Prometheus, Alertmanager, Grafana and Loki for dev, with the host and database exporters.
 * Everything sits on the monitoring network; Grafana also joins the edge network so the load
 * balancer can serve it, and the database exporters join the application network.
 */
export class DockerObservability extends pulumi.ComponentResource {
    public readonly containers: Record<string, docker.Container> = {};
    public readonly prometheusConfig: string;
    public readonly rules: string;
    public readonly grafanaHost = "grafana";
    public readonly grafanaPort = PORTS.grafana;

    constructor(name: string, args: DockerObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:observability:Observability", name, {}, opts);
        const monitoring = (alias: string) => ({ network: args.monitoringNetwork, aliases: [alias] });
        const labels = (component: string) => ({ ...args.labels, "genai.component": component });

        this.rules = renderPrometheusRules(args.alertRules);
        this.prometheusConfig = renderPrometheusConfig({
            jobs: [...platformScrapeJobs(), ...args.modelJobs],
            alertmanagers: [`alertmanager:${PORTS.alertmanager}`],
            ruleFiles: ["/etc/prometheus/rules/*.yml"],
            externalLabels: { platform: args.prefix },
        });
        const prometheusData = retainedVolume(`${name}-prometheus-data`, `${args.prefix}-prometheus-data`, args.labels, this);
        this.containers.prometheus = serviceContainer(
            `${name}-prometheus`,
            {
                image: IMAGES.prometheus,
                containerName: `${args.prefix}-prometheus`,
                networks: [monitoring("prometheus")],
                uploads: [
                    { file: PROMETHEUS_CONFIG, content: this.prometheusConfig },
                    { file: PROMETHEUS_RULES, content: this.rules },
                ],
                volumes: [{ volumeName: prometheusData.name, containerPath: "/prometheus" }],
                command: prometheusArgs(args.metricsRetentionDays, args.metricsRetentionSizeGb, PROMETHEUS_CONFIG),
                healthcheck: httpHealthcheck(PORTS.prometheus, "/-/healthy"),
                memoryMb: 2048,
                cpus: 1,
                labels: labels("prometheus"),
            },
            this,
        );

        const alertmanagerConfig = args.slackWebhookUrl
            ? args.slackWebhookUrl.apply((url) => renderAlertmanagerConfig({ slackWebhookUrl: url }))
            : renderAlertmanagerConfig({});
        const alertmanagerData = retainedVolume(`${name}-alertmanager-data`, `${args.prefix}-alertmanager-data`, args.labels, this);
        this.containers.alertmanager = serviceContainer(
            `${name}-alertmanager`,
            {
                image: IMAGES.alertmanager,
                containerName: `${args.prefix}-alertmanager`,
                networks: [monitoring("alertmanager")],
                uploads: [{ file: ALERTMANAGER_CONFIG, content: alertmanagerConfig }],
                volumes: [{ volumeName: alertmanagerData.name, containerPath: "/alertmanager" }],
                command: [`--config.file=${ALERTMANAGER_CONFIG}`, "--storage.path=/alertmanager"],
                healthcheck: httpHealthcheck(PORTS.alertmanager, "/-/healthy"),
                memoryMb: 256,
                labels: labels("alertmanager"),
            },
            this,
        );

        const lokiData = retainedVolume(`${name}-loki-data`, `${args.prefix}-loki-data`, args.labels, this);
        this.containers.loki = serviceContainer(
            `${name}-loki`,
            {
                image: IMAGES.loki,
                containerName: `${args.prefix}-loki`,
                networks: [monitoring("loki")],
                uploads: [{ file: "/etc/loki/config.yml", content: renderLokiConfig({ retentionDays: args.logsRetentionDays }) }],
                volumes: [{ volumeName: lokiData.name, containerPath: "/loki" }],
                ports: args.publishLokiForDockerDriver ? [{ internal: PORTS.loki, external: PORTS.loki, ip: "127.0.0.1" }] : undefined,
                command: ["-config.file=/etc/loki/config.yml"],
                healthcheck: httpHealthcheck(PORTS.loki, "/ready", 60),
                memoryMb: 1024,
                labels: labels("loki"),
            },
            this,
        );

        const grafanaData = retainedVolume(`${name}-grafana-data`, `${args.prefix}-grafana-data`, args.labels, this);
        this.containers.grafana = serviceContainer(
            `${name}-grafana`,
            {
                image: IMAGES.grafana,
                containerName: `${args.prefix}-grafana`,
                networks: [monitoring(this.grafanaHost), { network: args.edgeNetwork, aliases: [this.grafanaHost] }],
                envs: [
                    "GF_SECURITY_ADMIN_USER=admin",
                    `GF_SECURITY_ADMIN_PASSWORD__FILE=${SECRET_DIR}/grafana_admin_password`,
                    "GF_USERS_ALLOW_SIGN_UP=false",
                    "GF_AUTH_ANONYMOUS_ENABLED=false",
                    "GF_SECURITY_COOKIE_SECURE=false",
                    "GF_SECURITY_DISABLE_GRAVATAR=true",
                    "GF_ANALYTICS_REPORTING_ENABLED=false",
                    "GF_ANALYTICS_CHECK_FOR_UPDATES=false",
                    `GF_SERVER_ROOT_URL=${args.grafanaRootUrl}`,
                    "GF_SERVER_SERVE_FROM_SUB_PATH=true",
                ],
                uploads: [
                    { file: `${SECRET_DIR}/grafana_admin_password`, content: args.grafanaAdminPassword, permissions: "0400", owner: "472" },
                    {
                        file: "/etc/grafana/provisioning/datasources/genai.yml",
                        content: renderGrafanaDatasources(`http://prometheus:${PORTS.prometheus}`, `http://loki:${PORTS.loki}`),
                    },
                    { file: "/etc/grafana/provisioning/dashboards/genai.yml", content: renderGrafanaDashboardProvider("/var/lib/grafana-dashboards") },
                    { file: "/var/lib/grafana-dashboards/inference.json", content: renderInferenceDashboard() },
                ],
                volumes: [{ volumeName: grafanaData.name, containerPath: "/var/lib/grafana" }],
                healthcheck: httpHealthcheck(PORTS.grafana, "/api/health", 60),
                memoryMb: 512,
                labels: labels("grafana"),
            },
            this,
        );

        this.containers.nodeExporter = serviceContainer(
            `${name}-node-exporter`,
            {
                image: IMAGES.nodeExporter,
                containerName: `${args.prefix}-node-exporter`,
                networks: [monitoring("node-exporter")],
                volumes: [
                    { hostPath: "/proc", containerPath: "/host/proc", readOnly: true },
                    { hostPath: "/sys", containerPath: "/host/sys", readOnly: true },
                ],
                command: ["--path.procfs=/host/proc", "--path.sysfs=/host/sys"],
                healthcheck: httpHealthcheck(PORTS.nodeExporter, "/metrics"),
                memoryMb: 128,
                user: "65534:65534",
                labels: labels("node-exporter"),
            },
            this,
        );

        const onApp = (alias: string) => [monitoring(alias), { network: args.appNetwork, aliases: [alias] }];
        const pg = args.postgres;
        this.containers.postgresExporter = serviceContainer(
            `${name}-postgres-exporter`,
            {
                image: IMAGES.postgresExporter,
                containerName: `${args.prefix}-postgres-exporter`,
                networks: onApp("postgres-exporter"),
                envs: [
                    `DATA_SOURCE_URI=${pg.host}:${pg.port}/${pg.database ?? "postgres"}?sslmode=disable`,
                    `DATA_SOURCE_USER=${pg.user ?? "postgres"}`,
                    `DATA_SOURCE_PASS_FILE=${SECRET_DIR}/postgres_password`,
                ],
                uploads: [{ file: `${SECRET_DIR}/postgres_password`, content: pg.password, permissions: "0444" }],
                healthcheck: httpHealthcheck(PORTS.postgresExporter, "/metrics"),
                memoryMb: 128,
                labels: labels("postgres-exporter"),
            },
            this,
        );
        const rd = args.redis;
        const redisAddress = `redis://${rd.host}:${rd.port}`;
        this.containers.redisExporter = serviceContainer(
            `${name}-redis-exporter`,
            {
                image: IMAGES.redisExporter,
                containerName: `${args.prefix}-redis-exporter`,
                networks: onApp("redis-exporter"),
                envs: [`REDIS_ADDR=${redisAddress}`, `REDIS_PASSWORD_FILE=${SECRET_DIR}/redis_passwords.json`],
                uploads: [
                    {
                        file: `${SECRET_DIR}/redis_passwords.json`,
                        content: rd.password.apply((password) => JSON.stringify({ [redisAddress]: password })),
                        permissions: "0444",
                    },
                ],
                healthcheck: httpHealthcheck(PORTS.redisExporter, "/health"),
                memoryMb: 128,
                labels: labels("redis-exporter"),
            },
            this,
        );
        this.registerOutputs({});
    }
}
