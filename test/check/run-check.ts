/**
 * Runs the offline check in this process (its `main`, with the output captured), or as a child process
 * exactly as `npm run check --` starts it, for the tests that need a real process (pipes, exit, children).
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../scripts/check/index";
import { PROJECT_DIR } from "../../scripts/offline/stack-files";

export { PROJECT_DIR };

export interface CheckRun {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
    /** The policy pack's process id, when the check started the pack. */
    readonly packPid?: number;
}

/** Runs `npm run check -- <args>` in this process; `projectDir` replaces the project's stack files. */
export async function checkInProcess(args: readonly string[], projectDir = PROJECT_DIR): Promise<CheckRun> {
    let stdout = "";
    let stderr = "";
    let packPid: number | undefined;
    const status = await main(args, {
        stdout: async (text) => {
            stdout += text;
        },
        stderr: async (text) => {
            stderr += text;
        },
        projectDir,
        onPackStarted: (pid) => {
            packPid = pid;
        },
    });
    return { status, stdout, stderr, packPid };
}

/** The package's check script as a command line: [node, ...its flags, script]. */
export function checkCommand(): string[] {
    const script: string = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).scripts.check;
    const [program, ...args] = script.split(/\s+/);
    if (program !== "node") throw new Error(`the check script no longer starts with node: ${script}`);
    return [process.execPath, ...args];
}

/** Starts the check as `npm run check -- <args>` does (without npm), its output on pipes. */
export function spawnCheck(args: readonly string[]): ChildProcess {
    const [node, ...flags] = checkCommand();
    return spawn(node, [...flags, ...args], { cwd: PROJECT_DIR, stdio: ["ignore", "pipe", "pipe"] });
}

/** Process ids whose parent is `parent` (Linux /proc). */
export function childrenOf(parent: number): number[] {
    const children: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            // The command may hold spaces and parentheses: the fields after the last ")" are fixed.
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            if (ppid === parent) children.push(Number(entry));
        } catch {
            // The process ended while we looked.
        }
    }
    return children;
}

/** Whether a process still runs: it exists and is not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] !== "Z";
    } catch {
        return false;
    }
}

/** Polls `probe` every `everyMs` until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, everyMs = 20): Promise<T | undefined> {
    const until = Date.now() + timeoutMs;
    for (;;) {
        const value = probe();
        if (value !== undefined || Date.now() > until) return value;
        await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
}
