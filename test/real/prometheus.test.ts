import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { AlertInputs, promDuration, renderPrometheusRules, seedAlertRules } from "../../components/observability/alerts";
import { devStack, devStackConfig } from "../support/dev-stack";
import { RunResult, makeTempDir, promtool, requireBinaryOrSkip, stopAll } from "../support/servers";
import { EVALUATION_INTERVAL_SECONDS, PromtoolTestFile, promtoolTestGroups } from "./alert-scenarios";

/** Where the dev stack's Prometheus container reads its configuration. */
const CONFIG_DIR = "/etc/prometheus/";
const PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml";
const PROMETHEUS_RULES = "/etc/prometheus/rules/genai.yml";

function describeRun(result: RunResult): string {
    return `exit ${String(result.code)}\n${result.stdout}\n${result.stderr}`;
}

const devConfig = devStackConfig();
const alertInputs: AlertInputs = {
    monthlyBudgetUsd: devConfig.budget.monthlyUsd,
    budgetAlertThreshold: devConfig.budget.alertThreshold,
};
const seedRules = seedAlertRules(alertInputs);

describe("Prometheus configuration and alert rules, checked by promtool", function () {
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

    it("ships the seed alert rules of the stack's budget as the rules file", () => {
        expect(shippedRules).to.equal(renderPrometheusRules(seedRules));
    });

    it("accepts the rules file (promtool check rules)", async () => {
        const result = await promtool(["check", "rules", rulesFile]);
        expect(result.code, describeRun(result)).to.equal(0);
        expect(result.stdout).to.contain(`SUCCESS: ${seedRules.length} rules found`);
    });

    it("accepts prometheus.yml and the rules file it loads (promtool check config)", async () => {
        const ruleFiles = (parse(fs.readFileSync(configFile, "utf8")) as { rule_files: string[] }).rule_files;
        expect(ruleFiles).to.deep.equal([path.join(dir, "rules", "*.yml")]);
        const result = await promtool(["check", "config", configFile]);
        expect(result.code, describeRun(result)).to.equal(0);
        expect(result.stdout).to.contain(`Checking ${rulesFile}`);
        expect(result.stdout).to.contain(`SUCCESS: ${seedRules.length} rules found`);
    });

    describe("rule unit tests on synthetic series (promtool test rules)", () => {
        for (const rule of seedRules) {
            const condition = `${rule.comparator} ${rule.threshold}`;
            const otherwise = rule.comparator === ">" ? "just below the threshold" : "otherwise";
            it(`${rule.name} fires at ${condition} after ${promDuration(rule.forSeconds)} as ${rule.severity}, not sooner nor ${otherwise}`, async () => {
                const testFile: PromtoolTestFile = {
                    rule_files: [path.relative(dir, rulesFile)],
                    evaluation_interval: `${EVALUATION_INTERVAL_SECONDS}s`,
                    tests: promtoolTestGroups(rule, alertInputs),
                };
                const file = path.join(dir, `${rule.name}.test.yml`);
                fs.writeFileSync(file, stringify(testFile, { aliasDuplicateObjects: false }));
                const result = await promtool(["test", "rules", file], { cwd: dir });
                expect(result.code, `${describeRun(result)}\ntest file:\n${fs.readFileSync(file, "utf8")}`).to.equal(0);
                expect(result.stdout).to.contain("SUCCESS");
            });
        }
    });
});
