/**
 * Every Helm chart the cloud stacks install: repository, chart, pinned version, the app version it
 * ships, and the Kubernetes minors it supports, each with its evidence.
 */
import { Evidence, readOn } from "./evidence";

export interface ChartEntry {
    /** Helm repository URL. */
    readonly repo: string;
    readonly chart: string;
    /** Pinned chart version. */
    readonly version: string;
    /** Version of the application the chart ships by default. */
    readonly appVersion: string;
    /**
     * Kubernetes minors the chart supports: `min` from its Chart.yaml `kubeVersion` (or its docs), `max`
     * where a compatibility table bounds it; undefined `max` means no documented upper bound.
     */
    readonly kubeMinors: { readonly min: string; readonly max?: string };
    /** Metrics the chart's exporters export that the platform reads. */
    readonly exports?: readonly string[];
    readonly evidence: readonly Evidence[];
}

const PROMETHEUS_COMMUNITY = "https://prometheus-community.github.io/helm-charts";
const GRAFANA = "https://grafana.github.io/helm-charts";

export const CHARTS = {
    keda: {
        repo: "https://kedacore.github.io/charts",
        chart: "keda",
        version: "2.20.2",
        appVersion: "2.20.2",
        kubeMinors: { min: "1.33", max: "1.35" },
        evidence: [
            readOn("https://github.com/kedacore/charts/blob/v2.20.2/keda/Chart.yaml", "kubeVersion >=v1.23.0-0; tag of 2026-07-31"),
            readOn("https://github.com/kedacore/keda-docs/blob/f8480b0f83600feae728b5c5fa337b1c14ab8ba0/content/docs/2.20/operate/cluster.md", "KEDA 2.20 is tested on Kubernetes 1.33-1.35"),
        ],
    },
    clusterAutoscaler: {
        repo: "https://kubernetes.github.io/autoscaler",
        chart: "cluster-autoscaler",
        version: "9.59.0",
        appVersion: "1.35.0",
        kubeMinors: { min: "1.35", max: "1.35" },
        evidence: [
            readOn("https://github.com/kubernetes/autoscaler/blob/cluster-autoscaler-chart-9.59.0/cluster-autoscaler/charts/cluster-autoscaler/Chart.yaml", "appVersion 1.35.0; tag of 2026-07-21"),
            readOn("https://github.com/kubernetes/autoscaler/blob/55c37cd5eb550756c5ccc5a89e9068d77797e575/cluster-autoscaler/README.md#releases", "use the release whose minor equals the control plane's"),
        ],
    },
    loadBalancerController: {
        repo: "https://aws.github.io/eks-charts",
        chart: "aws-load-balancer-controller",
        version: "3.5.0",
        appVersion: "v3.5.0",
        kubeMinors: { min: "1.22" },
        evidence: [
            readOn("https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/helm/aws-load-balancer-controller/Chart.yaml", "no kubeVersion; tag of 2026-08-03"),
            readOn("https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/docs/deploy/installation.md", "v2.5.0+ requires Kubernetes 1.22+"),
        ],
    },
    nvidiaDevicePlugin: {
        repo: "https://nvidia.github.io/k8s-device-plugin",
        chart: "nvidia-device-plugin",
        version: "0.20.0",
        appVersion: "0.20.0",
        kubeMinors: { min: "1.10" },
        evidence: [readOn("https://github.com/NVIDIA/k8s-device-plugin/blob/v0.20.0/deployments/helm/nvidia-device-plugin/Chart.yaml", "kubeVersion >= 1.10.0-0; tag of 2026-08-19")],
    },
    kubePrometheusStack: {
        repo: PROMETHEUS_COMMUNITY,
        chart: "kube-prometheus-stack",
        version: "88.5.3",
        appVersion: "v0.93.1",
        kubeMinors: { min: "1.25" },
        // Its prometheus-node-exporter subchart runs on every node; its kube-state-metrics subchart (8.4.0, kube-state-metrics
        // 2.20.0, every collector on, no metric deny list) reports the deployments' conditions and their ReplicaSets.
        exports: [
            "node_cpu_seconds_total",
            "node_memory_MemAvailable_bytes",
            "node_memory_MemTotal_bytes",
            "node_filesystem_avail_bytes",
            "node_filesystem_size_bytes",
            "kube_deployment_status_condition",
            "kube_deployment_status_replicas_available",
            "kube_replicaset_created",
            // Native sidecars are init containers: their restarts are counted here, not in kube_pod_container_status_restarts_total.
            "kube_pod_init_container_status_restarts_total",
            // Its kubelet ServiceMonitor (kubelet.enabled) scrapes the kubelets, which report each mounted claim's file system.
            "kubelet_volume_stats_available_bytes",
            "kubelet_volume_stats_capacity_bytes",
        ],
        evidence: [
            readOn("https://github.com/prometheus-community/helm-charts/blob/kube-state-metrics-8.4.0/charts/kube-state-metrics/values.yaml", "collectors include deployments and replicasets; metricAllowlist and metricDenylist empty; appVersion 2.20.0"),
            readOn("https://github.com/kubernetes/kube-state-metrics/blob/06d14813741ca10fb225c3d07aff6347f373e054/docs/metrics/workload/deployment-metrics.md", "kube_deployment_status_condition{deployment, namespace, reason, condition, status} STABLE"),
            readOn("https://github.com/kubernetes/kube-state-metrics/blob/46e2012cd6b4f227ef43e2daf202449f1738e6cd/docs/metrics/workload/replicaset-metrics.md", "kube_replicaset_created{replicaset, namespace}: creation time, STABLE"),
            readOn(
                "https://github.com/kubernetes/kube-state-metrics/blob/96a6db87daf503d8a9492dbfc9746f45512e5099/docs/metrics/workload/pod-metrics.md",
                "kube_pod_init_container_status_restarts_total{container, namespace, pod, uid}: restarts of an init container, Counter, STABLE",
            ),
            readOn("https://github.com/kubernetes/kubernetes/blob/v1.24.0/pkg/kubelet/metrics/collectors/volume_stats.go", "kubelet_volume_stats_capacity_bytes and _available_bytes per namespace and persistentvolumeclaim"),
            readOn("https://github.com/prometheus-community/helm-charts/blob/kube-prometheus-stack-88.5.3/charts/kube-prometheus-stack/Chart.yaml", "kubeVersion >=1.25.0-0; prometheus-operator v0.93.1; tag of 2026-08-21"),
            readOn("https://github.com/prometheus-community/helm-charts/blob/kube-prometheus-stack-88.5.3/charts/kube-prometheus-stack/values.yaml", "kubeScheduler/kubeControllerManager/kubeEtcd/kubeProxy.enabled; Watchdog routed to null"),
        ],
    },
    loki: {
        repo: GRAFANA,
        chart: "loki",
        version: "6.55.0",
        appVersion: "3.6.7",
        kubeMinors: { min: "1.25" },
        evidence: [
            readOn("https://github.com/grafana/helm-charts/blob/main/charts/loki/README.md", "the OSS chart moved to grafana-community/helm-charts on 2026-03-16, forked at 6.55.0; 6.55.0 (Loki 3.6.7) is the last release of this line"),
        ],
    },
    alloy: {
        repo: GRAFANA,
        chart: "alloy",
        version: "1.11.1",
        appVersion: "v1.18.1",
        kubeMinors: { min: "1.25" },
        evidence: [
            readOn("https://github.com/grafana/alloy/blob/helm-chart/1.11.1/operations/helm/charts/alloy/Chart.yaml", "tag of 2026-08-06"),
            readOn("https://github.com/grafana/alloy/blob/helm-chart/1.11.1/operations/helm/charts/alloy/values.yaml", "alloy.mounts.varlog, alloy.mounts.extra, controller.volumes.extra"),
        ],
    },
    pushgateway: {
        repo: PROMETHEUS_COMMUNITY,
        chart: "prometheus-pushgateway",
        version: "3.8.0",
        appVersion: "v1.11.3",
        // No kubeVersion in its Chart.yaml: a Deployment, a Service and a ServiceMonitor.
        kubeMinors: { min: "1.19" },
        exports: ["genai_api_spend_usd_total"],
        evidence: [
            readOn(
                "https://github.com/prometheus-community/helm-charts/blob/prometheus-pushgateway-3.8.0/charts/prometheus-pushgateway/Chart.yaml",
                "appVersion v1.11.3, no kubeVersion; tag of 2026-08-07",
            ),
            readOn(
                "https://github.com/prometheus-community/helm-charts/blob/prometheus-pushgateway-3.8.0/charts/prometheus-pushgateway/values.yaml",
                "image quay.io/prometheus/pushgateway (tag = appVersion); securityContext runAsUser 65534, runAsNonRoot; containerSecurityContext {}; " +
                    "serviceMonitor.enabled false, honorLabels true, additionalLabels; service.port 9091; liveness /-/healthy, readiness /-/ready",
            ),
        ],
    },
    blackboxExporter: {
        repo: PROMETHEUS_COMMUNITY,
        chart: "prometheus-blackbox-exporter",
        version: "11.17.2",
        // The same release as dev's image (catalog/images.ts blackboxExporter), from quay.io.
        appVersion: "v0.28.0",
        kubeMinors: { min: "1.21" },
        // 1 when the probed URL answered as the module requires, else 0.
        exports: ["probe_success"],
        evidence: [
            readOn(
                "https://github.com/prometheus-community/helm-charts/blob/prometheus-blackbox-exporter-11.17.2/charts/prometheus-blackbox-exporter/Chart.yaml",
                "version 11.17.2, appVersion v0.28.0, kubeVersion >=1.21.0-0; tag of 2026-08-10",
            ),
            readOn(
                "https://github.com/prometheus-community/helm-charts/blob/prometheus-blackbox-exporter-11.17.2/charts/prometheus-blackbox-exporter/values.yaml",
                "image quay.io/prometheus/blackbox-exporter, tag empty (_helpers.tpl: the appVersion); config: the modules, rendered with toYaml into blackbox.yaml " +
                    "(default module http_2xx follows redirects); securityContext {runAsUser 1000, runAsGroup 1000, readOnlyRootFilesystem, runAsNonRoot, " +
                    "allowPrivilegeEscalation false, drop ALL}; podSecurityContext {}; automountServiceAccountToken false; service.port 9115; " +
                    "serviceMonitor.{enabled false, defaults.{interval 30s, scrapeTimeout 30s, module http_2xx, additionalMetricsRelabels}, targets[].{name, url, module, interval, scrapeTimeout, additionalMetricsRelabels}}",
            ),
            readOn(
                "https://github.com/prometheus-community/helm-charts/blob/prometheus-blackbox-exporter-11.17.2/charts/prometheus-blackbox-exporter/templates/servicemonitor.yaml",
                "one ServiceMonitor per target, in the release namespace, path /probe with params module and target = url; metricRelabelings set instance to the url, " +
                    "target to the name, then each additionalMetricsRelabels key to its value (not applied to the scrape's own up); jobLabel the release name",
            ),
        ],
    },
    dcgmExporter: {
        repo: "https://nvidia.github.io/dcgm-exporter/helm-charts",
        chart: "dcgm-exporter",
        version: "4.8.2",
        appVersion: "4.8.2",
        kubeMinors: { min: "1.19" },
        exports: ["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED"],
        evidence: [
            readOn("https://github.com/NVIDIA/dcgm-exporter/blob/4.5.3-4.8.2/deployment/Chart.yaml", "kubeVersion >= 1.19.0-0; tag of 2026-05-06"),
            readOn("https://github.com/NVIDIA/dcgm-exporter/blob/4.5.3-4.8.2/deployment/templates/metrics-configmap.yaml", "DCGM_FI_DEV_GPU_UTIL, DCGM_FI_DEV_FB_USED in the default counters"),
        ],
    },
    opencost: {
        repo: "https://opencost.github.io/opencost-helm-chart",
        chart: "opencost",
        version: "2.5.17",
        appVersion: "1.120.1",
        // No kubeVersion in its Chart.yaml; its newest API is policy/v1 (its disruption budget, off here), served since 1.21.
        kubeMinors: { min: "1.21" },
        // Per node, labels node and instance_type among others: the instance's hourly price, CPU + memory + GPUs.
        exports: ["node_total_hourly_cost", "kubecost_node_is_spot"],
        evidence: [
            readOn("https://github.com/opencost/opencost-helm-chart/blob/opencost-2.5.17/charts/opencost/Chart.yaml", "appVersion 1.120.1, no kubeVersion; newest tag, of 2026-04-28"),
            readOn(
                "https://github.com/opencost/opencost-helm-chart/blob/opencost-2.5.17/charts/opencost/values.yaml",
                "image ghcr.io/opencost/opencost:1.120.1 (digest pinned); opencost.prometheus.internal.{serviceName, namespaceName, port} " +
                    "(defaults prometheus-server, prometheus-system, 80); opencost.exporter.defaultClusterId (default-cluster); " +
                    "opencost.metrics.serviceMonitor.{enabled: false, honorLabels: true, scrapeInterval 30s}; opencost.ui.enabled true; " +
                    "podSecurityContext {}, opencost.exporter.securityContext {}; opencost.exporter.resources; opencost.nodeSelector; extraVolumes, opencost.exporter.extraVolumeMounts",
            ),
            readOn(
                "https://github.com/opencost/opencost-helm-chart/blob/opencost-2.5.17/charts/opencost/templates/_helpers.tpl",
                "PROMETHEUS_SERVER_ENDPOINT = <scheme>://<serviceName>.<namespaceName>.svc.<clusterName>:<port>, clusterName default cluster.local",
            ),
            readOn(
                "https://github.com/opencost/opencost-helm-chart/blob/opencost-2.5.17/charts/opencost/templates/servicemonitor.yaml",
                "ServiceMonitor on the Service's http port (exporter.apiPort 9003), path /metrics",
            ),
            readOn(
                "https://github.com/opencost/opencost/blob/02e06667dd4b4d8caa06f85e0c1f976a7d825381/pkg/costmodel/metrics.go",
                "gauges node_cpu_hourly_cost, node_ram_hourly_cost, node_gpu_hourly_cost, node_gpu_count, node_total_hourly_cost, kubecost_node_is_spot, " +
                    "pv_hourly_cost (per GB), container_*_allocation, pod_pvc_allocation, kubecost_cluster_management_cost, kubecost_load_balancer_cost, kubecost_network_*_cost; " +
                    "node_total_hourly_cost = vCPUs x CPU price + RAM GiB x RAM price + GPUs x GPU price, labels instance, node, instance_type, region, provider_id, arch, uid. " +
                    "Read at a stored commit of unknown release (the v1.120.1 tag was not in the mirror); the same names at v1.112.0",
            ),
            readOn(
                "https://github.com/opencost/opencost/blob/v2.4.2/pkg/cloud/aws/provider.go",
                "on-demand prices from the public price list https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/<region>/index.json (no credentials); " +
                    "GPU count from the price list's gpu attribute; a spot node with no spot data feed is priced at the public on-demand price; savings plans and reservations need Athena",
            ),
            readOn(
                "https://github.com/opencost/opencost/blob/v2.4.2/pkg/costmodel/costmodel.go#L1176-L1232",
                "a priced node's hourly cost is split over its GPUs, vCPUs and RAM by the default prices' ratios: their sum, node_total_hourly_cost, is the instance's price",
            ),
            readOn(
                "https://github.com/opencost/opencost/blob/v1.112.0/Dockerfile",
                "alpine, USER 1001, /models/*.json read-only; the provider writes its pricing config under CONFIG_PATH (default /var/configs, pkg/cloud/provider/providerconfig.go)",
            ),
        ],
    },
    cloudwatchExporter: {
        repo: PROMETHEUS_COMMUNITY,
        chart: "prometheus-cloudwatch-exporter",
        version: "0.28.1",
        appVersion: "0.16.0",
        // No kubeVersion in its Chart.yaml; its newest API is policy/v1 (its disruption budget, off here), served since 1.21.
        kubeMinors: { min: "1.21" },
        // AWS/Billing EstimatedCharges (Currency=USD), statistic Maximum: the account's month-to-date estimated charges in USD.
        // Its own gauge of a failed CloudWatch request (1 while the last scrape failed).
        exports: ["aws_billing_estimated_charges_maximum", "cloudwatch_exporter_scrape_error"],
        evidence: [
            readOn(
                "https://github.com/prometheus-community/helm-charts/blob/prometheus-cloudwatch-exporter-0.28.1/charts/prometheus-cloudwatch-exporter/Chart.yaml",
                "version 0.28.1, appVersion 0.16.0, no kubeVersion; newest tag, of 2025-07-19",
            ),
            readOn(
                "https://github.com/prometheus-community/helm-charts/blob/prometheus-cloudwatch-exporter-0.28.1/charts/prometheus-cloudwatch-exporter/values.yaml",
                "image prom/cloudwatch-exporter, tag empty (templates/deployment.yaml: v<appVersion>, so v0.16.0); config: the exporter's YAML, rendered with tpl; " +
                    "serviceMonitor.{enabled false, namespace, interval, telemetryPath, labels, timeout, relabelings, metricRelabelings}; " +
                    "serviceAccount.{create true, name (default the fullname), annotations, automountServiceAccountToken true}; " +
                    "aws.{role, secret.name, aws_access_key_id, aws_secret_access_key} all empty (no credential env without them); securityContext {runAsUser 65534, fsGroup 65534} " +
                    "(pod); containerSecurityContext {}; resources {}; nodeSelector {}; containerPort and service.port 9106",
            ),
            readOn(
                "https://github.com/prometheus-community/helm-charts/blob/prometheus-cloudwatch-exporter-0.28.1/charts/prometheus-cloudwatch-exporter/templates/servicemonitor.yaml",
                "rendered only when the cluster serves monitoring.coreos.com/v1 and serviceMonitor.enabled; in the release namespace unless serviceMonitor.namespace; " +
                    "no labels unless serviceMonitor.labels; selects the Service by app and release; targetPort = service.port",
            ),
            readOn(
                "https://github.com/prometheus-community/helm-charts/blob/prometheus-cloudwatch-exporter-0.28.1/charts/prometheus-cloudwatch-exporter/templates/_helpers.tpl",
                "service account name = serviceAccount.name when create, else the fullname (fullnameOverride)",
            ),
            readOn(
                "https://github.com/prometheus/cloudwatch_exporter/blob/v0.16.0/README.md",
                "config: region, metrics[].{aws_namespace, aws_metric_name, aws_dimensions, aws_dimension_select, aws_statistics, period_seconds (default 60), " +
                    "range_seconds (default 600; 'useful for cases such as Billing metrics that are only set every few hours'), delay_seconds (default 600), " +
                    "set_timestamp (default true; false for rarely updated metrics so Prometheus does not reject old timestamps)}; only the newest datapoint is exported; " +
                    "IAM: cloudwatch:ListMetrics, GetMetricStatistics, GetMetricData listed, tag:GetResources only for aws_tag_select",
            ),
            readOn(
                "https://github.com/prometheus/cloudwatch_exporter/blob/v0.16.0/src/main/java/io/prometheus/cloudwatch/CloudWatchCollector.java#L426-L610",
                "name = safeName(lowercase(namespace) + '_' + snake_case(metric)) + '_maximum': AWS/Billing EstimatedCharges Maximum -> aws_billing_estimated_charges_maximum, " +
                    "labels job=aws_billing, instance='', currency; GetMetricStatistics unless use_get_metric_data; tag:GetResources only with aws_tag_select",
            ),
            readOn(
                "https://github.com/prometheus/cloudwatch_exporter/blob/v0.16.0/src/main/java/io/prometheus/cloudwatch/CloudWatchCollector.java#L688",
                "cloudwatch_exporter_scrape_error: a gauge, 1 when the last scrape's CloudWatch requests failed, else 0",
            ),
            readOn(
                "https://github.com/prometheus/cloudwatch_exporter/blob/v0.16.0/src/main/java/io/prometheus/cloudwatch/DefaultDimensionSource.java#L28-L40",
                "no ListMetrics call when aws_dimension_select names a value for every dimension of aws_dimensions: with Currency=USD the exporter calls GetMetricStatistics only",
            ),
            readOn(
                "https://github.com/prometheus/cloudwatch_exporter/blob/v0.16.0/Dockerfile",
                "runner eclipse-temurin:21-jre-noble, no USER (root unless the pod sets one: the chart runs it as 65534), ENTRYPOINT java -jar /cloudwatch_exporter.jar 9106 /config/config.yml; " +
                    "the Dockerfile names no architecture: the published image's architectures were not read",
            ),
            readOn(
                "https://github.com/prometheus/cloudwatch_exporter/blob/v0.16.0/pom.xml",
                "AWS SDK for Java v2 2.27.7, default credential chain; EKS Pod Identity needs 2.21.30 or later (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-minimum-sdk.html)",
            ),
            readOn(
                "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/gs_monitor_estimated_charges_with_cloudwatch.html",
                "estimated charges sent to CloudWatch several times daily; stored in us-east-1, worldwide charges; only after Billing preferences, Receive Billing Alerts " +
                    "(about 15 minutes to appear; cannot be turned off). Read through its docs.amazonaws.cn copy; no update period is documented (6 h is the CloudWatch console's default billing alarm period)",
            ),
        ],
    },
} as const satisfies Record<string, ChartEntry>;

export type ChartName = keyof typeof CHARTS;

/** `major.minor` of a Kubernetes or application version (`v1.35.0` -> `1.35`). */
export function minorOf(version: string): string {
    const match = /^v?(\d+)\.(\d+)/.exec(version);
    if (!match) throw new Error(`not a version: ${version}`);
    return `${match[1]}.${match[2]}`;
}

/** Compares two `major.minor` versions numerically. */
export function compareMinors(a: string, b: string): number {
    const [am, an] = a.split(".").map(Number);
    const [bm, bn] = b.split(".").map(Number);
    return am !== bm ? am - bm : an - bn;
}

/** Why a chart does not support a Kubernetes minor, or undefined when it does. */
export function chartSupportProblem(name: string, chart: ChartEntry, kubernetesMinor: string): string | undefined {
    const { min, max } = chart.kubeMinors;
    if (compareMinors(kubernetesMinor, min) < 0) return `chart ${name} ${chart.chart} ${chart.version} needs Kubernetes ${min} or newer, the cluster runs ${kubernetesMinor}`;
    if (max !== undefined && compareMinors(kubernetesMinor, max) > 0) {
        return `chart ${name} ${chart.chart} ${chart.version} supports Kubernetes up to ${max}, the cluster runs ${kubernetesMinor}`;
    }
    return undefined;
}
