/**
 * What a stack's alert rules are rendered from, per platform: the models, where their per-track
 * signals come from, and what marks a deploy. One definition for the stacks and the tests that prove
 * the rules on real Prometheus.
 */
import { ALB_SIGNALS } from "../catalog/alb-metrics";
import { API_SPEND, BACKUP_METRICS } from "../catalog/app-metrics";
import { BACKUP_FRESH_MINUTES, BACKUP_POLL_SECONDS, BACKUP_RETRY_POLLS } from "../components/data/backup";
import { UPLOADER_CONTAINER } from "../components/inference/model-k8s";
import { CHARTS } from "../catalog/charts";
import { IMAGES, LOAD_BALANCER_SIGNALS } from "../catalog/images";
import { ALB_METRICS_SERVICE_ACCOUNT } from "../components/observability/alb-metrics";
import { AlertInputs } from "../components/observability/alerts";
import { CLOUDWATCH_EXPORTER_SERVICE_ACCOUNT } from "../components/observability/account-spend";
import { readsLoadBalancerSignals } from "../components/observability/signals";
import { StackConfig } from "./config";

/** The namespace of a cloud stack's models (and of their Deployments, which kube-state-metrics reports). */
export function appNamespaceName(stack: string): string {
    return `genai-${stack}`;
}

export function alertInputsOf(cfg: StackConfig): AlertInputs {
    const apiSpend = (published: readonly string[] | undefined) => ({
        apiSpend: {
            counter: publishedMetric(published, API_SPEND.metric),
            dailyBudgetUsd: cfg.budget.apiDaily.budgetUsd,
            warningFraction: cfg.budget.alertThreshold,
            criticalUsd: cfg.budget.apiDaily.criticalUsd,
        },
    });
    if (cfg.platform === "docker") {
        // HAProxy's per-server series carry what engines without metrics lack; the blackbox exporter probes every replica.
        return {
            models: cfg.models,
            loadBalancer: LOAD_BALANCER_SIGNALS,
            probes: true,
            deploys: { kind: "load-balancer", signals: LOAD_BALANCER_SIGNALS },
            // The exporters next to Postgres and Redis say whether each answers; node-exporter reads the Docker host's disks.
            dataStores: { database: publishedMetric(IMAGES.postgresExporter.metrics?.names, "pg_up"), cache: publishedMetric(IMAGES.redisExporter.metrics?.names, "redis_up") },
            disks: { nodes: true, volumes: false },
            // The applications push their API spend to the stack's Pushgateway.
            ...apiSpend(IMAGES.pushgateway.metrics.names),
            // The backup containers report each run there too; a backup older than their healthcheck allows is stale.
            backups: {
                lastRunSucceeded: publishedMetric(IMAGES.pushgateway.metrics.names, BACKUP_METRICS.lastRunSucceeded),
                lastSuccess: publishedMetric(IMAGES.pushgateway.metrics.names, BACKUP_METRICS.lastSuccess),
                maxAgeSeconds: BACKUP_FRESH_MINUTES * 60,
                containerPrefix: `genai-${cfg.stack}-backup`,
                retrySeconds: BACKUP_RETRY_POLLS * BACKUP_POLL_SECONDS,
            },
        };
    }
    // The ALB's per-target-group metrics (through a CloudWatch exporter) carry what engines without metrics lack; the
    // blackbox exporter probes each track's Service.
    return {
        models: cfg.models,
        loadBalancer: ALB_SIGNALS,
        probes: true,
        deploys: {
            kind: "kube-state-metrics",
            namespace: appNamespaceName(cfg.stack),
            replicasetCreated: "kube_replicaset_created",
            deploymentCondition: "kube_deployment_status_condition",
        },
        // The exporters the stack runs in the cluster against RDS and ElastiCache (data-store-exporters-k8s.ts).
        dataStores: { database: publishedMetric(IMAGES.postgresExporter.metrics?.names, "pg_up"), cache: publishedMetric(IMAGES.redisExporter.metrics?.names, "redis_up") },
        disks: { nodes: true, volumes: true },
        ...apiSpend(CHARTS.pushgateway.exports),
        // OpenCost prices the nodes (observability/k8s.ts); Docker's host has no price to read.
        clusterCost: {
            hourlyCost: publishedMetric(CHARTS.opencost.exports, "node_total_hourly_cost"),
            isSpot: publishedMetric(CHARTS.opencost.exports, "kubecost_node_is_spot"),
            // The discount the offline cost estimate applies to spot capacity, so both say the same.
            spotDiscount: cfg.costAssumptions.spotDiscount,
            monthlyBudgetUsd: cfg.budget.monthlyUsd,
            warningFraction: cfg.budget.alertThreshold,
        },
        // Each image model's pods upload their outputs to S3 with a sidecar, whose restarts kube-state-metrics counts.
        ...(cfg.models.some((m) => m.engine.kind === "image")
            ? {
                  outputsUploads: {
                      restarts: publishedMetric(CHARTS.kubePrometheusStack.exports, "kube_pod_init_container_status_restarts_total"),
                      namespace: appNamespaceName(cfg.stack),
                      container: UPLOADER_CONTAINER,
                  },
              }
            : {}),
        // A second exporter reads the ALB's per-route metrics for the models without metrics of their own (observability/k8s.ts).
        ...(cfg.models.some(readsLoadBalancerSignals)
            ? { routeMetrics: { scrapeErrors: publishedMetric(CHARTS.cloudwatchExporter.exports, "cloudwatch_exporter_scrape_error"), exporterService: ALB_METRICS_SERVICE_ACCOUNT } }
            : {}),
        // The CloudWatch exporter reads the account's month-to-date spend (observability/k8s.ts); an account budget of 0 sets no alert.
        ...(cfg.budget.accountMonthlyUsd > 0
            ? {
                  accountSpend: {
                      monthToDate: publishedMetric(CHARTS.cloudwatchExporter.exports, "aws_billing_estimated_charges_maximum"),
                      scrapeErrors: publishedMetric(CHARTS.cloudwatchExporter.exports, "cloudwatch_exporter_scrape_error"),
                      // The billing exporter's Service is named like its service account (cloudwatchExporterValues: fullnameOverride).
                      exporterService: CLOUDWATCH_EXPORTER_SERVICE_ACCOUNT,
                      monthlyBudgetUsd: cfg.budget.accountMonthlyUsd,
                      warningFraction: cfg.budget.alertThreshold,
                  },
              }
            : {}),
    };
}

/** A metric the catalog lists for the component that publishes it (an exporter's gauge, the Pushgateway's counter, OpenCost's prices, the account's spend). */
function publishedMetric(names: readonly string[] | undefined, name: string): string {
    if (!names?.includes(name)) throw new Error(`the catalog lists no ${name} for the component that publishes it`);
    return name;
}
