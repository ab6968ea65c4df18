/**
 * The ALB's per-route metrics on a real Prometheus: Debian's Prometheus scrapes an endpoint that answers as the
 * CloudWatch exporter does (its names, its `job` and empty `instance` labels, the target group dimension), with the
 * metric relabelings the staging stack gives the exporter's ServiceMonitor, and evaluates the staging stack's own
 * rules (stepped at the test's one-second scrapes rather than the exporter's minute). The target groups' series must come out labeled with their model and track (another load balancer's
 * not at all), a minute without a 5xx datapoint must read as no errors rather than no answer, and the image model's
 * error and latency alerts must go pending once their measures pass the thresholds (their `for` is proven by promtool).
 */
import { expect } from "chai";
import * as http from "node:http";
import { stringify } from "yaml";
import { ALB_SIGNALS } from "../../catalog/alb-metrics";
import { AlertRuleSpec, platformAlertRules, renderPrometheusRules } from "../../components/observability/alerts";
import { alertInputsOf } from "../../stacks/alert-inputs";
import { stackConfigOf } from "../support/dev-stack";
import { evaluatedStack } from "../support/stacks";
import { LOOPBACK, PrometheusServer, listenOnLoopback, registeredClose, requireBinaryOrSkip, startPrometheus, stopAll, waitFor } from "../support/servers";

const SCRAPE_SECONDS = 1;

interface Relabeling {
    sourceLabels: string[];
    regex: string;
    targetLabel: string;
    replacement: string;
    action: string;
}

describe("the ALB's per-route metrics: scraped as the staging stack scrapes them, alerted on", function () {
    this.timeout(60_000);
    let prometheus: PrometheusServer;
    /** What the stand-in exporter answers: per target group, its requests, 5xx answers (none: no datapoint) and p95. */
    const minute = new Map<string, { requests: number; errors?: number; p95: number }>();
    const rules: Record<string, AlertRuleSpec> = {};
    let routes: { targetGroup: string; model: string; track: string }[] = [];
    const OTHER = "targetgroup/another-service/0123456789abcdef";

    function exposition(): string {
        const lines: string[] = [];
        const labels = (tg: string) => `job="aws_applicationelb",instance="",load_balancer="app/genai-staging/50dc6c495c0c9188",target_group="${tg}"`;
        for (const [metric, pick] of [
            [ALB_SIGNALS.requests.metric, (v: { requests: number }) => v.requests],
            [ALB_SIGNALS.serverErrors.metric, (v: { errors?: number }) => v.errors],
            [ALB_SIGNALS.latency.metric, (v: { p95: number }) => v.p95],
        ] as const) {
            lines.push(`# TYPE ${metric} gauge`);
            for (const [tg, values] of minute) {
                const value = (pick as (v: typeof values) => number | undefined)(values);
                if (value !== undefined) lines.push(`${metric}{${labels(tg)},} ${value}`);
            }
        }
        lines.push("# TYPE cloudwatch_exporter_scrape_error gauge", "cloudwatch_exporter_scrape_error 0.0");
        return `${lines.join("\n")}\n`;
    }

    before(async function () {
        requireBinaryOrSkip(this, "prometheus");
        const run = await evaluatedStack("staging");
        const values = run.one("kubernetes:helm.sh/v3:Release", "observability-alb-metrics-exporter").inputs.values;
        const relabelings = values.serviceMonitor.metricRelabelings as Relabeling[];
        const groups = new Map<string, { targetGroup: string; model: string; track: string }>();
        for (const r of relabelings) {
            // The rules' regexes are literal target groups: their unescaped form is the dimension value.
            const targetGroup = r.regex.replace(/\\(.)/g, "$1");
            groups.set(targetGroup, { ...(groups.get(targetGroup) ?? { targetGroup, model: "", track: "" }), [r.targetLabel]: r.replacement });
        }
        routes = [...groups.values()];
        expect(routes.map((r) => [r.model, r.track])).to.deep.include(["image", "stable"]);
        // The staging stack's rules, their queries stepped at this test's scrape interval instead of the exporter's
        // minute (the shipped steps are proven by promtool): each sample stands for one period either way.
        const inputs = alertInputsOf(stackConfigOf("staging"));
        expect(inputs.loadBalancer).to.deep.equal(ALB_SIGNALS);
        for (const rule of platformAlertRules({ ...inputs, loadBalancer: { ...ALB_SIGNALS, sampleSeconds: SCRAPE_SECONDS } })) if (rule.model === "image") rules[rule.name] = rule;
        expect(rules).to.include.keys("HighErrorRate", "ImageGenerationSlow");

        // Healthy at first: 600 requests a minute on each track, no 5xx datapoint, p95 of 4 s; another service's group busy.
        for (const route of routes) minute.set(route.targetGroup, { requests: 600, p95: 4 });
        minute.set(OTHER, { requests: 50, errors: 50, p95: 90 });
        const server = http.createServer((_req, res) => {
            const body = exposition();
            res.writeHead(200, { "content-type": "text/plain; version=0.0.4", "content-length": Buffer.byteLength(body) });
            res.end(body);
        });
        const port = await listenOnLoopback(server);
        registeredClose(server);

        // The ServiceMonitor's metricRelabelings, as the operator writes them into the scrape config.
        const metricRelabelConfigs = relabelings.map((r) => ({ source_labels: r.sourceLabels, regex: r.regex, target_label: r.targetLabel, replacement: r.replacement, action: r.action }));
        prometheus = await startPrometheus(
            stringify({
                global: { scrape_interval: `${SCRAPE_SECONDS}s`, evaluation_interval: `${SCRAPE_SECONDS}s` },
                scrape_configs: [{ job_name: "alb-metrics-exporter", static_configs: [{ targets: [`${LOOPBACK}:${port}`] }], metric_relabel_configs: metricRelabelConfigs }],
            }),
            { rules: { "genai.yml": renderPrometheusRules(Object.values(rules)) } },
        );
        await prometheus.waitForTargetsUp();
    });

    after(async () => {
        await stopAll();
    });

    it("labels each of the stack's target groups with its model and track, and no other load balancer's", async () => {
        for (const route of routes) {
            const series = `${ALB_SIGNALS.requests.metric}{model="${route.model}", track="${route.track}", target_group="${route.targetGroup}", exported_job="aws_applicationelb"}`;
            await waitFor(async () => (await prometheus.query(series)) === 600, 10_000, 100, `${route.model} ${route.track}'s requests`);
        }
        expect(await prometheus.query(`count(${ALB_SIGNALS.requests.metric}{target_group="${OTHER}", model!=""})`)).to.equal(undefined);
        expect(await prometheus.query(`${ALB_SIGNALS.requests.metric}{target_group="${OTHER}"}`)).to.equal(50);
    });

    it("reads a minute without a 5xx datapoint as no errors, and stays quiet while healthy", async () => {
        await waitFor(async () => (await prometheus.query(rules.HighErrorRate.measure)) !== undefined, 10_000, 100, "an error ratio of the image model");
        expect(await prometheus.query(rules.HighErrorRate.measure)).to.equal(0);
        const alerts = await prometheus.alerts();
        expect(alerts.map((a) => a.labels.alertname)).to.deep.equal([]);
    });

    it("raises the error and latency alerts once the target groups answer 5xx and slowly", async () => {
        for (const route of routes) minute.set(route.targetGroup, { requests: 600, errors: 600, p95: rules.ImageGenerationSlow.threshold + 10 });
        const started = Date.now();
        await waitFor(
            async () => {
                const states = Object.fromEntries((await prometheus.alerts()).map((a) => [a.labels.alertname, a.state]));
                return states.HighErrorRate === "pending" && states.ImageGenerationSlow === "pending";
            },
            30_000,
            200,
            "HighErrorRate and ImageGenerationSlow to go pending for the image model",
        );
        // Every request failing from now on: the 2-minute ratio passes 5% within seconds, not minutes.
        expect((Date.now() - started) / 1000).to.be.below(20);
        expect(await prometheus.query(rules.HighErrorRate.measure)).to.be.above(rules.HighErrorRate.threshold);
        // The latency measure averages the window's minutes: above the threshold once the slow minutes dominate.
        expect(await prometheus.query(rules.ImageGenerationSlow.measure)).to.be.above(rules.ImageGenerationSlow.threshold);
    });
});
