import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { RECEIVERS, renderAlertmanagerConfig } from "../../components/observability/config-files";
import { devStack } from "../support/dev-stack";
import { RunResult, amtool, makeTempDir, requireBinaryOrSkip, stopAll } from "../support/servers";

const ALERTMANAGER_CONFIG = "/etc/alertmanager/alertmanager.yml";
/** A webhook URL of Slack's shape; `amtool` only validates it, nothing is sent. */
const SLACK_WEBHOOK_URL = "https://hooks.slack.com/services/T000/B000/XXXX";

function describeRun(result: RunResult): string {
    return `exit ${String(result.code)}\n${result.stdout}\n${result.stderr}`;
}

describe("Alertmanager configuration, checked by amtool", function () {
    let dir: string;
    let devConfigFile: string;
    let slackConfigFile: string;
    let cloudConfigFile: string;

    before(async function () {
        requireBinaryOrSkip(this, "amtool");
        dir = makeTempDir("genai-alertmanager");
        const dev = await devStack();
        devConfigFile = path.join(dir, "dev-alertmanager.yml");
        fs.writeFileSync(devConfigFile, dev.upload("observability-alertmanager", ALERTMANAGER_CONFIG));
        slackConfigFile = path.join(dir, "slack-alertmanager.yml");
        fs.writeFileSync(slackConfigFile, renderAlertmanagerConfig({ slackWebhookUrl: SLACK_WEBHOOK_URL }));
        cloudConfigFile = path.join(dir, "cloud-alertmanager.yml");
        fs.writeFileSync(
            cloudConfigFile,
            renderAlertmanagerConfig({ slackWebhookUrl: SLACK_WEBHOOK_URL, criticalEmailTopic: { arn: "arn:aws:sns:us-east-1:123456789012:genai-prod-alerts", region: "us-east-1" } }),
        );
    });

    after(async () => {
        await stopAll();
    });

    it("accepts the dev stack's configuration, which has no Slack webhook", async () => {
        const result = await amtool(["check-config", devConfigFile]);
        expect(result.code, describeRun(result)).to.equal(0);
        expect(result.stdout).to.contain("SUCCESS");
        expect(result.stdout).to.contain("2 receivers");
    });

    it("accepts the configuration with a Slack webhook", async () => {
        const result = await amtool(["check-config", slackConfigFile]);
        expect(result.code, describeRun(result)).to.equal(0);
        expect(result.stdout).to.contain("SUCCESS");
    });

    it("accepts the cloud configuration, which also e-mails critical alerts through SNS", async () => {
        const result = await amtool(["check-config", cloudConfigFile]);
        expect(result.code, describeRun(result)).to.equal(0);
        expect(result.stdout).to.contain("SUCCESS");
        expect(fs.readFileSync(cloudConfigFile, "utf8")).to.contain("topic_arn: arn:aws:sns:us-east-1:123456789012:genai-prod-alerts");
    });

    for (const [name, file] of [
        ["dev stack's", () => devConfigFile],
        ["Slack", () => slackConfigFile],
        ["cloud", () => cloudConfigFile],
    ] as const) {
        it(`routes critical alerts to the critical receiver and the rest to the default one (${name} configuration)`, async () => {
            const cases: ReadonlyArray<[string, string]> = [
                ["severity=critical", RECEIVERS.critical],
                ["severity=warning", RECEIVERS.default],
                ["alertname=Anything", RECEIVERS.default],
            ];
            for (const [labels, receiver] of cases) {
                const result = await amtool([
                    "config",
                    "routes",
                    "test",
                    `--config.file=${file()}`,
                    `--verify.receivers=${receiver}`,
                    labels,
                ]);
                expect(result.code, `${labels}: ${describeRun(result)}`).to.equal(0);
                expect(result.stdout.trim(), labels).to.equal(receiver);
            }
        });
    }
});
