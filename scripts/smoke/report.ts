/** The smoke check's verdict: a line per route for people, one JSON object for machines. */
import { SmokePlan } from "./routes";
import { RouteOutcome, SmokeResult } from "./run";

function statusOf(o: RouteOutcome): string {
    return o.last?.status === undefined ? "---" : String(o.last.status);
}

function detailOf(o: RouteOutcome): string {
    if (o.attempts === 0) return "not checked: the timeout left no time for it";
    const tries = `${o.attempts} ${o.attempts === 1 ? "attempt" : "attempts"}`;
    if (o.healthy) return tries;
    return `${tries}; ${o.last?.error ?? "unhealthy"}`;
}

function headerText(o: RouteOutcome): string {
    const headers = Object.entries(o.route.headers);
    return headers.length === 0 ? "" : ` [${headers.map(([k, v]) => `${k}: ${v}`).join(", ")}]`;
}

/** The notes, a line per route (`ok`/`FAIL`, name, status, latency, URL, attempts and why) and a summary. */
export function renderText(plan: SmokePlan, result: SmokeResult): string {
    const width = Math.max(...result.routes.map((o) => o.route.name.length));
    const lines = [
        ...plan.notes.map((n) => `note: ${n}`),
        ...result.routes.map((o) => {
            const latency = o.last === undefined ? "     -" : `${String(o.last.latencyMs).padStart(5)} ms`;
            return `${o.healthy ? "ok  " : "FAIL"} ${o.route.name.padEnd(width)} ${statusOf(o)} ${latency}  GET ${o.route.url}${headerText(o)}  ${detailOf(o)}`;
        }),
    ];
    const failed = result.routes.filter((o) => !o.healthy);
    const seconds = (result.elapsedMs / 1000).toFixed(1);
    lines.push(
        failed.length === 0
            ? `smoke ${plan.stack}: all ${result.routes.length} routes healthy through ${plan.baseUrl} (${seconds} s)`
            : `smoke ${plan.stack}: ${failed.length} of ${result.routes.length} routes unhealthy through ${plan.baseUrl} after ${seconds} s: ${failed.map((o) => o.route.name).join(", ")}`,
    );
    return `${lines.join("\n")}\n`;
}

export function renderJson(plan: SmokePlan, result: SmokeResult, timeoutMs: number): string {
    return `${JSON.stringify({
        stack: plan.stack,
        platform: plan.platform,
        baseUrl: plan.baseUrl,
        healthy: result.healthy,
        elapsedMs: result.elapsedMs,
        timeoutMs,
        notes: plan.notes,
        routes: result.routes.map((o) => ({
            name: o.route.name,
            kind: o.route.kind,
            ...(o.route.model !== undefined ? { model: o.route.model } : {}),
            ...(o.route.track !== undefined ? { track: o.route.track } : {}),
            url: o.route.url,
            headers: o.route.headers,
            healthy: o.healthy,
            status: o.last?.status ?? null,
            latencyMs: o.last?.latencyMs ?? null,
            attempts: o.attempts,
            healthyAfterMs: o.healthyAfterMs ?? null,
            error: o.healthy ? null : o.attempts === 0 ? "not checked: the timeout left no time for it" : (o.last?.error ?? "unhealthy"),
            ...(o.last?.location !== undefined ? { location: o.last.location } : {}),
        })),
    })}\n`;
}
