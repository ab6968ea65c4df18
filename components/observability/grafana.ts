import { stringify } from "yaml";

export const DATASOURCE_UIDS = { prometheus: "prometheus", loki: "loki" } as const;

/** The Loki datasource, as Grafana provisions it (dev) and as the cloud chart adds it. */
export function lokiDatasource(url: string): Record<string, unknown> {
    return { name: "Loki", type: "loki", uid: DATASOURCE_UIDS.loki, access: "proxy", url, editable: false };
}

/** Grafana datasource provisioning: Prometheus (default) and Loki. */
export function renderGrafanaDatasources(prometheusUrl: string, lokiUrl: string): string {
    return stringify({
        apiVersion: 1,
        datasources: [
            { name: "Prometheus", type: "prometheus", uid: DATASOURCE_UIDS.prometheus, access: "proxy", url: prometheusUrl, isDefault: true, editable: false },
            lokiDatasource(lokiUrl),
        ],
    });
}

/** Grafana dashboard provider: loads every dashboard file in `path`. */
export function renderGrafanaDashboardProvider(path: string): string {
    return stringify({
        apiVersion: 1,
        providers: [{ name: "genai-platform", folder: "GenAI", type: "file", disableDeletion: true, allowUiUpdates: false, options: { path } }],
    });
}

interface PanelSpec {
    readonly title: string;
    readonly expr: string;
    readonly unit: string;
    readonly datasource?: "prometheus" | "loki";
}

/** Panels of the inference dashboard, each one query. */
export const INFERENCE_PANELS: readonly PanelSpec[] = [
    { title: "Requests per second by model", expr: "sum by (model, track) (rate(http_requests_total[5m]))", unit: "reqps" },
    { title: "5xx ratio by model", expr: 'sum by (model) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (model) (rate(http_requests_total[5m]))', unit: "percentunit" },
    { title: "p95 generation latency", expr: "histogram_quantile(0.95, sum by (le, model) (rate(vllm:e2e_request_latency_seconds_bucket[5m])))", unit: "s" },
    { title: "Requests waiting", expr: "sum by (model) (vllm:num_requests_waiting)", unit: "short" },
    { title: "Requests running", expr: "sum by (model) (vllm:num_requests_running)", unit: "short" },
    { title: "KV cache usage", expr: "avg by (model) (vllm:kv_cache_usage_perc)", unit: "percentunit" },
    { title: "GPU utilisation", expr: "avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL)", unit: "percent" },
    { title: "GPU memory used", expr: "sum by (Hostname, gpu) (DCGM_FI_DEV_FB_USED)", unit: "decmbytes" },
    { title: "Replicas up", expr: 'sum by (model, track) (up{component="inference"})', unit: "short" },
    { title: "Inference logs", expr: '{component="inference"}', unit: "short", datasource: "loki" },
];

/** The inference dashboard as Grafana JSON. */
export function renderInferenceDashboard(): string {
    const panels = INFERENCE_PANELS.map((panel, i) => {
        const datasource = { type: panel.datasource ?? "prometheus", uid: DATASOURCE_UIDS[panel.datasource ?? "prometheus"] };
        return {
            id: i + 1,
            title: panel.title,
            type: panel.datasource === "loki" ? "logs" : "timeseries",
            datasource,
            gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
            fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
            targets: [{ refId: "A", expr: panel.expr, datasource }],
        };
    });
    return JSON.stringify(
        { uid: "genai-inference", title: "GenAI inference", tags: ["genai"], timezone: "utc", schemaVersion: 39, refresh: "30s", time: { from: "now-6h", to: "now" }, panels },
        null,
        2,
    );
}
