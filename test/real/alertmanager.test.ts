import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { ALERT_TIMINGS, NULL_RECEIVER, RECEIVERS, renderAlertmanagerConfig } from "../../components/observability/config-files";
import { ALWAYS_FIRING_ALERTS } from "../../components/observability/k8s";
import { devStack } from "../support/dev-stack";
import { CONFIGURED_SECRETS, evaluatedStack, evaluatedWith } from "../support/stacks";
import { RunResult, amtool, httpRequest, listenOnLoopback, makeTempDir, registeredClose, requireBinaryOrSkip, startAlertmanager, stopAll, waitFor } from "../support/servers";

const ALERTMANAGER_CONFIG = "/etc/alertmanager/alertmanager.yml";
/** A chat relay's webhook; `amtool` only validates it, nothing is sent. */
const WEBHOOK_URL = "https://chat-relay.example.com/hooks/genai-Webhook123";

function describeRun(result: RunResult): string {
    return `exit ${String(result.code)}\n${result.stdout}\n${result.stderr}`;
}

/** The receiver `amtool` routes an alert with these labels to, checked against the one expected. */
async function routeOf(file: string, labels: readonly string[], receiver: string): Promise<string> {
    const result = await amtool(["config", "routes", "test", `--config.file=${file}`, `--verify.receivers=${receiver}`, ...labels]);
    expect(result.code, `${labels.join(" ")}: ${describeRun(result)}`).to.equal(0);
    return result.stdout.trim();
}

describe("Alertmanager configuration, checked by amtool", function () {
    /** The configuration files each stack hands Alertmanager. */
    const files: Record<"dev" | "devWithReceivers" | "staging" | "prod", string> = { dev: "", devWithReceivers: "", staging: "", prod: "" };

    before(async function () {
        this.timeout(60_000);
        requireBinaryOrSkip(this, "amtool");
        const dir = makeTempDir("genai-alertmanager");
        const write = (name: keyof typeof files, content: string) => {
            files[name] = path.join(dir, `${name}.yml`);
            fs.writeFileSync(files[name], content);
        };
        write("dev", (await devStack()).upload("observability-alertmanager", ALERTMANAGER_CONFIG));
        const withReceivers = await evaluatedWith("dev", { alertSlackWebhookUrl: CONFIGURED_SECRETS.alertSlackWebhookUrl, alertWebhookUrl: WEBHOOK_URL });
        const uploads = withReceivers.one("docker:index/container:Container", "observability-alertmanager").inputs.uploads as { file: string; content: string }[];
        write("devWithReceivers", uploads.find((u) => u.file === ALERTMANAGER_CONFIG)!.content);
        for (const stack of ["staging", "prod"] as const) {
            const secret = (await evaluatedStack(stack)).one("kubernetes:core/v1:Secret", "observability-alertmanager-config");
            write(stack, secret.inputs.stringData["alertmanager.yaml"]);
        }
    });

    after(async () => {
        await stopAll();
    });

    it("accepts the dev stack's configuration, which shows alerts in its UI only", async () => {
        const result = await amtool(["check-config", files.dev]);
        expect(result.code, describeRun(result)).to.equal(0);
        expect(result.stdout).to.contain("SUCCESS").and.contain("2 receivers");
    });

    it("accepts dev's configuration with a Slack webhook and a generic webhook, both on each receiver", async () => {
        const result = await amtool(["check-config", files.devWithReceivers]);
        expect(result.code, describeRun(result)).to.equal(0);
        expect(result.stdout).to.contain("SUCCESS");
        const text = fs.readFileSync(files.devWithReceivers, "utf8");
        expect(text.split(`url: ${WEBHOOK_URL}`)).to.have.length(3);
        expect(text.split(`api_url: ${CONFIGURED_SECRETS.alertSlackWebhookUrl}`)).to.have.length(3);
    });

    it("accepts the cloud configurations, which e-mail every alert through SNS and post to Slack", async () => {
        for (const stack of ["staging", "prod"] as const) {
            const result = await amtool(["check-config", files[stack]]);
            expect(result.code, `${stack}: ${describeRun(result)}`).to.equal(0);
            expect(result.stdout).to.contain("SUCCESS").and.contain("3 receivers");
            expect(fs.readFileSync(files[stack], "utf8").split("topic_arn: arn:aws:sns:us-east-1:123456789012:alert-topic"), stack).to.have.length(3);
        }
    });

    for (const name of ["dev", "devWithReceivers", "staging", "prod"] as const) {
        it(`routes critical alerts to the critical receiver and warnings to the default one (${name})`, async () => {
            const cases: ReadonlyArray<[string[], string]> = [
                [["alertname=PostgresDown", "severity=critical"], RECEIVERS.critical],
                [["alertname=RolloutRolledBack", "severity=critical", "model=llm"], RECEIVERS.critical],
                [["alertname=HighErrorRate", "severity=warning", "model=llm"], RECEIVERS.default],
                [["alertname=Anything"], RECEIVERS.default],
            ];
            for (const [labels, receiver] of cases) expect(await routeOf(files[name], labels, receiver), labels.join(" ")).to.equal(receiver);
        });
    }

    it("sends the cloud's always-firing alerts (Watchdog, InfoInhibitor) to the receiver that sends nothing, whatever their severity", async () => {
        expect(ALWAYS_FIRING_ALERTS).to.include.members(["Watchdog", "InfoInhibitor"]);
        for (const stack of ["staging", "prod"] as const) {
            for (const alert of ALWAYS_FIRING_ALERTS) {
                for (const severity of ["none", "critical"]) {
                    expect(await routeOf(files[stack], [`alertname=${alert}`, `severity=${severity}`], NULL_RECEIVER), `${stack} ${alert} ${severity}`).to.equal(NULL_RECEIVER);
                }
            }
        }
        // Dev has no such alert, and so no such receiver: a Watchdog there would be delivered.
        expect(await routeOf(files.dev, ["alertname=Watchdog"], RECEIVERS.default)).to.equal(RECEIVERS.default);
    });
});

/** One webhook notification as Alertmanager posts it. */
interface Notification {
    readonly receiver: string;
    readonly status: "firing" | "resolved";
    readonly alerts: { status: string; labels: Record<string, string> }[];
    /** Milliseconds since the test posted its first alerts. */
    readonly at: number;
}

describe("Alertmanager delivering with the platform's configuration", function () {
    after(async () => {
        await stopAll();
    });

    it("sends each group 10 s after it starts, critical and warning to their receivers, a warning silenced by its critical, and the resolution", async function () {
        this.timeout(60_000);
        requireBinaryOrSkip(this, "prometheus-alertmanager");
        const received: Notification[] = [];
        const start = Date.now();
        const server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (chunk: Buffer) => (body += chunk.toString()));
            req.on("end", () => {
                received.push({ ...(JSON.parse(body) as Omit<Notification, "at">), at: Date.now() - start });
                res.writeHead(200).end();
            });
        });
        const port = await listenOnLoopback(server);
        registeredClose(server);
        const am = await startAlertmanager(renderAlertmanagerConfig({ webhookUrl: `http://127.0.0.1:${port}/genai-alerts` }));
        const post = (alerts: object[]) =>
            httpRequest(am.port, { method: "POST", path: "/api/v2/alerts", headers: { "content-type": "application/json" }, body: JSON.stringify(alerts) });
        const alert = (labels: Record<string, string>, endsAt?: Date) => ({ labels, annotations: { summary: labels.alertname }, ...(endsAt ? { endsAt: endsAt.toISOString() } : {}) });
        const disk = { alertname: "DiskFilling", severity: "warning", instance: "node-1" };
        const errorsWarning = { alertname: "HighErrorRate", severity: "warning", model: "llm" };
        const errorsCritical = { alertname: "HighErrorRate", severity: "critical", model: "llm" };

        const posted = await post([alert({ alertname: "PostgresDown", severity: "critical" }), alert(disk), alert(errorsWarning), alert(errorsCritical)]);
        expect(posted.status, posted.body).to.equal(200);
        const groups = (status: string) => received.filter((n) => n.status === status).map((n) => `${n.receiver}:${n.alerts.map((a) => `${a.labels.alertname}/${a.labels.severity}`).join(",")}`).sort();
        await waitFor(() => received.length >= 3, 20_000, 100, "the first notifications");
        expect(groups("firing")).to.deep.equal(["critical:HighErrorRate/critical", "critical:PostgresDown/critical", "default:DiskFilling/warning"]);
        // Sent once the group has waited its group_wait, not before.
        const groupWaitMs = Number.parseInt(ALERT_TIMINGS.groupWait, 10) * 1000;
        for (const n of received) expect(n.at, `${n.receiver} sent after ${n.at} ms`).to.be.at.least(groupWaitMs - 1000);
        // The warning of an alert that is also critical for the same model is inhibited, and never sent.
        const listed = await httpRequest(am.port, { path: `/api/v2/alerts?filter=${encodeURIComponent('severity="warning"')}&filter=${encodeURIComponent('alertname="HighErrorRate"')}` });
        const [inhibited] = JSON.parse(listed.body) as { status: { state: string; inhibitedBy: string[] } }[];
        expect(inhibited.status.state).to.equal("suppressed");
        expect(inhibited.status.inhibitedBy).to.have.length(1);

        // Resolved: the receiver hears of it at the group's next flush.
        expect((await post([alert(disk, new Date(Date.now() - 1000))])).status).to.equal(200);
        await waitFor(() => groups("resolved").length > 0, 25_000, 100, "the resolved notification");
        expect(groups("resolved")).to.deep.equal(["default:DiskFilling/warning"]);
    });
});
