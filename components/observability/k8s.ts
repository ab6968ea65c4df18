import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartCrds, kubePrometheusStackCrdUrls } from "../cluster/crds";
import { GPU_TOLERATION, NODE_ROLE_LABEL, SYSTEM_NODES } from "../cluster/eks";
import { helmRelease, PinnedChart } from "../shared/helm";
import { CLOUDWATCH_EXPORTER_SERVICE_ACCOUNT, renderCloudwatchExporterConfig } from "./account-spend";
import { ALB_METRICS_SERVICE_ACCOUNT, albRouteRelabelings, AlbTargetGroupRoute, renderAlbMetricsConfig } from "./alb-metrics";
import { AlertRuleSpec, alertRuleGroups } from "./alerts";
import { blackboxModules, BLACKBOX_MODULE, LOKI_SCHEMA, lokiRetentionHours } from "./config-files";
import { ALB_SIGNALS } from "../../catalog/alb-metrics";
import { CHARTS } from "../../catalog/charts";
import { IMAGES } from "../../catalog/images";
import { GRAFANA_SETTINGS, GRAFANA_SUB_PATH, lokiDatasource, PanelSpec, renderInferenceDashboard } from "./grafana";
import { NODE_JOURNAL_MOUNTS, renderKubernetesAlloyConfig } from "./log-shipping";

export interface KubernetesObservabilityArgs {
    /** The monitoring namespace (created by the caller, so secrets can be placed in it first). */
    readonly namespace: pulumi.Input<string>;
    /** Namespace of the model workloads, scraped by the pod monitors. */
    readonly appNamespace: pulumi.Input<string>;
    /** Models whose servers expose Prometheus metrics, with the path they serve them on. */
    readonly scrapedModels: readonly { name: string; metricsPath: string }[];
    /** Panels of the inference dashboard. */
    readonly panels: readonly PanelSpec[];
    /** The platform's alert rules, rendered into a PrometheusRule. */
    readonly alertRules: readonly AlertRuleSpec[];
    /** Days Prometheus keeps metrics. */
    readonly metricsRetentionDays: number;
    /** GB at which Prometheus drops the oldest data; its volume is sized a fifth above. */
    readonly metricsRetentionSizeGb: number;
    /** Days Loki keeps logs. */
    readonly logsRetentionDays: number;
    /** Secret with the Grafana admin credentials (keys `admin-user` and `admin-password`). */
    readonly grafanaAdminSecret: pulumi.Input<string>;
    /** alertmanager.yml; secret when it carries a webhook. */
    readonly alertmanagerConfig: pulumi.Input<string>;
    /** What gives Alertmanager its AWS identity (its Pod Identity association): in place before Alertmanager starts. */
    readonly alertmanagerIdentity: pulumi.Resource[];
    /** What gives the CloudWatch exporter its AWS identity (its Pod Identity association): in place before it starts. */
    readonly cloudwatchExporterIdentity: pulumi.Resource[];
    /**
     * The ALB's per-route metrics, for the models whose engines export no request or latency metrics: the stack's
     * region, the ALB's `LoadBalancer` dimension, each such model's target groups, and what gives the exporter its AWS
     * identity. None when every model exports its own.
     */
    readonly albMetrics?: {
        readonly region: string;
        readonly loadBalancer: pulumi.Input<string>;
        readonly routes: readonly { readonly model: string; readonly track: AlbTargetGroupRoute["track"]; readonly targetGroup: pulumi.Input<string> }[];
        readonly identity: pulumi.Resource[];
    };
    /** Health URLs the blackbox exporter probes, each with the labels of what it watches (`model`, `track`). */
    readonly probes: readonly HealthProbe[];
    /** Storage class of the Prometheus, Alertmanager, Grafana and Loki volumes. */
    readonly storageClass: string;
    /** Deploy the DCGM exporter for GPU metrics. */
    readonly gpuMetrics: boolean;
    /** The cluster's Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** What must exist first: nodes, add-ons, storage classes. */
    readonly dependsOn: pulumi.Resource[];
}

/** One URL the blackbox exporter probes in the cluster. */
export interface HealthProbe {
    /** Name of the probe, unique in the stack (`<model>-<track>`): its ServiceMonitor's name and `target` label. */
    readonly name: string;
    readonly url: pulumi.Input<string>;
    /** Labels of its `probe_success` series (`component`, `model`, `track`). */
    readonly labels: Readonly<Record<string, string>>;
}

/** Release name of kube-prometheus-stack; the rule and monitor selectors match it. */
export const KPS_RELEASE = "kube-prometheus-stack";
export const ALERTMANAGER_CONFIG_SECRET = "alertmanager-genai";
/** Service account the chart gives Alertmanager (it publishes critical alerts to SNS). */
export const ALERTMANAGER_SERVICE_ACCOUNT = `${KPS_RELEASE}-alertmanager`;
export const GRAFANA_SERVICE = { name: `${KPS_RELEASE}-grafana`, port: 80, containerPort: IMAGES.grafana.ports.http } as const;
/** Namespace of the observability stack. */
export const MONITORING_NAMESPACE = "monitoring";
/** The Pushgateway's Service in the monitoring namespace, where applications push their API spend. */
export const PUSHGATEWAY_SERVICE = "pushgateway";
/**
 * Alerts of kube-prometheus-stack's default rules that fire by design: Watchdog always (a heartbeat for an
 * external dead man's switch), InfoInhibitor whenever an info alert fires (it only inhibits). Alertmanager
 * routes them to a receiver that sends nothing.
 */
export const ALWAYS_FIRING_ALERTS = ["Watchdog", "InfoInhibitor"] as const;
/**
 * Alloy's host mounts for the node journal: `alloy.mounts.varlog` mounts the host's /var/log read-only
 * (the journal with it); every other path (the machine id, which tells the journal reader which journal
 * is this node's) is an extra read-only mount of a hostPath file (chart values `alloy.mounts.extra`,
 * `controller.volumes.extra`).
 */
export function alloyHostMounts(paths: readonly string[] = NODE_JOURNAL_MOUNTS): { varlog: boolean; mounts: object[]; volumes: object[] } {
    const extra = paths.filter((p) => !p.startsWith("/var/log/")).map((path) => ({ name: `host${path.replace(/[^a-z0-9]+/g, "-")}`, path }));
    return {
        varlog: paths.some((p) => p.startsWith("/var/log/")),
        mounts: extra.map(({ name, path }) => ({ name, mountPath: path, readOnly: true })),
        volumes: extra.map(({ name, path }) => ({ name, hostPath: { path, type: "File" } })),
    };
}
const LOKI_URL = `http://loki-gateway.${MONITORING_NAMESPACE}.svc`;

/** kube-prometheus-stack's Prometheus Service. */
export const PROMETHEUS_SERVICE = { name: `${KPS_RELEASE}-prometheus`, namespace: MONITORING_NAMESPACE, port: 9090 } as const;

/** In-cluster address of Prometheus, which the autoscaler queries. */
export function prometheusUrl(): string {
    return `http://${PROMETHEUS_SERVICE.name}.${PROMETHEUS_SERVICE.namespace}.svc:${PROMETHEUS_SERVICE.port}`;
}

/** The OpenCost image's user (its Dockerfile's `USER 1001`; catalog/charts.ts, opencost evidence). */
export const OPENCOST_USER = 1001;
/** Where OpenCost writes: its pricing configuration (CONFIG_PATH, default /var/configs) and temporary files. */
export const OPENCOST_WRITABLE_PATHS = ["/var/configs", "/tmp"] as const;

/**
 * Values of the OpenCost chart: the cost engine only (no UI, no MCP server), reading kube-prometheus-stack's
 * Prometheus and scraped by it, on the system nodes, under the restricted Pod Security profile with a read-only
 * root and an emptyDir where it writes.
 */
export function openCostValues(clusterId: pulumi.Input<string>, nodeSelector: Record<string, string>): Record<string, unknown> {
    const volumes = OPENCOST_WRITABLE_PATHS.map((path) => ({ name: `opencost${path.replace(/[^a-z0-9]+/g, "-")}`, path }));
    return {
        podSecurityContext: { runAsNonRoot: true, runAsUser: OPENCOST_USER, runAsGroup: OPENCOST_USER, fsGroup: OPENCOST_USER, seccompProfile: { type: "RuntimeDefault" } },
        extraVolumes: volumes.map(({ name }) => ({ name, emptyDir: {} })),
        opencost: {
            exporter: {
                defaultClusterId: clusterId,
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                extraVolumeMounts: volumes.map(({ name, path }) => ({ name, mountPath: path })),
                // The chart's memory limit: it parses the region's EC2 price list (pkg/cloud/aws/provider.go).
                resources: { requests: { cpu: "10m", memory: "128Mi" }, limits: { memory: "1Gi" } },
            },
            prometheus: { internal: { enabled: true, serviceName: PROMETHEUS_SERVICE.name, namespaceName: PROMETHEUS_SERVICE.namespace, port: PROMETHEUS_SERVICE.port } },
            // Where OpenCost's labels clash with the scrape's, its own win (the node's instance, the allocations' pod): the chart's default.
            metrics: { serviceMonitor: { enabled: true, honorLabels: true } },
            ui: { enabled: false },
            mcp: { enabled: false },
            nodeSelector,
        },
    };
}

/** The user the chart runs the CloudWatch exporter as (its image sets none, so root otherwise): nobody. */
export const CLOUDWATCH_EXPORTER_USER = 65534;

/** One CloudWatch exporter: its names, its configuration, how often it is scraped and how its series are relabeled. */
export interface CloudwatchExporterSpec {
    /** Its resources' names, and its service account, which its Pod Identity role is bound to. */
    readonly name: string;
    readonly config: pulumi.Input<string>;
    /** Each scrape is one GetMetricStatistics request per metric and dimension set, billed by CloudWatch. */
    readonly interval: string;
    readonly metricRelabelings?: pulumi.Input<Record<string, unknown>[]>;
}

/**
 * Values of the CloudWatch exporter chart for one exporter, on the system nodes, no static credentials (its role
 * comes through EKS Pod Identity), under the restricted Pod Security profile. Its root stays writable: the chart
 * offers no volume for the JVM's temporary files.
 */
export function cloudwatchExporterValues(spec: CloudwatchExporterSpec, nodeSelector: Record<string, string>): Record<string, unknown> {
    return {
        fullnameOverride: spec.name,
        // No Kubernetes API token and no ClusterRole: the exporter never calls the API (the chart's RBAC lets it read
        // secrets and configmaps named like it in every namespace); Pod Identity mounts a token of its own.
        serviceAccount: { create: true, name: spec.name, automountServiceAccountToken: false },
        rbac: { create: false },
        config: spec.config,
        serviceMonitor: { enabled: true, interval: spec.interval, ...(spec.metricRelabelings ? { metricRelabelings: spec.metricRelabelings } : {}) },
        securityContext: {
            runAsNonRoot: true,
            runAsUser: CLOUDWATCH_EXPORTER_USER,
            runAsGroup: CLOUDWATCH_EXPORTER_USER,
            // The chart's default: the Pod Identity token must be readable by the pod's user.
            fsGroup: CLOUDWATCH_EXPORTER_USER,
            seccompProfile: { type: "RuntimeDefault" },
        },
        containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        resources: { requests: { cpu: "10m", memory: "256Mi" }, limits: { memory: "512Mi" } },
        nodeSelector,
    };
}

/** The account's billing metric, scraped every 2 minutes: 720 GetMetricStatistics requests a day. */
export const ACCOUNT_SPEND_EXPORTER: CloudwatchExporterSpec = { name: CLOUDWATCH_EXPORTER_SERVICE_ACCOUNT, config: renderCloudwatchExporterConfig(), interval: "2m" };

/** The user the blackbox exporter chart runs its container as (its default). */
export const BLACKBOX_EXPORTER_USER = 1000;

/**
 * Values of the blackbox exporter chart: the platform's module (a 200 from the first answer, redirects refused, as in
 * dev), one ServiceMonitor per probe whose `probe_success` carries the probe's labels, every 15 seconds as dev's
 * scrapes, on the system nodes, under the restricted profile.
 */
export function blackboxExporterValues(probes: readonly HealthProbe[], nodeSelector: Record<string, string>): Record<string, unknown> {
    return {
        fullnameOverride: "blackbox-exporter",
        config: blackboxModules(),
        podSecurityContext: { runAsNonRoot: true, runAsUser: BLACKBOX_EXPORTER_USER, runAsGroup: BLACKBOX_EXPORTER_USER, seccompProfile: { type: "RuntimeDefault" } },
        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        serviceMonitor: {
            enabled: true,
            defaults: { interval: "15s", scrapeTimeout: "10s", module: BLACKBOX_MODULE },
            targets: probes.map((p) => ({ name: p.name, url: p.url, additionalMetricsRelabels: { ...p.labels } })),
        },
        nodeSelector,
    };
}

/**
 * Observability on Kubernetes: kube-prometheus-stack (Prometheus, Alertmanager, Grafana, node
 * exporter) and Loki from pinned charts with persistent storage and configured retention, Alloy
 * shipping pod and node logs, the DCGM exporter for GPU metrics, OpenCost pricing the nodes, the CloudWatch
 * exporter reading the account's month-to-date spend, the
 * platform's alert rules as a PrometheusRule rendered from the same definitions as dev, a PodMonitor
 * for the model servers and the inference dashboard.
 */
export class KubernetesObservability extends pulumi.ComponentResource {
    public readonly prometheusRule: k8s.apiextensions.CustomResource;
    public readonly stack: k8s.helm.v3.Release;

    constructor(name: string, args: KubernetesObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:observability:Observability", name, {}, opts);
        const k = { parent: this, provider: args.provider, dependsOn: args.dependsOn };
        const system = { ...SYSTEM_NODES };
        const volume = (sizeGb: number) => ({ spec: { storageClassName: args.storageClass, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${sizeGb}Gi` } } } });
        const release = (id: string, chart: PinnedChart, values: pulumi.Input<Record<string, unknown>>, dependsOn: pulumi.Resource[] = []) =>
            helmRelease(`${name}-${id}`, { name: id, namespace: args.namespace, chart, values }, { ...k, dependsOn: [...args.dependsOn, ...dependsOn] });

        const alertmanagerSecret = new k8s.core.v1.Secret(
            `${name}-alertmanager-config`,
            { metadata: { name: ALERTMANAGER_CONFIG_SECRET, namespace: args.namespace }, type: "Opaque", stringData: { "alertmanager.yaml": args.alertmanagerConfig } },
            k,
        );
        // Helm never upgrades CRDs: Pulumi applies the chart's own, at its pinned version, before the chart.
        const crds = chartCrds(`${name}-kube-prometheus-stack-crds`, kubePrometheusStackCrdUrls(), k);
        this.stack = release(
            KPS_RELEASE,
            CHARTS.kubePrometheusStack,
            {
                crds: { enabled: false },
                // EKS runs the scheduler, controller manager and etcd out of reach, and binds kube-proxy's metrics to
                // 127.0.0.1: their scrapes would only fail, and their "down" alerts fire forever.
                kubeScheduler: { enabled: false },
                kubeControllerManager: { enabled: false },
                kubeEtcd: { enabled: false },
                kubeProxy: { enabled: false },
                prometheus: {
                    prometheusSpec: {
                        retention: `${args.metricsRetentionDays}d`,
                        retentionSize: `${args.metricsRetentionSizeGb}GB`,
                        storageSpec: { volumeClaimTemplate: volume(Math.ceil(args.metricsRetentionSizeGb * 1.2)) },
                        podMonitorSelectorNilUsesHelmValues: false,
                        serviceMonitorSelectorNilUsesHelmValues: false,
                        ruleSelectorNilUsesHelmValues: false,
                        nodeSelector: system,
                    },
                },
                alertmanager: { alertmanagerSpec: { configSecret: ALERTMANAGER_CONFIG_SECRET, storage: { volumeClaimTemplate: volume(5) }, nodeSelector: system } },
                grafana: {
                    admin: { existingSecret: args.grafanaAdminSecret, userKey: "admin-user", passwordKey: "admin-password" },
                    "grafana.ini": {
                        ...GRAFANA_SETTINGS,
                        server: { ...GRAFANA_SETTINGS.server, root_url: `%(protocol)s://%(domain)s${GRAFANA_SUB_PATH}` },
                    },
                    additionalDataSources: [lokiDatasource(LOKI_URL)],
                    sidecar: { dashboards: { enabled: true, label: "grafana_dashboard" } },
                    persistence: { enabled: true, size: "10Gi", storageClassName: args.storageClass },
                    // Its volume is ReadWriteOnce: a rolling update's new pod would wait forever for the old pod's volume.
                    deploymentStrategy: { type: "Recreate" },
                    nodeSelector: system,
                },
                prometheusOperator: { nodeSelector: system },
                "kube-state-metrics": { nodeSelector: system },
            },
            [alertmanagerSecret, crds, ...args.alertmanagerIdentity],
        );
        // Applications push their external-API spend to http://pushgateway.<monitoring namespace>:9091; the chart's
        // ServiceMonitor keeps the pushed job and instance (honorLabels). Hardened beyond the chart's defaults, which
        // set no seccomp profile, capabilities or read-only root.
        release(
            "pushgateway",
            CHARTS.pushgateway,
            {
                fullnameOverride: PUSHGATEWAY_SERVICE,
                serviceMonitor: { enabled: true, honorLabels: true, namespace: args.namespace },
                securityContext: { runAsUser: IMAGES.pushgateway.user.uid, runAsGroup: IMAGES.pushgateway.user.gid, runAsNonRoot: true, fsGroup: IMAGES.pushgateway.user.gid, seccompProfile: { type: "RuntimeDefault" } },
                containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
                nodeSelector: system,
            },
            [this.stack],
        );
        // The cluster's cost signal: OpenCost prices every node from AWS's public price list and exports the prices
        // Prometheus scrapes, which the cluster cost alerts read. It queries Prometheus for what runs where.
        // Its cluster id is the stack's app namespace (genai-<stack>): one cluster per stack.
        release("opencost", CHARTS.opencost, openCostValues(args.appNamespace, system), [this.stack]);
        // The account's month-to-date spend: AWS's billing metric from CloudWatch, which the account spend alerts read.
        release("cloudwatch-exporter", CHARTS.cloudwatchExporter, cloudwatchExporterValues(ACCOUNT_SPEND_EXPORTER, system), [this.stack, ...args.cloudwatchExporterIdentity]);
        // The ALB's per-route requests, 5xx answers and p95 latency, for the models whose engines export none: the
        // same exporter chart in the stack's region (one region per exporter), its series labeled with model and track.
        const alb = args.albMetrics;
        if (alb && alb.routes.length > 0) {
            const routes = pulumi
                .all(alb.routes.map((r) => pulumi.output(r.targetGroup).apply((targetGroup): AlbTargetGroupRoute => ({ model: r.model, track: r.track, targetGroup }))))
                .apply((resolved) => resolved);
            const exporter: CloudwatchExporterSpec = {
                name: ALB_METRICS_SERVICE_ACCOUNT,
                config: pulumi.all([alb.loadBalancer, routes]).apply(([loadBalancer, resolved]) => renderAlbMetricsConfig(alb.region, loadBalancer, resolved)),
                // Once a sample period: each minute is read once, as the queries assume (signals.ts).
                interval: `${ALB_SIGNALS.sampleSeconds}s`,
                metricRelabelings: routes.apply(albRouteRelabelings),
            };
            release(ALB_METRICS_SERVICE_ACCOUNT, CHARTS.cloudwatchExporter, cloudwatchExporterValues(exporter, system), [this.stack, ...alb.identity]);
        }
        // Every model's health through its track's Service: probe_success for the engines without metrics (ServiceDown,
        // ModelUnavailable, the availability objective), as dev's blackbox exporter gives it.
        if (args.probes.length > 0) release("blackbox-exporter", CHARTS.blackboxExporter, blackboxExporterValues(args.probes, system), [this.stack]);
        const retentionPeriod = `${lokiRetentionHours(args.logsRetentionDays)}h`;
        const loki = release("loki", CHARTS.loki, {
            deploymentMode: "SingleBinary",
            loki: {
                auth_enabled: false,
                commonConfig: { replication_factor: 1 },
                storage: { type: "filesystem" },
                schemaConfig: { configs: [{ ...LOKI_SCHEMA }] },
                limits_config: { retention_period: retentionPeriod },
                compactor: { retention_enabled: true, delete_request_store: "filesystem" },
            },
            singleBinary: { replicas: 1, persistence: { enabled: true, size: "50Gi", storageClass: args.storageClass }, nodeSelector: system },
            read: { replicas: 0 },
            write: { replicas: 0 },
            backend: { replicas: 0 },
            chunksCache: { enabled: false },
            resultsCache: { enabled: false },
        });
        const hostMounts = alloyHostMounts();
        release(
            "alloy",
            CHARTS.alloy,
            {
                // The platform uses no PodLogs: no CRD to install or upgrade.
                crds: { create: false },
                alloy: {
                    configMap: { content: renderKubernetesAlloyConfig(`${LOKI_URL}/loki/api/v1/push`) },
                    mounts: { varlog: hostMounts.varlog, extra: hostMounts.mounts },
                },
                controller: {
                    type: "daemonset",
                    tolerations: [GPU_TOLERATION],
                    volumes: { extra: hostMounts.volumes },
                },
            },
            [loki],
        );
        if (args.gpuMetrics) {
            release(
                "dcgm-exporter",
                CHARTS.dcgmExporter,
                {
                    // Keep the exporter's own pod and namespace labels (the GPU's workload), which the autoscaler queries.
                    serviceMonitor: { enabled: true, honorLabels: true },
                    tolerations: [GPU_TOLERATION],
                    nodeSelector: { [NODE_ROLE_LABEL]: "gpu" },
                },
                [this.stack],
            );
        }

        this.prometheusRule = new k8s.apiextensions.CustomResource(
            `${name}-rules`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: "genai-platform", namespace: args.namespace, labels: { release: KPS_RELEASE } },
                spec: { groups: alertRuleGroups(args.alertRules) },
            },
            { ...k, dependsOn: [...args.dependsOn, this.stack] },
        );
        for (const model of args.scrapedModels) {
            new k8s.apiextensions.CustomResource(
                `${name}-model-${model.name}`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PodMonitor",
                    metadata: { name: `model-${model.name}`, namespace: args.namespace, labels: { release: KPS_RELEASE } },
                    spec: {
                        namespaceSelector: { matchNames: [args.appNamespace] },
                        selector: { matchLabels: { component: "inference", model: model.name } },
                        podTargetLabels: ["model", "track", "component"],
                        podMetricsEndpoints: [{ port: "http", path: model.metricsPath, interval: "15s" }],
                    },
                },
                { ...k, dependsOn: [...args.dependsOn, this.stack] },
            );
        }
        new k8s.core.v1.ConfigMap(
            `${name}-dashboard`,
            { metadata: { name: "genai-inference-dashboard", namespace: args.namespace, labels: { grafana_dashboard: "1" } }, data: { "inference.json": renderInferenceDashboard(args.panels) } },
            k,
        );
        this.registerOutputs({ prometheusRule: this.prometheusRule.metadata.name, release: this.stack.name });
    }
}
