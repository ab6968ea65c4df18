import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { AlertInputs, AlertRuleSpec, alertRuleGroups, platformAlertRules, promDuration, renderPrometheusRules } from "../../components/observability/alerts";
import { alertInputsOf } from "../../stacks/alert-inputs";
import { devStack, stackConfigOf } from "../support/dev-stack";
import { evaluatedStack } from "../support/stacks";
import { RunResult, makeTempDir, promtool, requireBinaryOrSkip, stopAll } from "../support/servers";
import { EVALUATION_INTERVAL_SECONDS, PromtoolTestFile, promtoolTestGroups } from "./alert-scenarios";

/** Where the dev stack's Prometheus container reads its configuration. */
const CONFIG_DIR = "/etc/prometheus/";
const PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml";
const PROMETHEUS_RULES = "/etc/prometheus/rules/genai.yml";

function describeRun(result: RunResult): string {
    return `exit ${String(result.code)}\n${result.stdout}\n${result.stderr}`;
}

function alertInputs(stack: "dev" | "staging"): AlertInputs {
    return alertInputsOf(stackConfigOf(stack));
}

/** A promtool rule unit test of one rule, in `dir`, against the rules file `rulesFile`. */
async function unitTest(dir: string, rulesFile: string, rule: AlertRuleSpec, inputs: AlertInputs, label: string): Promise<void> {
    const testFile: PromtoolTestFile = {
        rule_files: [path.relative(dir, rulesFile)],
        evaluation_interval: `${EVALUATION_INTERVAL_SECONDS}s`,
        tests: promtoolTestGroups(rule, { inputs }),
    };
    const file = path.join(dir, `${label}.test.yml`);
    fs.writeFileSync(file, stringify(testFile, { aliasDuplicateObjects: false }));
    const result = await promtool(["test", "rules", file], { cwd: dir });
    expect(result.code, `${describeRun(result)}\ntest file:\n${fs.readFileSync(file, "utf8")}`).to.equal(0);
    expect(result.stdout).to.contain("SUCCESS");
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
        devRules.forEach((rule, i) => {
            it(ruleTitle(rule), async () => unitTest(dir, rulesFile, rule, devInputs, `dev-${i}`));
        });
    });

    describe("cloud rule unit tests on synthetic series (the staging PrometheusRule)", () => {
        const stagingInputs = alertInputs("staging");
        const stagingRules = platformAlertRules(stagingInputs);
        let cloudRules: string;

        before(async () => {
            const staging = await evaluatedStack("staging");
            const rule = staging.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule")[0];
            expect(rule.inputs.spec.groups).to.deep.equal(alertRuleGroups(stagingRules));
            cloudRules = path.join(dir, "cloud-rules.yml");
            fs.writeFileSync(cloudRules, stringify({ groups: rule.inputs.spec.groups }));
        });

        stagingRules.forEach((rule, i) => {
            it(ruleTitle(rule), async () => unitTest(dir, cloudRules, rule, stagingInputs, `staging-${i}`));
        });
    });
});
