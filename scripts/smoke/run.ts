/**
 * Runs a smoke plan: every route is asked once, and those not healthy yet again, sooner at first and
 * then less often, until each is healthy, fails for good (a redirect, a refused certificate) or the
 * overall timeout is spent. The requests stay within the plan's budget of the stack's rate limits, so
 * the check never causes the 429s it would then report.
 */
import { Probe, ProbeResult } from "./probe";
import { RequestBudget, SmokePlan, SmokeRoute } from "./routes";
import { Clock, SYSTEM_CLOCK } from "../rollout/clock";

/** Longest a single request may take; a route that answers slower is retried like one that failed. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** The first retry's delay; each next one doubles, up to a ceiling the budget sets (at least MIN_CEILING_MS). */
const FIRST_RETRY_MS = 500;
const MIN_CEILING_MS = 2_000;
/** Less than this left before the deadline is too little for a request. */
const LEAST_REQUEST_MS = 100;
/** A wait is cut short to leave the last round this long before the deadline. */
const LAST_ROUND_MS = 1_000;

export interface RouteOutcome {
    readonly route: SmokeRoute;
    readonly healthy: boolean;
    /** The last request's result; undefined when the timeout left no room to send one. */
    readonly last?: ProbeResult;
    readonly attempts: number;
    /** When the route first answered 200, from the start of the check. */
    readonly healthyAfterMs?: number;
}

export interface SmokeResult {
    readonly healthy: boolean;
    readonly elapsedMs: number;
    /** In the plan's order. */
    readonly routes: readonly RouteOutcome[];
}

export interface RunOptions {
    readonly timeoutMs: number;
    readonly probe: Probe;
    readonly clock?: Clock;
    /** Called before each wait with the routes still not healthy and how long the wait is. */
    readonly onRetry?: (pending: readonly RouteOutcome[], delayMs: number) => void;
}

/** The times of the last requests, to keep at most `limit` in any `windowMs`. */
class SlidingWindow {
    private readonly sent: number[] = [];
    constructor(
        private readonly limit: number,
        private readonly windowMs: number,
    ) {}

    /** The earliest time from `now` at which one more request stays within the limit. */
    nextFree(now: number): number {
        while (this.sent.length > 0 && this.sent[0] <= now - this.windowMs) this.sent.shift();
        return this.sent.length < this.limit ? now : this.sent[this.sent.length - this.limit] + this.windowMs;
    }

    record(at: number): void {
        this.sent.push(at);
    }
}

/** The longest wait between rounds: one round of `modelRoutes` model requests per share of the minute's budget. */
function retryCeilingMs(budget: RequestBudget, modelRoutes: number): number {
    return Math.max(MIN_CEILING_MS, Math.ceil((60_000 * modelRoutes) / budget.modelRequestsPerMinute));
}

export async function runSmoke(plan: SmokePlan, options: RunOptions): Promise<SmokeResult> {
    const clock = options.clock ?? SYSTEM_CLOCK;
    const start = clock.now();
    const deadline = start + options.timeoutMs;
    const perSecond = new SlidingWindow(plan.budget.requestsPerSecond, 1_000);
    const perMinute = new SlidingWindow(plan.budget.modelRequestsPerMinute, 60_000);
    const outcomes = new Map<SmokeRoute, RouteOutcome>(plan.routes.map((route) => [route, { route, healthy: false, attempts: 0 }]));
    const settled = (o: RouteOutcome): boolean => o.healthy || o.last?.final === true;

    /** Sends one request of `route`; false when the deadline leaves no room for it. */
    const attempt = async (route: SmokeRoute): Promise<boolean> => {
        let now = clock.now();
        const slot = Math.max(perSecond.nextFree(now), route.kind === "model" ? perMinute.nextFree(now) : now);
        if (slot + LEAST_REQUEST_MS > deadline) return false;
        if (slot > now) {
            await clock.sleep(slot - now);
            now = clock.now();
        }
        perSecond.record(now);
        if (route.kind === "model") perMinute.record(now);
        const last = await options.probe(route, Math.min(REQUEST_TIMEOUT_MS, deadline - now));
        const previous = outcomes.get(route)!;
        const healthy = last.status === 200 && last.error === undefined;
        outcomes.set(route, { route, healthy, last, attempts: previous.attempts + 1, healthyAfterMs: healthy ? clock.now() - start : undefined });
        return true;
    };

    for (let round = 0; ; round++) {
        let outOfTime = false;
        for (const route of plan.routes) {
            if (settled(outcomes.get(route)!)) continue;
            if (!(await attempt(route))) {
                outOfTime = true;
                break;
            }
        }
        const pending = [...outcomes.values()].filter((o) => !settled(o));
        if (pending.length === 0 || outOfTime) break;
        const ceiling = retryCeilingMs(plan.budget, pending.filter((o) => o.route.kind === "model").length);
        const delay = Math.min(ceiling, FIRST_RETRY_MS * 2 ** round, deadline - LAST_ROUND_MS - clock.now());
        if (delay <= 0) break;
        options.onRetry?.(pending, delay);
        await clock.sleep(delay);
    }
    const routes = plan.routes.map((route) => outcomes.get(route)!);
    return { healthy: routes.every((o) => o.healthy), elapsedMs: clock.now() - start, routes };
}
