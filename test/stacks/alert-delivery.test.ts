import { expect } from "chai";
import { parse } from "yaml";
import { ALERT_TIMINGS, RECEIVERS, renderAlertmanagerConfig } from "../../components/observability/config-files";
import { ProgramRun } from "../harness";
import { CONFIGURED_SECRETS, evaluatedStack, evaluatedWith } from "../support/stacks";

const ALERTMANAGER_CONFIG = "/etc/alertmanager/alertmanager.yml";
const WEBHOOK_URL = "https://chat-relay.example.com/hooks/genai-Webhook123";

/** Every input of every resource where `value` appears, with whether that input is marked secret. */
function occurrences(run: ProgramRun, value: string): { where: string; secret: boolean }[] {
    return run.resources.flatMap((r) =>
        Object.entries(r.inputs)
            .filter(([, v]) => JSON.stringify(v ?? null).includes(value))
            .map(([key]) => ({ where: `${r.type} ${r.name}.${key}`, secret: r.secretInputs.has(key) })),
    );
}

describe("alert delivery (alertmanager.yml)", () => {
    const TOPIC = { arn: "arn:aws:sns:us-east-1:111122223333:genai-alerts", region: "us-east-1" };

    it("groups by alert and model with the seeds' timings, repeating critical alerts every 5 minutes", () => {
        const am = parse(renderAlertmanagerConfig({}));
        expect(am.route).to.deep.include({ receiver: RECEIVERS.default, group_by: ["alertname", "model"], group_wait: "10s", group_interval: "10s", repeat_interval: "1h" });
        expect(am.route.routes).to.deep.equal([{ receiver: RECEIVERS.critical, matchers: ['severity="critical"'], repeat_interval: "5m" }]);
        expect(ALERT_TIMINGS).to.deep.equal({ groupWait: "10s", groupInterval: "10s", repeatInterval: "1h", criticalRepeatInterval: "5m" });
    });

    it("lets a critical alert silence the warning of the same alert and model", () => {
        expect(parse(renderAlertmanagerConfig({})).inhibit_rules).to.deep.equal([
            { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["alertname", "model"] },
        ]);
    });

    it("shows alerts in the UI only when no channel is configured", () => {
        expect(parse(renderAlertmanagerConfig({})).receivers).to.deep.equal([{ name: "default" }, { name: "critical" }]);
    });

    it("sends warnings and critical alerts alike to e-mail, Slack and the webhook, resolutions included", () => {
        const am = parse(renderAlertmanagerConfig({ emailTopic: TOPIC, slackWebhookUrl: "https://hooks.slack.com/services/T/B/X", webhookUrl: "https://relay.example.com/hook" }));
        expect(am.receivers.map((r: any) => r.name)).to.deep.equal([RECEIVERS.default, RECEIVERS.critical]);
        for (const [receiver, severity] of [
            [am.receivers[0], "WARNING"],
            [am.receivers[1], "CRITICAL"],
        ]) {
            expect(receiver.sns_configs, receiver.name).to.have.length(1);
            expect(receiver.sns_configs[0]).to.deep.include({ topic_arn: TOPIC.arn, sigv4: { region: "us-east-1" }, send_resolved: true });
            expect(receiver.sns_configs[0].subject).to.contain(`[${severity}] {{ .CommonLabels.alertname }}`).and.contain("[RESOLVED]");
            expect(receiver.slack_configs[0]).to.deep.include({ api_url: "https://hooks.slack.com/services/T/B/X", channel: "#genai-alerts", send_resolved: true });
            expect(receiver.slack_configs[0].title).to.contain(`[${severity}]`);
            expect(receiver.webhook_configs).to.deep.equal([{ url: "https://relay.example.com/hook", send_resolved: true }]);
        }
    });
});

describe("alert delivery in the stacks", () => {
    it("dev: shows alerts in Alertmanager's UI on 127.0.0.1 and delivers nowhere without a channel", async () => {
        const run = await evaluatedStack("dev");
        const am = run.one("docker:index/container:Container", "observability-alertmanager");
        const config = (am.inputs.uploads as { file: string; content: string }[]).find((u) => u.file === ALERTMANAGER_CONFIG)!.content;
        expect(parse(config).receivers).to.deep.equal([{ name: "default" }, { name: "critical" }]);
        expect(am.inputs.ports).to.deep.equal([{ internal: 9093, external: 9093, ip: "127.0.0.1" }]);
    });

    it("dev: posts every notification to the Slack and generic webhooks when set, which stay secret", async () => {
        const run = await evaluatedWith("dev", { alertSlackWebhookUrl: CONFIGURED_SECRETS.alertSlackWebhookUrl, alertWebhookUrl: WEBHOOK_URL });
        const am = run.one("docker:index/container:Container", "observability-alertmanager");
        const config = parse((am.inputs.uploads as { file: string; content: string }[]).find((u) => u.file === ALERTMANAGER_CONFIG)!.content);
        for (const receiver of config.receivers) {
            expect(receiver.webhook_configs, receiver.name).to.deep.equal([{ url: WEBHOOK_URL, send_resolved: true }]);
            expect(receiver.slack_configs[0].api_url, receiver.name).to.equal(CONFIGURED_SECRETS.alertSlackWebhookUrl);
        }
        for (const url of [WEBHOOK_URL, CONFIGURED_SECRETS.alertSlackWebhookUrl]) {
            const found = occurrences(run, url);
            expect(found.map((o) => o.where)).to.deep.equal(["docker:index/container:Container observability-alertmanager.uploads"]);
            expect(found.every((o) => o.secret), url).to.equal(true);
            expect(JSON.stringify(run.outputs)).to.not.contain(url);
        }
    });

    for (const stack of ["staging", "prod"] as const) {
        it(`${stack}: e-mails warnings and critical alerts through the alert topic, posts them to Slack, and keeps the configuration secret`, async () => {
            const run = await evaluatedStack(stack);
            const secret = run.one("kubernetes:core/v1:Secret", "observability-alertmanager-config");
            expect([...secret.secretInputs]).to.include("stringData");
            const config = parse(secret.inputs.stringData["alertmanager.yaml"]);
            for (const name of [RECEIVERS.default, RECEIVERS.critical]) {
                const receiver = config.receivers.find((r: any) => r.name === name);
                expect(receiver.sns_configs[0], name).to.deep.include({ topic_arn: "arn:aws:sns:us-east-1:123456789012:alert-topic", send_resolved: true });
                expect(receiver.slack_configs[0].api_url, name).to.equal(CONFIGURED_SECRETS.alertSlackWebhookUrl);
            }
            const subscriptions = run.ofType("aws:sns/topicSubscription:TopicSubscription").map((s) => s.inputs);
            expect(subscriptions.filter((s) => s.topic === "arn:aws:sns:us-east-1:123456789012:alert-topic")).to.deep.equal([
                { topic: "arn:aws:sns:us-east-1:123456789012:alert-topic", protocol: "email", endpoint: "platform-oncall@genai.example.com" },
            ]);
            // The same address hears of failed backups, from the backup vault's own topic (test/stacks/backups.test.ts).
            expect(subscriptions.filter((s) => s.topic !== "arn:aws:sns:us-east-1:123456789012:alert-topic").map((s) => s.topic)).to.deep.equal(["arn:aws:sns:us-east-1:123456789012:backup-events"]);
        });
    }

    it("cloud: adds the generic webhook to both receivers when set, secret like the rest", async () => {
        const run = await evaluatedWith("staging", { alertWebhookUrl: WEBHOOK_URL });
        const secret = run.one("kubernetes:core/v1:Secret", "observability-alertmanager-config");
        const config = parse(secret.inputs.stringData["alertmanager.yaml"]);
        for (const receiver of config.receivers.filter((r: any) => r.name !== "null")) expect(receiver.webhook_configs, receiver.name).to.deep.equal([{ url: WEBHOOK_URL, send_resolved: true }]);
        const found = occurrences(run, WEBHOOK_URL);
        expect(found).to.deep.equal([{ where: "kubernetes:core/v1:Secret observability-alertmanager-config.stringData", secret: true }]);
    });
});
