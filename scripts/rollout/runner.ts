/**
 * The rollout loop: start the canary with no traffic, check that it answers, then raise its weight step
 * by step; at each step watch it for a window, checking early and often, and judge it at the window's
 * end. A failed check sends all traffic back to the stable version at once (seeds: within 2 minutes),
 * notifies the receivers and ends the rollout; the last step passed, the new version becomes stable.
 * Every stage is recorded before and after it runs, so a rollout cut short can be resumed or rolled back.
 */
import { judgeStep, Judgement, TrackFigures } from "./judge";
import { RolloutPlan, TrackQueries } from "./plan";
import { MetricsSource, Notifier, SmokeCheck } from "./services";
import { RolloutState, StateStore } from "./state";
import { StackApplier } from "./apply";
import { Clock } from "./clock";

/** What the rollout reports as it goes, for the display. */
export type ProgressEvent =
    | { readonly kind: "stage"; readonly message: string }
    | { readonly kind: "watch"; readonly step: number; readonly steps: number; readonly weight: number; readonly remainingSeconds: number; readonly canary: TrackFigures; readonly stable: TrackFigures }
    | { readonly kind: "verdict"; readonly step: number; readonly steps: number; readonly weight: number; readonly judgement: Judgement }
    | { readonly kind: "rollback"; readonly reason: string; readonly seconds: number }
    | { readonly kind: "done"; readonly state: RolloutState };

export interface RunnerDeps {
    readonly applier: StackApplier;
    readonly metrics: MetricsSource;
    readonly notifier: Notifier;
    /** The canary's and the stable version's health through the load balancer; none in the cloud yet. */
    readonly smoke?: { readonly canary: SmokeCheck; readonly stable: SmokeCheck };
    readonly store: StateStore;
    readonly clock: Clock;
    readonly progress: (event: ProgressEvent) => void;
    /** Set by an `--abort` from another process: roll back at the next check. */
    readonly abortRequested: () => string | undefined;
}

export interface RunnerOptions {
    /** Seconds a new version has to answer its health path (weights load, engines warm up). */
    readonly readyTimeoutSeconds: number;
}

export type Outcome = "promoted" | "rolled-back";

/** A failure of the rollout's machinery (an update that failed, a service that did not answer): the state says where it stopped. */
export class RolloutError extends Error {}

/** Thrown inside the loop when a check fails: caught by the loop, which rolls back. */
class RollbackNeeded extends Error {}

export class RolloutRunner {
    constructor(
        private readonly deps: RunnerDeps,
        private readonly options: RunnerOptions,
    ) {}

    /** A new rollout's first state. */
    static start(plan: RolloutPlan, clock: Clock): RolloutState {
        return { plan, startedAt: new Date(clock.now()).toISOString(), phase: "starting", step: 0, promotion: 0, stableBaseline: {}, history: [] };
    }

    private save(state: RolloutState): void {
        this.deps.store.save(state);
    }

    private stage(message: string): void {
        this.deps.progress({ kind: "stage", message });
    }

    /** Runs (or resumes) the rollout to its end. */
    async run(state: RolloutState): Promise<Outcome> {
        const { plan } = state;
        try {
            if (state.phase === "starting") {
                this.stage(`starting the canary: ${plan.to.image} with ${plan.to.weights}, no traffic yet`);
                await this.apply("start the canary", () => this.deps.applier.startCanary(plan.to, 0));
                await this.waitReady("canary");
                // The stable version's figures before any traffic moves: the baseline once it serves nothing (blue/green).
                const before = await this.figures(plan.queries.stable).catch(() => ({}) as TrackFigures);
                if ((before.requests ?? 0) >= plan.thresholds.minRequests) state.stableBaseline = baselineOf(state.stableBaseline, before, plan);
                state.phase = "stepping";
                this.save(state);
            }
            if (state.phase === "stepping") {
                while (state.step < plan.steps.length) {
                    await this.runStep(state);
                    state.step++;
                    this.save(state);
                }
                state.phase = "promoting";
                this.save(state);
            }
            if (state.phase === "promoting") await this.promote(state);
            return state.phase === "promoted" ? "promoted" : "rolled-back";
        } catch (error) {
            if (!(error instanceof RollbackNeeded)) throw error;
            await this.rollBack(state, error.message);
            return "rolled-back";
        }
    }

    private async apply(what: string, action: () => Promise<void>): Promise<void> {
        try {
            await action();
        } catch (error) {
            throw new RolloutError(`could not ${what}: ${(error as Error).message}`);
        }
    }

    /** Waits for the track to answer its health path through the load balancer (no check where there is none). */
    private async waitReady(track: "canary" | "stable"): Promise<void> {
        const smoke = this.deps.smoke?.[track];
        if (!smoke) return;
        const deadline = this.deps.clock.now() + this.options.readyTimeoutSeconds * 1000;
        let last: string | undefined;
        for (;;) {
            last = await smoke.check();
            if (last === undefined) {
                this.stage(`the ${track} answers its health path`);
                return;
            }
            if (this.deps.clock.now() >= deadline) break;
            await this.deps.clock.sleep(Math.min(5_000, this.options.readyTimeoutSeconds * 1000));
        }
        if (track === "canary") throw new RollbackNeeded(`the canary did not become ready within ${this.options.readyTimeoutSeconds} s: ${last}`);
        throw new RolloutError(`the new stable version did not become ready within ${this.options.readyTimeoutSeconds} s: ${last}; the canary still serves all traffic`);
    }

    private async figures(queries: TrackQueries): Promise<TrackFigures> {
        const q = (promql: string): Promise<number | undefined> =>
            this.deps.metrics.query(promql).catch((error: Error) => {
                throw new MetricsUnavailable(error.message);
            });
        const [requests, errorRatio, successRatio, latencySeconds, latencySamples] = await Promise.all([
            q(queries.requests),
            q(queries.errorRatio),
            q(queries.successRatio),
            q(queries.latency),
            queries.latencySamples ? q(queries.latencySamples) : Promise.resolve(undefined),
        ]);
        return { requests, errorRatio, successRatio, latencySeconds, ...(latencySamples !== undefined ? { latencySamples } : {}) };
    }

    private async runStep(state: RolloutState): Promise<void> {
        const { plan } = state;
        const { weight } = plan.steps[state.step];
        const label = `step ${state.step + 1}/${plan.steps.length}`;
        this.stage(`${label}: ${weight}% of traffic to the canary`);
        await this.apply(`set the canary's weight to ${weight}%`, () => this.deps.applier.setWeight(weight));
        const clock = this.deps.clock;
        let extraWindows = 0;
        let metricErrors = 0;
        for (;;) {
            const windowEnd = clock.now() + plan.windowSeconds * 1000;
            // Checks within the window: only a failure counts; a pass waits for the whole window.
            while (clock.now() < windowEnd) {
                await clock.sleep(Math.min(plan.checkEverySeconds * 1000, Math.max(0, windowEnd - clock.now())));
                const abort = this.deps.abortRequested();
                if (abort) throw new RollbackNeeded(`aborted: ${abort}`);
                const early = plan.earlyQueries;
                if (clock.now() >= windowEnd) continue;
                try {
                    const canary = await this.figures(early.canary);
                    const earlyStable = await this.figures(early.stable);
                    const stable = (earlyStable.requests ?? 0) >= plan.thresholds.minRequests ? baselineOf(state.stableBaseline, earlyStable, plan) : state.stableBaseline;
                    metricErrors = 0;
                    this.deps.progress({ kind: "watch", step: state.step, steps: plan.steps.length, weight, remainingSeconds: Math.ceil((windowEnd - clock.now()) / 1000), canary, stable });
                    const verdict = judgeStep(canary, stable, plan.thresholds);
                    if (verdict.verdict === "fail") {
                        this.record(state, weight, verdict, canary, stable);
                        throw new RollbackNeeded(`${label} at ${weight}%: ${verdict.reasons.join("; ")}`);
                    }
                } catch (error) {
                    if (!(error instanceof MetricsUnavailable)) throw error;
                    if (++metricErrors >= 3) throw new RollbackNeeded(`${label}: Prometheus did not answer three checks in a row (${error.message}); the canary cannot be judged`);
                }
            }
            let canary: TrackFigures;
            let stableNow: TrackFigures;
            try {
                canary = await this.figures(plan.queries.canary);
                stableNow = await this.figures(plan.queries.stable);
            } catch (error) {
                if (!(error instanceof MetricsUnavailable)) throw error;
                throw new RollbackNeeded(`${label}: Prometheus did not answer the step's judgement (${error.message}); the canary cannot be judged`);
            }
            // Once the stable version serves little or nothing, its last full figures stay the baseline.
            if ((stableNow.requests ?? 0) >= plan.thresholds.minRequests) state.stableBaseline = baselineOf(state.stableBaseline, stableNow, plan);
            const stable = state.stableBaseline;
            const verdict = judgeStep(canary, stable, plan.thresholds);
            this.record(state, weight, verdict, canary, stable);
            this.deps.progress({ kind: "verdict", step: state.step, steps: plan.steps.length, weight, judgement: verdict });
            if (verdict.verdict === "pass") return;
            if (verdict.verdict === "fail") throw new RollbackNeeded(`${label} at ${weight}%: ${verdict.reasons.join("; ")}`);
            if (plan.inconclusive === "fail" || extraWindows >= plan.maxExtraWindows) {
                throw new RollbackNeeded(`${label} at ${weight}%: inconclusive after ${extraWindows + 1} window(s): ${verdict.reasons.join("; ")}`);
            }
            extraWindows++;
            this.stage(`${label}: too little to judge (${verdict.reasons.join("; ")}); watching one more window (${extraWindows}/${plan.maxExtraWindows})`);
        }
    }

    private record(state: RolloutState, weight: number, verdict: Judgement, canary: TrackFigures, stable: TrackFigures): void {
        state.history.push({ weight, at: new Date(this.deps.clock.now()).toISOString(), verdict: verdict.verdict, reasons: verdict.reasons, canary, stable });
        this.save(state);
    }

    /** Sends every request back to the stable version, then removes the canary; notifies the receivers. */
    async rollBack(state: RolloutState, reason: string): Promise<void> {
        const clock = this.deps.clock;
        const decided = clock.now();
        state.rollback = { reason, decidedAt: new Date(decided).toISOString() };
        this.save(state);
        this.stage(`rolling back: ${reason}`);
        await this.apply("send the traffic back to the stable version", () => this.deps.applier.setWeight(0));
        const seconds = (clock.now() - decided) / 1000;
        state.rollback = { ...state.rollback, appliedAt: new Date(clock.now()).toISOString(), seconds };
        state.phase = reason.startsWith("aborted") ? "aborted" : "rolled-back";
        this.save(state);
        this.deps.progress({ kind: "rollback", reason, seconds });
        const { plan } = state;
        try {
            await this.deps.notifier.notify({
                alertname: state.phase === "aborted" ? "RolloutAborted" : "RolloutRolledBack",
                severity: state.phase === "aborted" ? "warning" : "critical",
                stack: plan.stack,
                model: plan.model,
                summary: `Rollout of ${plan.model} to ${plan.to.image} (${plan.to.weights}) rolled back in ${seconds.toFixed(1)} s`,
                description: reason,
            });
        } catch (error) {
            this.stage(`could not notify the receivers: ${(error as Error).message}`);
        }
        this.stage("removing the canary");
        await this.apply("remove the canary", () => this.deps.applier.removeCanary());
        state.finishedAt = new Date(clock.now()).toISOString();
        this.save(state);
        this.deps.progress({ kind: "done", state });
    }

    /** The canary serves everything: the stable version moves to it, takes the traffic back, and the canary goes. */
    private async promote(state: RolloutState): Promise<void> {
        const { plan } = state;
        const stages: [string, () => Promise<void>][] = [
            [`move the stable version to ${plan.to.image} with ${plan.to.weights}`, async () => {
                await this.deps.applier.setStable(plan.to);
                await this.waitReady("stable");
            }],
            ["send the traffic to the new stable version", () => this.deps.applier.setWeight(0)],
            ["remove the canary", () => this.deps.applier.removeCanary()],
        ];
        while (state.promotion < stages.length) {
            const [what, action] = stages[state.promotion];
            this.stage(`promoting: ${what}`);
            await this.apply(what, action);
            state.promotion++;
            this.save(state);
        }
        state.phase = "promoted";
        state.finishedAt = new Date(this.deps.clock.now()).toISOString();
        this.save(state);
        this.deps.progress({ kind: "done", state });
    }
}

class MetricsUnavailable extends Error {}

/**
 * The stable version's new baseline from figures measured with enough requests: a latency that has not
 * settled (a running mean on too few requests) keeps the last settled one.
 */
function baselineOf(previous: TrackFigures, now: TrackFigures, plan: RolloutPlan): TrackFigures {
    const settled = plan.thresholds.latencyMinSamples <= 0 || (now.latencySamples ?? 0) >= plan.thresholds.latencyMinSamples;
    const measured = definedOf(now);
    return settled ? measured : { ...measured, latencySeconds: previous.latencySeconds, latencySamples: previous.latencySamples };
}

/** The figures that were measured, without the missing ones. */
function definedOf(figures: TrackFigures): TrackFigures {
    return Object.fromEntries(Object.entries(figures).filter(([, v]) => v !== undefined)) as TrackFigures;
}
