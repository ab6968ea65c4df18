/**
 * The data-store alerts on real failures: PostgreSQL 15 and Redis with Debian's postgres and redis
 * exporters in front, scraped every second by Debian's Prometheus with the dev stack's own scrape jobs and
 * its shipped rules file. Stopping Postgres and Redis must raise DatabaseDown and RedisDown, pending at
 * once and firing after their `for` (within two scrapes and an evaluation of it); restarting them must
 * resolve both.
 */
import { expect } from "chai";
import { stringify } from "yaml";
import { AlertRuleSpec, platformAlertRules } from "../../components/observability/alerts";
import { alertInputsOf } from "../../stacks/alert-inputs";
import { DEV_PROMETHEUS_RULES, devStack, devStackConfig } from "../support/dev-stack";
import {
    LOOPBACK,
    PostgresServer,
    PrometheusServer,
    RedisServer,
    ServerHandle,
    freePort,
    httpGet,
    requireBinary,
    requireBinaryOrSkip,
    startPostgres,
    startPrometheus,
    startRedis,
    startServer,
    stopAll,
    waitFor,
} from "../support/servers";

/**
 * Scrape and evaluation interval: two seconds, because the postgres exporter takes just over one to answer
 * while Postgres is down (it retries its connection), and a scrape may not outlast its interval.
 */
const SCRAPE_SECONDS = 2;
const ALERTS = ["DatabaseDown", "RedisDown"] as const;

async function exporter(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ handle: ServerHandle; target: string }> {
    const port = await freePort();
    const handle = await startServer(requireBinary(bin), [...args, `--web.listen-address=${LOOPBACK}:${port}`], { env, name: bin });
    await waitFor(async () => (await httpGet(port, "/metrics").catch(() => ({ status: 0 }))).status === 200, 15_000, 100, `${bin} to serve its metrics`);
    return { handle, target: `${LOOPBACK}:${port}` };
}

/** The state of each alert now: undefined (inactive), "pending" or "firing". */
async function alertStates(prometheus: PrometheusServer): Promise<Record<string, string | undefined>> {
    const alerts = await prometheus.alerts();
    return Object.fromEntries(ALERTS.map((name) => [name, alerts.find((a) => a.labels.alertname === name)?.state]));
}

describe("data-store alerts on real failures: Postgres and Redis stopped behind their exporters", function () {
    this.timeout(120_000);
    let postgres: PostgresServer;
    let redis: RedisServer;
    let prometheus: PrometheusServer;
    const rules: Record<string, AlertRuleSpec> = {};

    before(async function () {
        for (const bin of ["prometheus", "prometheus-postgres-exporter", "prometheus-redis-exporter", "redis-server", "postgres"]) requireBinaryOrSkip(this, bin);
        for (const rule of platformAlertRules(alertInputsOf(devStackConfig()))) if ((ALERTS as readonly string[]).includes(rule.name)) rules[rule.name] = rule;
        expect(Object.keys(rules).sort()).to.deep.equal([...ALERTS].sort());
        [postgres, redis] = await Promise.all([startPostgres(), startRedis("")]);
        const [pgExporter, redisExporter] = await Promise.all([
            exporter("prometheus-postgres-exporter", [], { DATA_SOURCE_NAME: `postgresql://postgres@${LOOPBACK}:${postgres.port}/postgres?sslmode=disable` }),
            exporter("prometheus-redis-exporter", [`--redis.addr=redis://${LOOPBACK}:${redis.port}`]),
        ]);
        // The dev stack's own scrape jobs of the two exporters, and its shipped rules, pointed at these servers.
        const dev = await devStack();
        prometheus = await startPrometheus(
            stringify({
                global: { scrape_interval: `${SCRAPE_SECONDS}s`, evaluation_interval: `${SCRAPE_SECONDS}s` },
                scrape_configs: [dev.scrapeJob("postgres", pgExporter.target), dev.scrapeJob("redis", redisExporter.target)],
            }),
            { rules: { "genai.yml": dev.upload("observability-prometheus", DEV_PROMETHEUS_RULES) } },
        );
        await prometheus.waitForTargetsUp();
        await waitFor(async () => (await prometheus.query("min(pg_up) + min(redis_up)")) === 2, 15_000, 200, "pg_up and redis_up to read 1");
    });

    after(async () => {
        await stopAll();
    });

    it("stays quiet while both answer", async () => {
        expect(await alertStates(prometheus)).to.deep.equal({ DatabaseDown: undefined, RedisDown: undefined });
    });

    it("goes pending, then fires after its `for` (within two scrapes and an evaluation), and resolves after a restart", async () => {
        const stopped = Date.now();
        await Promise.all([postgres.stop(), redis.stop()]);
        const seen: Record<string, { pending?: number; firing?: number }> = { DatabaseDown: {}, RedisDown: {} };
        const longest = Math.max(...ALERTS.map((a) => rules[a].forSeconds));
        const budget = (name: string) => rules[name].forSeconds + 2 * SCRAPE_SECONDS + SCRAPE_SECONDS;
        await waitFor(
            async () => {
                const states = await alertStates(prometheus);
                for (const name of ALERTS) {
                    const at = (Date.now() - stopped) / 1000;
                    if (states[name] === "pending") seen[name].pending ??= at;
                    if (states[name] === "firing") seen[name].firing ??= at;
                }
                return ALERTS.every((name) => seen[name].firing !== undefined);
            },
            (longest + 15) * 1000,
            250,
            "DatabaseDown and RedisDown to fire",
        ).catch(async (error: Error) => {
            const debug = await Promise.all(["pg_up", "redis_up", "up"].map(async (q) => `${q}=${JSON.stringify((await httpGet(prometheus.port, `/api/v1/query?query=${q}`)).body)}`));
            throw new Error(`${error.message}; seen ${JSON.stringify(seen)}; ${debug.join("; ")}; alerts ${JSON.stringify(await prometheus.alerts())}`);
        });
        for (const name of ALERTS) {
            const { pending, firing } = seen[name];
            expect(pending, `${name} went pending first`).to.not.equal(undefined);
            expect(pending!, `${name} pending within two scrapes and an evaluation`).to.be.at.most(3 * SCRAPE_SECONDS + 1);
            // Not through its exporter's target going down: the exporter answers, its gauge says the store does not.
            expect(firing!, `${name} fires only after its for`).to.be.at.least(rules[name].forSeconds);
            // One second of slack for the polling and the processes' stop.
            expect(firing!, `${name} fires within its for plus two scrapes and an evaluation`).to.be.at.most(budget(name) + 1);
        }

        // The exporters kept answering: the page says the store is down, not that a scrape target is.
        expect((await prometheus.alerts()).filter((a) => a.labels.alertname === "ServiceDown")).to.deep.equal([]);

        await Promise.all([postgres.restart(), redis.restart()]);
        const restarted = Date.now();
        await waitFor(async () => Object.values(await alertStates(prometheus)).every((s) => s === undefined), 15_000, 250, "both alerts to resolve");
        expect((Date.now() - restarted) / 1000, "resolved within a few scrapes").to.be.at.most(10);
    });
});
