/**
 * The ALB's per-route metrics as Prometheus sees them: CloudWatch's `AWS/ApplicationELB` per-target-group metrics
 * (one target group per model and track, components/traffic/alb.ts), read by the CloudWatch exporter the cloud stacks
 * run (catalog/charts.ts `cloudwatchExporter`, v0.16.0) and named by its rules. They carry what an engine without
 * metrics (ComfyUI) lacks in the cloud: its requests, its 5xx answers and its latency, per track.
 */
import { Evidence, readOn } from "./evidence";

/** A CloudWatch statistic: a plain one (`Sum`, `Average`...) or an extended one (a percentile, `p95`). */
export type CloudWatchStatistic = { readonly kind: "statistic"; readonly name: "Sum" | "SampleCount" | "Minimum" | "Maximum" | "Average" } | { readonly kind: "extended"; readonly name: string };

/** One CloudWatch metric and the statistic the platform reads of it. */
export interface CloudWatchMetric {
    readonly namespace: string;
    readonly name: string;
    readonly statistic: CloudWatchStatistic;
    /** CloudWatch reports a datapoint only for a period with a nonzero value: no series means zero, not unknown. */
    readonly reportedOnlyWhenNonZero: boolean;
}

const EXPORTER_SOURCE = "https://github.com/prometheus/cloudwatch_exporter/blob/v0.16.0/src/main/java/io/prometheus/cloudwatch/CloudWatchCollector.java";

/** The exporter's `toSnakeCase`: an underscore between a lower-case letter or digit and an upper-case letter, then lower case. */
function snakeCase(text: string): string {
    return text.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** The exporter's `safeName`: characters other than letters, digits, `:` and `_` become `_`, runs of `_` merge. */
function safeName(text: string): string {
    return text.replace(/[^a-zA-Z0-9:_]/g, "_").replace(/__+/g, "_");
}

const STATISTIC_SUFFIX: Readonly<Record<Extract<CloudWatchStatistic, { kind: "statistic" }>["name"], string>> = {
    Sum: "_sum",
    SampleCount: "_sample_count",
    Minimum: "_minimum",
    Maximum: "_maximum",
    Average: "_average",
};

/**
 * The name the CloudWatch exporter gives a metric's statistic: lower-cased namespace, `_`, snake-cased metric name,
 * then the statistic's suffix (`_sum`) or `_` and the snake-cased extended statistic (`_p95`).
 */
export function exporterMetricName(metric: Pick<CloudWatchMetric, "namespace" | "name" | "statistic">): string {
    const base = safeName(`${metric.namespace.toLowerCase()}_${snakeCase(metric.name)}`);
    return metric.statistic.kind === "statistic" ? base + STATISTIC_SUFFIX[metric.statistic.name] : `${base}_${safeName(snakeCase(metric.statistic.name))}`;
}

/** The exporter's label of a CloudWatch dimension: its snake-cased name (`TargetGroup` -> `target_group`). */
export function exporterDimensionLabel(dimension: string): string {
    return snakeCase(dimension).replace(/[^a-zA-Z0-9_]/g, "_").replace(/__+/g, "_");
}

const ALB_NAMESPACE = "AWS/ApplicationELB";

/** The per-target-group metrics the platform reads, each with the statistic it takes. */
export const ALB_TARGET_METRICS = {
    /** Requests the ALB sent to the target group in a period. */
    requests: { namespace: ALB_NAMESPACE, name: "RequestCount", statistic: { kind: "statistic", name: "Sum" }, reportedOnlyWhenNonZero: true },
    /** Answers with a 5xx status the targets themselves sent in a period (the ALB's own 502/503/504 are not per target group). */
    serverErrors: { namespace: ALB_NAMESPACE, name: "HTTPCode_Target_5XX_Count", statistic: { kind: "statistic", name: "Sum" }, reportedOnlyWhenNonZero: true },
    /** Seconds from the request leaving the ALB to the target's answer: the 95th percentile of a period's requests. */
    latency: { namespace: ALB_NAMESPACE, name: "TargetResponseTime", statistic: { kind: "extended", name: "p95" }, reportedOnlyWhenNonZero: true },
} as const satisfies Record<string, CloudWatchMetric>;

/** The dimensions of a per-target-group metric; the exporter is given every value, so it never lists metrics. */
export const ALB_TARGET_DIMENSIONS = ["LoadBalancer", "TargetGroup"] as const;

/**
 * How the exporter asks for them. One-minute periods, the ALB's own resolution. A range of one period, so each
 * scrape reports the single newest complete minute and a quiet minute reports nothing (a longer range would
 * repeat an older minute's datapoint). Five minutes of delay: the exporter's default of ten is for "almost all
 * AWS services" to converge; the ALB sends its metrics every 60 seconds, so five leave four minutes after a
 * period ends (not measured: see the README). Samples carry the scrape's time (`set_timestamp: false`), or
 * Prometheus would see nothing at the current time through its 5-minute lookback.
 */
export const ALB_METRICS_TIMING = { periodSeconds: 60, rangeSeconds: 60, delaySeconds: 300, setTimestamp: false } as const;

/** The signals the alert rules, panels and queries read, as Prometheus names them (after the scrape adds `model` and `track`). */
export interface AlbSignals {
    readonly kind: "cloudwatch-alb";
    readonly requests: { readonly metric: string };
    readonly serverErrors: { readonly metric: string };
    readonly latency: { readonly metric: string; readonly statistic: "p95" };
    /** The label of the target group dimension, from which the scrape derives `model` and `track`. */
    readonly targetGroupLabel: string;
    /**
     * Seconds between two samples of a series: the exporter is scraped once a period, and each sample is one
     * period's value. Queries step through a window at this resolution, so each sample counts once.
     */
    readonly sampleSeconds: number;
    /** How late a sample is: the exporter's delay plus the period it covers. */
    readonly lagSeconds: number;
}

export const ALB_SIGNALS: AlbSignals = {
    kind: "cloudwatch-alb",
    requests: { metric: exporterMetricName(ALB_TARGET_METRICS.requests) },
    serverErrors: { metric: exporterMetricName(ALB_TARGET_METRICS.serverErrors) },
    latency: { metric: exporterMetricName(ALB_TARGET_METRICS.latency), statistic: "p95" },
    targetGroupLabel: exporterDimensionLabel("TargetGroup"),
    sampleSeconds: ALB_METRICS_TIMING.periodSeconds,
    lagSeconds: ALB_METRICS_TIMING.delaySeconds + ALB_METRICS_TIMING.periodSeconds,
};

export const ALB_METRICS_EVIDENCE: readonly Evidence[] = [
    readOn(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html",
        "ELB reports metrics only when requests flow, every 60 seconds; no datapoint for a metric without data; health checks excluded. " +
            "RequestCount (Sum), HTTPCode_Target_5XX_Count (Sum; from the targets, not the load balancer) and TargetResponseTime (Average and pNN.NN) " +
            "each have the dimensions TargetGroup, LoadBalancer; reporting criterion: there is a nonzero value. Read through its docs.amazonaws.cn copy",
    ),
    readOn(
        "https://www.pulumi.com/docs/reference/pkg/nodejs/pulumi/awsx/functions/classic.lb.metrics.application.targetResponseTime.html",
        "TargetResponseTime: reporting criteria nonzero value; statistics Average and pNN.NN; dimensions include TargetGroup, LoadBalancer",
    ),
    readOn(
        `${EXPORTER_SOURCE}#L426-L438`,
        "toSnakeCase inserts _ between [a-z0-9] and [A-Z] and lower-cases; safeName turns other than [a-zA-Z0-9:_] into _ and merges runs of _",
    ),
    readOn(
        `${EXPORTER_SOURCE}#L478-L570`,
        "name = safeName(lower(namespace) + _ + toSnakeCase(metric)) + _sum|_sample_count|_minimum|_maximum|_average, or + _ + safeName(toSnakeCase(extended statistic)); " +
            "labels job (the namespace's safe name), instance empty, then each dimension as safeLabelName(toSnakeCase(name))",
    ),
    readOn(
        "https://github.com/prometheus/cloudwatch_exporter/blob/v0.16.0/src/main/java/io/prometheus/cloudwatch/GetMetricStatisticsDataGetter.java#L34-L64",
        "one GetMetricStatistics request per dimension set, from scrape time - delay - range to scrape time - delay; only the newest datapoint is exported",
    ),
    readOn(
        "https://github.com/prometheus/cloudwatch_exporter/blob/v0.16.0/src/main/java/io/prometheus/cloudwatch/DefaultDimensionSource.java#L28-L40",
        "with a value for every dimension of aws_dimensions in aws_dimension_select (and no tag selection) the exporter requests their permutations and never calls ListMetrics",
    ),
    readOn(
        "https://github.com/prometheus/cloudwatch_exporter/blob/v0.16.0/README.md",
        "region is one per configuration; delay_seconds defaults to 600 (to converge), range_seconds and period_seconds per metric; set_timestamp false so Prometheus sees the sample now; " +
            "example names aws_elb_request_count_sum with labels load_balancer_name, availability_zone",
    ),
];
