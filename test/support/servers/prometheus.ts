/**
 * Prometheus and Alertmanager from Debian's packages, on 127.0.0.1 with their data in a temp dir:
 * Prometheus scrapes loopback targets and evaluates rules; Alertmanager receives the alerts and hands
 * them to a webhook on loopback. Alertmanager's cluster listener (0.0.0.0:9094 by default) is off.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { requireBinary } from "./binaries";
import { makeTempDir } from "./lifecycle";
import { LOOPBACK, httpGet, startOnFreePort, waitFor, waitForTcp } from "./net";
import { ServerHandle, startServer } from "./process";

export interface PrometheusServer {
    readonly handle: ServerHandle;
    readonly port: number;
    readonly url: string;
    readonly dir: string;
    /** The value of an instant query returning at most one series; undefined when it returns none. */
    query(promql: string): Promise<number | undefined>;
    /** The alerts Prometheus holds now, with their state (`pending` or `firing`). */
    alerts(): Promise<{ labels: Record<string, string>; state: string }[]>;
    /** Waits until every scrape target is up. */
    waitForTargetsUp(timeoutMs?: number): Promise<void>;
    stop(): Promise<void>;
}

/** Every scrape and rule target must be on loopback. */
function assertLoopbackTargets(config: Record<string, unknown>): void {
    const jobs = (config.scrape_configs ?? []) as { static_configs?: { targets?: string[] }[] }[];
    const alerting = (config.alerting as { alertmanagers?: { static_configs?: { targets?: string[] }[] }[] } | undefined)?.alertmanagers ?? [];
    const targets = [...jobs, ...alerting].flatMap((j) => (j.static_configs ?? []).flatMap((s) => s.targets ?? []));
    const bad = targets.filter((t) => !/^(127\.\d+\.\d+\.\d+|localhost):\d+$/.test(t));
    if (bad.length > 0) throw new Error(`Prometheus config has targets off loopback: ${bad.join(", ")}`);
}

/**
 * Starts Prometheus with `configText` (YAML; rule files given as `{ name: text }` are written next to
 * it and replace the config's `rule_files`). Resolves when it answers `/-/ready`.
 */
export async function startPrometheus(configText: string, opts: { rules?: Readonly<Record<string, string>>; timeoutMs?: number } = {}): Promise<PrometheusServer> {
    const bin = requireBinary("prometheus");
    const config = parse(configText) as Record<string, unknown>;
    assertLoopbackTargets(config);
    return startOnFreePort("prometheus", async (port) => {
        const dir = makeTempDir("genai-prometheus");
        if (opts.rules) {
            config.rule_files = Object.entries(opts.rules).map(([name, text]) => {
                fs.writeFileSync(path.join(dir, name), text);
                return path.join(dir, name);
            });
        }
        const configFile = path.join(dir, "prometheus.yml");
        fs.writeFileSync(configFile, stringify(config));
        const handle = await startServer(
            bin,
            [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=${LOOPBACK}:${port}`, "--log.level=warn"],
            { cwd: dir, name: "prometheus" },
        );
        const url = `http://${LOOPBACK}:${port}`;
        const api = async <T>(urlPath: string): Promise<T> => {
            const res = await httpGet(port, urlPath);
            if (res.status !== 200) throw new Error(`Prometheus answered ${res.status} to ${urlPath}: ${res.body.slice(0, 300)}`);
            return (JSON.parse(res.body) as { data: T }).data;
        };
        const server: PrometheusServer = {
            handle,
            port,
            url,
            dir,
            query: async (promql) => {
                const data = await api<{ result: { value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`);
                if (data.result.length > 1) throw new Error(`${promql} returned ${data.result.length} series`);
                return data.result.length === 0 ? undefined : Number(data.result[0].value[1]);
            },
            alerts: async () => (await api<{ alerts: { labels: Record<string, string>; state: string }[] }>("/api/v1/alerts")).alerts,
            waitForTargetsUp: async (timeoutMs = 20_000) => {
                await waitFor(
                    async () => {
                        const data = await api<{ activeTargets: { health: string }[] }>("/api/v1/targets");
                        return data.activeTargets.length > 0 && data.activeTargets.every((t) => t.health === "up");
                    },
                    timeoutMs,
                    200,
                    "every Prometheus target to be up",
                );
            },
            stop: () => handle.stop(),
        };
        return {
            handle,
            ready: async () => {
                await waitForTcp(port, opts.timeoutMs ?? 20_000, handle);
                await waitFor(async () => (await httpGet(port, "/-/ready")).status === 200, opts.timeoutMs ?? 20_000, 100, "Prometheus to be ready");
                return server;
            },
        };
    });
}

export interface AlertmanagerServer {
    readonly handle: ServerHandle;
    readonly port: number;
    readonly url: string;
    stop(): Promise<void>;
}

/** Starts Alertmanager with `configText`, clustering off. Resolves when it answers `/-/ready`. */
export async function startAlertmanager(configText: string, opts: { timeoutMs?: number } = {}): Promise<AlertmanagerServer> {
    const bin = requireBinary("prometheus-alertmanager");
    return startOnFreePort("alertmanager", async (port) => {
        const dir = makeTempDir("genai-alertmanager");
        const configFile = path.join(dir, "alertmanager.yml");
        fs.writeFileSync(configFile, configText);
        const handle = await startServer(
            bin,
            [`--config.file=${configFile}`, `--storage.path=${path.join(dir, "data")}`, `--web.listen-address=${LOOPBACK}:${port}`, "--cluster.listen-address=", "--log.level=warn"],
            { cwd: dir, name: "alertmanager" },
        );
        return {
            handle,
            ready: async () => {
                await waitForTcp(port, opts.timeoutMs ?? 20_000, handle);
                await waitFor(async () => (await httpGet(port, "/-/ready")).status === 200, opts.timeoutMs ?? 20_000, 100, "Alertmanager to be ready");
                return { handle, port, url: `http://${LOOPBACK}:${port}`, stop: () => handle.stop() };
            },
        };
    });
}
