/**
 * What a rollout prints as it goes: on a terminal, one status line refreshed in place while a window is
 * watched; elsewhere (CI logs, pipes), one plain line per event, with no control characters.
 */
import { TrackFigures } from "./judge";
import { RolloutPlan } from "./plan";
import { ProgressEvent } from "./runner";

export interface Output {
    write(text: string): void;
    readonly isTTY?: boolean;
}

const pct = (x: number | undefined): string => (x === undefined ? "-" : `${Number((x * 100).toFixed(2))}%`);
const secs = (x: number | undefined): string => (x === undefined ? "-" : `${Number(x.toFixed(3))}s`);

function figures(name: string, f: TrackFigures): string {
    return `${name} ${f.requests === undefined ? "-" : Math.round(f.requests)} req, ${pct(f.errorRatio)} 5xx, ${secs(f.latencySeconds)}`;
}

function clock(seconds: number): string {
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** The plan as a person reads it before confirming. */
export function describePlan(plan: RolloutPlan): string {
    const t = plan.thresholds;
    return [
        `rollout of ${plan.model} on stack ${plan.stack} (${plan.strategy})`,
        `  from ${plan.from.image} with ${plan.from.weights}`,
        `  to   ${plan.to.image} with ${plan.to.weights}`,
        `  steps ${plan.steps.map((s) => `${s.weight}%`).join(" -> ")}, each watched for ${plan.windowSeconds} s`,
        `  gates: 5xx <= ${pct(t.maxErrorRatio)} and <= stable + ${pct(t.maxErrorRatioAboveStable)}, success >= ${pct(t.minSuccessRatio)}, ` +
            `${plan.latencyStatistic} latency <= ${t.maxLatencyRatio} x stable, at least ${t.minRequests} requests per window`,
        `  a failed gate sends all traffic back to the stable version within ${plan.rollbackWithinSeconds} s`,
        `  metrics from ${plan.prometheusUrl}, notices to ${plan.alertmanagerUrl}`,
    ].join("\n");
}

export class Display {
    private statusShown = false;

    constructor(private readonly out: Output) {}

    private line(text: string): void {
        this.clearStatus();
        this.out.write(`${text}\n`);
    }

    private clearStatus(): void {
        if (this.statusShown) {
            this.out.write("\r\x1b[2K");
            this.statusShown = false;
        }
    }

    /** Prints an event. */
    show(event: ProgressEvent): void {
        const stamp = new Date().toISOString().slice(11, 19);
        switch (event.kind) {
            case "stage":
                this.line(`${stamp} ${event.message}`);
                return;
            case "watch": {
                const text = `step ${event.step + 1}/${event.steps} ${event.weight}% | ${clock(event.remainingSeconds)} left | ${figures("canary", event.canary)} | ${figures("stable", event.stable)}`;
                if (this.out.isTTY) {
                    this.out.write(`\r\x1b[2K${text}`);
                    this.statusShown = true;
                } else {
                    this.line(`${stamp} ${text}`);
                }
                return;
            }
            case "verdict":
                this.line(`${stamp} step ${event.step + 1}/${event.steps} at ${event.weight}%: ${event.judgement.verdict}: ${event.judgement.reasons.join("; ")}`);
                return;
            case "rollback":
                this.line(`${stamp} rolled back in ${event.seconds.toFixed(1)} s: ${event.reason}`);
                return;
            case "done":
                this.line(`${stamp} ${event.state.phase}`);
                return;
        }
    }

    /** Ends a refreshed status line so that what follows starts on its own line. */
    close(): void {
        this.clearStatus();
    }
}
