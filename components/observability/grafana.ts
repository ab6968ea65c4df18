import { stringify } from "yaml";
import { ModelSpec } from "../inference/model";
import { engineCounterRate, engineGauge, errorRatio, LoadBalancerSignals, requestLatency, requestRate, SignalQuery } from "./signals";

/** Where Grafana is served from, behind the load balancer (dev) and the ALB (cloud). */
export const GRAFANA_SUB_PATH = "/grafana/";

/** The Grafana path of an endpoint when Grafana is served from its sub-path: outside it, Grafana answers 301. */
export function grafanaPath(path: string): string {
    return `${GRAFANA_SUB_PATH}${path.replace(/^\//, "")}`;
}

/**
 * Grafana's settings on every platform, as grafana.ini sections: no sign-up, no anonymous access, no
 * calls home, served from its sub-path. Dev passes them as GF_* variables, the cloud chart as grafana.ini.
 */
export const GRAFANA_SETTINGS = {
    users: { allow_sign_up: false },
    "auth.anonymous": { enabled: false },
    security: { disable_gravatar: true },
    analytics: { reporting_enabled: false, check_for_updates: false },
    server: { serve_from_sub_path: true },
} as const;

/** Settings as Grafana's environment variables: `GF_<SECTION>_<KEY>`, dots of a section's name as underscores. */
export function grafanaEnv(settings: Readonly<Record<string, Readonly<Record<string, string | number | boolean>>>>): string[] {
    return Object.entries(settings).flatMap(([section, keys]) =>
        Object.entries(keys).map(([key, value]) => `GF_${section.replace(/[.-]/g, "_").toUpperCase()}_${key.toUpperCase()}=${String(value)}`),
    );
}

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

export interface PanelSpec {
    readonly title: string;
    readonly expr: string;
    readonly unit: string;
    readonly datasource?: "prometheus" | "loki";
}

/** GPU metrics of the DCGM exporter (cloud GPU nodes). */
export const GPU_PANELS: readonly PanelSpec[] = [
    { title: "GPU utilisation", expr: "avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL)", unit: "percent" },
    { title: "GPU memory used", expr: "sum by (Hostname, gpu) (DCGM_FI_DEV_FB_USED)", unit: "decmbytes" },
];

/** The Loki label every model server's log lines carry, in dev (Alloy's Docker discovery) and in the cloud (pod labels). */
export const INFERENCE_LOG_SELECTOR = '{component="inference"}';

/**
 * Panels of the inference dashboard, each one query rendered from the model's signals; a signal no
 * source carries has no panel (the README lists which).
 */
export function inferencePanels(models: readonly ModelSpec[], lb: LoadBalancerSignals, gpuMetrics: boolean): PanelSpec[] {
    const panels: PanelSpec[] = [];
    const add = (title: string, query: SignalQuery | undefined, unit: string) => {
        if (query) panels.push({ title, expr: query.query, unit });
    };
    for (const model of models) {
        const m = model.name;
        add(`${m}: requests per second by track`, requestRate(model, lb, "5m", "by-track"), "reqps");
        add(`${m}: 5xx ratio, canary against stable`, errorRatio(model, lb, "5m", "by-track"), "percentunit");
        const latency = requestLatency(model, lb, "5m", "by-track");
        add(`${m}: ${latency?.statistic === "p95" ? "p95" : "mean"} latency, canary against stable`, latency, "s");
        add(`${m}: requests waiting`, engineGauge(model, "queueLength", "sum"), "short");
        add(`${m}: requests running`, engineGauge(model, "runningRequests", "sum"), "short");
        add(`${m}: KV cache usage`, engineGauge(model, "kvCacheUsage", "avg"), "percentunit");
        add(`${m}: generated tokens per second`, engineCounterRate(model, "generationTokens", "5m"), "short");
        if (model.engine.metrics) panels.push({ title: `${m}: replicas up`, expr: `sum by (model, track) (up{component="inference", model="${m}"})`, unit: "short" });
    }
    if (gpuMetrics) panels.push(...GPU_PANELS);
    panels.push({ title: "Inference logs", expr: INFERENCE_LOG_SELECTOR, unit: "short", datasource: "loki" });
    return panels;
}

/** The inference dashboard as Grafana JSON. */
export function renderInferenceDashboard(panelSpecs: readonly PanelSpec[]): string {
    const panels = panelSpecs.map((panel, i) => {
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
