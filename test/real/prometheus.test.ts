import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { AlertInputs, AlertRuleSpec, alertRuleGroups, platformAlertRules, PrometheusRule, promDuration, renderPrometheusRules } from "../../components/observability/alerts";
import { isDeepStrictEqual } from "node:util";
import { ALB_SIGNALS } from "../../catalog/alb-metrics";
import { errorRatio, requestCount, requestLatency, SignalQuery } from "../../components/observability/signals";
import { alertInputsOf } from "../../stacks/alert-inputs";
import { DEV_PROMETHEUS_CONFIG, DEV_PROMETHEUS_RULES, devStack, stackConfigOf } from "../support/dev-stack";
import { evaluatedStack, evaluatedWith } from "../support/stacks";
import { RunResult, makeTempDir, promtool, requireBinaryOrSkip, stopAll } from "../support/servers";
import { EVALUATION_INTERVAL_SECONDS, HEALTHY_MINUTES, PromtoolTestFile, SAMPLE_INTERVAL_SECONDS, healthyPlatform, promtoolTestGroups } from "./alert-scenarios";

/** Where the dev stack's Prometheus container reads its configuration. */
const CONFIG_DIR = "/etc/prometheus/";
const PROMETHEUS_CONFIG = DEV_PROMETHEUS_CONFIG;
const PROMETHEUS_RULES = DEV_PROMETHEUS_RULES;

function describeRun(result: RunResult): string {
    return `exit ${String(result.code)}\n${result.stdout}\n${result.stderr}`;
}

function alertInputs(stack: "dev" | "staging", overrides: Record<string, unknown> = {}): AlertInputs {
    return alertInputsOf(stackConfigOf(stack, overrides));
}

/** An account budget for staging, whose stack file sets none (0): only then does it render the account spend rules. */
const ACCOUNT_BUDGET = { accountMonthlyBudgetUsd: "20000" };

/** The outcome of one promtool run over every rule's test groups: which groups failed, and the whole output. */
interface BatchResult {
    readonly run: RunResult;
    readonly failed: ReadonlySet<string>;
    readonly groups: readonly (readonly string[])[];
    readonly file: string;
}

/**
 * Runs the unit tests of every rule in one promtool invocation (one process instead of one per rule), each
 * group named after its rule's index; the tests then read their own groups' outcome. Each rule's groups get a
 * rules file of their own holding that rule exactly as shipped (taken from `rulesFile`, never re-rendered):
 * promtool evaluates every rule of a file at every step of every group, so a file of one rule is what keeps
 * the run within the suite's time. The healthy-platform test evaluates the shipped file whole.
 */
async function unitTestAll(dir: string, rulesFile: string, rules: readonly AlertRuleSpec[], inputs: AlertInputs, label: string): Promise<BatchResult> {
    const shipped = (parse(fs.readFileSync(rulesFile, "utf8")) as { groups: { name: string; rules: PrometheusRule[] }[] }).groups;
    const groups = rules.map((rule, i) => promtoolTestGroups(rule, { inputs }).map((g) => ({ ...g, name: `[${i}] ${g.name}` })));
    const files = rules.map((rule, i) => {
        const [rendered] = alertRuleGroups([rule])[0].rules;
        const found = shipped.flatMap((g) => g.rules.map((r) => ({ group: g.name, rule: r }))).filter((r) => isDeepStrictEqual(r.rule, rendered));
        expect(found, `${rule.name} ${rule.model ?? ""} shipped exactly once in ${rulesFile}`).to.have.length(1);
        const ruleFile = path.join(dir, `${label}-rule-${i}.yml`);
        fs.writeFileSync(ruleFile, stringify({ groups: [{ name: found[0].group, rules: [found[0].rule] }] }));
        const testFile: PromtoolTestFile = { rule_files: [path.relative(dir, ruleFile)], evaluation_interval: `${EVALUATION_INTERVAL_SECONDS}s`, tests: groups[i] };
        const file = path.join(dir, `${label}-rule-${i}.test.yml`);
        fs.writeFileSync(file, stringify(testFile, { aliasDuplicateObjects: false }));
        return file;
    });
    const run = await promtool(["test", "rules", ...files], { cwd: dir, timeoutMs: 120_000 });
    const failed = new Set([...`${run.stdout}\n${run.stderr}`.matchAll(/name: (\[\d+\] [^\n]*?),?\n/g)].map((m) => m[1]));
    return { run, failed, groups: groups.map((g) => g.map((x) => x.name)), file: path.join(dir, `${label}-rule-<index>.test.yml`) };
}

/** Feeds a healthy platform's series to the rules and expects no alert of any of them at several times. */
async function expectQuietWhenHealthy(dir: string, rulesFile: string, rules: readonly AlertRuleSpec[], inputs: AlertInputs, label: string): Promise<void> {
    const names = [...new Set(rules.map((r) => r.name))];
    const times = [10, 20, 30, HEALTHY_MINUTES].map((m) => `${m}m`);
    const testFile: PromtoolTestFile = {
        rule_files: [path.relative(dir, rulesFile)],
        evaluation_interval: `${EVALUATION_INTERVAL_SECONDS}s`,
        tests: [
            {
                name: `${label}: a healthy platform`,
                interval: `${SAMPLE_INTERVAL_SECONDS}s`,
                input_series: healthyPlatform({ inputs }),
                alert_rule_test: times.flatMap((eval_time) => names.map((alertname) => ({ eval_time, alertname, exp_alerts: [] }))),
            },
        ],
    };
    const file = path.join(dir, `${label}-healthy.test.yml`);
    fs.writeFileSync(file, stringify(testFile, { aliasDuplicateObjects: false }));
    const run = await promtool(["test", "rules", file], { cwd: dir });
    expect(run.code, `${describeRun(run)}\ntest file: ${file}`).to.equal(0);
    expect(names.length).to.be.greaterThan(10);
}

/** Asserts that the groups of rule `index` passed in the batch. */
function expectRulePassed(batch: BatchResult | undefined, index: number): void {
    if (!batch) throw new Error("the promtool batch did not run");
    const mine = batch.groups[index];
    expect(mine.length, "scenarios of the rule").to.be.greaterThan(0);
    const failedHere = mine.filter((name) => batch.failed.has(name));
    expect(failedHere, `${describeRun(batch.run)}\ntest file: ${batch.file}`).to.deep.equal([]);
    // A run that failed without naming a group (a parse error) fails every rule.
    if (batch.run.code !== 0) expect(batch.failed.size, describeRun(batch.run)).to.be.greaterThan(0);
}

const ruleTitle = (rule: AlertRuleSpec) =>
    `${rule.name}${rule.model ? ` (${rule.model}${rule.track ? `, ${rule.track}` : ""})` : ""} fires at ${rule.comparator} ${rule.threshold} after ${promDuration(rule.forSeconds)} as ${rule.severity}, not sooner nor ${rule.comparator === ">" ? "just below the threshold" : "otherwise"}`;

describe("Prometheus configuration and alert rules, checked by promtool", function () {
    const devInputs = alertInputs("dev");
    const devRules = platformAlertRules(devInputs);
    let dir: string;
    let configFile: string;
    let rulesFile: string;
    let shippedRules: string;

    before(async function () {
        this.timeout(20_000);
        requireBinaryOrSkip(this, "promtool");
        const dev = await devStack();
        // The container's files, under a temp dir that stands for /etc/prometheus/: only the
        // paths in prometheus.yml change, so that its rule_files glob finds the rules file.
        dir = makeTempDir("genai-prometheus");
        const localPath = (containerPath: string): string => path.join(dir, containerPath.slice(CONFIG_DIR.length));
        configFile = localPath(PROMETHEUS_CONFIG);
        rulesFile = localPath(PROMETHEUS_RULES);
        shippedRules = dev.upload("observability-prometheus", PROMETHEUS_RULES);
        fs.mkdirSync(path.dirname(rulesFile), { recursive: true });
        fs.writeFileSync(rulesFile, shippedRules);
        fs.writeFileSync(configFile, dev.upload("observability-prometheus", PROMETHEUS_CONFIG).split(CONFIG_DIR).join(`${dir}/`));
    });

    after(async () => {
        await stopAll();
    });

    it("ships the rules rendered from the dev stack's models and budget", () => {
        expect(shippedRules).to.equal(renderPrometheusRules(devRules));
    });

    it("accepts the rules file (promtool check rules)", async () => {
        const result = await promtool(["check", "rules", rulesFile]);
        expect(result.code, describeRun(result)).to.equal(0);
        expect(result.stdout).to.contain(`SUCCESS: ${devRules.length} rules found`);
    });

    it("accepts prometheus.yml and the rules file it loads (promtool check config)", async () => {
        const ruleFiles = (parse(fs.readFileSync(configFile, "utf8")) as { rule_files: string[] }).rule_files;
        expect(ruleFiles).to.deep.equal([path.join(dir, "rules", "*.yml")]);
        const result = await promtool(["check", "config", configFile]);
        expect(result.code, describeRun(result)).to.equal(0);
        expect(result.stdout).to.contain(`Checking ${rulesFile}`);
        expect(result.stdout).to.contain(`SUCCESS: ${devRules.length} rules found`);
    });

    describe("dev rule unit tests on synthetic series (promtool test rules)", () => {
        let batch: BatchResult | undefined;
        before(async function () {
            this.timeout(120_000);
            batch = await unitTestAll(dir, rulesFile, devRules, devInputs, "dev");
        });
        devRules.forEach((rule, i) => {
            it(ruleTitle(rule), () => expectRulePassed(batch, i));
        });
        it("fires nothing on a healthy platform: every target up, 0.1% errors, fast answers, half-full disks", async () =>
            expectQuietWhenHealthy(dir, rulesFile, devRules, devInputs, "dev"));
    });

    for (const { label, title, overrides } of [
        { label: "staging", title: "the staging PrometheusRule", overrides: {} },
        { label: "staging-account", title: "the staging PrometheusRule with an account budget", overrides: ACCOUNT_BUDGET },
    ]) {
        describe(`cloud rule unit tests on synthetic series (${title})`, () => {
            const stagingInputs = alertInputs("staging", overrides);
            const stagingRules = platformAlertRules(stagingInputs);
            // With an account budget, only the rules it adds: the others are the plain staging run's.
            const plainNames = new Set(platformAlertRules(alertInputs("staging")).map((r) => r.name));
            const tested = overrides === ACCOUNT_BUDGET ? stagingRules.filter((r) => !plainNames.has(r.name)) : stagingRules;
            let cloudRules: string;

            let batch: BatchResult | undefined;

            before(async function () {
                this.timeout(120_000);
                const staging = label === "staging" ? await evaluatedStack("staging") : await evaluatedWith("staging", overrides);
                const rule = staging.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule")[0];
                expect(rule.inputs.spec.groups).to.deep.equal(alertRuleGroups(stagingRules));
                cloudRules = path.join(dir, `${label}-rules.yml`);
                fs.writeFileSync(cloudRules, stringify({ groups: rule.inputs.spec.groups }));
                batch = await unitTestAll(dir, cloudRules, tested, stagingInputs, label);
            });

            tested.forEach((rule, i) => {
                it(ruleTitle(rule), () => expectRulePassed(batch, i));
            });
            it("fires nothing on a healthy platform: every replica ready, 0.1% errors, fast answers, half-full disks and volumes", async () =>
                expectQuietWhenHealthy(dir, cloudRules, stagingRules, stagingInputs, label));
            if (overrides === ACCOUNT_BUDGET) {
                it("renders the account spend rules only with an account budget", () => {
                    expect(stagingRules.filter((r) => r.name.startsWith("AccountSpend")).map((r) => r.name)).to.deep.equal(["AccountSpendHigh", "AccountSpendOverBudget", "AccountSpendUnknown"]);
                    expect(platformAlertRules(alertInputs("staging")).filter((r) => r.name.startsWith("AccountSpend"))).to.deep.equal([]);
                });
            }
        });
    }

    describe("the ALB's per-route queries through an exporter restart (promtool)", () => {
        it("counts each minute once when the old and the new exporter pod overlap, and weighs each minute's p95 by its requests", async () => {
            const model = stackConfigOf("staging").models.find((m) => m.name === "image")!;
            const lb = ALB_SIGNALS;
            const labels = (pod: string) => ({ model: model.name, track: "stable", target_group: "targetgroup/s-image/0123456789abcdef", job: "alb-metrics-exporter", pod, instance: `${pod}:9106` });
            const series = (metric: string, pod: string, values: string) => ({ series: `${metric}{${Object.entries(labels(pod)).map(([k, v]) => `${k}="${v}"`).join(",")}}`, values });
            // Pod a reports minutes 0 to 29 and is gone; pod b reports from minute 29 on (both report minute 29).
            // 600 requests a minute; 5xx only on b, 60 a minute; p95 10 s on a, 40 s on b.
            const input = [
                series(lb.requests.metric, "alb-a", "600x29 stale"),
                series(lb.latency.metric, "alb-a", "10x29 stale"),
                series(lb.requests.metric, "alb-b", "_x29 600x40"),
                series(lb.serverErrors.metric, "alb-b", "_x29 60x40"),
                series(lb.latency.metric, "alb-b", "_x29 40x40"),
            ];
            // At 60m30s the hour's one-minute steps are minutes 1 to 60: 60 minutes of 600 requests, 32 of them (29 to 60) with 60 errors.
            const query = (q: SignalQuery | undefined) => {
                if (!q) throw new Error("no ALB query for the image model");
                return q.query;
            };
            const testFile = {
                rule_files: ["alb-none.yml"],
                evaluation_interval: "1m",
                tests: [
                    {
                        interval: "1m",
                        input_series: input,
                        promql_expr_test: [
                            { expr: query(requestCount(model, lb, "1h")), eval_time: "60m30s", exp_samples: [{ labels: `{model="${model.name}"}`, value: 60 * 600 }] },
                            { expr: query(errorRatio(model, lb, "1h")), eval_time: "60m30s", exp_samples: [{ labels: `{model="${model.name}"}`, value: (32 * 60) / (60 * 600) }] },
                            { expr: query(requestLatency(model, lb, "1h")), eval_time: "60m30s", exp_samples: [{ labels: `{model="${model.name}"}`, value: (28 * 10 + 32 * 40) / 60 }] },
                        ],
                    },
                ],
            };
            fs.writeFileSync(path.join(dir, "alb-none.yml"), stringify({ groups: [] }));
            const file = path.join(dir, "alb-restart.test.yml");
            fs.writeFileSync(file, stringify(testFile));
            const run = await promtool(["test", "rules", file], { cwd: dir });
            expect(run.code, `${describeRun(run)}\ntest file: ${file}`).to.equal(0);
        });
    });
});
