/**
 * `npm run bench -- [stack...] [--runs N] [--models N]`: times `npm run -s check -- <stack>` end to end
 * (npm, Node, the program under the mock engine, the policy pack's start and analysis) for each stack,
 * then for prod with N models (default 100; `--models 0` skips it), and compares the medians with the
 * targets: 3 s per stack, 10 s for the many-model check. One untimed run first fills the transpile cache.
 * Prints the load average before and after: other work on the machine slows every run. Exits 1 when a
 * median misses its target.
 */
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import { stackNames } from "./offline/stack-files";
import { manyModelsArgs } from "./check/many-models";

const STACK_TARGET_SECONDS = 3;
const MANY_MODELS_TARGET_SECONDS = 10;
/** The stack the many-model check runs on. */
const MANY_MODELS_STACK = "prod";
const PROJECT_DIR = path.resolve(__dirname, "..");

interface BenchOptions {
    readonly stacks: string[];
    readonly runs: number;
    readonly models: number;
}

function parse(argv: readonly string[]): BenchOptions {
    const value = (flag: string, fallback: number): number => {
        const at = argv.indexOf(flag);
        const n = at >= 0 ? Number(argv[at + 1]) : fallback;
        if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} takes a whole number`);
        return n;
    };
    const runs = value("--runs", 5);
    if (runs < 1) throw new Error("--runs takes a positive whole number");
    const stacks = argv.filter((a, i) => !a.startsWith("--") && !["--runs", "--models"].includes(argv[i - 1]));
    return { stacks: stacks.length > 0 ? stacks : stackNames(), runs, models: value("--models", 100) };
}

/** Seconds one `npm run -s check -- <args>` takes, and its exit status. */
function timeCheck(args: readonly string[]): { seconds: number; status: number | null } {
    const started = process.hrtime.bigint();
    const result = spawnSync("npm", ["run", "-s", "check", "--", ...args], { cwd: PROJECT_DIR, stdio: "ignore" });
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, status: result.status };
}

const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(" ");

/** Times `runs` checks after an untimed one; prints the line and says whether the median met the target. */
function bench(label: string, args: readonly string[], runs: number, target: number): boolean {
    timeCheck(args);
    const times = Array.from({ length: runs }, () => timeCheck(args));
    const seconds = times.map((t) => t.seconds).sort((a, b) => a - b);
    const median = seconds[Math.floor(seconds.length / 2)];
    const statuses = [...new Set(times.map((t) => t.status))].join(",");
    const met = median <= target;
    console.log(
        `${label.padEnd(18)} median ${median.toFixed(2)} s  min ${seconds[0].toFixed(2)} s  max ${seconds[seconds.length - 1].toFixed(2)} s  ` +
            `exit ${statuses}  target ${target} s: ${met ? "ok" : "TOO SLOW"}`,
    );
    return met;
}

function main(): number {
    const { stacks, runs, models } = parse(process.argv.slice(2));
    console.log(`${os.cpus().length} CPUs, load average ${load()}; ${runs} timed run(s) each, after one untimed`);
    let missed = 0;
    for (const stack of stacks) if (!bench(stack, [stack], runs, STACK_TARGET_SECONDS)) missed++;
    if (models > 0) {
        const args = [MANY_MODELS_STACK, ...manyModelsArgs(MANY_MODELS_STACK, models)];
        if (!bench(`${MANY_MODELS_STACK}, ${models} models`, args, runs, MANY_MODELS_TARGET_SECONDS)) missed++;
    }
    console.log(`load average ${load()}`);
    return missed > 0 ? 1 : 0;
}

process.exitCode = main();
