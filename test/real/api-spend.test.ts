/**
 * The API spend signal on real servers: an application pushes its running total of external-API spend to
 * Debian's Pushgateway as catalog/app-metrics.ts says, Debian's Prometheus scrapes it with the dev stack's own
 * scrape job and evaluates the dev stack's shipped rules. The pushed job and instance must survive the scrape
 * (honor_labels), the 24-hour spend must read what was pushed, and both spend alerts must go pending once it
 * passes the critical level (their `for` is proven by the promtool tests), and not before.
 */
import { expect } from "chai";
import { stringify } from "yaml";
import { API_SPEND } from "../../catalog/app-metrics";
import { AlertRuleSpec, platformAlertRules } from "../../components/observability/alerts";
import { alertInputsOf } from "../../stacks/alert-inputs";
import { DEV_PROMETHEUS_RULES, devStack, devStackConfig } from "../support/dev-stack";
import { LOOPBACK, PrometheusServer, freePort, httpGet, httpRequest, requireBinary, requireBinaryOrSkip, startPrometheus, startServer, stopAll, waitFor } from "../support/servers";

const SCRAPE_SECONDS = 1;
const ALERTS = ["ApiSpendHigh", "ApiSpendCritical"] as const;

describe("API spend: pushed by an application, scraped through the Pushgateway, alerted on", function () {
    this.timeout(60_000);
    let gatewayPort: number;
    let prometheus: PrometheusServer;
    const rules: Record<string, AlertRuleSpec> = {};

    /** PUTs the application's group: its running total, as the catalog's push path says. */
    async function push(totalUsd: number): Promise<void> {
        const path = API_SPEND.pushPath.replace("<application>", "chat-app").replace("<replica>", "chat-app-0");
        const body = `# TYPE ${API_SPEND.metric} counter\n${API_SPEND.metric}{provider="openai"} ${totalUsd}\n`;
        const response = await httpRequest(gatewayPort, { method: "PUT", path, body, headers: { "content-type": "text/plain; version=0.0.4" } });
        expect(response.status, response.body).to.equal(200);
    }

    async function spendAlerts(): Promise<Record<string, string | undefined>> {
        const alerts = await prometheus.alerts();
        return Object.fromEntries(ALERTS.map((name) => [name, alerts.find((a) => a.labels.alertname === name)?.state]));
    }

    before(async function () {
        for (const bin of ["prometheus", "prometheus-pushgateway"]) requireBinaryOrSkip(this, bin);
        for (const rule of platformAlertRules(alertInputsOf(devStackConfig()))) if ((ALERTS as readonly string[]).includes(rule.name)) rules[rule.name] = rule;
        expect(Object.keys(rules).sort()).to.deep.equal([...ALERTS].sort());
        gatewayPort = await freePort();
        // Debian's build keeps pushes in a file by default; the image keeps them in memory, as here.
        await startServer(requireBinary("prometheus-pushgateway"), [`--web.listen-address=${LOOPBACK}:${gatewayPort}`, "--persistence.file="], { name: "pushgateway" });
        await waitFor(async () => (await httpGet(gatewayPort, "/-/ready").catch(() => ({ status: 0 }))).status === 200, 15_000, 100, "the Pushgateway to be ready");

        const dev = await devStack();
        prometheus = await startPrometheus(
            stringify({
                global: { scrape_interval: `${SCRAPE_SECONDS}s`, evaluation_interval: `${SCRAPE_SECONDS}s` },
                scrape_configs: [dev.scrapeJob("pushgateway", `${LOOPBACK}:${gatewayPort}`)],
            }),
            { rules: { "genai.yml": dev.upload("observability-prometheus", DEV_PROMETHEUS_RULES) } },
        );
        await prometheus.waitForTargetsUp();
    });

    after(async () => {
        await stopAll();
    });

    it("keeps the application's job and instance, and stays quiet while the spend is low", async () => {
        await push(0);
        const pushed = `${API_SPEND.metric}{job="chat-app",instance="chat-app-0",provider="openai"}`;
        await waitFor(async () => (await prometheus.query(pushed)) === 0, 10_000, 100, "the pushed series under the application's own job");
        await push(10);
        await waitFor(async () => (await prometheus.query(pushed)) === 10, 10_000, 100, "the second push");
        // A few evaluations on the low figure.
        await new Promise((resolve) => setTimeout(resolve, 3 * SCRAPE_SECONDS * 1000));
        expect(await spendAlerts()).to.deep.equal({ ApiSpendHigh: undefined, ApiSpendCritical: undefined });
    });

    it("reads the 24-hour spend and raises both alerts once it passes the critical level", async () => {
        const total = rules.ApiSpendCritical.threshold + 1;
        await push(total);
        const started = Date.now();
        await waitFor(async () => Object.values(await spendAlerts()).every((s) => s === "pending"), 10_000, 100, "both spend alerts to go pending");
        expect((Date.now() - started) / 1000, "within a few scrapes and evaluations").to.be.at.most(5 * SCRAPE_SECONDS + 1);
        // What the application pushed last, exactly; and the rule's own measure at least that, the counter having
        // started at 0. (`increase()` extrapolates to the query time: over seconds of samples that adds up to a
        // scrape interval's share, over a day of them nothing to speak of.)
        expect(await prometheus.query(`sum(${API_SPEND.metric})`)).to.equal(total);
        const spend = await prometheus.query(rules.ApiSpendCritical.measure);
        expect(spend).to.be.within(total, total * 1.5);
        expect(rules.ApiSpendHigh.threshold).to.be.below(rules.ApiSpendCritical.threshold);
    });
});
