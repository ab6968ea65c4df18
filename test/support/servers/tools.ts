/** Prometheus' `promtool` and Alertmanager's `amtool`. */
import { requireBinary } from "./binaries";
import { runCommand } from "./process";
import type { RunOptions, RunResult } from "./process";

/** `promtool <args>` (e.g. `["check", "config", file]`, `["test", "rules", file]`). */
export function promtool(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return runCommand(requireBinary("promtool"), args, { timeoutMs: 30_000, ...opts });
}

/** `amtool <args>` (e.g. `["check-config", file]`). */
export function amtool(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return runCommand(requireBinary("amtool"), args, { timeoutMs: 30_000, ...opts });
}
