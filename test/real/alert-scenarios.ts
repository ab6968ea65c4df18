/**
 * Synthetic metrics for each seed alert, and the promtool rule unit tests built from them.
 *
 * Each scenario writes raw series (what node-exporter, the model servers and the cost exporter
 * would expose), independently of the rules' expressions: one series set measures just above
 * the rule's threshold (the alert must fire), another just below it (it must not). Thresholds,
 * `for` durations and severities are read from the typed rule definitions, so the tests follow
 * the definitions; the expected labels are the ones the rule's expression keeps.
 */
import { AlertInputs, AlertRuleSpec } from "../../components/observability/alerts";
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

type ScenarioBuilder = (rule: AlertRuleSpec, inputs: AlertInputs) => AlertScenario[];

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

const serviceDown: ScenarioBuilder = () => {
    const down = { job: "node", instance: "node-exporter:9100", component: "host" };
    const up = { job: "redis", instance: "redis-exporter:9121", component: "redis" };
    return [
        {
            title: "one target down, one up",
            input: [gauge("up", down, 0), gauge("up", up, 1)],
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

const highErrorRate: ScenarioBuilder = (rule) => {
    const requestsPerSample = 1000;
    const notFoundPerSample = 100;
    /** Requests to one model: `errorRatio` of them answered 5xx, some 404 (not errors), the rest 200. */
    const requests = (job: string, model: string, errorRatio: number): InputSeries[] => {
        const errors = Math.round(requestsPerSample * errorRatio);
        const labels = { job, model, instance: `${model}-0:8000` };
        return [
            counter("http_requests_total", { ...labels, status: "500" }, Math.floor(errors / 2)),
            counter("http_requests_total", { ...labels, status: "503" }, errors - Math.floor(errors / 2)),
            counter("http_requests_total", { ...labels, status: "404" }, notFoundPerSample),
            counter("http_requests_total", { ...labels, status: "200" }, requestsPerSample - errors - notFoundPerSample),
        ];
    };
    const above = rule.threshold + 0.01;
    const below = rule.threshold - 0.01;
    return [
        {
            title: `${percent(above)} of requests to model a fail, ${percent(below)} to model b`,
            input: [...requests("model-a-stable", "a", above), ...requests("model-b-stable", "b", below)],
            holdsFrom: FIRST_RATE,
            firing: [{ labels: { job: "model-a-stable", model: "a" }, value: Math.round(requestsPerSample * above) / requestsPerSample }],
        },
    ];
};

const highGenerationLatency: ScenarioBuilder = (rule) => {
    const limit = rule.threshold;
    const bounds = [limit / 2, limit, 2 * limit];
    const perSample = 100;
    /**
     * Latency histogram of one model: `overLimit` of every 100 requests take between the limit and
     * twice the limit, the others between half the limit and the limit.
     */
    const histogram = (model: string, overLimit: number): InputSeries[] => {
        const cumulative = [0, perSample - overLimit, perSample];
        return [
            ...bounds.map((le, i) => counter("vllm:e2e_request_latency_seconds_bucket", { model, instance: `${model}-0:8000`, le: String(le) }, cumulative[i])),
            counter("vllm:e2e_request_latency_seconds_bucket", { model, instance: `${model}-0:8000`, le: "+Inf" }, perSample),
        ];
    };
    // The 95th of 100 requests falls in the bucket above the limit when more than 5 are over it,
    // and Prometheus interpolates linearly inside the bucket.
    const slowOverLimit = 6;
    const fastOverLimit = 4;
    const slowP95 = limit + ((2 * limit - limit) * (95 - (perSample - slowOverLimit))) / slowOverLimit;
    return [
        {
            title: `p95 latency ${Number(slowP95.toFixed(2))}s for model slow, under ${limit}s for model fast`,
            input: [...histogram("slow", slowOverLimit), ...histogram("fast", fastOverLimit)],
            holdsFrom: FIRST_RATE,
            firing: [{ labels: { model: "slow" }, value: slowP95 }],
        },
    ];
};

const modelUnavailable: ScenarioBuilder = () => {
    const replica = (model: string, track: string, value: number): InputSeries =>
        gauge("up", { component: "inference", job: `model-${model}-${track}`, model, track, instance: `${model}-${track}-0:8000` }, value);
    return [
        {
            title: "every replica of model a down, one of two of model b down, a monitoring target down",
            input: [
                replica("a", "stable", 0),
                replica("a", "canary", 0),
                replica("b", "stable", 0),
                replica("b", "canary", 1),
                gauge("up", { component: "monitoring", job: "grafana", instance: "grafana:3000" }, 0),
            ],
            holdsFrom: 0,
            firing: [{ labels: { model: "a" }, value: 0 }],
        },
    ];
};

const queueBacklog: ScenarioBuilder = (rule) => {
    const limit = rule.threshold;
    /** Requests waiting for one model, spread over two replicas. */
    const waiting = (model: string, total: number): InputSeries[] => [
        gauge("vllm:num_requests_waiting", { model, instance: `${model}-0:8000` }, Math.ceil(total / 2)),
        gauge("vllm:num_requests_waiting", { model, instance: `${model}-1:8000` }, Math.floor(total / 2)),
    ];
    return [
        {
            title: `${limit + 1} requests waiting for model a, ${limit} for model b, ${limit - 1} for model c`,
            input: [...waiting("a", limit + 1), ...waiting("b", limit), ...waiting("c", limit - 1)],
            holdsFrom: 0,
            firing: [{ labels: { model: "a" }, value: limit + 1 }],
        },
    ];
};

const budget: ScenarioBuilder = (rule, inputs) => {
    /** Month-to-date spend amounting to `fraction` of the budget, split over two services. */
    const spend = (fraction: number): InputSeries[] => {
        const total = inputs.monthlyBudgetUsd * fraction;
        return [
            gauge("genai_cost_month_to_date_usd", { service: "llm" }, total * 0.75),
            gauge("genai_cost_month_to_date_usd", { service: "image" }, total * 0.25),
        ];
    };
    const above = rule.threshold + 0.02;
    const below = rule.threshold - 0.02;
    return [
        {
            title: `spend at ${percent(above)} of the ${inputs.monthlyBudgetUsd} USD budget`,
            input: spend(above),
            holdsFrom: 0,
            firing: [{ labels: {}, value: above }],
        },
        {
            title: `spend at ${percent(below)} of the ${inputs.monthlyBudgetUsd} USD budget`,
            input: spend(below),
            holdsFrom: 0,
            firing: [],
        },
    ];
};

const SCENARIOS: Readonly<Record<string, ScenarioBuilder>> = {
    ServiceDown: serviceDown,
    HighCpuUsage: highCpuUsage,
    HighMemoryUsage: highMemoryUsage,
    HighErrorRate: highErrorRate,
    HighGenerationLatency: highGenerationLatency,
    ModelUnavailable: modelUnavailable,
    QueueBacklog: queueBacklog,
    BudgetThresholdReached: budget,
    BudgetCritical: budget,
};

/** The scenarios of one alert rule; throws when the rule has none. */
export function scenariosFor(rule: AlertRuleSpec, inputs: AlertInputs): AlertScenario[] {
    const build = SCENARIOS[rule.name];
    if (build === undefined) throw new Error(`alert ${rule.name} has no synthetic scenario: add one to test/real/alert-scenarios.ts`);
    return build(rule, inputs);
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
        exp_labels: { ...alert.labels, severity: rule.severity },
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
export function promtoolTestGroups(rule: AlertRuleSpec, inputs: AlertInputs): PromtoolTestGroup[] {
    return scenariosFor(rule, inputs).map((scenario) => {
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
