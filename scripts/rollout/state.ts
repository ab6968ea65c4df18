/**
 * Where a rollout records its progress, so that the next run can resume it or roll it back, and the lock
 * that keeps two rollouts off one stack. Files in a directory: `<stack>.lock` and `<stack>-<model>.json`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { InputError } from "../check/errors";
import { Judgement, TrackFigures } from "./judge";
import { RolloutPlan } from "./plan";

export type Phase = "starting" | "stepping" | "promoting" | "promoted" | "rolled-back" | "aborted";

export interface StepRecord {
    readonly weight: number;
    readonly at: string;
    readonly verdict: Judgement["verdict"];
    readonly reasons: readonly string[];
    readonly canary: TrackFigures;
    readonly stable: TrackFigures;
}

export interface RolloutState {
    readonly plan: RolloutPlan;
    readonly startedAt: string;
    phase: Phase;
    /** Index of the step in progress (or next to run). */
    step: number;
    /** The promotion's stages done so far (stable moved to the new version, canary drained, canary removed). */
    promotion: number;
    /** The stable version's last measured figures, the baseline once the stable version serves nothing. */
    stableBaseline: TrackFigures;
    readonly history: StepRecord[];
    /** Why and when a failed step was rolled back. */
    rollback?: { readonly reason: string; readonly decidedAt: string; appliedAt?: string; seconds?: number };
    finishedAt?: string;
}

export class StateStore {
    constructor(private readonly dir: string) {}

    private file(stack: string, model: string): string {
        return path.join(this.dir, `${stack}-${model}.json`);
    }

    load(stack: string, model: string): RolloutState | undefined {
        const file = this.file(stack, model);
        if (!fs.existsSync(file)) return undefined;
        try {
            return JSON.parse(fs.readFileSync(file, "utf8")) as RolloutState;
        } catch (error) {
            throw new InputError(`the rollout state ${file} cannot be read: ${(error as Error).message}`);
        }
    }

    /** Writes the state atomically: a crash leaves the previous state or the new one, never half of one. */
    save(state: RolloutState): void {
        fs.mkdirSync(this.dir, { recursive: true });
        const file = this.file(state.plan.stack, state.plan.model);
        const next = `${file}.${process.pid}.next`;
        fs.writeFileSync(next, `${JSON.stringify(state, null, 2)}\n`);
        fs.renameSync(next, file);
    }

    /** Takes the stack's lock, or throws an InputError naming who holds it. Returns the release function. */
    lock(stack: string, what: string): () => void {
        fs.mkdirSync(this.dir, { recursive: true });
        const file = path.join(this.dir, `${stack}.lock`);
        const holder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), what };
        let fd: number;
        try {
            fd = fs.openSync(file, "wx", 0o644);
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
            let held = "unknown";
            try {
                const h = JSON.parse(fs.readFileSync(file, "utf8")) as typeof holder;
                // A lock left by a process of this machine that is gone is stale: take it over.
                if (h.host === os.hostname() && !processAlive(h.pid)) {
                    fs.rmSync(file, { force: true });
                    return this.lock(stack, what);
                }
                held = `${h.what} (pid ${h.pid} on ${h.host} since ${h.since})`;
            } catch (readError) {
                if (readError instanceof InputError) throw readError;
                // unreadable lock file: report it as held
            }
            throw new InputError(`another rollout holds stack ${stack}: ${held}; remove ${file} only if that process is gone`);
        }
        fs.writeSync(fd, JSON.stringify(holder));
        fs.closeSync(fd);
        return () => fs.rmSync(file, { force: true });
    }

    private abortFile(stack: string, model: string): string {
        return path.join(this.dir, `${stack}-${model}.abort`);
    }

    /** Asks the rollout running in another process to roll back at its next check. */
    requestAbort(stack: string, model: string, reason: string): void {
        fs.mkdirSync(this.dir, { recursive: true });
        fs.writeFileSync(this.abortFile(stack, model), `${reason}\n`);
    }

    /** The reason of a pending abort request, if any. */
    abortRequest(stack: string, model: string): string | undefined {
        const file = this.abortFile(stack, model);
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() || "requested" : undefined;
    }

    clearAbort(stack: string, model: string): void {
        fs.rmSync(this.abortFile(stack, model), { force: true });
    }
}

function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}
