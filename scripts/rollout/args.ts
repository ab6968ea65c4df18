import { lastValue, splitCommandLine } from "../check/command-line";
import { InputError } from "../check/errors";
import { InconclusiveRule, parseWindow, Strategy } from "./plan";

/** What `npm run rollout -- <stack> <model> [options]` was asked to do. */
export interface RolloutArgs {
    readonly stack: string;
    readonly model: string;
    /** Start a rollout (a version given), resume the one recorded, or roll it back. */
    readonly action: "start" | "resume" | "abort";
    readonly image?: string;
    readonly weights?: string;
    readonly strategy: Strategy;
    readonly steps?: number[];
    readonly windowSeconds?: number;
    readonly inconclusive?: InconclusiveRule;
    readonly readyTimeoutSeconds: number;
    /** Print the plan and change nothing. */
    readonly dryRun: boolean;
    /** Print the plan (dry run) or the final state as one JSON object on stdout; progress goes to stderr. */
    readonly json: boolean;
    readonly stateDir: string;
    readonly prometheusUrl?: string;
    readonly alertmanagerUrl?: string;
    readonly lbUrl?: string;
}

export const USAGE =
    "usage: npm run rollout -- <stack> <model> (--image <ref> | --weights <id> | --resume | --abort) " +
    "[--strategy canary|bluegreen] [--steps 10,25,50,75,100] [--window 5m] [--inconclusive wait|fail] [--ready-timeout 15m] " +
    "[--dry-run] [--json] [--state-dir <dir>] [--prometheus <url>] [--alertmanager <url>] [--lb <url>]";

const WITH_VALUE = new Set(["--image", "--weights", "--strategy", "--steps", "--window", "--inconclusive", "--ready-timeout", "--state-dir", "--prometheus", "--alertmanager", "--lb"]);
const FLAGS = new Set(["--dry-run", "--json", "--resume", "--abort"]);
/** Where rollouts record their state by default, relative to the project. */
export const DEFAULT_STATE_DIR = ".rollout";
export const DEFAULT_READY_TIMEOUT_SECONDS = 15 * 60;

function url(flag: string, value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    if (!/^https?:\/\/[^/\s]+/.test(value)) throw new InputError(`${flag} ${value}: allowed: an http(s) URL such as http://127.0.0.1:9090`);
    return value;
}

/** Parses the command line (after `--`); throws an InputError naming the problem. */
export function parseRolloutArgs(argv: readonly string[]): RolloutArgs {
    const line = splitCommandLine(argv, { flags: FLAGS, withValue: WITH_VALUE, usage: USAGE });
    const { positional, flags } = line;
    const value = (option: string) => lastValue(line, option);
    if (positional.length !== 2) throw new InputError(`give a stack and a model, got ${positional.length === 0 ? "none" : positional.join(" ")}; ${USAGE}`);
    const [stack, model] = positional;
    const resume = flags.has("--resume");
    const abort = flags.has("--abort");
    const hasVersion = line.values.has("--image") || line.values.has("--weights");
    if (resume && abort) throw new InputError("--resume and --abort exclude each other");
    if ((resume || abort) && hasVersion) throw new InputError(`${resume ? "--resume" : "--abort"} acts on the rollout recorded for ${stack}/${model}; it takes no --image or --weights`);
    if (!resume && !abort && !hasVersion) throw new InputError(`no version to roll out: give --image <ref> or --weights <id> (or --resume, --abort); ${USAGE}`);

    const strategy = value("--strategy") ?? "canary";
    if (strategy !== "canary" && strategy !== "bluegreen") throw new InputError(`--strategy ${strategy}: allowed: canary, bluegreen`);
    let steps: number[] | undefined;
    const stepsText = value("--steps");
    if (stepsText !== undefined) {
        if (strategy === "bluegreen") throw new InputError("--steps applies to a canary; a blue/green rollout switches all traffic at once");
        steps = stepsText.split(",").map((s) => {
            const n = Number(s.trim());
            if (s.trim() === "" || !Number.isInteger(n)) throw new InputError(`--steps ${stepsText}: "${s}" is not a whole number; allowed: increasing weights from 1 to 100 ending at 100, e.g. 10,25,50,75,100`);
            return n;
        });
    }
    const window = value("--window");
    const windowSeconds = window === undefined ? undefined : parseWindow(window);
    if (window !== undefined && windowSeconds === undefined) throw new InputError(`--window ${window}: allowed: seconds or minutes, such as 90s, 5m or 300`);
    const ready = value("--ready-timeout");
    const readyTimeoutSeconds = ready === undefined ? DEFAULT_READY_TIMEOUT_SECONDS : parseWindow(ready);
    if (readyTimeoutSeconds === undefined || readyTimeoutSeconds < 1) throw new InputError(`--ready-timeout ${ready}: allowed: seconds or minutes, such as 90s or 15m`);
    const inconclusive = value("--inconclusive");
    if (inconclusive !== undefined && inconclusive !== "wait" && inconclusive !== "fail") throw new InputError(`--inconclusive ${inconclusive}: allowed: wait, fail`);
    return {
        stack,
        model,
        action: resume ? "resume" : abort ? "abort" : "start",
        image: value("--image"),
        weights: value("--weights"),
        strategy,
        steps,
        windowSeconds,
        inconclusive: inconclusive as InconclusiveRule | undefined,
        readyTimeoutSeconds,
        dryRun: flags.has("--dry-run"),
        json: flags.has("--json"),
        stateDir: value("--state-dir") ?? DEFAULT_STATE_DIR,
        prometheusUrl: url("--prometheus", value("--prometheus")),
        alertmanagerUrl: url("--alertmanager", value("--alertmanager")),
        lbUrl: url("--lb", value("--lb")),
    };
}
