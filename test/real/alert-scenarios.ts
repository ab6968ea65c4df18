/**
 * Synthetic metrics for each seed alert, and the promtool rule unit tests built from them.
 *
 * Each scenario writes raw series (what node-exporter, the model servers and the applications
 * would expose), independently of the rules' expressions: one series set measures just above
 * the rule's threshold (the alert must fire), another just below it (it must not). Thresholds,
 * `for` durations and severities are read from the typed rule definitions, so the tests follow
 * the definitions; the expected labels are the ones the rule's expression keeps.
 */
import { SignalSource } from "../../catalog/engines";
import { ModelSpec, Track } from "../../components/inference/model";
import { AlertInputs, AlertRuleSpec } from "../../components/observability/alerts";
import { errorRatio, signalSource } from "../../components/observability/signals";
import { expandAlertTemplate } from "../support/alert-templates";

/** Seconds between two samples of every synthetic series. */
export const SAMPLE_INTERVAL_SECONDS = 60;
/** Seconds between two rule evaluations in the unit tests (the dev stack's scrape/evaluation interval). */
export const EVALUATION_INTERVAL_SECONDS = 15;
/** Samples per series: 20 minutes, longer than any `for` plus the rate windows. */
const SAMPLES = 21;
/** How long after it first fires an alert is checked again, in seconds. */
const STILL_FIRING_AFTER_SECONDS = 300;

/** A series in promtool's notation. */
export interface InputSeries {
    readonly series: string;
    readonly values: string;
}

/** An alert a scenario must raise: the labels its expression keeps, and the value it measures. */
export interface ExpectedAlert {
    readonly labels: Readonly<Record<string, string>>;
    readonly value: number;
}

/** Synthetic series and the alerts they must raise. */
export interface AlertScenario {
    readonly title: string;
    readonly input: readonly InputSeries[];
    /** When the condition starts to hold: the first evaluation with a result, in seconds from the first sample. */
    readonly holdsFrom: number;
    /** Alerts that fire once the condition has held for the rule's `for` duration; none for below-threshold cases. */
    readonly firing: readonly ExpectedAlert[];
}

/** What a rule's scenarios need besides the rule: its stack's models and load balancer signals. */
export interface ScenarioContext {
    readonly inputs: AlertInputs;
}

type ScenarioBuilder = (rule: AlertRuleSpec, context: ScenarioContext) => AlertScenario[];

/** `metric{label="value",...}` */
function selector(metric: string, labels: Readonly<Record<string, string>>): string {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return `${metric}{${pairs.join(",")}}`;
}

/** A gauge holding `value` in every sample. */
function gauge(metric: string, labels: Readonly<Record<string, string>>, value: number): InputSeries {
    return { series: selector(metric, labels), values: `${value}x${SAMPLES - 1}` };
}

/**
 * A counter growing by `perSample` at every sample. It starts far from zero, so that Prometheus
 * extrapolates a rate over a partly filled window the same way for every series: a rate over a
 * window of two sample intervals is exact as soon as it has two samples, and a ratio of rates is
 * exact over any window.
 */
function counter(metric: string, labels: Readonly<Record<string, string>>, perSample: number): InputSeries {
    return { series: selector(metric, labels), values: `${100 * perSample}+${perSample}x${SAMPLES - 1}` };
}

/** `fraction` as a percentage for titles, e.g. `6%`. */
function percent(fraction: number): string {
    return `${Number((fraction * 100).toFixed(2))}%`;
}

/** A rate needs two samples: the first evaluation of a rate with a result, in seconds. */
const FIRST_RATE = SAMPLE_INTERVAL_SECONDS;

function modelOf(rule: AlertRuleSpec, context: ScenarioContext): ModelSpec {
    const model = context.inputs.models.find((m) => m.name === rule.model);
    if (!model) throw new Error(`rule ${rule.name} names no model of the stack (${String(rule.model)})`);
    return model;
}

/** The labels every series of one replica of a model carries in Prometheus, however it was scraped. */
function replicaLabels(model: ModelSpec, track: Track, index = 0): Record<string, string> {
    return { model: model.name, track, instance: `${model.name}-${track}-${index}:${model.engine.port}`, job: `model-${model.name}-${track}` };
}

/** The labels of one track's series from the ALB's CloudWatch metrics, as the exporter and the scrape give them. */
function albLabels(model: ModelSpec, track: Track): Record<string, string> {
    return {
        model: model.name,
        track,
        load_balancer: "app/genai-staging-alb/50dc6c495c0c9188",
        target_group: `targetgroup/${track === "stable" ? "s" : "c"}-20261202/${model.name}0123456789`,
        exported_job: "aws_applicationelb",
        job: "alb-metrics-exporter",
        instance: "10.0.1.9:9106",
    };
}

/** Whether a model's signal comes from the ALB's per-minute CloudWatch values rather than counters. */
function fromAlb(source: SignalSource, lb: AlertInputs["loadBalancer"]): lb is Extract<NonNullable<AlertInputs["loadBalancer"]>, { kind: "cloudwatch-alb" }> {
    return source.kind === "absent" && source.fallback === "load-balancer" && lb?.kind === "cloudwatch-alb";
}

/** The first evaluation at which a request ratio has a result: a rate needs two samples, the ALB's per-minute values one. */
function requestsHoldFrom(source: SignalSource, lb: AlertInputs["loadBalancer"]): number {
    return fromAlb(source, lb) ? 0 : FIRST_RATE;
}

/**
 * Series of `perSample` requests a minute answered by one replica (or, from the ALB, one track), `errorRatio` of
 * them 5xx, from whatever source carries the rule's signal.
 */
function requestSeries(model: ModelSpec, track: Track, errorRatio: number, source: SignalSource, lb: AlertInputs["loadBalancer"], perSample = 1000): InputSeries[] {
    const errors = Math.round(perSample * errorRatio);
    const notFound = perSample / 10;
    const outcomes: [string, number][] = [["5xx", errors], ["4xx", notFound], ["2xx", perSample - errors - notFound]];
    if (source.kind === "counter" && source.statusLabel) {
        return outcomes.map(([status, n]) => counter(source.metric, { ...replicaLabels(model, track), [source.statusLabel!]: status }, n));
    }
    if (fromAlb(source, lb)) {
        // One minute's counts per sample; CloudWatch sends no 5xx datapoint for a minute without one.
        const labels = albLabels(model, track);
        return [gauge(lb.requests.metric, labels, perSample), ...(errors > 0 ? [gauge(lb.serverErrors.metric, labels, errors)] : [])];
    }
    if (source.kind === "absent" && source.fallback === "load-balancer" && lb?.kind === "haproxy") {
        const labels = { model: model.name, track, proxy: `model-${model.name}`, server: `${track}-0`, instance: "lb:8404", job: "lb" };
        return outcomes.map(([code, n]) => counter(lb.responses.metric, { ...labels, [lb.responses.statusLabel]: code }, n));
    }
    throw new Error(`model ${model.name} has no request counts to build a scenario from`);
}

/** The series that says one replica is up: its scrape's `up`, or its probe's `probe_success` for an engine without metrics. */
function replicaUp(model: ModelSpec, track: Track, index: number, value: number): { series: InputSeries; labels: Record<string, string> } {
    const labels: Record<string, string> = model.engine.metrics
        ? { component: "inference", ...replicaLabels(model, track, index) }
        : { component: "probe", model: model.name, track, job: `probe-${model.name}-${track}`, instance: `http://${model.name}-${track}-${index}:${model.engine.port}${model.engine.health.path}` };
    return { series: gauge(model.engine.metrics ? "up" : "probe_success", labels, value), labels };
}

const serviceDown: ScenarioBuilder = (rule, context) => {
    if (rule.model) {
        const model = modelOf(rule, context);
        const down = replicaUp(model, "stable", 0, 0);
        const up = replicaUp(model, "stable", 1, 1);
        return [{ title: `one replica of ${model.name} down, one up`, input: [down.series, up.series], holdsFrom: 0, firing: [{ labels: down.labels, value: 0 }] }];
    }
    const down = { job: "node", instance: "node-exporter:9100", component: "host" };
    const up = { job: "redis", instance: "redis-exporter:9121", component: "redis" };
    const model = { job: "model-x-stable", instance: "x-stable-0:8080", component: "inference", model: "x" };
    return [
        {
            title: "one target down, one up, a model replica down (its own rule, with its load time)",
            input: [gauge("up", down, 0), gauge("up", up, 1), gauge("up", model, 0)],
            holdsFrom: 0,
            firing: [{ labels: down, value: 0 }],
        },
    ];
};

const highCpuUsage: ScenarioBuilder = (rule) => {
    const above = rule.threshold + 1;
    const below = rule.threshold - 1;
    /** An idle counter and a user counter of one CPU busy `busyPercent` of the time. */
    const cpu = (instance: string, busyPercent: number): InputSeries[] => [
        counter("node_cpu_seconds_total", { cpu: "0", instance, job: "node", mode: "idle" }, (SAMPLE_INTERVAL_SECONDS * (100 - busyPercent)) / 100),
        counter("node_cpu_seconds_total", { cpu: "0", instance, job: "node", mode: "user" }, (SAMPLE_INTERVAL_SECONDS * busyPercent) / 100),
    ];
    return [
        {
            title: `CPU ${above}% busy on busy-host, ${below}% on calm-host`,
            input: [...cpu("busy-host", above), ...cpu("calm-host", below)],
            holdsFrom: FIRST_RATE,
            firing: [{ labels: { instance: "busy-host" }, value: above }],
        },
    ];
};

const highMemoryUsage: ScenarioBuilder = (rule) => {
    const totalBytes = 16e9;
    const above = rule.threshold + 1;
    const below = rule.threshold - 1;
    const memory = (instance: string, usedPercent: number): InputSeries[] => [
        gauge("node_memory_MemTotal_bytes", { instance, job: "node" }, totalBytes),
        gauge("node_memory_MemAvailable_bytes", { instance, job: "node" }, (totalBytes * (100 - usedPercent)) / 100),
    ];
    return [
        {
            title: `memory ${above}% used on busy-host, ${below}% on calm-host`,
            input: [...memory("busy-host", above), ...memory("calm-host", below)],
            holdsFrom: 0,
            firing: [{ labels: { instance: "busy-host", job: "node" }, value: above }],
        },
    ];
};

const highErrorRate: ScenarioBuilder = (rule, context) => {
    const model = modelOf(rule, context);
    const lb = context.inputs.loadBalancer;
    const source = signalSource(model, "requestsByStatus");
    const holdsFrom = requestsHoldFrom(source, lb);
    const above = rule.threshold + 0.01;
    const below = rule.threshold - 0.01;
    return [
        {
            title: `${percent(above)} of requests to ${model.name} fail`,
            input: requestSeries(model, "stable", above, source, lb),
            holdsFrom,
            firing: [{ labels: { model: model.name }, value: Math.round(1000 * above) / 1000 }],
        },
        { title: `${percent(below)} of requests to ${model.name} fail`, input: requestSeries(model, "stable", below, source, lb), holdsFrom, firing: [] },
    ];
};

const canaryHighErrorRate: ScenarioBuilder = (rule, context) => {
    const model = modelOf(rule, context);
    const lb = context.inputs.loadBalancer;
    const above = rule.threshold + 0.01;
    const below = rule.threshold - 0.01;
    const source = signalSource(model, "requestsByStatus", "canary");
    const holdsFrom = requestsHoldFrom(source, lb);
    // Ten times more stable traffic without errors would dilute the canary's failures in a model-wide ratio.
    const stable = requestSeries(model, "stable", 0, signalSource(model, "requestsByStatus", "stable"), lb, 10_000);
    const canary = (ratio: number) => requestSeries(model, "canary", ratio, source, lb);
    return [
        {
            title: `${percent(above)} of the canary's requests to ${model.name} fail while stable is healthy`,
            input: [...stable, ...canary(above)],
            holdsFrom,
            firing: [{ labels: { model: model.name, track: "canary" }, value: Math.round(1000 * above) / 1000 }],
        },
        { title: `${percent(below)} of the canary's requests fail`, input: [...stable, ...canary(below)], holdsFrom, firing: [] },
    ];
};

const slowRequests: ScenarioBuilder = (rule, context) => {
    const model = modelOf(rule, context);
    const lb = context.inputs.loadBalancer;
    const limit = rule.threshold;
    const source = signalSource(model, "requestLatency");
    if (source.kind === "histogram") {
        const bounds = [limit / 2, limit, 2 * limit];
        const perSample = 100;
        /** `overLimit` of every 100 requests take between the limit and twice the limit, the others under the limit. */
        const histogram = (overLimit: number): InputSeries[] => {
            const cumulative = [0, perSample - overLimit, perSample];
            const labels = replicaLabels(model, "stable");
            return [
                ...bounds.map((le, i) => counter(`${source.metric}_bucket`, { ...labels, le: String(le) }, cumulative[i])),
                counter(`${source.metric}_bucket`, { ...labels, le: "+Inf" }, perSample),
            ];
        };
        // The 95th of 100 requests falls in the bucket above the limit when more than 5 are over it,
        // and Prometheus interpolates linearly inside the bucket.
        const slowOverLimit = 6;
        const slowP95 = limit + ((2 * limit - limit) * (95 - (perSample - slowOverLimit))) / slowOverLimit;
        return [
            { title: `p95 latency of ${model.name} ${Number(slowP95.toFixed(2))}s`, input: histogram(slowOverLimit), holdsFrom: FIRST_RATE, firing: [{ labels: { model: model.name }, value: slowP95 }] },
            { title: `p95 latency of ${model.name} under ${limit}s`, input: histogram(4), holdsFrom: FIRST_RATE, firing: [] },
        ];
    }
    if (fromAlb(source, lb)) {
        /** Both tracks' per-minute p95, weighted by the requests each serves. */
        const tracks = (slowSeconds: number): InputSeries[] => [
            gauge(lb.latency.metric, albLabels(model, "stable"), slowSeconds),
            gauge(lb.requests.metric, albLabels(model, "stable"), 300),
            gauge(lb.latency.metric, albLabels(model, "canary"), limit / 3),
            gauge(lb.requests.metric, albLabels(model, "canary"), 100),
        ];
        const weighted = (slow: number) => (slow * 300 + (limit / 3) * 100) / 400;
        const fast = limit - 1;
        const slow = limit + 10;
        return [
            { title: `p95 latency of ${model.name} ${weighted(slow)}s (ALB)`, input: tracks(slow), holdsFrom: 0, firing: [{ labels: { model: model.name }, value: weighted(slow) }] },
            { title: `p95 latency of ${model.name} ${weighted(fast)}s (ALB)`, input: tracks(fast), holdsFrom: 0, firing: [] },
        ];
    }
    if (source.kind === "absent" && source.fallback === "load-balancer" && lb?.kind === "haproxy") {
        /** Two servers of the model: their running mean response times, weighted by the requests each serves. */
        const servers = (slowSeconds: number): InputSeries[] => {
            const server = (track: Track, seconds: number, perSample: number): InputSeries[] => {
                const labels = { model: model.name, track, proxy: `model-${model.name}`, server: `${track}-0`, instance: "lb:8404", job: "lb" };
                return [gauge(lb.latency.metric, labels, seconds), counter(lb.responses.metric, { ...labels, [lb.responses.statusLabel]: "2xx" }, perSample)];
            };
            return [...server("stable", slowSeconds, 300), ...server("canary", limit / 3, 100)];
        };
        const mean = (slow: number) => (slow * 300 + (limit / 3) * 100) / 400;
        const fast = limit - 1;
        const slow = limit + 10;
        return [
            { title: `mean latency of ${model.name} ${mean(slow)}s`, input: servers(slow), holdsFrom: FIRST_RATE, firing: [{ labels: { model: model.name }, value: mean(slow) }] },
            { title: `mean latency of ${model.name} ${mean(fast)}s`, input: servers(fast), holdsFrom: FIRST_RATE, firing: [] },
        ];
    }
    throw new Error(`model ${model.name} has no latency source`);
};

const modelUnavailable: ScenarioBuilder = (rule, context) => {
    const model = modelOf(rule, context);
    const replica = (track: Track, value: number): InputSeries => replicaUp(model, track, 0, value).series;
    const other = gauge("up", { component: "inference", model: "other", track: "stable", job: "model-other-stable", instance: "other-stable-0:8080" }, 0);
    return [
        { title: `every replica of ${model.name} down`, input: [replica("stable", 0), replica("canary", 0), other], holdsFrom: 0, firing: [{ labels: { model: model.name }, value: 0 }] },
        { title: `one of two replicas of ${model.name} down`, input: [replica("stable", 0), replica("canary", 1)], holdsFrom: 0, firing: [] },
    ];
};

const queueBacklog: ScenarioBuilder = (rule, context) => {
    const model = modelOf(rule, context);
    const source = signalSource(model, "queueLength");
    if (source.kind !== "gauge") throw new Error(`model ${model.name} has no queue gauge`);
    const limit = rule.threshold;
    /** Requests waiting for the model, spread over two replicas. */
    const waiting = (total: number): InputSeries[] => [
        gauge(source.metric, replicaLabels(model, "stable", 0), Math.ceil(total / 2)),
        gauge(source.metric, replicaLabels(model, "stable", 1), Math.floor(total / 2)),
    ];
    return [
        { title: `${limit + 1} requests waiting for ${model.name}`, input: waiting(limit + 1), holdsFrom: 0, firing: [{ labels: { model: model.name }, value: limit + 1 }] },
        { title: `${limit} requests waiting for ${model.name}`, input: waiting(limit), holdsFrom: 0, firing: [] },
    ];
};

/**
 * External-API spend pushed by two applications: 0 at the first sample, then `total` over the last 24 hours
 * from the second on. The first sample at 0 and evaluations on sample times make `increase()` exact.
 */
const apiSpend: ScenarioBuilder = (rule, context) => {
    const spend = context.inputs.apiSpend;
    if (!spend) throw new Error("the stack has no API spend counter");
    const pushed = (total: number): InputSeries[] => [
        { series: selector(spend.counter, { job: "chat-app", instance: "chat-app-0", provider: "openai" }), values: `0 ${total * 0.75}x${SAMPLES - 2}` },
        { series: selector(spend.counter, { job: "search-app", instance: "search-app-0", provider: "openrouter" }), values: `0 ${total * 0.25}x${SAMPLES - 2}` },
    ];
    const above = rule.threshold + 1;
    const below = rule.threshold - 1;
    return [
        { title: `${above} USD of API spend in 24 hours`, input: pushed(above), holdsFrom: SAMPLE_INTERVAL_SECONDS, firing: [{ labels: {}, value: above }] },
        { title: `${below} USD of API spend in 24 hours`, input: pushed(below), holdsFrom: SAMPLE_INTERVAL_SECONDS, firing: [] },
    ];
};

/** One node's hourly price as OpenCost exports it, with the labels it gives every node series. */
function nodePrice(metric: string, node: string, instanceType: string, usdPerHour: number, samples: number): InputSeries {
    // OpenCost's own labels (kept: its ServiceMonitor honors them), then the scrape's.
    const labels = {
        instance: node,
        node,
        instance_type: instanceType,
        region: "us-east-1",
        provider_id: `aws:///us-east-1a/i-${node.replace(/[^a-z0-9]/g, "")}`,
        arch: "amd64",
        uid: `uid-${node}`,
        job: "opencost",
        namespace: "monitoring",
        pod: "opencost-5f6d7c8b9-x2x4z",
    };
    return { series: selector(metric, labels), values: `${usdPerHour}x${samples - 1}` };
}

/** OpenCost's 0/1 gauge saying whether a node is spot capacity, with the same labels as its prices. */
function nodeIsSpot(metric: string, node: string, instanceType: string, spot: boolean, samples: number): InputSeries {
    return nodePrice(metric, node, instanceType, spot ? 1 : 0, samples);
}

/**
 * A spot GPU node and two on-demand system nodes whose prices project `monthlyUsd` over 730 hours once the spot
 * node's discount is taken off (OpenCost prices it on demand, without AWS's spot feed), held long enough for the
 * rule's `for` and the still-firing check. Undiscounted, the GPU node alone would be well over either threshold.
 */
const clusterCost: ScenarioBuilder = (rule, context) => {
    const cost = context.inputs.clusterCost;
    if (!cost) throw new Error("the stack has no cluster cost signal");
    const samples = Math.ceil((rule.forSeconds + STILL_FIRING_AFTER_SECONDS) / SAMPLE_INTERVAL_SECONDS) + 2;
    const gpu = { node: "ip-10-0-3-17.ec2.internal", type: "g5.xlarge" };
    const system = [{ node: "ip-10-0-1-5.ec2.internal", type: "m6i.large" }, { node: "ip-10-0-2-9.ec2.internal", type: "m6i.large" }];
    const nodes = (monthlyUsd: number): InputSeries[] => {
        const hourly = monthlyUsd / 730;
        return [
            nodePrice(cost.hourlyCost, gpu.node, gpu.type, (hourly * 0.8) / (1 - cost.spotDiscount), samples),
            nodeIsSpot(cost.isSpot, gpu.node, gpu.type, true, samples),
            ...system.flatMap((n) => [nodePrice(cost.hourlyCost, n.node, n.type, hourly * 0.1, samples), nodeIsSpot(cost.isSpot, n.node, n.type, false, samples)]),
        ];
    };
    const above = rule.threshold + 10;
    const below = rule.threshold - 10;
    return [
        { title: `nodes priced at ${above} USD a month`, input: nodes(above), holdsFrom: 0, firing: [{ labels: {}, value: above }] },
        { title: `nodes priced at ${below} USD a month`, input: nodes(below), holdsFrom: 0, firing: [] },
    ];
};

/** An image model's pod as kube-state-metrics reports its uploader's restarts: one restart at minute 2, or none lately. */
const outputsUpload: ScenarioBuilder = (_rule, context) => {
    const uploads = context.inputs.outputsUploads;
    if (!uploads) throw new Error("the stack has no outputs uploader");
    const pod = "image-stable-7d9c6b5f4-q8w2m";
    const labels = { namespace: uploads.namespace, pod, container: uploads.container, uid: "5b1f0c7e-uid", job: "kube-state-metrics", instance: "10.0.1.40:8080" };
    const restartAt = 2;
    return [
        {
            title: "the uploader restarted at minute 2",
            input: [{ series: selector(uploads.restarts, labels), values: Array.from({ length: SAMPLES }, (_, i) => (i >= restartAt ? 1 : 0)).join(" ") }],
            holdsFrom: restartAt * SAMPLE_INTERVAL_SECONDS,
            firing: [{ labels: { pod }, value: 1 }],
        },
        // Restarted three times before the window, none since: not failing now.
        { title: "the uploader has not restarted in the window", input: [{ series: selector(uploads.restarts, labels), values: `3x${SAMPLES - 1}` }], holdsFrom: 0, firing: [] },
    ];
};

/** The account's month-to-date estimate as the CloudWatch exporter exports it, with its labels and the scrape's. */
function accountCharges(metric: string, usd: number, samples: number): InputSeries {
    // The exporter's own job and instance lose to the scrape's (its ServiceMonitor does not honor them).
    const labels = { currency: "USD", exported_job: "aws_billing", job: "cloudwatch-exporter", namespace: "monitoring", instance: "10.0.1.23:9106", pod: "cloudwatch-exporter-7c9d8b6f5-k2m4p" };
    return { series: selector(metric, labels), values: `${usd}x${samples - 1}` };
}

/** The account's estimated charges this month, held long enough for the rule's `for` and the still-firing check. */
const accountSpend: ScenarioBuilder = (rule, context) => {
    const spend = context.inputs.accountSpend;
    if (!spend) throw new Error("the stack has no account spend signal");
    const samples = Math.ceil((rule.forSeconds + STILL_FIRING_AFTER_SECONDS) / SAMPLE_INTERVAL_SECONDS) + 2;
    const above = rule.threshold + 1;
    const below = rule.threshold - 1;
    return [
        { title: `${above} USD spent by the account this month`, input: [accountCharges(spend.monthToDate, above, samples)], holdsFrom: 0, firing: [{ labels: {}, value: above }] },
        { title: `${below} USD spent by the account this month`, input: [accountCharges(spend.monthToDate, below, samples)], holdsFrom: 0, firing: [] },
    ];
};

/**
 * The account's spend unknown: the exporter's requests failing (its error gauge at 1, no estimate), or no estimate at
 * all (billing metrics off: the exporter answers without errors but has nothing to export); known and fine otherwise.
 */
const accountSpendUnknown: ScenarioBuilder = (rule, context) => {
    const spend = context.inputs.accountSpend;
    if (!spend) throw new Error("the stack has no account spend signal");
    const samples = Math.ceil((rule.forSeconds + STILL_FIRING_AFTER_SECONDS) / SAMPLE_INTERVAL_SECONDS) + 2;
    const errors = (value: number, service = spend.exporterService): InputSeries => ({
        series: selector(spend.scrapeErrors, exporterLabels(service)),
        values: `${value}x${samples - 1}`,
    });
    const estimate = accountCharges(spend.monthToDate, spend.monthlyBudgetUsd / 2, samples);
    return [
        { title: "the exporter's requests failing", input: [errors(1)], holdsFrom: 0, firing: [{ labels: {}, value: 1 }] },
        { title: "no billing estimate at all", input: [errors(0)], holdsFrom: 0, firing: [{ labels: {}, value: 1 }] },
        { title: "an estimate, and requests that succeed", input: [errors(0), estimate], holdsFrom: 0, firing: [] },
        // The ALB metrics exporter exports the same gauge: its failures are not the billing estimate's.
        { title: "an estimate, and only another exporter's requests failing", input: [errors(0), errors(1, "alb-metrics-exporter"), estimate], holdsFrom: 0, firing: [] },
    ];
};

/** The labels of a CloudWatch exporter's own series as the ServiceMonitor's scrape gives them. */
function exporterLabels(service: string): Record<string, string> {
    return { job: service, service, namespace: "monitoring", instance: "10.0.1.23:9106", pod: `${service}-7c9d8b6f5-k2m4p` };
}

/** The ALB metrics exporter's requests failing (its error gauge at 1), or succeeding while the billing exporter's fail. */
const routeMetricsUnknown: ScenarioBuilder = (rule, context) => {
    const route = context.inputs.routeMetrics;
    if (!route) throw new Error("the stack has no ALB metrics exporter");
    const samples = Math.ceil((rule.forSeconds + STILL_FIRING_AFTER_SECONDS) / SAMPLE_INTERVAL_SECONDS) + 2;
    const errors = (value: number, service = route.exporterService): InputSeries => ({ series: selector(route.scrapeErrors, exporterLabels(service)), values: `${value}x${samples - 1}` });
    return [
        { title: "the ALB metrics exporter's requests failing", input: [errors(1), errors(0, "cloudwatch-exporter")], holdsFrom: 0, firing: [{ labels: {}, value: 1 }] },
        { title: "only the billing exporter's requests failing", input: [errors(0), errors(1, "cloudwatch-exporter")], holdsFrom: 0, firing: [] },
    ];
};

/** When the synthetic deploy happens: the third sample. */
const DEPLOY_AT_SECONDS = 2 * SAMPLE_INTERVAL_SECONDS;

/** The series that mark a deploy of `model` at DEPLOY_AT_SECONDS (or none when `deployed` is false), as the stack's deploy signals see it. */
function deploySeries(model: ModelSpec, context: ScenarioContext, deployed: boolean): InputSeries[] {
    const deploys = context.inputs.deploys;
    if (!deploys) throw new Error("the stack has no deploy signals");
    const before = DEPLOY_AT_SECONDS / SAMPLE_INTERVAL_SECONDS;
    if (deploys.kind === "load-balancer") {
        const labels = { model: model.name, track: "stable", proxy: `model-${model.name}`, server: "stable-0", instance: "lb:8404", job: "lb" };
        // A rollout step moves the stable server's weight from 1 to 9 (10 % to the canary); its state stays UP.
        const weight = deployed ? `1x${before - 1} 9x${SAMPLES - before}` : `1x${SAMPLES - 1}`;
        return [
            { series: selector(deploys.signals.weight.metric, labels), values: weight },
            gauge(deploys.signals.status.metric, { ...labels, [deploys.signals.status.stateLabel]: deploys.signals.status.up }, 1),
        ];
    }
    // A new ReplicaSet of the model's stable Deployment, created at the deploy (an old one, long before, when not deployed).
    const replicaset = { namespace: deploys.namespace, replicaset: `${model.name}-stable-5d7c9b8f6`, job: "kube-state-metrics" };
    return deployed
        ? [{ series: selector(deploys.replicasetCreated, replicaset), values: `_x${before} ${DEPLOY_AT_SECONDS}x${SAMPLES - before - 1}` }]
        : [gauge(deploys.replicasetCreated, replicaset, -86_400)];
}

const postDeployErrorRate: ScenarioBuilder = (rule, context) => {
    const model = modelOf(rule, context);
    const lb = context.inputs.loadBalancer;
    const source = signalSource(model, "requestsByStatus");
    const above = rule.threshold + 0.01;
    const below = rule.threshold - 0.005;
    const requests = (ratio: number) => requestSeries(model, "stable", ratio, source, lb);
    // Figures that arrive late describe the previous version until their lag has passed: the window starts then.
    const lag = errorRatio(model, lb, "2m")?.lagSeconds ?? 0;
    return [
        {
            title: `${percent(above)} of requests to ${model.name} fail after a deploy`,
            input: [...requests(above), ...deploySeries(model, context, true)],
            holdsFrom: DEPLOY_AT_SECONDS + lag,
            firing: [{ labels: { model: model.name }, value: Math.round(1000 * above) / 1000 }],
        },
        { title: `${percent(below)} of requests fail after a deploy`, input: [...requests(below), ...deploySeries(model, context, true)], holdsFrom: DEPLOY_AT_SECONDS + lag, firing: [] },
        { title: `${percent(above)} of requests fail with no deploy`, input: [...requests(above), ...deploySeries(model, context, false)], holdsFrom: DEPLOY_AT_SECONDS + lag, firing: [] },
    ];
};

const deploymentFailed: ScenarioBuilder = (_rule, context) => {
    const deploys = context.inputs.deploys;
    if (deploys?.kind !== "kube-state-metrics") throw new Error("DeploymentFailed needs kube-state-metrics");
    const condition = (deployment: string, progressing: boolean, value: number): InputSeries =>
        gauge(
            deploys.deploymentCondition,
            { namespace: deploys.namespace, deployment, condition: "Progressing", status: progressing ? "true" : "false", reason: progressing ? "NewReplicaSetAvailable" : "ProgressDeadlineExceeded", job: "kube-state-metrics" },
            value,
        );
    return [
        {
            title: "llm-stable past its progress deadline, image-stable progressing",
            input: [condition("llm-stable", false, 1), condition("llm-stable", true, 0), condition("image-stable", false, 0), condition("image-stable", true, 1)],
            holdsFrom: 0,
            firing: [{ labels: { namespace: deploys.namespace, deployment: "llm-stable" }, value: 1 }],
        },
        { title: "every deployment progressing", input: [condition("llm-stable", false, 0), condition("llm-stable", true, 1)], holdsFrom: 0, firing: [] },
    ];
};

/** A data store's "answers" gauge from its exporter: 0 (down) or 1. */
const dataStoreDown: ScenarioBuilder = (rule) => {
    const labels = rule.name === "DatabaseDown" ? { job: "postgres", instance: "postgres-exporter:9187", component: "postgres" } : { job: "redis", instance: "redis-exporter:9121", component: "redis" };
    return [
        { title: `${rule.measure} 0: the store does not answer its exporter`, input: [gauge(rule.measure, labels, 0)], holdsFrom: 0, firing: [{ labels, value: 0 }] },
        { title: `${rule.measure} 1`, input: [gauge(rule.measure, labels, 1)], holdsFrom: 0, firing: [] },
    ];
};

const diskSpace: ScenarioBuilder = (rule) => {
    const above = rule.threshold + 1;
    const below = rule.threshold - 1;
    const size = 100e9;
    if (rule.name.startsWith("Disk")) {
        const disk = (usedPercent: number, extra: Record<string, string> = {}): { input: InputSeries[]; labels: Record<string, string> } => {
            const labels = { instance: "node-exporter:9100", job: "node", device: "/dev/vda1", fstype: "ext4", mountpoint: "/", ...extra };
            return {
                labels,
                input: [gauge("node_filesystem_size_bytes", labels, size), gauge("node_filesystem_avail_bytes", labels, (size * (100 - usedPercent)) / 100)],
            };
        };
        const full = disk(above);
        // A memory file system as full is not a disk: the rule leaves it out.
        const tmpfs = disk(99, { device: "tmpfs", fstype: "tmpfs", mountpoint: "/run" });
        return [
            { title: `/ ${above}% used, a tmpfs 99% used`, input: [...full.input, ...tmpfs.input], holdsFrom: 0, firing: [{ labels: full.labels, value: above }] },
            { title: `/ ${below}% used`, input: disk(below).input, holdsFrom: 0, firing: [] },
        ];
    }
    const volume = (usedPercent: number): { input: InputSeries[]; labels: Record<string, string> } => {
        const labels = { namespace: "monitoring", persistentvolumeclaim: "prometheus-db-0", job: "kubelet", instance: "10.0.1.7:10250" };
        return {
            labels,
            input: [gauge("kubelet_volume_stats_capacity_bytes", labels, size), gauge("kubelet_volume_stats_available_bytes", labels, (size * (100 - usedPercent)) / 100)],
        };
    };
    const full = volume(above);
    return [
        { title: `Prometheus' volume ${above}% used`, input: full.input, holdsFrom: 0, firing: [{ labels: full.labels, value: above }] },
        { title: `Prometheus' volume ${below}% used`, input: volume(below).input, holdsFrom: 0, firing: [] },
    ];
};

const errorBudgetBurn: ScenarioBuilder = (rule, context) => {
    const model = modelOf(rule, context);
    const source = signalSource(model, "requestsByStatus");
    // Both windows see the same constant ratio: just above the burn threshold it fires, just below it does not.
    const requests = (ratio: number) => requestSeries(model, "stable", ratio, source, context.inputs.loadBalancer);
    const holdsFrom = requestsHoldFrom(source, context.inputs.loadBalancer);
    const above = Number((rule.threshold + 0.01).toFixed(3));
    const below = Number((rule.threshold - 0.01).toFixed(3));
    return [
        { title: `${percent(above)} of requests to ${model.name} fail`, input: requests(above), holdsFrom, firing: [{ labels: { model: model.name }, value: above }] },
        { title: `${percent(below)} of requests to ${model.name} fail`, input: requests(below), holdsFrom, firing: [] },
    ];
};

const latencyBudgetBurn: ScenarioBuilder = (rule, context) => {
    const model = modelOf(rule, context);
    const source = signalSource(model, "requestLatency");
    if (source.kind !== "histogram" || !source.buckets) throw new Error(`model ${model.name} has no latency histogram`);
    const bound = source.buckets.find((le) => rule.measure.includes(`le="${le}"`));
    if (!bound) throw new Error(`${rule.name} reads no bucket of ${source.metric}`);
    const perSample = 1000;
    /** `slowShare` of the requests take longer than the bound. */
    const histogram = (slowShare: number): InputSeries[] => {
        const labels = replicaLabels(model, "stable");
        return [
            counter(`${source.metric}_bucket`, { ...labels, le: bound }, Math.round(perSample * (1 - slowShare))),
            counter(`${source.metric}_bucket`, { ...labels, le: "+Inf" }, perSample),
        ];
    };
    const above = Number((rule.threshold + 0.01).toFixed(3));
    const below = Number((rule.threshold - 0.01).toFixed(3));
    return [
        { title: `${percent(above)} of requests to ${model.name} slower than ${bound} s`, input: histogram(above), holdsFrom: FIRST_RATE, firing: [{ labels: { model: model.name }, value: above }] },
        { title: `${percent(below)} of requests slower than ${bound} s`, input: histogram(below), holdsFrom: FIRST_RATE, firing: [] },
    ];
};

const availabilityBudgetBurn: ScenarioBuilder = (rule, context) => {
    const model = modelOf(rule, context);
    /** One replica's up series over `samples` samples, down (0) from sample `downFrom` on, or only at `dipAt`. */
    const pattern = (samples: number, down: (i: number) => boolean): string => Array.from({ length: samples }, (_, i) => (down(i) ? "0" : "1")).join(" ");
    const series = (values: string): InputSeries[] => [{ ...replicaUp(model, "stable", 0, 1).series, values }];
    // Down from the third sample on: both windows exceed the burn threshold from there.
    const downFrom = 2;
    // One sample down after an hour up: the short window exceeds the threshold, the long one stays under it.
    const dipAt = 60;
    return [
        { title: `${model.name} down from minute ${downFrom}`, input: series(pattern(SAMPLES, (i) => i >= downFrom)), holdsFrom: downFrom * SAMPLE_INTERVAL_SECONDS, firing: [{ labels: { model: model.name }, value: 1 }] },
        { title: `${model.name} down one minute in ${dipAt + 1}`, input: series(pattern(dipAt + 5, (i) => i === dipAt)), holdsFrom: dipAt * SAMPLE_INTERVAL_SECONDS, firing: [] },
    ];
};

/** The labels a backup container's pushed series carry once scraped with honor_labels (job and source from its push path). */
function backupLabels(source: string): Record<string, string> {
    return { job: "genai-backup", source, instance: "" };
}

const backupFailed: ScenarioBuilder = (_rule, context) => {
    const backups = context.inputs.backups;
    if (!backups) throw new Error("the stack has no backup reports");
    const runs = (postgres: number) => [gauge(backups.lastRunSucceeded, backupLabels("postgres"), postgres), gauge(backups.lastRunSucceeded, backupLabels("grafana"), 1)];
    return [
        { title: "Postgres' last backup run failed, Grafana's succeeded", input: runs(0), holdsFrom: 0, firing: [{ labels: { source: "postgres" }, value: 0 }] },
        { title: "every last backup run succeeded", input: runs(1), holdsFrom: 0, firing: [] },
    ];
};

const backupStale: ScenarioBuilder = (rule, context) => {
    const backups = context.inputs.backups;
    if (!backups) throw new Error("the stack has no backup reports");
    /** Samples enough for the rule's hour and the check after it. */
    const samples = Math.ceil((rule.forSeconds + STILL_FIRING_AFTER_SECONDS) / SAMPLE_INTERVAL_SECONDS) + 2;
    /** A newest backup `age` seconds old at every sample (its timestamp moves with the clock: a new one each sample). */
    const written = (source: string, age: number): InputSeries => ({ series: selector(backups.lastSuccess, backupLabels(source)), values: `${-age}+${SAMPLE_INTERVAL_SECONDS}x${samples - 1}` });
    const above = rule.threshold + 60;
    const below = rule.threshold - 60;
    return [
        { title: `Redis' newest backup ${above} s old, Grafana's fresh`, input: [written("redis", above), written("grafana", 60)], holdsFrom: 0, firing: [{ labels: { source: "redis" }, value: above }] },
        { title: `Redis' newest backup ${below} s old`, input: [written("redis", below), written("grafana", 60)], holdsFrom: 0, firing: [] },
    ];
};

const SCENARIOS: Readonly<Record<string, ScenarioBuilder>> = {
    RouteMetricsUnknown: routeMetricsUnknown,
    BackupFailed: backupFailed,
    BackupStale: backupStale,
    DatabaseDown: dataStoreDown,
    RedisDown: dataStoreDown,
    DiskSpaceLow: diskSpace,
    DiskSpaceCritical: diskSpace,
    VolumeSpaceLow: diskSpace,
    VolumeSpaceCritical: diskSpace,
    ErrorBudgetFastBurn: errorBudgetBurn,
    ErrorBudgetSlowBurn: errorBudgetBurn,
    LatencyBudgetFastBurn: latencyBudgetBurn,
    LatencyBudgetSlowBurn: latencyBudgetBurn,
    AvailabilityBudgetFastBurn: availabilityBudgetBurn,
    AvailabilityBudgetSlowBurn: availabilityBudgetBurn,
    PostDeployErrorRate: postDeployErrorRate,
    DeploymentFailed: deploymentFailed,
    ServiceDown: serviceDown,
    HighCpuUsage: highCpuUsage,
    HighMemoryUsage: highMemoryUsage,
    HighErrorRate: highErrorRate,
    CanaryHighErrorRate: canaryHighErrorRate,
    HighGenerationLatency: slowRequests,
    ImageGenerationSlow: slowRequests,
    ModelUnavailable: modelUnavailable,
    QueueBacklog: queueBacklog,
    ApiSpendHigh: apiSpend,
    ApiSpendCritical: apiSpend,
    OutputsUploadFailing: outputsUpload,
    ClusterCostRunRateHigh: clusterCost,
    ClusterCostOverBudget: clusterCost,
    AccountSpendHigh: accountSpend,
    AccountSpendOverBudget: accountSpend,
    AccountSpendUnknown: accountSpendUnknown,
};

/** The scenarios of one alert rule; throws when the rule has none. */
export function scenariosFor(rule: AlertRuleSpec, context: ScenarioContext): AlertScenario[] {
    const build = SCENARIOS[rule.name];
    if (build === undefined) throw new Error(`alert ${rule.name} has no synthetic scenario: add one to test/real/alert-scenarios.ts`);
    return build(rule, context);
}

interface PromtoolExpectedAlert {
    exp_labels: Record<string, string>;
    exp_annotations: Record<string, string>;
}

interface PromtoolAlertTest {
    eval_time: string;
    alertname: string;
    exp_alerts: PromtoolExpectedAlert[];
}

/** One test group of a promtool rule unit test file. */
export interface PromtoolTestGroup {
    name: string;
    interval: string;
    input_series: InputSeries[];
    alert_rule_test: PromtoolAlertTest[];
}

/** A promtool rule unit test file (`promtool test rules <file>`). */
export interface PromtoolTestFile {
    rule_files: string[];
    evaluation_interval: string;
    tests: PromtoolTestGroup[];
}

function seconds(value: number): string {
    return `${value}s`;
}

/** The first rule evaluation at which an alert whose condition holds from `holdsFrom` is firing. */
export function firstFiringEvaluation(rule: AlertRuleSpec, holdsFrom: number): number {
    const interval = EVALUATION_INTERVAL_SECONDS;
    return Math.ceil((holdsFrom + rule.forSeconds) / interval) * interval;
}

function expectedAlert(rule: AlertRuleSpec, alert: ExpectedAlert): PromtoolExpectedAlert {
    return {
        exp_labels: { ...alert.labels, ...(rule.model ? { model: rule.model } : {}), severity: rule.severity },
        exp_annotations: {
            summary: expandAlertTemplate(rule.summary, alert.labels, alert.value),
            description: expandAlertTemplate(rule.description, alert.labels, alert.value),
        },
    };
}

/**
 * Promtool test groups for one rule: for each scenario, no alert at the last evaluation before
 * the `for` duration has elapsed (it is pending at most), the scenario's alerts, with their
 * severity and expanded annotations, at the first evaluation after it, and still five minutes later.
 */
export function promtoolTestGroups(rule: AlertRuleSpec, context: ScenarioContext): PromtoolTestGroup[] {
    return scenariosFor(rule, context).map((scenario) => {
        const firing = scenario.firing.map((alert) => expectedAlert(rule, alert));
        const fires = firstFiringEvaluation(rule, scenario.holdsFrom);
        return {
            name: `${rule.name}: ${scenario.title}`,
            interval: seconds(SAMPLE_INTERVAL_SECONDS),
            input_series: [...scenario.input],
            alert_rule_test: [
                { eval_time: seconds(fires - EVALUATION_INTERVAL_SECONDS), alertname: rule.name, exp_alerts: [] },
                { eval_time: seconds(fires), alertname: rule.name, exp_alerts: firing },
                { eval_time: seconds(fires + STILL_FIRING_AFTER_SECONDS), alertname: rule.name, exp_alerts: firing },
            ],
        };
    });
}

/** Minutes the healthy platform's series run: longer than every rule's `for` plus its windows' start. */
export const HEALTHY_MINUTES = 40;

/**
 * What a healthy platform exposes, for every source the stack's rules read: every target and replica up,
 * one request in a thousand failing, fast answers, short queues, half-full disks, the data stores answering,
 * Deployments progressing and not changed lately. Nothing should fire on it.
 */
export function healthyPlatform(context: ScenarioContext): InputSeries[] {
    const inputs = context.inputs;
    const samples = HEALTHY_MINUTES + 1;
    const flat = (metric: string, labels: Readonly<Record<string, string>>, value: number): InputSeries => ({ series: selector(metric, labels), values: `${value}x${samples - 1}` });
    const growing = (metric: string, labels: Readonly<Record<string, string>>, perSample: number): InputSeries => ({ series: selector(metric, labels), values: `${100 * perSample}+${perSample}x${samples - 1}` });
    const series: InputSeries[] = [
        flat("up", { job: "prometheus", instance: "localhost:9090", component: "monitoring" }, 1),
        flat("up", { job: "postgres", instance: "postgres-exporter:9187", component: "postgres" }, 1),
        // Half of one CPU busy, half of the memory used, half of the disk.
        growing("node_cpu_seconds_total", { cpu: "0", instance: "node-exporter:9100", job: "node", mode: "idle" }, SAMPLE_INTERVAL_SECONDS / 2),
        growing("node_cpu_seconds_total", { cpu: "0", instance: "node-exporter:9100", job: "node", mode: "user" }, SAMPLE_INTERVAL_SECONDS / 2),
        flat("node_memory_MemTotal_bytes", { instance: "node-exporter:9100", job: "node" }, 16e9),
        flat("node_memory_MemAvailable_bytes", { instance: "node-exporter:9100", job: "node" }, 8e9),
        flat("node_filesystem_size_bytes", { instance: "node-exporter:9100", job: "node", device: "/dev/vda1", fstype: "ext4", mountpoint: "/" }, 100e9),
        flat("node_filesystem_avail_bytes", { instance: "node-exporter:9100", job: "node", device: "/dev/vda1", fstype: "ext4", mountpoint: "/" }, 50e9),
    ];
    if (inputs.disks?.volumes) {
        const claim = { namespace: "monitoring", persistentvolumeclaim: "prometheus-db-0", job: "kubelet", instance: "10.0.1.7:10250" };
        series.push(flat("kubelet_volume_stats_capacity_bytes", claim, 100e9), flat("kubelet_volume_stats_available_bytes", claim, 50e9));
    }
    if (inputs.dataStores?.database) series.push(flat(inputs.dataStores.database, { job: "postgres", instance: "postgres-exporter:9187" }, 1));
    if (inputs.dataStores?.cache) series.push(flat(inputs.dataStores.cache, { job: "redis", instance: "redis-exporter:9121" }, 1));
    // An application spending a dollar an hour on external APIs: well within a daily budget.
    if (inputs.apiSpend) series.push(growing(inputs.apiSpend.counter, { job: "chat-app", instance: "chat-app-0", provider: "openai" }, 1 / 60));
    // A GPU node and a system node whose prices project a quarter of the monthly budget.
    if (inputs.clusterCost) {
        const hourly = inputs.clusterCost.monthlyBudgetUsd / 4 / 730;
        series.push(
            nodePrice(inputs.clusterCost.hourlyCost, "ip-10-0-3-17.ec2.internal", "g5.xlarge", hourly * 0.9, samples),
            nodeIsSpot(inputs.clusterCost.isSpot, "ip-10-0-3-17.ec2.internal", "g5.xlarge", true, samples),
            nodePrice(inputs.clusterCost.hourlyCost, "ip-10-0-1-5.ec2.internal", "m6i.large", hourly * 0.1, samples),
            nodeIsSpot(inputs.clusterCost.isSpot, "ip-10-0-1-5.ec2.internal", "m6i.large", false, samples),
        );
    }
    // Half of the account's monthly budget spent so far this month.
    if (inputs.accountSpend) {
        series.push(accountCharges(inputs.accountSpend.monthToDate, inputs.accountSpend.monthlyBudgetUsd / 2, samples));
        series.push(flat(inputs.accountSpend.scrapeErrors, exporterLabels(inputs.accountSpend.exporterService), 0));
    }
    if (inputs.routeMetrics) {
        series.push(flat(inputs.routeMetrics.scrapeErrors, exporterLabels(inputs.routeMetrics.exporterService), 0));
    }
    // Every source's last backup run succeeded; its newest backup was written an hour before each sample.
    if (inputs.backups) {
        for (const source of ["postgres", "redis", "grafana"]) {
            series.push(flat(inputs.backups.lastRunSucceeded, backupLabels(source), 1));
            series.push({ series: selector(inputs.backups.lastSuccess, backupLabels(source)), values: `-3600+${SAMPLE_INTERVAL_SECONDS}x${samples - 1}` });
        }
    }
    // The image model's uploader, restarted once long ago and steady since.
    if (inputs.outputsUploads) {
        const u = inputs.outputsUploads;
        series.push(flat(u.restarts, { namespace: u.namespace, pod: "image-stable-7d9c6b5f4-q8w2m", container: u.container, job: "kube-state-metrics" }, 1));
    }
    const deploys = inputs.deploys;
    for (const model of inputs.models) {
        for (const track of ["stable", ...(model.canary ? ["canary" as const] : [])] as Track[]) {
            const labels = replicaLabels(model, track);
            if (model.engine.metrics) series.push(flat("up", { component: "inference", ...labels }, 1));
            else if (inputs.probes) series.push(flat("probe_success", { component: "probe", model: model.name, track, job: `probe-${model.name}-${track}`, instance: `http://${labels.instance}/health` }, 1));
            const requests = signalSource(model, "requestsByStatus", track);
            if (requests.kind === "counter" || (requests.kind === "absent" && requests.fallback === "load-balancer" && inputs.loadBalancer)) {
                series.push(...requestSeries(model, track, 0.001, requests, inputs.loadBalancer).map((s) => ({ ...s, values: s.values.replace(/x\d+$/, `x${samples - 1}`) })));
            }
            const latency = signalSource(model, "requestLatency", track);
            if (latency.kind === "histogram") {
                // Every request under a second.
                for (const le of [...(latency.buckets ?? ["1.0", "2.0"]), "+Inf"]) series.push(growing(`${latency.metric}_bucket`, { ...labels, le }, 100));
            } else if (fromAlb(latency, inputs.loadBalancer)) {
                series.push(flat(inputs.loadBalancer.latency.metric, albLabels(model, track), 0.8));
            } else if (inputs.loadBalancer?.kind === "haproxy") {
                series.push(flat(inputs.loadBalancer.latency.metric, { model: model.name, track, proxy: `model-${model.name}`, server: `${track}-0`, instance: "lb:8404", job: "lb" }, 0.8));
            }
            const queue = signalSource(model, "queueLength", track);
            if (queue.kind === "gauge") series.push(flat(queue.metric, labels, 1));
            if (deploys?.kind === "load-balancer") {
                const server = { model: model.name, track, proxy: `model-${model.name}`, server: `${track}-0`, instance: "lb:8404", job: "lb" };
                series.push(flat(deploys.signals.weight.metric, server, 1), flat(deploys.signals.status.metric, { ...server, [deploys.signals.status.stateLabel]: deploys.signals.status.up }, 1));
            }
            if (deploys?.kind === "kube-state-metrics") {
                const deployment = { namespace: deploys.namespace, deployment: `${model.name}-${track}`, job: "kube-state-metrics" };
                series.push(
                    flat(deploys.deploymentCondition, { ...deployment, condition: "Progressing", status: "true", reason: "NewReplicaSetAvailable" }, 1),
                    flat(deploys.deploymentCondition, { ...deployment, condition: "Progressing", status: "false", reason: "NewReplicaSetAvailable" }, 0),
                    // Created a day before the series start: no deploy lately.
                    flat(deploys.replicasetCreated, { namespace: deploys.namespace, replicaset: `${model.name}-${track}-5d7c9b8f6`, job: "kube-state-metrics" }, -86_400),
                );
            }
        }
    }
    return series;
}
