import { stringify } from "yaml";

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
}

export interface AlertInputs {
    /** Monthly budget in USD, the denominator of the budget alerts. */
    readonly monthlyBudgetUsd: number;
    /** Fraction of the budget of the first budget alert (seed 0.8). */
    readonly budgetAlertThreshold: number;
}

/** The fraction of the budget of the second, critical budget alert. */
export const BUDGET_CRITICAL_THRESHOLD = 0.9;

/** The seeds' alert rules. */
export function seedAlertRules(inputs: AlertInputs): AlertRuleSpec[] {
    return [
        {
            name: "ServiceDown",
            measure: "up",
            comparator: "==",
            threshold: 0,
            forSeconds: 30,
            severity: "critical",
            summary: "{{ $labels.job }} on {{ $labels.instance }} is down",
            description: "The scrape target has not answered for 30 seconds.",
        },
        {
            name: "HighCpuUsage",
            measure: '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[2m])))',
            comparator: ">",
            threshold: 80,
            forSeconds: 300,
            severity: "warning",
            summary: "CPU of {{ $labels.instance }} above 80%",
            description: "CPU usage is {{ $value | printf \"%.1f\" }}% for 5 minutes.",
        },
        {
            name: "HighMemoryUsage",
            measure: "100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)",
            comparator: ">",
            threshold: 85,
            forSeconds: 300,
            severity: "warning",
            summary: "Memory of {{ $labels.instance }} above 85%",
            description: "Memory usage is {{ $value | printf \"%.1f\" }}% for 5 minutes.",
        },
        {
            name: "HighErrorRate",
            measure:
                'sum by (job, model) (rate(http_requests_total{status=~"5.."}[2m])) / sum by (job, model) (rate(http_requests_total[2m]))',
            comparator: ">",
            threshold: 0.05,
            forSeconds: 120,
            severity: "critical",
            summary: "More than 5% of requests to {{ $labels.model }} fail with 5xx",
            description: "5xx ratio is {{ $value | humanizePercentage }} for 2 minutes.",
        },
        {
            name: "HighGenerationLatency",
            measure: "histogram_quantile(0.95, sum by (le, model) (rate(vllm:e2e_request_latency_seconds_bucket[5m])))",
            comparator: ">",
            threshold: 30,
            forSeconds: 180,
            severity: "warning",
            summary: "p95 generation latency of {{ $labels.model }} above 30 s",
            description: "p95 end-to-end latency is {{ $value | humanizeDuration }} for 3 minutes.",
        },
        {
            name: "ModelUnavailable",
            measure: 'max by (model) (up{component="inference"})',
            comparator: "==",
            threshold: 0,
            forSeconds: 60,
            severity: "critical",
            summary: "No replica of model {{ $labels.model }} is up",
            description: "Every replica of the model has been down for 1 minute.",
        },
        {
            name: "QueueBacklog",
            measure: "sum by (model) (vllm:num_requests_waiting)",
            comparator: ">",
            threshold: 50,
            forSeconds: 300,
            severity: "warning",
            summary: "More than 50 requests wait for model {{ $labels.model }}",
            description: "{{ $value }} requests have been waiting for 5 minutes.",
        },
        {
            name: "BudgetThresholdReached",
            measure: `sum(genai_cost_month_to_date_usd) / ${inputs.monthlyBudgetUsd}`,
            comparator: ">",
            threshold: inputs.budgetAlertThreshold,
            forSeconds: 300,
            severity: "warning",
            summary: `Month-to-date spend above ${Math.round(inputs.budgetAlertThreshold * 100)}% of the budget`,
            description: `Spend is {{ $value | humanizePercentage }} of the ${inputs.monthlyBudgetUsd} USD monthly budget.`,
        },
        {
            name: "BudgetCritical",
            measure: `sum(genai_cost_month_to_date_usd) / ${inputs.monthlyBudgetUsd}`,
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
    labels: { severity: Severity };
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
                labels: { severity: rule.severity },
                annotations: { summary: rule.summary, description: rule.description },
            })),
        },
    ];
}

/** A Prometheus rule file. */
export function renderPrometheusRules(rules: readonly AlertRuleSpec[]): string {
    return `# Generated by the genai-platform program: the platform's alert rules.\n${stringify({ groups: alertRuleGroups(rules) })}`;
}
