import { stringify } from "yaml";
import { ALB_METRICS_TIMING, ALB_SIGNALS, ALB_TARGET_DIMENSIONS, ALB_TARGET_METRICS, CloudWatchMetric } from "../../catalog/alb-metrics";
import { Track } from "../inference/model";

/** The service account of the exporter that reads the ALB's metrics (its Pod Identity role is bound to it). */
export const ALB_METRICS_SERVICE_ACCOUNT = "alb-metrics-exporter";

/** One model's target group of one track, by the dimension value CloudWatch names it with (`targetgroup/<name>/<id>`). */
export interface AlbTargetGroupRoute {
    readonly model: string;
    readonly track: Track;
    /** The target group's ARN suffix, its `TargetGroup` dimension. */
    readonly targetGroup: string;
}

/**
 * The exporter's configuration: the three per-target-group metrics of the stack's ALB, in its region, for the given
 * target groups. Every dimension's values are named, so the exporter only calls GetMetricStatistics: one request per
 * metric and target group at each scrape.
 */
export function renderAlbMetricsConfig(region: string, loadBalancer: string, routes: readonly AlbTargetGroupRoute[]): string {
    if (routes.length === 0) throw new Error("the ALB metrics exporter needs at least one target group");
    const metric = (m: CloudWatchMetric) => ({
        aws_namespace: m.namespace,
        aws_metric_name: m.name,
        aws_dimensions: [...ALB_TARGET_DIMENSIONS],
        aws_dimension_select: { LoadBalancer: [loadBalancer], TargetGroup: routes.map((r) => r.targetGroup) },
        ...(m.statistic.kind === "statistic" ? { aws_statistics: [m.statistic.name] } : { aws_extended_statistics: [m.statistic.name] }),
        period_seconds: ALB_METRICS_TIMING.periodSeconds,
        range_seconds: ALB_METRICS_TIMING.rangeSeconds,
        delay_seconds: ALB_METRICS_TIMING.delaySeconds,
        set_timestamp: ALB_METRICS_TIMING.setTimestamp,
    });
    return stringify({ region, metrics: Object.values(ALB_TARGET_METRICS).map(metric) });
}

/** A regular expression matching exactly `text`. */
function literal(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The scrape's metric relabelings: each target group's series get the `model` and `track` of the route it serves, the
 * labels every alert, panel and query selects by (components/observability/signals.ts).
 */
export function albRouteRelabelings(routes: readonly AlbTargetGroupRoute[]): Record<string, unknown>[] {
    return routes.flatMap((route) =>
        (["model", "track"] as const).map((label) => ({
            sourceLabels: [ALB_SIGNALS.targetGroupLabel],
            regex: literal(route.targetGroup),
            targetLabel: label,
            replacement: route[label],
            action: "replace",
        })),
    );
}
