import * as os from "os";
import { alertInputsOf } from "./alert-inputs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { IMAGES, LOAD_BALANCER_SIGNALS } from "../catalog/images";
import { DockerRedis } from "../components/cache/redis-docker";
import { DockerBackups } from "../components/data/backup-docker";
import { DockerPostgres } from "../components/data/postgres-docker";
import { DockerModelService } from "../components/inference/model-docker";
import { DockerNetworks } from "../components/network/docker";
import { platformAlertRules } from "../components/observability/alerts";
import { renderAlertmanagerConfig } from "../components/observability/config-files";
import { DockerObservability } from "../components/observability/docker";
import { GRAFANA_SUB_PATH, grafanaPath, inferencePanels } from "../components/observability/grafana";
import { GeneratedSecrets } from "../components/secrets/generated";
import { GENAI_LABELS } from "../components/shared/labels";
import { modelBackend } from "../components/traffic/haproxy-conf";
import { DockerLoadBalancer, loadBalancerUrl } from "../components/traffic/lb-docker";
import { trafficSplit } from "../components/traffic/split";
import { modelRoute } from "../components/traffic/upstreams";
import { StackConfig } from "./config";

export interface PlatformOutputs {
    [key: string]: unknown;
    lbUrl: pulumi.Input<string>;
    grafanaUrl: pulumi.Input<string>;
    services: pulumi.Input<string[]>;
}

/** Where the dev load balancer's configuration is written on the machine running the program. */
export function lbConfigDir(cfg: StackConfig): string {
    return cfg.traffic.lbConfigDir || path.join(os.homedir(), ".genai-platform", cfg.stack, "lb");
}

/** The whole platform as containers on the local Docker engine. */
export function buildDockerPlatform(cfg: StackConfig): PlatformOutputs {
    const prefix = `genai-${cfg.stack}`;
    const labels = { [GENAI_LABELS.project]: cfg.project, [GENAI_LABELS.stack]: cfg.stack, [GENAI_LABELS.managedBy]: "pulumi" };
    const hostArch = cfg.host.arch;

    const networks = new DockerNetworks("networks", { prefix, labels });
    const secrets = new GeneratedSecrets("secrets");

    const postgres = new DockerPostgres("postgres", {
        prefix,
        network: networks.app,
        databaseName: cfg.database.name,
        user: cfg.database.user,
        password: secrets.values.postgresPassword,
        hostPort: cfg.database.hostPort,
        hostArch,
        protectData: cfg.protectData,
        labels,
    });
    const redis = new DockerRedis("redis", {
        prefix,
        network: networks.app,
        password: secrets.values.redisPassword,
        maxMemoryMb: cfg.cache.maxMemoryMb,
        hostArch,
        protectData: cfg.protectData,
        labels,
    });

    // Model images are several GB each: pull them one after another.
    const models: DockerModelService[] = [];
    for (const model of cfg.models) {
        models.push(
            new DockerModelService(`model-${model.name}`, {
                prefix,
                model,
                edgeNetwork: networks.edge,
                monitoringNetwork: networks.monitoring,
                huggingFaceToken: model.gatedWeights ? cfg.secrets.huggingFaceToken : undefined,
                hostArch,
                pullAfter: models[models.length - 1]?.lastPull,
                protectData: cfg.protectData,
                labels,
            }),
        );
    }

    const lbUrl = loadBalancerUrl(cfg.traffic.lbBindAddress, cfg.traffic.lbHostPort);
    const grafanaUrl = `${lbUrl}${GRAFANA_SUB_PATH}`;
    const lbMetrics = IMAGES.haproxy.metrics;
    const observability = new DockerObservability("observability", {
        prefix,
        stack: cfg.stack,
        monitoringNetwork: networks.monitoring,
        edgeNetwork: networks.edge,
        appNetwork: networks.app,
        alertsNetwork: networks.alerts,
        jobs: [
            ...models.flatMap((m) => m.scrapeJobs),
            {
                job: "lb",
                targets: [`lb:${lbMetrics.port}`],
                metricsPath: lbMetrics.path,
                labels: { component: "lb" },
                metricRelabels: [
                    { sourceLabel: LOAD_BALANCER_SIGNALS.proxyLabel, regex: `${modelBackend("(.+)")}`, targetLabel: "model" },
                    { sourceLabel: LOAD_BALANCER_SIGNALS.serverLabel, regex: "(stable|canary)-[0-9]+", targetLabel: "track" },
                ],
            },
        ],
        probes: cfg.models.flatMap((model, i) => [
            // Every replica answers its engine's health endpoint itself, metrics or not.
            ...(["stable", "canary"] as const)
                .filter((track) => models[i].servers[track].length > 0)
                .map((track) => ({
                    job: `probe-${model.name}-${track}`,
                    urls: models[i].servers[track].map((server) => `http://${server.host}:${server.port}${model.engine.health.path}`),
                    labels: { component: "probe", model: model.name, track },
                })),
            // And the route through the load balancer answers.
            {
                job: `probe-lb-${model.name}`,
                urls: [`http://lb:${IMAGES.haproxy.ports.http}${modelRoute(model.name)}${model.engine.health.path.replace(/^\//, "")}`],
                labels: { component: "probe", model: model.name, route: "lb" },
            },
        ]),
        alertRules: platformAlertRules(alertInputsOf(cfg)),
        panels: inferencePanels(cfg.models, LOAD_BALANCER_SIGNALS, false),
        metricsRetentionDays: cfg.observability.metricsRetentionDays,
        metricsRetentionSizeGb: cfg.observability.metricsRetentionSizeGb,
        logsRetentionDays: cfg.observability.logsRetentionDays,
        grafanaAdminPassword: secrets.values.grafanaAdminPassword,
        grafanaRootUrl: grafanaUrl,
        alertmanagerConfig: alertmanagerConfigOf(cfg),
        alertmanagerHostPort: cfg.observability.alertmanagerHostPort,
        prometheusHostPort: cfg.observability.prometheusHostPort,
        pushgatewayHostPort: cfg.observability.pushgatewayHostPort,
        postgres: { host: postgres.host, port: postgres.port, database: cfg.database.name, user: cfg.database.user, password: secrets.values.postgresPassword },
        redis: { host: redis.host, port: redis.port, password: secrets.values.redisPassword },
        hostArch,
        protectData: cfg.protectData,
        labels,
    });

    const backups = new DockerBackups("backups", {
        prefix,
        appNetwork: networks.app,
        monitoringNetwork: networks.monitoring,
        postgres: { host: postgres.host, port: postgres.port, database: cfg.database.name, user: cfg.database.user, password: secrets.values.postgresPassword },
        redis: { host: redis.host, port: redis.port, password: secrets.values.redisPassword },
        grafana: { volumeName: observability.volumes["grafana-data"].name, container: observability.containers.grafana },
        pushgatewayUrl: observability.pushgatewayUrl,
        at: cfg.backup.at,
        keepDays: cfg.backup.retentionDays,
        hostArch,
        protectData: cfg.protectData,
        labels,
    });

    const lb = new DockerLoadBalancer("lb", {
        prefix,
        edgeNetwork: networks.edge,
        monitoringNetwork: networks.monitoring,
        routes: cfg.models.map((model, i) => ({ split: trafficSplit(model), healthPath: model.engine.health.path, servers: models[i].servers })),
        grafana: { server: { name: "grafana", host: observability.grafanaHost, port: observability.grafanaPort }, healthPath: grafanaPath(IMAGES.grafana.health.path) },
        rateLimits: {
            perMinute: cfg.traffic.rateLimitPerMinute,
            apiPerSecond: cfg.traffic.apiRateLimitPerSecond,
            authPerSecond: cfg.traffic.authRateLimitPerSecond,
        },
        corsOrigins: cfg.traffic.corsOrigins,
        bindAddress: cfg.traffic.lbBindAddress,
        hostPort: cfg.traffic.lbHostPort,
        configDir: lbConfigDir(cfg),
        hostArch,
        labels,
    });

    const services = [
        ...models.flatMap((m) => m.containers),
        postgres.container,
        redis.container,
        ...Object.values(observability.containers),
        ...Object.values(backups.containers),
        lb.container,
    ].map((c) => c.name);
    return {
        lbUrl,
        grafanaUrl,
        alertmanagerUrl: cfg.observability.alertmanagerHostPort ? `http://127.0.0.1:${cfg.observability.alertmanagerHostPort}` : undefined,
        prometheusUrl: cfg.observability.prometheusHostPort ? `http://127.0.0.1:${cfg.observability.prometheusHostPort}` : undefined,
        pushgatewayUrl: cfg.observability.pushgatewayHostPort ? `http://127.0.0.1:${cfg.observability.pushgatewayHostPort}` : undefined,
        // Encrypted in the state; shown only by `pulumi stack output grafanaAdminPassword --show-secrets`.
        grafanaAdminPassword: secrets.values.grafanaAdminPassword,
        services: pulumi.all(services),
        backupVolume: backups.volume.name,
    };
}

/** Dev's alertmanager.yml: Slack and a generic webhook when configured (a secret output then), the UI only otherwise. */
function alertmanagerConfigOf(cfg: StackConfig): pulumi.Output<string> {
    return pulumi
        .all([cfg.secrets.alertSlackWebhookUrl ?? pulumi.output(undefined), cfg.observability.alertWebhookUrl ?? pulumi.output(undefined)])
        .apply(([slackWebhookUrl, webhookUrl]) => renderAlertmanagerConfig({ slackWebhookUrl, webhookUrl }));
}
