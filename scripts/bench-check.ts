/**
 * `npm run bench -- [stack...] [--runs N]`: times `npm run check -- <stack>` end to end (npm,
 * ts-node, the program under the mock engine, the policy pack's start and analysis) and compares
 * the median with the 10 s target. Exits 1 when a stack misses it. Stacks default to all of them.
 */
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import { stackNames } from "./offline/stack-files";

const TARGET_SECONDS = 10;
const PROJECT_DIR = path.resolve(__dirname, "..");

function parse(argv: readonly string[]): { stacks: string[]; runs: number } {
    const runsAt = argv.indexOf("--runs");
    const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
    if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a positive integer");
    const stacks = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--runs");
    return { stacks: stacks.length > 0 ? stacks : stackNames(), runs };
}

/** Seconds one `npm run -s check -- <stack>` takes, and its exit status. */
function timeCheck(stack: string): { seconds: number; status: number | null } {
    const started = process.hrtime.bigint();
    const result = spawnSync("npm", ["run", "-s", "check", "--", stack], { cwd: PROJECT_DIR, stdio: "ignore" });
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, status: result.status };
}

function main(): number {
    const { stacks, runs } = parse(process.argv.slice(2));
    console.log(`${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}; ${runs} run(s) per stack; target ${TARGET_SECONDS} s`);
    let missed = 0;
    for (const stack of stacks) {
        const times = Array.from({ length: runs }, () => timeCheck(stack));
        const seconds = times.map((t) => t.seconds).sort((a, b) => a - b);
        const median = seconds[Math.floor(seconds.length / 2)];
        const statuses = [...new Set(times.map((t) => t.status))].join(",");
        const verdict = median <= TARGET_SECONDS ? "ok" : "TOO SLOW";
        if (median > TARGET_SECONDS) missed++;
        console.log(
            `${stack.padEnd(10)} median ${median.toFixed(2)} s  min ${seconds[0].toFixed(2)} s  max ${seconds[seconds.length - 1].toFixed(2)} s  exit ${statuses}  ${verdict}`,
        );
    }
    return missed > 0 ? 1 : 0;
}

process.exit(main());
