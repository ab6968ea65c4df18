import { expect } from "chai";
import { parse } from "yaml";
import { LOAD_BALANCER_SIGNALS } from "../../catalog/images";
import { ModelSpec } from "../../components/inference/model";
import { AlertRuleSpec, alertRuleGroups, modelDownSeconds, platformAlertRules, promDuration, renderPrometheusRules, THRESHOLDS } from "../../components/observability/alerts";
import {
    BLACKBOX_MODULE,
    lokiRetentionHours,
    prometheusArgs,
    RECEIVERS,
    renderAlertmanagerConfig,
    renderBlackboxConfig,
    renderLokiConfig,
    renderPrometheusConfig,
} from "../../components/observability/config-files";
import { DATASOURCE_UIDS, GPU_PANELS, GRAFANA_SUB_PATH, grafanaPath, INFERENCE_LOG_SELECTOR, inferencePanels, renderInferenceDashboard } from "../../components/observability/grafana";
import {
    DOCKER_API_ALLOWED_PATHS,
    renderDockerAlloyConfig,
    renderDockerApiProxyConfig,
    renderKubernetesAlloyConfig,
} from "../../components/observability/log-shipping";
import { engineCounterRate, engineGauge, errorRatio, requestLatency, requestRate, signalSource } from "../../components/observability/signals";
import { alertInputsOf } from "../../stacks/alert-inputs";
import { stackConfigOf } from "../support/dev-stack";
import { metricNamesIn } from "../support/promql";

const LB = LOAD_BALANCER_SIGNALS;
const dev = stackConfigOf("dev");
const staging = stackConfigOf("staging");
const byName = (models: readonly ModelSpec[], name: string) => models.find((m) => m.name === name)!;
/** llama.cpp: a queue gauge and token counters, no status counts or latency. */
const llama = byName(dev.models, "llm");
/** ComfyUI: no metrics at all. */
const comfy = byName(dev.models, "image");
/** vLLM, stable and canary of two releases that export the same signals. */
const vllm = byName(staging.models, "llm");

const rulesNamed = (rules: readonly AlertRuleSpec[], name: string, model?: string) => rules.filter((r) => r.name === name && r.model === model);

describe("observability", () => {
    before(() => {
        expect(llama.engine.id).to.equal("llama-cpp");
        expect(comfy.engine.id).to.equal("comfyui");
        expect(vllm.engine.id).to.equal("vllm");
        expect(vllm.canary, "the staging LLM runs a canary").to.not.equal(undefined);
    });

    describe("signals", () => {
        it("reads an engine's own 5xx ratio from its status-labelled counter, with or without a load balancer", () => {
            for (const lb of [LB, undefined]) {
                const q = errorRatio(vllm, lb, "2m")!;
                expect(q.source).to.equal("engine");
                expect(q.query).to.equal('sum by (model) (rate(http_requests_total{model="llm", status="5xx"}[2m])) / sum by (model) (rate(http_requests_total{model="llm"}[2m]))');
            }
        });

        it("scopes a query to one track, or groups it by track", () => {
            expect(errorRatio(vllm, undefined, "2m", "canary")!.query).to.equal(
                'sum by (model, track) (rate(http_requests_total{model="llm", track="canary", status="5xx"}[2m])) / sum by (model, track) (rate(http_requests_total{model="llm", track="canary"}[2m]))',
            );
            expect(requestRate(vllm, undefined, "5m", "by-track")!.query).to.equal('sum by (model, track) (rate(http_requests_total{model="llm"}[5m]))');
        });

        it("falls back to the load balancer's responses for engines without status counts, and to nothing without it", () => {
            for (const m of [llama, comfy]) {
                const q = errorRatio(m, LB, "2m")!;
                expect(q.source, m.name).to.equal("load-balancer");
                expect(q.query).to.contain(`${LB.responses.metric}{model="${m.name}", ${LB.responses.statusLabel}="${LB.responses.serverErrors}"}[2m]`);
                expect(metricNamesIn(q.query)).to.deep.equal([LB.responses.metric]);
                expect(errorRatio(m, undefined, "2m"), m.name).to.equal(undefined);
                expect(requestRate(m, LB, "5m")!.source).to.equal("load-balancer");
                expect(requestRate(m, undefined, "5m"), m.name).to.equal(undefined);
            }
        });

        it("takes vLLM's p95 latency from its histogram buckets", () => {
            const q = requestLatency(vllm, undefined, "5m")!;
            expect(q).to.deep.include({ source: "engine", statistic: "p95" });
            expect(q.query).to.equal('histogram_quantile(0.95, sum by (le, model) (rate(vllm:e2e_request_latency_seconds_bucket{model="llm"}[5m])))');
            expect(requestLatency(vllm, undefined, "5m", undefined, 0.5)!.query.startsWith("histogram_quantile(0.5, ")).to.equal(true);
        });

        it("takes the load balancer's per-server mean, weighted by request rate, where the engine has no latency", () => {
            for (const m of [llama, comfy]) {
                const q = requestLatency(m, LB, "5m")!;
                expect(q).to.deep.include({ source: "load-balancer", statistic: "mean" });
                expect(metricNamesIn(q.query).sort()).to.deep.equal([LB.latency.metric, LB.responses.metric].sort());
                expect(q.query).to.contain("* on (model, track, server) group_left");
                expect(requestLatency(m, undefined, "5m"), m.name).to.equal(undefined);
            }
        });

        it("reads an engine's gauges and counters only where it exports them", () => {
            expect(engineGauge(llama, "queueLength", "sum")!.query).to.equal('sum by (model) (llamacpp:requests_deferred{model="llm"})');
            expect(engineGauge(vllm, "queueLength", "sum")!.query).to.equal('sum by (model) (vllm:num_requests_waiting{model="llm"})');
            expect(engineGauge(vllm, "kvCacheUsage", "avg")!.query).to.equal('avg by (model) (vllm:kv_cache_usage_perc{model="llm"})');
            expect(engineGauge(llama, "kvCacheUsage", "avg")).to.equal(undefined);
            expect(engineGauge(comfy, "queueLength", "sum")).to.equal(undefined);
            expect(engineCounterRate(vllm, "generationTokens", "5m")!.query).to.equal('sum by (model) (rate(vllm:generation_tokens_total{model="llm"}[5m]))');
            expect(engineCounterRate(llama, "promptTokens", "5m")!.query).to.equal('sum by (model) (rate(llamacpp:prompt_tokens_total{model="llm"}[5m]))');
            expect(engineCounterRate(comfy, "generationTokens", "5m")).to.equal(undefined);
        });

        it("adds extra matchers after the model and track", () => {
            expect(engineGauge(vllm, "runningRequests", "sum", "stable", ['namespace="genai"'])!.query).to.equal(
                'sum by (model, track) (vllm:num_requests_running{model="llm", track="stable", namespace="genai"})',
            );
        });

        it("says a track the model does not run has no source", () => {
            const source = signalSource(llama, "queueLength", "canary");
            expect(source).to.deep.equal({ kind: "absent", reason: "model llm has no canary version", fallback: "none" });
            expect(engineGauge(llama, "queueLength", "sum", "canary")).to.equal(undefined);
            expect(signalSource(vllm, "queueLength", "canary")).to.deep.include({ kind: "gauge", metric: "vllm:num_requests_waiting" });
        });
    });

    describe("alert rules", () => {
        const devRules = platformAlertRules({ models: dev.models, loadBalancer: LB });

        it("watches a model's replicas only where its engine has a metrics endpoint", () => {
            expect(rulesNamed(devRules, "ModelUnavailable", "llm")).to.have.length(1);
            expect(rulesNamed(devRules, "ServiceDown", "llm")).to.have.length(1);
            expect(devRules.filter((r) => r.model === "image" && (r.name === "ModelUnavailable" || r.name === "ServiceDown"))).to.deep.equal([]);
        });

        it("renders error and latency rules from the load balancer where the engine lacks them, and none without it", () => {
            for (const name of ["llm", "image"]) expect(rulesNamed(devRules, "HighErrorRate", name), name).to.have.length(1);
            expect(rulesNamed(devRules, "HighGenerationLatency", "llm")[0].summary).to.equal("Mean generation latency of llm above 30 s");
            expect(rulesNamed(devRules, "ImageGenerationSlow", "image")[0].summary).to.equal("Mean image generation latency of image above 30 s");
            const without = platformAlertRules({ models: dev.models, loadBalancer: undefined });
            expect(without.filter((r) => ["HighErrorRate", "HighGenerationLatency", "ImageGenerationSlow"].includes(r.name))).to.deep.equal([]);
        });

        it("alerts on a queue backlog only for engines with a queue gauge", () => {
            const backlog = devRules.filter((r) => r.name === "QueueBacklog");
            expect(backlog.map((r) => r.model)).to.deep.equal(["llm"]);
            expect(backlog[0]).to.deep.include({ comparator: ">", threshold: THRESHOLDS.queueBacklog, measure: engineGauge(llama, "queueLength", "sum")!.query });
        });

        it("watches a canary's own error ratio, scoped to its track, only when a canary runs", () => {
            const rules = platformAlertRules({ models: staging.models, loadBalancer: undefined });
            const [canary] = rulesNamed(rules, "CanaryHighErrorRate", "llm");
            expect(canary).to.deep.include({ track: "canary", threshold: THRESHOLDS.errorRatio, measure: errorRatio(vllm, undefined, "2m", "canary")!.query });
            expect(rulesNamed(rules, "HighGenerationLatency", "llm")[0].summary).to.match(/^p95 generation latency/);
            expect(devRules.filter((r) => r.name === "CanaryHighErrorRate")).to.deep.equal([]);
        });

        it("waits the engine's load time before a model is down, a minute at least", () => {
            expect(modelDownSeconds(vllm)).to.equal(600);
            expect(modelDownSeconds(llama)).to.equal(60);
            expect(modelDownSeconds(comfy)).to.equal(120);
            expect(modelDownSeconds({ ...llama, engine: { ...llama.engine, readySeconds: 5 } })).to.equal(60);
            expect(rulesNamed(devRules, "ModelUnavailable", "llm")[0].forSeconds).to.equal(modelDownSeconds(llama));
        });

        it("watches the external APIs' spend over 24 hours at the warning fraction and the critical level, only with the counter", () => {
            expect(devRules.filter((r) => r.name.startsWith("ApiSpend"))).to.deep.equal([]);
            const apiSpend = { counter: "genai_api_spend_usd_total", dailyBudgetUsd: 50, warningFraction: 0.8, criticalUsd: 45 };
            const rules = platformAlertRules({ models: dev.models, loadBalancer: LB, apiSpend });
            const spend = rules.filter((r) => r.name.startsWith("ApiSpend"));
            expect(spend.map((r) => [r.name, r.threshold, r.severity])).to.deep.equal([
                ["ApiSpendHigh", 40, "warning"],
                ["ApiSpendCritical", 45, "critical"],
            ]);
            for (const r of spend) expect(r.measure).to.equal("sum(increase(genai_api_spend_usd_total[1d]))");
        });

        it("watches the cluster's run rate (hourly node cost x 730) at the warning fraction and at the monthly budget for an hour, only with OpenCost's gauge", () => {
            expect(devRules.filter((r) => r.name.startsWith("ClusterCost"))).to.deep.equal([]);
            const clusterCost = { hourlyCost: "node_total_hourly_cost", isSpot: "kubecost_node_is_spot", spotDiscount: 0.6, monthlyBudgetUsd: 6000, warningFraction: 0.8 };
            const rules = platformAlertRules({ models: staging.models, loadBalancer: undefined, clusterCost }).filter((r) => r.name.startsWith("ClusterCost"));
            expect(rules.map((r) => [r.name, r.threshold, r.severity, r.forSeconds])).to.deep.equal([
                ["ClusterCostRunRateHigh", 4800, "warning", 3600],
                ["ClusterCostOverBudget", 6000, "critical", 3600],
            ]);
            for (const r of rules) {
                // One series per node, whichever OpenCost pod exported it, spot nodes discounted, projected over 730 hours.
                expect(r.measure).to.equal(
                    "730 * ((sum(max by (node) (node_total_hourly_cost) unless on (node) (max by (node) (kubecost_node_is_spot) == 1)) or vector(0)) + " +
                        "0.4 * (sum(max by (node) (node_total_hourly_cost) and on (node) (max by (node) (kubecost_node_is_spot) == 1)) or vector(0)))",
                );
                expect(r.description).to.contain("run rate, not month-to-date spend");
            }
            expect(rules[0].summary).to.equal("Cluster cost run rate above 80% of the 6000 USD monthly budget");
            // The spot discount is the one the offline cost estimate applies.
            expect(alertInputsOf(staging).clusterCost).to.deep.equal({ ...clusterCost, spotDiscount: staging.costAssumptions.spotDiscount });
            expect(alertInputsOf(dev).clusterCost).to.equal(undefined);
        });

        it("warns when an image model's outputs uploader restarts, in the cloud only, from kube-state-metrics' init-container restarts", () => {
            const [rule] = platformAlertRules(alertInputsOf(staging)).filter((r) => r.name === "OutputsUploadFailing");
            expect(rule).to.deep.include({ comparator: ">", threshold: 0, severity: "warning" });
            expect(rule.measure).to.equal(
                'sum by (pod) (increase(kube_pod_init_container_status_restarts_total{namespace="genai-staging", container="upload-outputs"}[15m]))',
            );
            expect(platformAlertRules(alertInputsOf(dev)).filter((r) => r.name === "OutputsUploadFailing")).to.deep.equal([]);
        });

        it("watches the account's month-to-date spend at the warning fraction and above the account budget for 5 minutes, only with an account budget", () => {
            expect(alertInputsOf(staging).accountSpend).to.equal(undefined);
            expect(alertInputsOf(dev).accountSpend).to.equal(undefined);
            const accountSpend = { monthToDate: "aws_billing_estimated_charges_maximum", scrapeErrors: "cloudwatch_exporter_scrape_error", exporterService: "cloudwatch-exporter", monthlyBudgetUsd: 25000, warningFraction: 0.8 };
            const all = platformAlertRules({ models: staging.models, loadBalancer: undefined, accountSpend });
            // Without an estimate (billing metrics off, or failing requests) the budget rules cannot fire: that warns too.
            const [unknown] = all.filter((r) => r.name === "AccountSpendUnknown");
            expect(unknown).to.deep.include({
                // The billing exporter's own errors: the ALB metrics exporter exports the same gauge.
                measure: '(absent(aws_billing_estimated_charges_maximum) or max(cloudwatch_exporter_scrape_error{service="cloudwatch-exporter"}))',
                comparator: ">",
                threshold: 0,
                forSeconds: 3600,
                severity: "warning",
            });
            const rules = all.filter((r) => r.name.startsWith("AccountSpend") && r.name !== "AccountSpendUnknown");
            expect(rules.map((r) => [r.name, r.comparator, r.threshold, r.severity, r.forSeconds])).to.deep.equal([
                ["AccountSpendHigh", ">", 20000, "warning", 300],
                ["AccountSpendOverBudget", ">", 25000, "critical", 300],
            ]);
            for (const r of rules) expect(r.measure).to.equal("max(aws_billing_estimated_charges_maximum)");
            expect(rules[0].summary).to.equal("AWS account spend this month above 80% of the 25000 USD account budget");
            // Read from the new key, never from the stack's own monthly budget.
            const withBudget = stackConfigOf("staging", { accountMonthlyBudgetUsd: "25000" });
            expect(alertInputsOf(withBudget).accountSpend).to.deep.equal(accountSpend);
            expect(alertInputsOf(stackConfigOf("dev", { accountMonthlyBudgetUsd: "25000" })).accountSpend).to.equal(undefined);
        });

        it("gives every rule a severity, a summary and a positive duration, and names distinct per model", () => {
            for (const r of devRules) {
                expect(["critical", "warning"], r.name).to.include(r.severity);
                expect(r.summary, r.name).to.not.equal("");
                expect(r.forSeconds, r.name).to.be.greaterThan(0);
            }
            const keys = devRules.map((r) => `${r.name}/${r.model ?? ""}`);
            expect(new Set(keys).size).to.equal(keys.length);
        });

        it("writes durations as Prometheus does: hours, minutes, else seconds", () => {
            expect(promDuration(30)).to.equal("30s");
            expect(promDuration(60)).to.equal("1m");
            expect(promDuration(300)).to.equal("5m");
            expect(promDuration(90)).to.equal("90s");
            expect(promDuration(3600)).to.equal("1h");
            expect(promDuration(7200)).to.equal("2h");
            expect(promDuration(0)).to.equal("0s");
        });

        it("renders each rule as expression, duration and labels, adding the model to per-model rules", () => {
            const [group] = alertRuleGroups(devRules);
            expect(group.name).to.equal("genai-platform");
            expect(group.rules).to.have.length(devRules.length);
            devRules.forEach((spec, i) => {
                const rule = group.rules[i];
                expect(rule.alert).to.equal(spec.name);
                const condition = `${spec.measure} ${spec.comparator} ${spec.threshold}`;
                // A rule that also needs another condition (a recent deploy, the short burn window) keeps both, whatever their labels.
                expect(rule.expr).to.equal(spec.onlyWhile ? `(${condition}) and on () (${spec.onlyWhile})` : condition);
                expect(rule.for).to.equal(promDuration(spec.forSeconds));
                expect(rule.labels).to.deep.equal(spec.model ? { severity: spec.severity, model: spec.model } : { severity: spec.severity });
            });
        });

        it("writes a rule file Prometheus reads as YAML with the same groups", () => {
            expect(parse(renderPrometheusRules(devRules))).to.deep.equal({ groups: alertRuleGroups(devRules) });
        });
    });

    describe("configuration files", () => {
        const prometheus = parse(
            renderPrometheusConfig({
                jobs: [
                    { job: "model-llm-stable", targets: ["llm-stable-0:8080"], labels: { component: "inference", model: "llm", track: "stable" } },
                    { job: "grafana", targets: ["grafana:3000"], metricsPath: "/grafana/metrics" },
                    {
                        job: "lb",
                        targets: ["lb:8404"],
                        metricRelabels: [{ sourceLabel: "proxy", regex: "model-(.+)", targetLabel: "model" }],
                    },
                    { job: "probe-llm-stable", targets: ["http://llm-stable-0:8080/health"], probe: { exporter: "blackbox:9115", module: BLACKBOX_MODULE } },
                ],
                alertmanagers: ["alertmanager:9093"],
                ruleFiles: ["/etc/prometheus/rules/*.yml"],
                externalLabels: { stack: "dev" },
            }),
        );
        const job = (name: string) => prometheus.scrape_configs.find((j: any) => j.job_name === name);

        it("scrapes and evaluates every 15 s by default, labelling what leaves with the stack", () => {
            expect(prometheus.global).to.deep.equal({ scrape_interval: "15s", evaluation_interval: "15s", external_labels: { stack: "dev" } });
            expect(parse(renderPrometheusConfig({ jobs: [], alertmanagers: [], ruleFiles: [], externalLabels: {}, scrapeIntervalSeconds: 30 })).global.scrape_interval).to.equal("30s");
        });

        it("sends alerts to Alertmanager and loads the rule files", () => {
            expect(prometheus.alerting.alertmanagers).to.deep.equal([{ static_configs: [{ targets: ["alertmanager:9093"] }] }]);
            expect(prometheus.rule_files).to.deep.equal(["/etc/prometheus/rules/*.yml"]);
        });

        it("scrapes /metrics unless told otherwise, attaching the job's labels to its targets", () => {
            expect(job("model-llm-stable")).to.deep.equal({
                job_name: "model-llm-stable",
                metrics_path: "/metrics",
                static_configs: [{ targets: ["llm-stable-0:8080"], labels: { component: "inference", model: "llm", track: "stable" } }],
            });
            expect(job("grafana").metrics_path).to.equal("/grafana/metrics");
        });

        it("derives labels from exported ones with the regex's first group", () => {
            expect(job("lb").metric_relabel_configs).to.deep.equal([{ source_labels: ["proxy"], regex: "model-(.+)", target_label: "model", replacement: "$1" }]);
            expect(job("model-llm-stable")).to.not.have.property("metric_relabel_configs");
        });

        it("sends a probe job's targets to the blackbox exporter as the target parameter, keeping them as instance", () => {
            const probe = job("probe-llm-stable");
            expect(probe.metrics_path).to.equal("/probe");
            expect(probe.params).to.deep.equal({ module: [BLACKBOX_MODULE] });
            expect(probe.relabel_configs).to.deep.equal([
                { source_labels: ["__address__"], target_label: "__param_target" },
                { source_labels: ["__param_target"], target_label: "instance" },
                { target_label: "__address__", replacement: "blackbox:9115" },
            ]);
        });

        it("gives Prometheus its config path and retention by time and size", () => {
            expect(prometheusArgs(15, 10, "/etc/prometheus/prometheus.yml")).to.include.members([
                "--config.file=/etc/prometheus/prometheus.yml",
                "--storage.tsdb.retention.time=15d",
                "--storage.tsdb.retention.size=10GB",
            ]);
        });

        it("probes for a 200 from the first response and refuses redirects", () => {
            const module = parse(renderBlackboxConfig()).modules[BLACKBOX_MODULE];
            expect(module.prober).to.equal("http");
            expect(module.http).to.deep.include({ method: "GET", valid_status_codes: [200], follow_redirects: false });
        });

        it("routes critical alerts to the critical receiver and groups by alert and model, with the seeds' timings", () => {
            const am = parse(renderAlertmanagerConfig({}));
            expect(am.route).to.deep.include({ receiver: RECEIVERS.default, group_by: ["alertname", "model"], group_wait: "10s", group_interval: "10s", repeat_interval: "1h" });
            expect(am.route.routes).to.deep.equal([{ receiver: RECEIVERS.critical, matchers: ['severity="critical"'], repeat_interval: "5m" }]);
            expect(am.inhibit_rules).to.deep.equal([{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["alertname", "model"] }]);
        });

        it("shows alerts only in the UI without a webhook, and posts both receivers to Slack with one", () => {
            expect(parse(renderAlertmanagerConfig({})).receivers).to.deep.equal([{ name: "default" }, { name: "critical" }]);
            const am = parse(renderAlertmanagerConfig({ slackWebhookUrl: "https://hooks.slack.com/services/T/B/X" }));
            for (const receiver of am.receivers) {
                expect(receiver.slack_configs, receiver.name).to.have.length(1);
                expect(receiver.slack_configs[0]).to.deep.include({ api_url: "https://hooks.slack.com/services/T/B/X", channel: "#genai-alerts", send_resolved: true });
            }
            expect(am.receivers[1].slack_configs[0].title).to.contain("[CRITICAL] ");
        });

        it("e-mails warnings and critical alerts through the SNS topic, signed for its region", () => {
            const am = parse(renderAlertmanagerConfig({ emailTopic: { arn: "arn:aws:sns:us-east-1:111122223333:genai-alerts", region: "us-east-1" } }));
            for (const receiver of am.receivers) {
                expect(receiver.sns_configs, receiver.name).to.have.length(1);
                expect(receiver.sns_configs[0]).to.deep.include({ topic_arn: "arn:aws:sns:us-east-1:111122223333:genai-alerts", sigv4: { region: "us-east-1" }, send_resolved: true });
            }
        });

        it("keeps Loki's logs for the configured days, enforced by its compactor", () => {
            const loki = parse(renderLokiConfig({ retentionDays: 15 }));
            expect(loki.limits_config.retention_period).to.equal("360h");
            expect(lokiRetentionHours(7)).to.equal(168);
            expect(loki.compactor).to.deep.include({ retention_enabled: true });
            expect(loki.server.http_listen_port).to.equal(3100);
            expect(parse(renderLokiConfig({ retentionDays: 1, port: 3200 })).server.http_listen_port).to.equal(3200);
        });
    });

    describe("Grafana", () => {
        it("serves every path under its sub-path", () => {
            expect(grafanaPath("/api/health")).to.equal("/grafana/api/health");
            expect(grafanaPath("metrics")).to.equal("/grafana/metrics");
            expect(GRAFANA_SUB_PATH).to.equal("/grafana/");
        });

        it("renders a panel only for the signals a source carries", () => {
            const titles = (models: readonly ModelSpec[], lb: typeof LB | undefined) => inferencePanels(models, lb, false).map((p) => p.title);
            const withLb = titles(dev.models, LB);
            expect(withLb).to.include.members(["llm: requests per second by track", "llm: 5xx ratio, canary against stable", "llm: mean latency, canary against stable", "llm: requests waiting", "image: mean latency, canary against stable"]);
            expect(withLb).to.not.include("llm: KV cache usage");
            expect(withLb).to.not.include("image: requests waiting");
            expect(withLb).to.not.include("image: replicas up");
            const withoutLb = titles(dev.models, undefined);
            expect(withoutLb.filter((t) => t.startsWith("image:"))).to.deep.equal([]);
            expect(withoutLb).to.not.include("llm: requests per second by track");
            expect(titles(staging.models, undefined)).to.include.members(["llm: p95 latency, canary against stable", "llm: KV cache usage", "llm: 5xx ratio, canary against stable"]);
        });

        it("renders each panel from the signal's own query", () => {
            const panels = inferencePanels(staging.models, undefined, false);
            expect(panels.find((p) => p.title === "llm: KV cache usage")!.expr).to.equal(engineGauge(vllm, "kvCacheUsage", "avg")!.query);
            expect(panels.find((p) => p.title === "llm: 5xx ratio, canary against stable")!.expr).to.equal(errorRatio(vllm, undefined, "5m", "by-track")!.query);
            // The latency panel compares the tracks: one series per track, from the histogram the canary's release exports too.
            const latency = panels.find((p) => p.title === "llm: p95 latency, canary against stable")!.expr;
            expect(latency).to.equal(requestLatency(vllm, undefined, "5m", "by-track")!.query);
            expect(latency).to.match(/sum by \(le, model, track\)/);
        });

        it("adds the GPU panels only with GPU metrics, and always ends with the inference logs from Loki", () => {
            const without = inferencePanels(dev.models, LB, false);
            const withGpu = inferencePanels(staging.models, undefined, true);
            expect(without.filter((p) => GPU_PANELS.includes(p))).to.deep.equal([]);
            expect(withGpu).to.include.members([...GPU_PANELS]);
            for (const panels of [without, withGpu]) expect(panels.at(-1)).to.deep.equal({ title: "Inference logs", expr: INFERENCE_LOG_SELECTOR, unit: "short", datasource: "loki" });
        });

        it("lays the dashboard out in two columns, each panel querying its datasource", () => {
            const specs = inferencePanels(dev.models, LB, false);
            const dashboard = JSON.parse(renderInferenceDashboard(specs));
            expect(dashboard.uid).to.equal("genai-inference");
            expect(dashboard.panels).to.have.length(specs.length);
            dashboard.panels.forEach((panel: any, i: number) => {
                const spec = specs[i];
                const source = spec.datasource ?? "prometheus";
                expect(panel.id).to.equal(i + 1);
                expect(panel.type).to.equal(source === "loki" ? "logs" : "timeseries");
                expect(panel.datasource).to.deep.equal({ type: source, uid: DATASOURCE_UIDS[source] });
                expect(panel.targets).to.deep.equal([{ refId: "A", expr: spec.expr, datasource: panel.datasource }]);
                expect(panel.fieldConfig.defaults.unit).to.equal(spec.unit);
                expect(panel.gridPos).to.deep.equal({ h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 });
            });
        });
    });

    describe("log shipping", () => {
        it("discovers only this stack's containers through the Docker API proxy and ships them to Loki", () => {
            const conf = renderDockerAlloyConfig({ dockerApi: "tcp://docker-api:2375", lokiPushUrl: "http://loki:3100/loki/api/v1/push", stack: "dev" });
            expect(conf.match(/host\s+= "tcp:\/\/docker-api:2375"/g)).to.have.length(2);
            expect(conf).to.contain('values = ["genai.stack=dev"]');
            expect(conf).to.contain('url = "http://loki:3100/loki/api/v1/push"');
            expect(conf).to.contain('labels        = { stack = "dev" }');
            expect(conf).to.not.contain("unix://");
        });

        it("labels dev log lines with container, component, model and track from the Docker labels", () => {
            const conf = renderDockerAlloyConfig({ dockerApi: "tcp://docker-api:2375", lokiPushUrl: "http://loki:3100/loki/api/v1/push", stack: "dev" });
            expect(conf).to.match(/source_labels = \["__meta_docker_container_name"\]\n\s+regex\s+= "\/\(\.\*\)"\n\s+target_label\s+= "container"/);
            for (const label of ["component", "model", "track"]) {
                expect(conf, label).to.match(new RegExp(`source_labels = \\["__meta_docker_container_label_genai_${label}"\\]\\n\\s+target_label\\s+= "${label}"`));
            }
        });

        it("ships in the cloud only the pods of the shipper's own node, with their labels, and the node's journal", () => {
            const conf = renderKubernetesAlloyConfig("http://loki-gateway.monitoring/loki/api/v1/push");
            expect(conf).to.contain('field = "spec.nodeName=" + sys.env("HOSTNAME")');
            for (const label of ["model", "track", "component"]) {
                expect(conf, label).to.match(new RegExp(`source_labels = \\["__meta_kubernetes_pod_label_${label}"\\]\\n\\s+target_label\\s+= "${label}"`));
            }
            expect(conf).to.contain('loki.source.journal "nodes"');
            expect(conf).to.contain('url = "http://loki-gateway.monitoring/loki/api/v1/push"');
        });

        it("proxies the Docker socket for GET and HEAD on the allowed paths only, 403 otherwise", () => {
            const conf = renderDockerApiProxyConfig({ listenPort: 2375, socket: "/var/run/docker.sock", bindAddress: "0.0.0.0" });
            expect(conf).to.contain("    bind 0.0.0.0:2375\n");
            expect(conf).to.contain("    acl read_only method GET HEAD\n");
            expect(conf).to.contain(`    acl allowed_path path_reg ${DOCKER_API_ALLOWED_PATHS}\n`);
            expect(conf).to.contain("    http-request deny deny_status 403 unless read_only allowed_path\n");
            expect(conf).to.contain("    server engine /var/run/docker.sock\n");
            expect(renderDockerApiProxyConfig({ listenPort: 2375, socket: "/var/run/docker.sock" })).to.contain("    bind :2375\n");
        });

        it("allows the paths log discovery and streaming need, versioned or not", () => {
            const allowed = new RegExp(DOCKER_API_ALLOWED_PATHS);
            for (const path of ["/_ping", "/version", "/v1.43/info", "/events", "/v1.45/containers/json", "/containers/3f2a9c/json", "/v1.41/containers/genai-dev-llm-stable-0/logs"]) {
                expect(allowed.test(path), path).to.equal(true);
            }
        });

        it("refuses every other Docker API path", () => {
            const allowed = new RegExp(DOCKER_API_ALLOWED_PATHS);
            for (const path of [
                "/containers/create",
                "/v1.43/containers/abc/start",
                "/containers/abc/exec",
                "/containers/abc/archive",
                "/containers/abc/attach",
                "/containers/abc/json/extra",
                "/images/json",
                "/volumes",
                "/secrets",
                "/exec/abc/start",
                "/v1.43/build",
                "/x/_ping",
                "/info/",
            ]) {
                expect(allowed.test(path), path).to.equal(false);
            }
        });
    });
});
