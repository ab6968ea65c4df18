/**
 * Runs the offline check as a child process, as `npm run check --` does, and captures its exit
 * status and output.
 */
import { execFile } from "child_process";
import * as path from "path";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

export interface CheckRun {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Spawns `scripts/check/index.ts` with `args` under ts-node, as the package's `check` script does. */
export function runCheck(args: readonly string[]): Promise<CheckRun> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join("scripts", "check", "index.ts"), ...args],
            { cwd: PROJECT_DIR, maxBuffer: 64 * 1024 * 1024 },
            (error, stdout, stderr) => {
                const status = error ? (typeof error.code === "number" ? error.code : -1) : 0;
                resolve({ status, stdout, stderr });
            },
        );
    });
}
