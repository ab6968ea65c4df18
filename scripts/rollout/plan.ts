/**
 * The plan of a rollout: which version replaces which, the steps and their window, the thresholds, and
 * the exact Prometheus queries each track is judged with, rendered from the model's signals (the
 * engine's own metrics where the release exports them, the load balancer's per-track ones otherwise).
 */
import { LOAD_BALANCER_SIGNALS } from "../../catalog/images";
import { imagePinProblem } from "../../catalog/rules";
import { WEIGHTS, WeightsId } from "../../catalog/weights";
import { ModelSpec, Track } from "../../components/inference/model";
import { promDuration } from "../../components/observability/alerts";
import { errorRatio, HaproxySignals, requestCount, requestLatency, successRatio } from "../../components/observability/signals";
import { StackConfig } from "../../stacks/config";
import { InputError } from "../check/errors";
import { SEED_THRESHOLDS, Thresholds } from "./judge";

export type Strategy = "canary" | "bluegreen";
/** What to do when the canary served too few requests to be judged: wait another window, or fail the step. */
export type InconclusiveRule = "wait" | "fail";

/** The version under rollout: a new image, new weights, or both. */
export interface VersionChange {
    readonly image?: string;
    readonly weights?: string;
}

export interface TrackQueries {
    readonly requests: string;
    readonly errorRatio: string;
    readonly successRatio: string;
    readonly latency: string;
    /** Requests the latency's running mean stands on (the load balancer's), where it needs many. */
    readonly latencySamples?: string;
}

export interface RolloutPlan {
    readonly stack: string;
    readonly model: string;
    readonly strategy: Strategy;
    /** The stable version now, and the version the canary brings. */
    readonly from: { readonly image: string; readonly weights: string };
    readonly to: { readonly image: string; readonly weights: string };
    readonly steps: readonly { readonly weight: number }[];
    readonly windowSeconds: number;
    readonly thresholds: Thresholds;
    readonly inconclusive: InconclusiveRule;
    /** Extra windows to wait for traffic before an inconclusive step fails. */
    readonly maxExtraWindows: number;
    /** Seconds within which a failed step is rolled back (seeds: 2 minutes). */
    readonly rollbackWithinSeconds: number;
    /** Where the latency comes from: an engine histogram's p95, or the load balancer's running mean. */
    readonly latencyStatistic: string;
    readonly queries: Readonly<Record<Track, TrackQueries>>;
    /** Seconds between two checks within a window; each can only fail the step, the window's end passes it. */
    readonly checkEverySeconds: number;
    /** The range of the checks' queries: a bad canary is caught within about this plus a check, not at the window's end. */
    readonly earlyWindowSeconds: number;
    readonly earlyQueries: Readonly<Record<Track, TrackQueries>>;
    readonly prometheusUrl: string;
    readonly alertmanagerUrl: string;
    readonly lbUrl: string;
}

export const DEFAULT_STEPS = [10, 25, 50, 75, 100] as const;
export const DEFAULT_WINDOW_SECONDS = 300;
export const ROLLBACK_WITHIN_SECONDS = 120;
/** Prometheus' scrape interval in every stack (config-files.ts and the PodMonitors): a window shorter than two cannot hold a rate. */
export const SCRAPE_INTERVAL_SECONDS = 15;
export const CHECK_EVERY_SECONDS = 30;
/** Scrapes an early check's range spans: four, so that a rate has points to stand on. */
const EARLY_WINDOW_SCRAPES = 4;

export interface PlanOptions {
    readonly change: VersionChange;
    readonly strategy: Strategy;
    readonly steps?: readonly number[];
    readonly windowSeconds?: number;
    readonly thresholds?: Partial<Thresholds>;
    readonly inconclusive?: InconclusiveRule;
    readonly maxExtraWindows?: number;
    readonly prometheusUrl?: string;
    readonly alertmanagerUrl?: string;
    readonly lbUrl?: string;
    /** Seconds between two checks within a window. */
    readonly checkEverySeconds?: number;
    /** The scrape interval of the Prometheus the plan reads (the stacks': 15 s). */
    readonly scrapeIntervalSeconds?: number;
}

/**
 * The load balancer's per-track signals a rollout may be judged on: HAProxy's in dev. Not the ALB's in the cloud: they
 * reach Prometheus minutes late (catalog/alb-metrics.ts), so a step would be judged on traffic before it.
 */
export function loadBalancerSignalsOf(cfg: StackConfig): HaproxySignals | undefined {
    return cfg.platform === "docker" ? LOAD_BALANCER_SIGNALS : undefined;
}

/** Parses a window such as `5m`, `90s` or `300`, in seconds. */
export function parseWindow(text: string): number | undefined {
    const match = /^(\d+)(s|m)?$/.exec(text.trim());
    if (!match) return undefined;
    return Number(match[1]) * (match[2] === "m" ? 60 : 1);
}

function fail(cfg: StackConfig, what: string): never {
    throw new InputError(`rollout of stack "${cfg.stack}": ${what}`);
}

function checkSteps(cfg: StackConfig, steps: readonly number[], strategy: Strategy): number[] {
    if (strategy === "bluegreen") return [100];
    if (steps.length === 0) fail(cfg, "--steps is empty; allowed: increasing weights from 1 to 100, ending at 100, e.g. 10,25,50,75,100");
    steps.forEach((w, i) => {
        if (!Number.isInteger(w) || w < 1 || w > 100) fail(cfg, `--steps has ${w}; allowed: whole weights from 1 to 100`);
        if (i > 0 && w <= steps[i - 1]) fail(cfg, `--steps ${steps.join(",")} is not increasing; allowed: increasing weights ending at 100`);
    });
    if (steps[steps.length - 1] !== 100) fail(cfg, `--steps ${steps.join(",")} does not end at 100; allowed: increasing weights ending at 100`);
    return [...steps];
}

/** The model's current version and the one the change brings, both checked against the catalog. */
function versions(cfg: StackConfig, model: ModelSpec, change: VersionChange): RolloutPlan["from" | "to"][] {
    if (change.image === undefined && change.weights === undefined) fail(cfg, "give --image <ref> or --weights <id>: the version to roll out");
    if (change.image !== undefined) {
        const problem = imagePinProblem(change.image);
        if (problem) fail(cfg, `--image ${change.image}: ${problem}; allowed: an image pinned to a version tag or a digest`);
        if (!model.engine.releases.some((r) => r.image === change.image)) {
            fail(cfg, `--image ${change.image} is not a release of engine ${model.engine.id} that the catalog knows (catalog/engines.ts): ${model.engine.releases.map((r) => r.image).join(", ")}`);
        }
    }
    if (change.weights !== undefined) {
        const known = Object.keys(WEIGHTS).filter((id) => WEIGHTS[id as WeightsId].engine === model.engine.id);
        if (!known.includes(change.weights)) fail(cfg, `--weights ${change.weights}; allowed: weights of engine ${model.engine.id}: ${known.join(", ")}`);
    }
    const from = { image: model.stable.image, weights: model.stable.weightsId };
    const to = { image: change.image ?? from.image, weights: change.weights ?? from.weights };
    if (to.image === from.image && to.weights === from.weights) fail(cfg, `model ${model.name} already runs ${to.image} with ${to.weights}: nothing to roll out`);
    return [from, to];
}

export function buildPlan(cfg: StackConfig, modelName: string, options: PlanOptions): RolloutPlan {
    const model = cfg.models.find((m) => m.name === modelName);
    if (!model) fail(cfg, `no model "${modelName}"; allowed: ${cfg.models.map((m) => m.name).join(", ")}`);
    if (model.canary) {
        fail(cfg, `model ${model.name} already has a canary in the stack's config (${model.canary.image} with ${model.canary.weightsId} at ${model.canary.weight}%); ` +
            "a rollout brings its own: finish or remove that one first (pulumi config rm --path 'models[<index>].canary', then pulumi up)");
    }
    const lb = loadBalancerSignalsOf(cfg);
    const unmeasured = (["requestCount", "errorRatio", "successRatio", "requestLatency"] as const).filter(
        (name) => ({ requestCount, errorRatio, successRatio, requestLatency })[name](model, lb, "5m", "stable") === undefined,
    );
    if (unmeasured.length > 0) {
        fail(cfg, `model ${model.name} cannot be judged per track here: no ${unmeasured.join(", ")} (engine ${model.engine.id} exports none, and this stack's load balancer has no per-track series a step can be judged on: the ALB's reach Prometheus minutes late)`);
    }
    const [from, to] = versions(cfg, model, options.change);
    const steps = checkSteps(cfg, options.steps ?? DEFAULT_STEPS, options.strategy);
    const windowSeconds = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
    const scrape = options.scrapeIntervalSeconds ?? SCRAPE_INTERVAL_SECONDS;
    if (!Number.isInteger(windowSeconds) || windowSeconds < 2 * scrape) {
        fail(cfg, `--window ${windowSeconds}s; allowed: at least ${2 * scrape}s, two of Prometheus' ${scrape}s scrape intervals`);
    }
    const checkEverySeconds = Math.min(options.checkEverySeconds ?? CHECK_EVERY_SECONDS, windowSeconds);
    const earlyWindowSeconds = Math.min(windowSeconds, EARLY_WINDOW_SCRAPES * scrape);
    const trackQueries = (track: Track, window: string): TrackQueries => {
        // The track's figures come from the version it will run: judge the canary as the new release exports them.
        const version = track === "canary" ? { ...model.stable, ...releaseOf(model, to.image) } : model.stable;
        const subject: ModelSpec = { ...model, stable: version, canary: track === "canary" ? { ...version, weight: 0 } : undefined };
        const queries = {
            requests: requestCount(subject, lb, window, track === "canary" ? "canary" : "stable"),
            errorRatio: errorRatio(subject, lb, window, track === "canary" ? "canary" : "stable"),
            successRatio: successRatio(subject, lb, window, track === "canary" ? "canary" : "stable"),
            latency: requestLatency(subject, lb, window, track === "canary" ? "canary" : "stable"),
        };
        const missing = Object.entries(queries).filter(([, q]) => q === undefined).map(([k]) => k);
        if (missing.length > 0) {
            fail(cfg, `model ${model.name} has no per-track ${missing.join(", ")} in this stack: its engine exports none and this stack's load balancer has no per-track series a step can be judged on`);
        }
        const samples =
            queries.latency!.source === "load-balancer" && lb
                ? { latencySamples: `min by (model, track) (sum by (model, track, ${lb.serverLabel}) (${lb.responses.metric}{model="${model.name}", track="${track}"}))` }
                : {};
        return { requests: queries.requests!.query, errorRatio: queries.errorRatio!.query, successRatio: queries.successRatio!.query, latency: queries.latency!.query, ...samples };
    };
    const latency = requestLatency(model, lb, promDuration(windowSeconds), "stable");
    const observability = cfg.observability;
    return {
        stack: cfg.stack,
        model: model.name,
        strategy: options.strategy,
        from,
        to,
        steps: steps.map((weight) => ({ weight })),
        windowSeconds,
        thresholds: {
            ...SEED_THRESHOLDS,
            latencyToleranceSeconds: latency?.source === "load-balancer" && lb ? lb.latency.resolutionSeconds : 0,
            latencyMinSamples: latency?.source === "load-balancer" && lb ? lb.latency.settlesAfterRequests : 0,
            ...options.thresholds,
        },
        inconclusive: options.inconclusive ?? "wait",
        maxExtraWindows: options.maxExtraWindows ?? 2,
        rollbackWithinSeconds: ROLLBACK_WITHIN_SECONDS,
        latencyStatistic: latency?.statistic ?? "mean",
        queries: { canary: trackQueries("canary", promDuration(windowSeconds)), stable: trackQueries("stable", promDuration(windowSeconds)) },
        checkEverySeconds,
        earlyWindowSeconds,
        earlyQueries: { canary: trackQueries("canary", promDuration(earlyWindowSeconds)), stable: trackQueries("stable", promDuration(earlyWindowSeconds)) },
        prometheusUrl: options.prometheusUrl ?? `http://127.0.0.1:${observability.prometheusHostPort ?? 9090}`,
        alertmanagerUrl: options.alertmanagerUrl ?? `http://127.0.0.1:${observability.alertmanagerHostPort ?? 9093}`,
        lbUrl: options.lbUrl ?? (cfg.platform === "docker" ? `http://${cfg.traffic.lbBindAddress === "0.0.0.0" ? "localhost" : cfg.traffic.lbBindAddress}:${cfg.traffic.lbHostPort}` : ""),
    };
}

/** The release an image is of, within the model's engine (checked by `versions`). */
function releaseOf(model: ModelSpec, image: string): { image: string; release: ModelSpec["stable"]["release"] } {
    const release = model.engine.releases.find((r) => r.image === image)!;
    return { image, release };
}
