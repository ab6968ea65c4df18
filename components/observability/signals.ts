/**
 * PromQL for the signals the platform reads about a model, rendered from the catalog: the engine's own
 * metric where the release exports it, the load balancer's per-route metric where it does not and the
 * load balancer has one, nothing otherwise (the caller leaves the alert, panel or trigger out and says so).
 * Every query selects by the `model` and `track` labels, which the scrapes attach in dev and in the cloud.
 */
import { commonSignal, EngineRelease, Signal, SignalSource } from "../../catalog/engines";
import { AlbSignals } from "../../catalog/alb-metrics";
import { LOAD_BALANCER_SIGNALS } from "../../catalog/images";
import { ModelSpec, modelVersions, Track } from "../inference/model";

/** Where a query's numbers come from, and what statistic a latency is. */
export interface SignalQuery {
    readonly query: string;
    readonly source: "engine" | "load-balancer";
    /** For latencies: a quantile from a histogram (`p95`, `p50`...), or the load balancer's running `mean`. */
    readonly statistic?: string;
    /** Seconds the numbers lag behind the traffic they describe (the ALB's, through CloudWatch); 0 when absent. */
    readonly lagSeconds?: number;
}

/**
 * Load balancer metrics in front of the models: HAProxy's per-server counters in dev, the ALB's per-target-group
 * CloudWatch metrics (through the CloudWatch exporter) in the cloud.
 */
export type LoadBalancerSignals = HaproxySignals | AlbSignals | undefined;
export type HaproxySignals = typeof LOAD_BALANCER_SIGNALS;
export type { AlbSignals };

/**
 * One track's value of an ALB metric at an instant: `max by`, so that the old and the new exporter pod, both
 * scraped while one replaces the other, count once.
 */
function albTrack(metric: string, model: string, scope: Scope): string {
    return `max by (model, track) (${metric}${selector(model, scope)})`;
}

/**
 * The sum over `window` of an instant expression over ALB series, stepped at their sample interval, so that each
 * minute's value counts once even when an exporter restart splits a track into two series.
 */
function albOverWindow(expr: string, lb: AlbSignals, window: string): string {
    return `sum_over_time((${expr})[${window}:${lb.sampleSeconds}s])`;
}
/** Seconds of a Prometheus duration (`30s`, `5m`, `1h`, `1d`). */
function durationSeconds(window: string): number {
    const match = /^(\d+)([smhd])$/.exec(window);
    if (!match) throw new Error(`not a Prometheus duration: ${window}`);
    return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as "s" | "m" | "h" | "d"];
}

/**
 * What a query covers: the whole model (undefined), one track, or every track as its own series.
 */
export type Scope = Track | "by-track" | undefined;

function selector(model: string, scope: Scope, extra: readonly string[] = []): string {
    const track = scope === "stable" || scope === "canary" ? [`track="${scope}"`] : [];
    return `{${[`model="${model}"`, ...track, ...extra].join(", ")}}`;
}

function grouping(scope: Scope, ...more: string[]): string {
    return [...more, "model", ...(scope === undefined ? [] : ["track"])].join(", ");
}

/** The releases a query over `scope` reads. */
function releasesOf(model: ModelSpec, scope: Scope): EngineRelease[] {
    return modelVersions(model)
        .filter((v) => scope === undefined || scope === "by-track" || v.track === scope)
        .map((v) => v.version.release);
}

/** The engine's source of a signal for a model (all its tracks) or one track. */
export function signalSource(model: ModelSpec, signal: Signal, scope?: Scope): SignalSource {
    const releases = releasesOf(model, scope);
    return releases.length === 0 ? { kind: "absent", reason: `model ${model.name} has no ${scope} version`, fallback: "none" } : commonSignal(releases, signal);
}

/** Whether any of a model's requests, errors or latency must come from the load balancer (its engine exports none). */
export function readsLoadBalancerSignals(model: ModelSpec): boolean {
    return (["requestsByStatus", "requestLatency"] as const).some((signal) => {
        const source = signalSource(model, signal);
        return source.kind === "absent" && source.fallback === "load-balancer";
    });
}

/** The ratio of requests answered 5xx over `window`, per model (or the given track). */
export function errorRatio(model: ModelSpec, lb: LoadBalancerSignals, window: string, scope?: Scope): SignalQuery | undefined {
    const source = signalSource(model, "requestsByStatus", scope);
    const by = grouping(scope);
    const sel = (extra: string[]) => selector(model.name, scope, extra);
    if (source.kind === "counter" && source.statusLabel) {
        return {
            source: "engine",
            query: `sum by (${by}) (rate(${source.metric}${sel([`${source.statusLabel}="5xx"`])}[${window}])) / sum by (${by}) (rate(${source.metric}${sel([])}[${window}]))`,
        };
    }
    if (source.kind === "absent" && source.fallback === "load-balancer" && lb?.kind === "cloudwatch-alb") {
        // A minute without 5xx has no 5xx datapoint: no series is 0 errors, not an unknown ratio.
        const requests = `sum by (${by}) (${albOverWindow(albTrack(lb.requests.metric, model.name, scope), lb, window)})`;
        const errors = `sum by (${by}) (${albOverWindow(albTrack(lb.serverErrors.metric, model.name, scope), lb, window)})`;
        return { source: "load-balancer", lagSeconds: lb.lagSeconds, query: `(${errors} or 0 * ${requests}) / ${requests}` };
    }
    if (source.kind === "absent" && source.fallback === "load-balancer" && lb?.kind === "haproxy") {
        const r = lb.responses;
        return {
            source: "load-balancer",
            query: `sum by (${by}) (rate(${r.metric}${sel([`${r.statusLabel}="${r.serverErrors}"`])}[${window}])) / sum by (${by}) (rate(${r.metric}${sel([])}[${window}]))`,
        };
    }
    return undefined;
}

/** The share of requests answered 2xx over `window`, per model (or the given track). */
export function successRatio(model: ModelSpec, lb: LoadBalancerSignals, window: string, scope?: Scope): SignalQuery | undefined {
    const source = signalSource(model, "requestsByStatus", scope);
    const by = grouping(scope);
    const sel = (extra: string[]) => selector(model.name, scope, extra);
    const ratio = (metric: string, label: string) =>
        `sum by (${by}) (rate(${metric}${sel([`${label}="2xx"`])}[${window}])) / sum by (${by}) (rate(${metric}${sel([])}[${window}]))`;
    if (source.kind === "counter" && source.statusLabel) return { source: "engine", query: ratio(source.metric, source.statusLabel) };
    // The ALB's 2xx counts are not read: the cloud's rollouts judge the models that export their own (README, Rollouts).
    if (source.kind === "absent" && source.fallback === "load-balancer" && lb?.kind === "haproxy") return { source: "load-balancer", query: ratio(lb.responses.metric, lb.responses.statusLabel) };
    return undefined;
}

/** Requests answered over `window` (a count), per model (or the given track). */
export function requestCount(model: ModelSpec, lb: LoadBalancerSignals, window: string, scope?: Scope): SignalQuery | undefined {
    return requestsOver("increase", model, lb, window, scope);
}

/** The request rate over `window`, per model (or the given track). */
export function requestRate(model: ModelSpec, lb: LoadBalancerSignals, window: string, scope?: Scope): SignalQuery | undefined {
    return requestsOver("rate", model, lb, window, scope);
}

function requestsOver(fn: "rate" | "increase", model: ModelSpec, lb: LoadBalancerSignals, window: string, scope: Scope): SignalQuery | undefined {
    const source = signalSource(model, "requestsByStatus", scope);
    const by = grouping(scope);
    if (source.kind === "counter") return { source: "engine", query: `sum by (${by}) (${fn}(${source.metric}${selector(model.name, scope)}[${window}]))` };
    if (source.kind === "absent" && source.fallback === "load-balancer" && lb?.kind === "haproxy") {
        return { source: "load-balancer", query: `sum by (${by}) (${fn}(${lb.responses.metric}${selector(model.name, scope)}[${window}]))` };
    }
    if (source.kind === "absent" && source.fallback === "load-balancer" && lb?.kind === "cloudwatch-alb") {
        // Each sample counts one minute's requests: their sum is the window's count, over its seconds a rate.
        const count = `sum by (${by}) (${albOverWindow(albTrack(lb.requests.metric, model.name, scope), lb, window)})`;
        return { source: "load-balancer", lagSeconds: lb.lagSeconds, query: fn === "increase" ? count : `${count} / ${durationSeconds(window)}` };
    }
    return undefined;
}

/** Request latency: the engine histogram's quantile, or the load balancer's running mean. */
export function requestLatency(model: ModelSpec, lb: LoadBalancerSignals, window: string, scope?: Scope, quantile = 0.95): SignalQuery | undefined {
    const source = signalSource(model, "requestLatency", scope);
    if (source.kind === "histogram") {
        return { source: "engine", statistic: `p${Math.round(quantile * 100)}`, query: `histogram_quantile(${quantile}, sum by (${grouping(scope, "le")}) (rate(${source.metric}_bucket${selector(model.name, scope)}[${window}])))` };
    }
    if (source.kind === "absent" && source.fallback === "load-balancer" && lb?.kind === "cloudwatch-alb") {
        if (quantile !== 0.95) return undefined;
        // Each minute's p95 of each track, weighted by the requests it served that minute (percentiles do not add).
        const requests = albTrack(lb.requests.metric, model.name, scope);
        const weighted = `${albTrack(lb.latency.metric, model.name, scope)} * ${requests}`;
        const group = grouping(scope);
        return {
            source: "load-balancer",
            statistic: lb.latency.statistic,
            lagSeconds: lb.lagSeconds,
            query: `sum by (${group}) (${albOverWindow(weighted, lb, window)}) / sum by (${group}) (${albOverWindow(requests, lb, window)})`,
        };
    }
    if (source.kind === "absent" && source.fallback === "load-balancer" && lb?.kind === "haproxy") {
        // A server's average moves only while it serves: weight each server by its request rate.
        const sel = selector(model.name, scope);
        const rate = `rate(${lb.responses.metric}${sel}[${window}])`;
        const group = grouping(scope);
        return {
            source: "load-balancer",
            statistic: "mean",
            query: `sum by (${group}) (${lb.latency.metric}${sel} * on (model, track, server) group_left sum by (model, track, server) (${rate})) / sum by (${group}) (${rate})`,
        };
    }
    return undefined;
}

/**
 * The share of requests slower than `seconds` over `window`, from the engine's latency histogram, where
 * every release in scope has a bucket bound at exactly `seconds` (otherwise no exact share exists).
 */
export function slowRequestRatio(model: ModelSpec, seconds: number, window: string, scope?: Scope): SignalQuery | undefined {
    const source = signalSource(model, "requestLatency", scope);
    if (source.kind !== "histogram") return undefined;
    const bounds = releasesOf(model, scope).map((r) => {
        const signal = r.signals.requestLatency;
        return signal.kind === "histogram" ? signal.buckets?.find((le) => Number(le) === seconds) : undefined;
    });
    const le = bounds[0];
    if (le === undefined || bounds.some((b) => b !== le)) return undefined;
    const bucket = (bound: string) => `sum by (${grouping(scope)}) (rate(${source.metric}_bucket${selector(model.name, scope, [`le="${bound}"`])}[${window}]))`;
    return { source: "engine", query: `1 - ${bucket(le)} / ${bucket("+Inf")}` };
}

/** A gauge the engine exports (queue length, running requests, KV-cache usage), summed or averaged per model. */
export function engineGauge(
    model: ModelSpec,
    signal: "queueLength" | "runningRequests" | "kvCacheUsage",
    aggregate: "sum" | "avg",
    scope?: Scope,
    extraMatchers: readonly string[] = [],
): SignalQuery | undefined {
    const source = signalSource(model, signal, scope);
    if (source.kind !== "gauge") return undefined;
    return { source: "engine", query: `${aggregate} by (${grouping(scope)}) (${source.metric}${selector(model.name, scope, extraMatchers)})` };
}

/** A counter's rate per model (tokens in and out). */
export function engineCounterRate(model: ModelSpec, signal: "promptTokens" | "generationTokens", window: string): SignalQuery | undefined {
    const source = signalSource(model, signal);
    if (source.kind !== "counter") return undefined;
    return { source: "engine", query: `sum by (model) (rate(${source.metric}${selector(model.name, undefined)}[${window}]))` };
}
