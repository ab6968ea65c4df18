import { stringify } from "yaml";
import { HOURS_PER_MONTH } from "../../catalog/prices";
import { ModelSpec, Track } from "../inference/model";
import { engineGauge, errorRatio, HaproxySignals, LoadBalancerSignals, requestLatency, slowRequestRatio } from "./signals";

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
    /** A condition that must also hold, whatever its labels (`and on ()`): the rule fires only while it has a series. */
    readonly onlyWhile?: string;
}

/**
 * What marks a deploy of a model in Prometheus. Dev: the load balancer's servers, whose weight moves
 * with a rollout step and whose state drops while a replaced container restarts. Cloud: kube-state-metrics,
 * a new ReplicaSet of the model's Deployment (a new pod template: image, weights, arguments; not a scale).
 */
export type DeploySignals =
    | { readonly kind: "load-balancer"; readonly signals: HaproxySignals }
    | {
          readonly kind: "kube-state-metrics";
          readonly namespace: string;
          readonly replicasetCreated: string;
          readonly deploymentCondition: string;
      };

/** The seeds' post-deploy watch: more than 1 % of requests failing for 2 minutes, within 15 minutes of a deploy. */
export const POST_DEPLOY = { errorRatio: 0.01, forSeconds: 120, withinSeconds: 900 } as const;

/**
 * A series while model `model` was deployed within the last `withinSeconds`, none otherwise. With `lagSeconds`, the
 * window starts that much after the deploy and lasts that much longer: for numbers that describe traffic
 * `lagSeconds` late (the ALB's), which before then still describe the previous version.
 */
export function recentDeploy(model: string, deploys: DeploySignals, withinSeconds: number = POST_DEPLOY.withinSeconds, lagSeconds = 0): string {
    const range = promDuration(withinSeconds);
    if (deploys.kind === "load-balancer") {
        const { weight, status } = deploys.signals;
        const offset = lagSeconds > 0 ? ` offset ${promDuration(lagSeconds)}` : "";
        return (
            `(max(changes(${weight.metric}{model="${model}"}[${range}]${offset})) > 0)` +
            ` or (max(changes(${status.metric}{model="${model}", ${status.stateLabel}="${status.up}"}[${range}]${offset})) > 0)`
        );
    }
    // ReplicaSets are named <deployment>-<pod-template-hash>; the model's Deployments <model>-<track> (model-k8s.ts).
    const age = `time() - max(${deploys.replicasetCreated}{namespace="${deploys.namespace}", replicaset=~"${model}-(stable|canary)-[a-z0-9]+"})`;
    return lagSeconds > 0 ? `(${age} < ${withinSeconds + lagSeconds}) >= ${lagSeconds}` : `${age} < ${withinSeconds}`;
}

export interface AlertInputs {
    /** The served models; their rules read the signals their engines (or the load balancer) export. */
    readonly models: readonly ModelSpec[];
    /** The load balancer's per-route metrics, where the platform has them. */
    readonly loadBalancer: LoadBalancerSignals;
    /**
     * The blackbox exporter probes each model's health endpoint (`probe_success` labeled `component="probe"`,
     * `model`, `track`): every replica in dev, each track's Service in the cloud. It watches the models whose engines
     * export no metrics. @default false
     */
    readonly probes?: boolean;
    /**
     * Spend on external model APIs, the counter the applications push (catalog/app-metrics.ts), watched over
     * the last 24 hours: a warning at `warningFraction` of the daily budget, a critical alert at `criticalUsd`.
     * No rule without it. The cloud's own spend is watched by AWS Budgets (components/observability/budget.ts) and `clusterCost`.
     */
    readonly apiSpend?: { readonly counter: string; readonly dailyBudgetUsd: number; readonly warningFraction: number; readonly criticalUsd: number };
    /**
     * The cluster's cost engine (OpenCost): `hourlyCost` is its per-node gauge of a node's price in USD per hour. Its
     * run rate (the nodes' current hourly cost x 730 hours) is watched against the monthly budget: a warning above
     * `warningFraction` of `monthlyBudgetUsd`, a critical alert above all of it. No rule without it.
     */
    readonly clusterCost?: {
        readonly hourlyCost: string;
        /**
         * OpenCost's 0/1 gauge of a spot node, and the discount taken off a spot node's price: without AWS's spot data
         * feed OpenCost prices spot nodes on demand, which would overstate a spot GPU fleet by the whole discount.
         */
        readonly isSpot: string;
        readonly spotDiscount: number;
        readonly monthlyBudgetUsd: number;
        readonly warningFraction: number;
    };
    /**
     * The AWS account's month-to-date estimated charges in USD (CloudWatch's billing metric, through the CloudWatch
     * exporter), against the ACCOUNT's monthly budget: a warning above `warningFraction` of `monthlyBudgetUsd`, a
     * critical alert above all of it. The whole account's spend, so never one stack's budget. No rule without it.
     */
    readonly accountSpend?: {
        readonly monthToDate: string;
        /** The exporter's gauge of a failed CloudWatch request: without an estimate the budget alerts cannot fire. */
        readonly scrapeErrors: string;
        /** The billing exporter's Service, whose `service` label its series carry (another exporter exports the same gauge). */
        readonly exporterService: string;
        readonly monthlyBudgetUsd: number;
        readonly warningFraction: number;
    };
    /**
     * The exporter of the ALB's per-route metrics: its gauge of a failed CloudWatch request and its Service. While its
     * requests fail, the error and latency alerts of the models without metrics of their own cannot fire. No rule without it.
     */
    readonly routeMetrics?: { readonly scrapeErrors: string; readonly exporterService: string };
    /**
     * The image models' outputs uploaders (cloud): kube-state-metrics' restart counter of init containers (the uploader
     * is a native sidecar), their namespace and container name. An uploader exits, and so restarts, when its pod has no
     * credentials or its syncs keep failing: generated images are then not reaching S3. No rule without it.
     */
    readonly outputsUploads?: { readonly restarts: string; readonly namespace: string; readonly container: string };
    /**
     * The dev backups' reports through the Pushgateway (catalog/app-metrics.ts BACKUP_METRICS): whether each source's
     * last run succeeded, and when its newest backup was written, which must be younger than `maxAgeSeconds`. No rule without it.
     */
    readonly backups?: {
        readonly lastRunSucceeded: string;
        readonly lastSuccess: string;
        readonly maxAgeSeconds: number;
        readonly retrySeconds: number;
        /** Name of a source's backup container, less `-<source>` (`genai-dev-backup`). */
        readonly containerPrefix: string;
    };
    /** What marks a deploy, for the deployment alerts; none without it. */
    readonly deploys?: DeploySignals;
    /** The gauges saying whether the data stores answer their exporters (`pg_up`, `redis_up`); no rule without one. */
    readonly dataStores?: { readonly database?: string; readonly cache?: string };
    /** Where disk usage is measured: the nodes' file systems (node-exporter), and the pods' volumes (the kubelet). */
    readonly disks?: { readonly nodes: boolean; readonly volumes: boolean };
}

/** The seeds' service-level objectives: errors under 1 %, availability over 99.5 %, p95 latency under 2 s. */
export const SLO = { errorRatio: 0.01, availability: 0.995, latencySeconds: 2, latencyQuantile: 0.95 } as const;

/**
 * Multi-window burn-rate alerts (Google SRE workbook, "Alerting on SLOs"): the budget spent `factor` times
 * faster than the objective allows, over a long window and, so that the alert resets quickly, a short one.
 */
export const BURN_RATES = [
    { speed: "Fast", severity: "critical", longSeconds: 3600, shortSeconds: 300, factor: 14.4, forSeconds: 120 },
    { speed: "Slow", severity: "warning", longSeconds: 21600, shortSeconds: 1800, factor: 6, forSeconds: 900 },
] as const;

/** Disk usage, in percent, at which the disk alerts fire. */
export const DISK_THRESHOLDS = { warningPercent: 85, criticalPercent: 95 } as const;

/** File systems that are not disks: memory, overlays of container layers, read-only images. */
const NOT_DISKS = 'fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs|autofs|proc|sysfs|devtmpfs"';

/** The fraction of the monthly budget at which AWS Budgets sends its second, critical notification. */
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

function deploymentRules(model: ModelSpec, lb: LoadBalancerSignals, deploys: DeploySignals): AlertRuleSpec[] {
    const errors = errorRatio(model, lb, "2m");
    if (!errors) return [];
    return [
        {
            name: "PostDeployErrorRate",
            measure: errors.query,
            comparator: ">",
            threshold: POST_DEPLOY.errorRatio,
            forSeconds: POST_DEPLOY.forSeconds,
            severity: "critical",
            model: model.name,
            onlyWhile: recentDeploy(model.name, deploys, POST_DEPLOY.withinSeconds, errors.lagSeconds ?? 0),
            summary: `More than 1% of requests to ${model.name} fail after a deploy`,
            description:
                `5xx ratio (${errors.source}) is {{ $value | humanizePercentage }} for 2 minutes within ${promDuration(POST_DEPLOY.withinSeconds)} of a change of what serves it` +
                `${errors.lagSeconds ? ` (its figures ${promDuration(errors.lagSeconds)} late, the window as late)` : ""}: roll back.`,
        },
    ];
}

/** A Deployment whose rollout stopped progressing (its progress deadline passed): cloud only. */
function deploymentFailedRule(deploys: Extract<DeploySignals, { kind: "kube-state-metrics" }>): AlertRuleSpec {
    return {
        name: "DeploymentFailed",
        measure: `max by (namespace, deployment) (${deploys.deploymentCondition}{namespace="${deploys.namespace}", condition="Progressing", status="false"})`,
        comparator: ">",
        threshold: 0,
        forSeconds: 60,
        severity: "critical",
        summary: "Deployment {{ $labels.deployment }} failed to roll out",
        description: "Its rollout passed its progress deadline without new pods becoming ready: the previous pods still serve. See kubectl rollout status.",
    };
}

function modelRules(model: ModelSpec, lb: LoadBalancerSignals, probes: boolean): AlertRuleSpec[] {
    const rules: AlertRuleSpec[] = [];
    const m = model.name;
    const down = modelDownSeconds(model);
    const replicaUp = replicaUpSelector(model, probes);
    const anyUp = replicaUp ? `max by (model) (${replicaUp})` : undefined;
    if (anyUp) {
        rules.push({
            name: "ModelUnavailable",
            measure: anyUp,
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
        ...inputs.models.flatMap((model) => sloRules(model, inputs)),
        ...dataStoreRules(inputs.dataStores),
        ...diskRules(inputs.disks),
        ...(inputs.deploys ? inputs.models.flatMap((model) => deploymentRules(model, inputs.loadBalancer, inputs.deploys!)) : []),
        ...(inputs.deploys?.kind === "kube-state-metrics" ? [deploymentFailedRule(inputs.deploys)] : []),
        ...(inputs.apiSpend ? apiSpendRules(inputs.apiSpend) : []),
        ...(inputs.clusterCost ? clusterCostRules(inputs.clusterCost) : []),
        ...(inputs.accountSpend ? accountSpendRules(inputs.accountSpend) : []),
        ...(inputs.outputsUploads ? [outputsUploadRule(inputs.outputsUploads)] : []),
        ...(inputs.backups ? backupRules(inputs.backups) : []),
        ...(inputs.routeMetrics ? [routeMetricsRule(inputs.routeMetrics)] : []),
    ];
}

/** How long the ALB metrics exporter's requests may fail before it warns: fifteen of its one-minute scrapes. */
export const ROUTE_METRICS_FOR_SECONDS = 900;

/** The ALB metrics exporter failing its CloudWatch requests: the alerts that read it see no traffic, and stay quiet. */
function routeMetricsRule(route: NonNullable<AlertInputs["routeMetrics"]>): AlertRuleSpec {
    return {
        name: "RouteMetricsUnknown",
        measure: `max(${route.scrapeErrors}{service="${route.exporterService}"})`,
        comparator: ">",
        threshold: 0,
        forSeconds: ROUTE_METRICS_FOR_SECONDS,
        severity: "warning",
        summary: "The ALB's per-route metrics are unknown to Prometheus",
        description:
            "For 15 minutes the exporter of the ALB's per-target-group metrics has failed its CloudWatch requests: the error and latency alerts " +
            `of the models without metrics of their own cannot fire. Read the ${route.exporterService} pod's logs.`,
    };
}

/**
 * A source whose last backup run failed, once the schedule's retry has had its chance (it retries after
 * `retrySeconds`); a source whose newest backup is older than `maxAgeSeconds` (a day and two hours), for an hour:
 * the schedule takes an overdue backup at once, so a laptop waking after days does not page for the minutes that takes.
 */
function backupRules(backups: NonNullable<AlertInputs["backups"]>): AlertRuleSpec[] {
    const container = `${backups.containerPrefix}-{{ $labels.source }}`;
    return [
        {
            name: "BackupFailed",
            measure: `max by (source) (${backups.lastRunSucceeded})`,
            comparator: "==",
            threshold: 0,
            forSeconds: backups.retrySeconds + 300,
            severity: "warning",
            summary: "The last backup of {{ $labels.source }} failed",
            description:
                `Its last run failed (a scheduled run is retried every ${promDuration(backups.retrySeconds)}, a manual \`genai-backup now\` is not); ` +
                `earlier backups are kept. Its logs say why: docker logs ${container}.`,
        },
        {
            name: "BackupStale",
            measure: `time() - max by (source) (${backups.lastSuccess})`,
            comparator: ">",
            threshold: backups.maxAgeSeconds,
            forSeconds: 3600,
            severity: "warning",
            summary: `The newest backup of {{ $labels.source }} is older than ${promDuration(backups.maxAgeSeconds)}`,
            description: `It was written {{ $value | humanizeDuration }} ago: the daily backup has not run or not succeeded since. docker logs ${container}.`,
        },
    ];
}

/** A data store whose exporter answers but which does not: the exporter's own `up` stays 1, its gauge drops to 0. */
function dataStoreRules(stores: AlertInputs["dataStores"]): AlertRuleSpec[] {
    const rule = (name: string, metric: string, what: string): AlertRuleSpec => ({
        name,
        measure: metric,
        comparator: "==",
        threshold: 0,
        forSeconds: 30,
        severity: "critical",
        summary: `${what} does not answer ({{ $labels.instance }})`,
        description: `The ${what} exporter has not reached ${what} for 30 seconds: requests that need it fail.`,
    });
    return [...(stores?.database ? [rule("DatabaseDown", stores.database, "Postgres")] : []), ...(stores?.cache ? [rule("RedisDown", stores.cache, "Redis")] : [])];
}

/** Disk usage of the nodes' file systems and of the pods' volumes (Prometheus', Loki's, Grafana's, Alertmanager's). */
function diskRules(disks: AlertInputs["disks"]): AlertRuleSpec[] {
    const sources = [
        ...(disks?.nodes
            ? [{ what: "file system {{ $labels.mountpoint }} on {{ $labels.instance }}", measure: `100 * (1 - node_filesystem_avail_bytes{${NOT_DISKS}} / node_filesystem_size_bytes{${NOT_DISKS}})`, kind: "node" }]
            : []),
        ...(disks?.volumes
            ? [{ what: "volume {{ $labels.persistentvolumeclaim }} in {{ $labels.namespace }}", measure: "100 * (1 - kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes)", kind: "volume" }]
            : []),
    ];
    return sources.flatMap((source) => [
        {
            name: source.kind === "node" ? "DiskSpaceLow" : "VolumeSpaceLow",
            measure: source.measure,
            comparator: ">" as const,
            threshold: DISK_THRESHOLDS.warningPercent,
            forSeconds: 600,
            severity: "warning" as const,
            summary: `${source.what} is ${DISK_THRESHOLDS.warningPercent}% full`,
            description: "Usage is {{ $value | printf \"%.1f\" }}% for 10 minutes: free space or grow the disk before writes fail.",
        },
        {
            name: source.kind === "node" ? "DiskSpaceCritical" : "VolumeSpaceCritical",
            measure: source.measure,
            comparator: ">" as const,
            threshold: DISK_THRESHOLDS.criticalPercent,
            forSeconds: 300,
            severity: "critical" as const,
            summary: `${source.what} is ${DISK_THRESHOLDS.criticalPercent}% full`,
            description: "Usage is {{ $value | printf \"%.1f\" }}% for 5 minutes: writes are about to fail.",
        },
    ]);
}

/**
 * The seeds' objectives as multi-window burn rates, per model, where the model has the signal: errors
 * (the engine's or the load balancer's 5xx ratio), latency (the share of requests slower than 2 s, from a
 * histogram with a bucket at 2 s), availability (any replica up, from scrapes or probes).
 */
function sloRules(model: ModelSpec, inputs: AlertInputs): AlertRuleSpec[] {
    const m = model.name;
    const replicaUp = replicaUpSelector(model, inputs.probes ?? false);
    const anyUp = replicaUp ? `max by (model) (${replicaUp})` : undefined;
    const objectives: { name: string; budget: number; over: (window: string) => string | undefined; what: string }[] = [
        { name: "ErrorBudget", budget: SLO.errorRatio, over: (w) => errorRatio(model, inputs.loadBalancer, w)?.query, what: "errors (objective: under 1% 5xx)" },
        {
            name: "LatencyBudget",
            budget: 1 - SLO.latencyQuantile,
            over: (w) => slowRequestRatio(model, SLO.latencySeconds, w)?.query,
            what: `latency (objective: p95 under ${SLO.latencySeconds} s)`,
        },
        {
            name: "AvailabilityBudget",
            budget: 1 - SLO.availability,
            over: (w) => (anyUp ? `1 - avg_over_time((clamp_max(${anyUp}, 1))[${w}:1m])` : undefined),
            what: "availability (objective: 99.5%)",
        },
    ];
    return objectives.flatMap((o) =>
        BURN_RATES.flatMap((burn): AlertRuleSpec[] => {
            const long = o.over(promDuration(burn.longSeconds));
            const short = o.over(promDuration(burn.shortSeconds));
            if (!long || !short) return [];
            const threshold = Number((burn.factor * o.budget).toFixed(6));
            return [
                {
                    name: `${o.name}${burn.speed}Burn`,
                    measure: long,
                    comparator: ">",
                    threshold,
                    forSeconds: burn.forSeconds,
                    severity: burn.severity,
                    model: m,
                    onlyWhile: `${short} > ${threshold}`,
                    summary: `${m} spends its ${o.what.split(" (")[0]} budget ${burn.factor}x too fast`,
                    description: `Over ${promDuration(burn.longSeconds)} and ${promDuration(burn.shortSeconds)}, ${o.what} is missed ${burn.factor} times faster than a 30-day budget allows.`,
                },
            ];
        }),
    );
}

/** One level of a budget: the rule's name, the amount it fires above, its one-line summary. */
interface BudgetLevel {
    readonly name: string;
    readonly threshold: number;
    readonly summary: string;
}

/** A spend measure watched at two levels of a budget: a warning, then a critical alert, with one measure, duration and description. */
function budgetRules(shared: Pick<AlertRuleSpec, "measure" | "forSeconds" | "description">, warning: BudgetLevel, critical: BudgetLevel): AlertRuleSpec[] {
    return [
        { ...shared, ...warning, comparator: ">", severity: "warning" },
        { ...shared, ...critical, comparator: ">", severity: "critical" },
    ];
}

/** The window of the daily API budget: the last 24 hours, rolling. */
export const API_SPEND_WINDOW = "1d";

/** External-API spend over the last 24 hours against the daily budget: a warning, then a critical alert. */
function apiSpendRules(spend: NonNullable<AlertInputs["apiSpend"]>): AlertRuleSpec[] {
    return budgetRules(
        {
            measure: `sum(increase(${spend.counter}[${API_SPEND_WINDOW}]))`,
            forSeconds: 60,
            description: `{{ $value | printf "%.2f" }} USD spent on external model APIs in the last 24 hours (daily budget ${spend.dailyBudgetUsd} USD).`,
        },
        {
            name: "ApiSpendHigh",
            threshold: spend.dailyBudgetUsd * spend.warningFraction,
            summary: `External API spend above ${Math.round(spend.warningFraction * 100)}% of the ${spend.dailyBudgetUsd} USD daily budget`,
        },
        { name: "ApiSpendCritical", threshold: spend.criticalUsd, summary: `External API spend above ${spend.criticalUsd} USD in 24 hours` },
    );
}

/**
 * How long the cluster's run rate must stay above a budget level before it alerts. The cluster autoscaler adds GPU
 * nodes for a queue burst and removes them once the queue drains: an hour above the level is a spending pattern, not
 * a burst. Waiting is cheap: an hour at the budget's rate spends 1/730 of the month's budget.
 */
export const CLUSTER_COST_FOR_SECONDS = 3600;

/**
 * The nodes' run rate against the monthly budget: a warning above the warning fraction, a critical alert above the
 * budget. One series per node (`max by (node)`), whichever OpenCost pod exported it: a restarted pod's old series
 * stays for the 5-minute lookback and must not count twice.
 */
function clusterCostRules(cost: NonNullable<AlertInputs["clusterCost"]>): AlertRuleSpec[] {
    // Each node once (max by node); spot nodes at the stack's spot discount; a missing side counts 0, not "no result".
    const perNode = `max by (node) (${cost.hourlyCost})`;
    const spotNodes = `(max by (node) (${cost.isSpot}) == 1)`;
    const measure =
        `${HOURS_PER_MONTH} * ((sum(${perNode} unless on (node) ${spotNodes}) or vector(0)) + ` +
        `${1 - cost.spotDiscount} * (sum(${perNode} and on (node) ${spotNodes}) or vector(0)))`;
    const description =
        `The nodes' current hourly cost (OpenCost, public on-demand prices; spot nodes at the stack's ${Math.round(cost.spotDiscount * 100)}% spot discount) x ${HOURS_PER_MONTH} hours projects {{ $value | printf "%.2f" }} USD a month ` +
        `(monthly budget ${cost.monthlyBudgetUsd} USD). A run rate, not month-to-date spend (AWS Budgets reports that), and the nodes only: the managed services come on top.`;
    return budgetRules(
        { measure, forSeconds: CLUSTER_COST_FOR_SECONDS, description },
        {
            name: "ClusterCostRunRateHigh",
            threshold: cost.monthlyBudgetUsd * cost.warningFraction,
            summary: `Cluster cost run rate above ${Math.round(cost.warningFraction * 100)}% of the ${cost.monthlyBudgetUsd} USD monthly budget`,
        },
        { name: "ClusterCostOverBudget", threshold: cost.monthlyBudgetUsd, summary: `Cluster cost run rate above the ${cost.monthlyBudgetUsd} USD monthly budget` },
    );
}

/** The window in which an uploader's restart counts: its crash-loop back-off reaches 5 minutes, so a failing one restarts within it. */
export const OUTPUTS_UPLOAD_WINDOW = "15m";

/** A restarting outputs uploader: its pod has no credentials, or three syncs in a row failed. */
function outputsUploadRule(uploads: NonNullable<AlertInputs["outputsUploads"]>): AlertRuleSpec {
    return {
        name: "OutputsUploadFailing",
        measure: `sum by (pod) (increase(${uploads.restarts}{namespace="${uploads.namespace}", container="${uploads.container}"}[${OUTPUTS_UPLOAD_WINDOW}]))`,
        comparator: ">",
        threshold: 0,
        forSeconds: 60,
        severity: "warning",
        summary: "Generated images of {{ $labels.pod }} are not reaching S3",
        description:
            "Its uploader restarted in the last 15 minutes: three syncs in a row failed, or the pod has no Pod Identity credentials (restart the Deployment). " +
            "Images stay in the pod until it stops; its logs say why.",
    };
}

/**
 * How long the account's spend must stay above a budget level before it alerts. Month-to-date spend only grows within
 * a month and AWS updates it a few times a day: once above a level it stays there until the month ends, so waiting
 * longer would only delay the alert. The 5 minutes ride out a single odd scrape.
 */
export const ACCOUNT_SPEND_FOR_SECONDS = 300;

/**
 * The account's month-to-date spend against the account's monthly budget. `max`: one value for the account, whichever
 * exporter pod reported it (a restarted pod's old series stays for the 5-minute lookback).
 */
function accountSpendRules(spend: NonNullable<AlertInputs["accountSpend"]>): AlertRuleSpec[] {
    const description =
        `AWS estimates the account's charges this month at {{ $value | printf "%.2f" }} USD (account monthly budget ${spend.monthlyBudgetUsd} USD): ` +
        "every stack and service of the account, updated a few times a day by AWS. Cost Explorer shows where it goes.";
    return [
        ...budgetRules(
            { measure: `max(${spend.monthToDate})`, forSeconds: ACCOUNT_SPEND_FOR_SECONDS, description },
            {
                name: "AccountSpendHigh",
                threshold: spend.monthlyBudgetUsd * spend.warningFraction,
                summary: `AWS account spend this month above ${Math.round(spend.warningFraction * 100)}% of the ${spend.monthlyBudgetUsd} USD account budget`,
            },
            { name: "AccountSpendOverBudget", threshold: spend.monthlyBudgetUsd, summary: `AWS account spend this month above the ${spend.monthlyBudgetUsd} USD account budget` },
        ),
        {
            // An hour: the exporter retries at every scrape, and a missing estimate is a setup problem, not a page.
            name: "AccountSpendUnknown",
            measure: `(absent(${spend.monthToDate}) or max(${spend.scrapeErrors}{service="${spend.exporterService}"}))`,
            comparator: ">",
            threshold: 0,
            forSeconds: 3600,
            severity: "warning",
            summary: "The AWS account's spend is unknown to Prometheus",
            description:
                "For an hour there has been no billing estimate, or the CloudWatch exporter's requests failed: AccountSpendHigh and AccountSpendOverBudget cannot fire. " +
                'Turn on "Receive CloudWatch billing alerts" in the Billing preferences, and read the cloudwatch-exporter pod\'s logs.',
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
                expr: rule.onlyWhile ? `(${rule.measure} ${rule.comparator} ${rule.threshold}) and on () (${rule.onlyWhile})` : `${rule.measure} ${rule.comparator} ${rule.threshold}`,
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
