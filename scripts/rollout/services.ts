/**
 * The services a rollout talks to besides Pulumi: Prometheus for the figures, Alertmanager for the
 * notice of a rollback, the load balancer for the blue/green smoke request. Plain HTTP, bounded waits.
 */
import * as http from "http";
import * as https from "https";
import { TRACK_HEADER } from "../../components/traffic/upstreams";

/** GETs or POSTs `url` with a timeout; resolves with the status and body. */
export function request(url: string, opts: { method?: "GET" | "POST"; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const target = new URL(url);
        const client = target.protocol === "https:" ? https : http;
        const req = client.request(
            target,
            { method: opts.method ?? "GET", headers: { ...(opts.body !== undefined ? { "content-type": "application/json" } : {}), ...opts.headers }, timeout: opts.timeoutMs ?? 10_000 },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
                res.on("error", reject);
            },
        );
        req.on("timeout", () => req.destroy(new Error(`no answer from ${target.origin} within ${opts.timeoutMs ?? 10_000} ms`)));
        req.on("error", reject);
        if (opts.body !== undefined) req.write(opts.body);
        req.end();
    });
}

/** Where a rollout reads its figures. */
export interface MetricsSource {
    /** The value of a query that returns one series, or undefined when it returns none (or NaN). */
    query(promql: string): Promise<number | undefined>;
}

/** Prometheus' HTTP API (`/api/v1/query`, instant queries). */
export class PrometheusMetrics implements MetricsSource {
    constructor(private readonly baseUrl: string) {}

    async query(promql: string): Promise<number | undefined> {
        const res = await request(`${this.baseUrl.replace(/\/$/, "")}/api/v1/query?query=${encodeURIComponent(promql)}`);
        if (res.status !== 200) throw new Error(`Prometheus at ${this.baseUrl} answered ${res.status} to a query: ${res.body.slice(0, 200)}`);
        const doc = JSON.parse(res.body) as { status: string; data: { resultType: string; result: { value: [number, string] }[] } };
        const results = doc.data.result;
        if (results.length === 0) return undefined;
        if (results.length > 1) throw new Error(`the query returned ${results.length} series, one expected: ${promql}`);
        const value = Number(results[0].value[1]);
        return Number.isFinite(value) ? value : undefined;
    }
}

/** A notice to the usual receivers about a rollout. */
export interface RolloutNotice {
    readonly alertname: "RolloutRolledBack" | "RolloutAborted" | "RolloutFailed";
    readonly severity: "critical" | "warning";
    readonly stack: string;
    readonly model: string;
    readonly summary: string;
    readonly description: string;
}

export interface Notifier {
    notify(notice: RolloutNotice): Promise<void>;
}

/** Posts the notice as an alert to Alertmanager (`/api/v2/alerts`), which routes it like any other. */
export class AlertmanagerNotifier implements Notifier {
    constructor(
        private readonly baseUrl: string,
        /** How long the alert stays active before it resolves by itself. */
        private readonly activeMinutes = 60,
    ) {}

    async notify(notice: RolloutNotice): Promise<void> {
        const now = new Date();
        const alert = {
            labels: { alertname: notice.alertname, severity: notice.severity, stack: notice.stack, model: notice.model, source: "rollout" },
            annotations: { summary: notice.summary, description: notice.description },
            startsAt: now.toISOString(),
            endsAt: new Date(now.getTime() + this.activeMinutes * 60_000).toISOString(),
        };
        const res = await request(`${this.baseUrl.replace(/\/$/, "")}/api/v2/alerts`, { method: "POST", body: JSON.stringify([alert]) });
        if (res.status >= 300) throw new Error(`Alertmanager at ${this.baseUrl} refused the alert: ${res.status} ${res.body.slice(0, 200)}`);
    }
}


/** A smoke request: one version answers its health path through the load balancer. */
export interface SmokeCheck {
    /** Undefined when the canary answered 200; otherwise why not. */
    check(): Promise<string | undefined>;
}

/** A GET of the model's health path through the load balancer, sent to one track by {@link TRACK_HEADER}. */
export class HttpSmokeCheck implements SmokeCheck {
    constructor(
        private readonly url: string,
        private readonly track: "stable" | "canary",
    ) {}

    async check(): Promise<string | undefined> {
        try {
            const res = await request(this.url, { headers: { [TRACK_HEADER]: this.track }, timeoutMs: 5_000 });
            return res.status === 200 ? undefined : `the ${this.track} answered ${res.status} on ${this.url}`;
        } catch (error) {
            return `the ${this.track} did not answer on ${this.url}: ${(error as Error).message}`;
        }
    }
}
