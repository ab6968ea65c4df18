/**
 * The verdict on one step of a rollout: the canary's own figures against the thresholds and against the
 * stable version's, once it has served enough requests to be judged. Pure.
 */

/** What a step is judged on, per track; undefined where no series answered. */
export interface TrackFigures {
    /** Requests served in the window. */
    readonly requests?: number;
    /** Share of requests answered 5xx. */
    readonly errorRatio?: number;
    /** Share of requests answered 2xx. */
    readonly successRatio?: number;
    /** Latency in seconds (p95 from a histogram, or the load balancer's running mean: see the plan). */
    readonly latencySeconds?: number;
    /** Requests the latency stands on, where the source is a running mean that needs many (the load balancer's). */
    readonly latencySamples?: number;
}

export interface Thresholds {
    /** The canary's error ratio at most this (seeds: 0.05). */
    readonly maxErrorRatio: number;
    /** ... and not above the stable version's by more than this. */
    readonly maxErrorRatioAboveStable: number;
    /** The canary's latency at most this times the stable version's (seeds: 1.2). */
    readonly maxLatencyRatio: number;
    /** The canary's success ratio at least this (seeds: 0.95). */
    readonly minSuccessRatio: number;
    /** Requests the canary must have served in the window before it is judged. */
    readonly minRequests: number;
    /**
     * Latency the canary may exceed 1.2 x stable by before it fails: the resolution of the latency source
     * (the load balancer's means are whole milliseconds), so that rounding alone never fails a step.
     */
    readonly latencyToleranceSeconds: number;
    /**
     * Requests each version must have served since the load balancer last reloaded before its running-mean
     * latency is compared (0: always compared). Below it, the latency gate is skipped and the verdict says so.
     */
    readonly latencyMinSamples: number;
}

export const SEED_THRESHOLDS: Thresholds = {
    maxErrorRatio: 0.05,
    maxErrorRatioAboveStable: 0.02,
    maxLatencyRatio: 1.2,
    minSuccessRatio: 0.95,
    minRequests: 20,
    latencyToleranceSeconds: 0,
    latencyMinSamples: 0,
};

export type Verdict = "pass" | "fail" | "inconclusive";

export interface Judgement {
    readonly verdict: Verdict;
    /** Why: every failed check, or what was missing; for a pass, the figures checked. */
    readonly reasons: string[];
}

const pct = (x: number): string => `${Number((x * 100).toFixed(2))}%`;
const secs = (x: number): string => `${Number(x.toFixed(3))} s`;

/**
 * Judges a step. `stable` are the stable version's figures in the same window, or the last ones measured
 * when the stable version serves nothing (the last steps of a canary); a missing stable figure skips only
 * the comparison that needs it.
 */
export function judgeStep(canary: TrackFigures, stable: TrackFigures, t: Thresholds): Judgement {
    if (canary.requests === undefined) return { verdict: "inconclusive", reasons: ["no request count for the canary: its series are missing"] };
    if (canary.requests < t.minRequests) {
        return { verdict: "inconclusive", reasons: [`the canary served ${canary.requests} requests in the window, fewer than the ${t.minRequests} needed to judge`] };
    }
    const missing = (["errorRatio", "successRatio", "latencySeconds"] as const).filter((k) => canary[k] === undefined);
    if (missing.length > 0) return { verdict: "inconclusive", reasons: [`no ${missing.join(", ")} for the canary: its series are missing`] };
    const failures: string[] = [];
    const errorRatio = canary.errorRatio!;
    const successRatio = canary.successRatio!;
    const latency = canary.latencySeconds!;
    if (errorRatio > t.maxErrorRatio) failures.push(`canary error ratio ${pct(errorRatio)} is above ${pct(t.maxErrorRatio)}`);
    if (stable.errorRatio !== undefined && errorRatio > stable.errorRatio + t.maxErrorRatioAboveStable) {
        failures.push(`canary error ratio ${pct(errorRatio)} is more than ${pct(t.maxErrorRatioAboveStable)} above stable's ${pct(stable.errorRatio)}`);
    }
    if (successRatio < t.minSuccessRatio) failures.push(`canary success ratio ${pct(successRatio)} is below ${pct(t.minSuccessRatio)}`);
    const unsettled = latencyUnsettled(canary, stable, t);
    if (!unsettled && stable.latencySeconds !== undefined && stable.latencySeconds > 0 && latency > t.maxLatencyRatio * stable.latencySeconds + t.latencyToleranceSeconds) {
        const tolerance = t.latencyToleranceSeconds > 0 ? ` (+ ${secs(t.latencyToleranceSeconds)} resolution)` : "";
        failures.push(`canary latency ${secs(latency)} is above ${t.maxLatencyRatio} x stable's ${secs(stable.latencySeconds)}${tolerance}`);
    }
    if (failures.length > 0) return { verdict: "fail", reasons: failures };
    return {
        verdict: "pass",
        reasons: [
            `${canary.requests} requests, error ratio ${pct(errorRatio)}, success ${pct(successRatio)}, latency ${secs(latency)}` +
                (stable.latencySeconds !== undefined ? ` (stable ${secs(stable.latencySeconds)})` : ""),
            ...(unsettled ? [`latency not judged: ${unsettled}`] : []),
        ],
    };
}

/** Why the latencies cannot be compared yet (a running mean on too few requests), or undefined. */
export function latencyUnsettled(canary: TrackFigures, stable: TrackFigures, t: Thresholds): string | undefined {
    if (t.latencyMinSamples <= 0) return undefined;
    const short = (["canary", "stable"] as const).filter((track) => ({ canary, stable })[track].latencySamples === undefined || ({ canary, stable })[track].latencySamples! < t.latencyMinSamples);
    if (short.length === 0) return undefined;
    return `${short.join(" and ")} served fewer than ${t.latencyMinSamples} requests since the load balancer's last reload, which its running mean needs`;
}
