import { stringify } from "yaml";
import { ModelSpec, Track } from "../inference/model";
import { engineGauge, errorRatio, LoadBalancerSignals, requestLatency } from "./signals";

export type Severity = "critical" | "warning";

/**
 * One alert, as typed data: the measured expression, how it compares with its threshold,
 * and how long the condition must hold. Rendered into a Prometheus rule file (dev) and a
 * PrometheusRule (Kubernetes) from this single definition.
 */
export interface AlertRuleSpec {
    /** Name of the alert (`alertname`). */
    readonly name: string;
    /** PromQL of the measured value, without the comparison. */
    readonly measure: string;
    /** How the measure compares with the threshold. */
    readonly comparator: ">" | "==";
    /** The value the measure is compared with. */
    readonly threshold: number;
    /** How long the condition must hold before the alert fires, in seconds. */
    readonly forSeconds: number;
    /** Routing severity: critical or warning. */
    readonly severity: Severity;
    /** One-line annotation, may use `$labels` and `$value`. */
    readonly summary: string;
    /** Longer annotation. */
    readonly description: string;
    /** The model the rule watches, for a per-model rule. */
    readonly model?: string;
    /** The track the rule watches, for a per-track rule. */
    readonly track?: Track;
}

export interface AlertInputs {
    /** The served models; their rules read the signals their engines (or the load balancer) export. */
    readonly models: readonly ModelSpec[];
    /** The load balancer's per-route metrics, where the platform has them. */
    readonly loadBalancer: LoadBalancerSignals;
    /**
     * The blackbox exporter probes every model replica's health endpoint (job labels `component="probe"`,
     * `model`, `track`): it watches the models whose engines export no metrics. @default false
     */
    readonly probes?: boolean;
    /**
     * The metric that carries month-to-date spend in USD, where something the platform runs publishes
     * one; without it there is no budget alert in Prometheus (AWS Budgets still alerts on cloud spend).
     */
    readonly spendMetric?: string;
    /** Monthly budget in USD, the denominator of the budget alerts. */
    readonly monthlyBudgetUsd: number;
    /** Fraction of the budget of the first budget alert (seed 0.8). */
    readonly budgetAlertThreshold: number;
}

/** The fraction of the budget of the second, critical budget alert. */
export const BUDGET_CRITICAL_THRESHOLD = 0.9;

/** Seeds' thresholds. */
export const THRESHOLDS = {
    errorRatio: 0.05,
    latencySeconds: 30,
    queueBacklog: 50,
    cpuPercent: 80,
    memoryPercent: 85,
} as const;

/** The series that says whether one replica of a model is up: its scrape, or its health probe where it has no metrics. */
export function replicaUpSelector(model: ModelSpec, probes = false): string | undefined {
    if (model.engine.metrics) return `up{component="inference", model="${model.name}"}`;
    return probes ? `probe_success{component="probe", model="${model.name}"}` : undefined;
}

/** Seconds a model's replica may be down before it pages: its engine's load time, at least a minute. */
export function modelDownSeconds(model: ModelSpec): number {
    return Math.max(60, model.engine.readySeconds);
}

function modelRules(model: ModelSpec, lb: LoadBalancerSignals, probes: boolean): AlertRuleSpec[] {
    const rules: AlertRuleSpec[] = [];
    const m = model.name;
    const down = modelDownSeconds(model);
    const replicaUp = replicaUpSelector(model, probes);
    if (replicaUp) {
        rules.push({
            name: "ModelUnavailable",
            measure: `max by (model) (${replicaUp})`,
            comparator: "==",
            threshold: 0,
            forSeconds: down,
            severity: "critical",
            model: m,
            summary: `No replica of model ${m} is up`,
            description: `Every replica of the model has been down for longer than its engine takes to load (${promDuration(down)}).`,
        });
    }
    const errors = errorRatio(model, lb, "2m");
    if (errors) {
        rules.push({
            name: "HighErrorRate",
            measure: errors.query,
            comparator: ">",
            threshold: THRESHOLDS.errorRatio,
            forSeconds: 120,
            severity: "critical",
            model: m,
            summary: `More than 5% of requests to ${m} fail with 5xx`,
            description: `5xx ratio (${errors.source}) is {{ $value | humanizePercentage }} for 2 minutes.`,
        });
    }
    const canaryErrors = model.canary ? errorRatio(model, lb, "2m", "canary") : undefined;
    if (canaryErrors) {
        rules.push({
            name: "CanaryHighErrorRate",
            measure: canaryErrors.query,
            comparator: ">",
            threshold: THRESHOLDS.errorRatio,
            forSeconds: 120,
            severity: "critical",
            model: m,
            track: "canary",
            summary: `More than 5% of requests to the canary of ${m} fail with 5xx`,
            description: `The canary's own 5xx ratio (${canaryErrors.source}), not diluted by stable traffic, is {{ $value | humanizePercentage }} for 2 minutes.`,
        });
    }
    const latency = requestLatency(model, lb, "5m");
    if (latency) {
        rules.push({
            name: model.kind === "image" ? "ImageGenerationSlow" : "HighGenerationLatency",
            measure: latency.query,
            comparator: ">",
            threshold: THRESHOLDS.latencySeconds,
            forSeconds: 180,
            severity: "warning",
            model: m,
            summary: `${latency.statistic === "p95" ? "p95" : "Mean"} ${model.kind === "image" ? "image generation" : "generation"} latency of ${m} above 30 s`,
            description: `${latency.statistic === "p95" ? "p95" : "Mean (the load balancer has no percentile)"} latency is {{ $value | humanizeDuration }} for 3 minutes.`,
        });
    }
    const queue = engineGauge(model, "queueLength", "sum");
    if (queue) {
        rules.push({
            name: "QueueBacklog",
            measure: queue.query,
            comparator: ">",
            threshold: THRESHOLDS.queueBacklog,
            forSeconds: 300,
            severity: "warning",
            model: m,
            summary: `More than 50 requests wait for model ${m}`,
            description: "{{ $value }} requests have been waiting for 5 minutes.",
        });
    }
    return rules;
}

/** The platform's alert rules: the seeds' nine, rendered per model from its engine's signals. */
export function platformAlertRules(inputs: AlertInputs): AlertRuleSpec[] {
    return [
        {
            name: "ServiceDown",
            measure: 'up{component!="inference"}',
            comparator: "==",
            threshold: 0,
            forSeconds: 30,
            severity: "critical",
            summary: "{{ $labels.job }} on {{ $labels.instance }} is down",
            description: "The scrape target has not answered for 30 seconds.",
        },
        ...inputs.models
            .filter((model) => replicaUpSelector(model, inputs.probes) !== undefined)
            .map(
                (model): AlertRuleSpec => ({
                    name: "ServiceDown",
                    measure: replicaUpSelector(model, inputs.probes)!,
                    comparator: "==",
                    threshold: 0,
                    forSeconds: modelDownSeconds(model),
                    severity: "critical",
                    model: model.name,
                    summary: "{{ $labels.job }} on {{ $labels.instance }} is down",
                    description: `The model server has not answered for longer than its engine takes to load (${promDuration(modelDownSeconds(model))}).`,
                }),
            ),
        {
            name: "HighCpuUsage",
            measure: '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[2m])))',
            comparator: ">",
            threshold: THRESHOLDS.cpuPercent,
            forSeconds: 300,
            severity: "warning",
            summary: "CPU of {{ $labels.instance }} above 80%",
            description: "CPU usage is {{ $value | printf \"%.1f\" }}% for 5 minutes.",
        },
        {
            name: "HighMemoryUsage",
            measure: "100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)",
            comparator: ">",
            threshold: THRESHOLDS.memoryPercent,
            forSeconds: 300,
            severity: "warning",
            summary: "Memory of {{ $labels.instance }} above 85%",
            description: "Memory usage is {{ $value | printf \"%.1f\" }}% for 5 minutes.",
        },
        ...inputs.models.flatMap((model) => modelRules(model, inputs.loadBalancer, inputs.probes ?? false)),
        ...(inputs.spendMetric ? budgetRules(inputs.spendMetric, inputs) : []),
    ];
}

function budgetRules(spendMetric: string, inputs: AlertInputs): AlertRuleSpec[] {
    return [
        {
            name: "BudgetThresholdReached",
            measure: `sum(${spendMetric}) / ${inputs.monthlyBudgetUsd}`,
            comparator: ">",
            threshold: inputs.budgetAlertThreshold,
            forSeconds: 300,
            severity: "warning",
            summary: `Month-to-date spend above ${Math.round(inputs.budgetAlertThreshold * 100)}% of the budget`,
            description: `Spend is {{ $value | humanizePercentage }} of the ${inputs.monthlyBudgetUsd} USD monthly budget.`,
        },
        {
            name: "BudgetCritical",
            measure: `sum(${spendMetric}) / ${inputs.monthlyBudgetUsd}`,
            comparator: ">",
            threshold: BUDGET_CRITICAL_THRESHOLD,
            forSeconds: 300,
            severity: "critical",
            summary: `Month-to-date spend above ${Math.round(BUDGET_CRITICAL_THRESHOLD * 100)}% of the budget`,
            description: `Spend is {{ $value | humanizePercentage }} of the ${inputs.monthlyBudgetUsd} USD monthly budget.`,
        },
    ];
}

/** Prometheus duration of a number of seconds (`30s`, `5m`). */
export function promDuration(seconds: number): string {
    if (seconds % 3600 === 0 && seconds > 0) return `${seconds / 3600}h`;
    if (seconds % 60 === 0 && seconds > 0) return `${seconds / 60}m`;
    return `${seconds}s`;
}

export interface PrometheusRule {
    alert: string;
    expr: string;
    for: string;
    /** The routing severity, and the model a per-model rule watches (which also keeps same-named rules apart). */
    labels: { severity: Severity; model?: string };
    annotations: { summary: string; description: string };
}

export interface PrometheusRuleGroup {
    name: string;
    rules: PrometheusRule[];
}

/** The rule groups, in the shape both a rule file and a PrometheusRule's `spec.groups` take. */
export function alertRuleGroups(rules: readonly AlertRuleSpec[]): PrometheusRuleGroup[] {
    return [
        {
            name: "genai-platform",
            rules: rules.map((rule) => ({
                alert: rule.name,
                expr: `${rule.measure} ${rule.comparator} ${rule.threshold}`,
                for: promDuration(rule.forSeconds),
                labels: rule.model ? { severity: rule.severity, model: rule.model } : { severity: rule.severity },
                annotations: { summary: rule.summary, description: rule.description },
            })),
        },
    ];
}

/** A Prometheus rule file. */
export function renderPrometheusRules(rules: readonly AlertRuleSpec[]): string {
    return `# Generated by the genai-platform program: the platform's alert rules.\n${stringify({ groups: alertRuleGroups(rules) })}`;
}
