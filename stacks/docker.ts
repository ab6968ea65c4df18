import * as pulumi from "@pulumi/pulumi";
import { DockerRedis } from "../components/cache/redis-docker";
import { DockerPostgres } from "../components/data/postgres-docker";
import { DockerModelService } from "../components/inference/model-docker";
import { DockerNetworks } from "../components/network/docker";
import { seedAlertRules } from "../components/observability/alerts";
import { DockerObservability } from "../components/observability/docker";
import { GeneratedSecrets } from "../components/secrets/generated";
import { DockerLoadBalancer, loadBalancerUrl } from "../components/traffic/lb-docker";
import { trafficSplit } from "../components/traffic/split";
import { StackConfig } from "./config";

export interface PlatformOutputs {
    [key: string]: unknown;
    lbUrl: pulumi.Input<string>;
    grafanaUrl: pulumi.Input<string>;
    services: pulumi.Input<string[]>;
}

/** The whole platform as containers on the local Docker engine. */
export function buildDockerPlatform(cfg: StackConfig): PlatformOutputs {
    const prefix = `genai-${cfg.stack}`;
    const labels = { "genai.project": cfg.project, "genai.stack": cfg.stack, "genai.managed-by": "pulumi" };
    const logging = cfg.observability.lokiDockerDriver
        ? { driver: "loki", options: { "loki-url": "http://127.0.0.1:3100/loki/api/v1/push", "loki-retries": "3", "max-size": "10m" } }
        : undefined;

    const networks = new DockerNetworks("networks", { prefix, labels });
    const secrets = new GeneratedSecrets("secrets");

    const postgres = new DockerPostgres("postgres", {
        prefix,
        network: networks.app,
        databaseName: cfg.database.name,
        user: cfg.database.user,
        password: secrets.values.postgresPassword,
        hostPort: cfg.database.hostPort,
        labels,
    });
    const redis = new DockerRedis("redis", {
        prefix,
        network: networks.app,
        password: secrets.values.redisPassword,
        maxMemoryMb: cfg.cache.maxMemoryMb,
        labels,
    });

    const models = cfg.models.map(
        (model) =>
            new DockerModelService(`model-${model.name}`, {
                prefix,
                model,
                edgeNetwork: networks.edge,
                monitoringNetwork: networks.monitoring,
                huggingFaceToken: model.gatedWeights ? cfg.secrets.huggingFaceToken : undefined,
                labels,
                logging,
            }),
    );

    // Grafana needs its public URL before the load balancer that serves it is declared.
    const grafanaUrl = `${loadBalancerUrl(cfg.traffic.lbBindAddress, cfg.traffic.lbHostPort)}/grafana/`;
    const observability = new DockerObservability("observability", {
        prefix,
        monitoringNetwork: networks.monitoring,
        edgeNetwork: networks.edge,
        appNetwork: networks.app,
        modelJobs: models.flatMap((m) => m.scrapeJobs),
        alertRules: seedAlertRules({ monthlyBudgetUsd: cfg.budget.monthlyUsd, budgetAlertThreshold: cfg.budget.alertThreshold }),
        metricsRetentionDays: cfg.observability.metricsRetentionDays,
        metricsRetentionSizeGb: cfg.observability.metricsRetentionSizeGb,
        logsRetentionDays: cfg.observability.logsRetentionDays,
        grafanaAdminPassword: secrets.values.grafanaAdminPassword,
        grafanaRootUrl: grafanaUrl,
        slackWebhookUrl: cfg.secrets.alertSlackWebhookUrl,
        postgres: { host: postgres.host, port: postgres.port, database: cfg.database.name, user: cfg.database.user, password: secrets.values.postgresPassword },
        redis: { host: redis.host, port: redis.port, password: secrets.values.redisPassword },
        publishLokiForDockerDriver: cfg.observability.lokiDockerDriver,
        labels,
    });

    const lb = new DockerLoadBalancer("lb", {
        prefix,
        network: networks.edge,
        routes: cfg.models.map((model, i) => ({
            split: trafficSplit(model),
            stable: models[i].stableServers,
            canary: models[i].canaryServers,
        })),
        grafana: { host: observability.grafanaHost, port: observability.grafanaPort },
        rateLimits: {
            perMinute: cfg.traffic.rateLimitPerMinute,
            apiPerSecond: cfg.traffic.apiRateLimitPerSecond,
            authPerSecond: cfg.traffic.authRateLimitPerSecond,
        },
        corsOrigins: cfg.traffic.corsOrigins,
        bindAddress: cfg.traffic.lbBindAddress,
        hostPort: cfg.traffic.lbHostPort,
        labels,
        upstreamContainers: [...models.flatMap((m) => m.containers), observability.containers.grafana],
    });

    const services = [
        ...models.flatMap((m) => m.containers),
        postgres.container,
        redis.container,
        ...Object.values(observability.containers),
        lb.container,
    ].map((c) => c.name);
    return { lbUrl: lb.url, grafanaUrl, services: pulumi.all(services) };
}
