/**
 * The module registry of running servers/stubs and temp dirs, {@link stopAll},
 * and the `process.on("exit")` safety net.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Anything {@link stopAll} stops. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** Servers and stubs still running, stopped by {@link stopAll}. */
export const registry = new Set<Stoppable>();
/** Child processes still running, SIGKILLed at process exit. */
export const liveChildren = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function keepTemp(): boolean {
  return process.env.GENAI_KEEP_TEMP === "1";
}

/**
 * Installs (once) the `process.on("exit")` handler that SIGKILLs
 * {@link liveChildren} and removes the temp dirs (unless GENAI_KEEP_TEMP=1).
 */
export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of liveChildren) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
    if (!keepTemp()) {
      for (const dir of tempDirs) {
        try {
          fs.rmSync(dir, { recursive: true, force: true });
        } catch {
          // best effort
        }
      }
    }
  });
}

/**
 * Creates a fresh directory under the OS temp dir (`/tmp/<prefix>-XXXXXX`),
 * registered for removal by {@link removeTempDir}/{@link cleanupTempDirs}/
 * {@link stopAll} and at process exit.
 */
export function makeTempDir(prefix: string): string {
  installExitHook();
  const safe = prefix.replace(/[^A-Za-z0-9._-]/g, "-") || "tmp";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${safe}-`));
  tempDirs.add(dir);
  return dir;
}

/** Removes one temp dir (recursively); a no-op with GENAI_KEEP_TEMP=1. */
export function removeTempDir(dir: string): void {
  tempDirs.delete(dir);
  if (keepTemp()) return;
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Removes every temp dir made by {@link makeTempDir} and not yet removed. */
export function cleanupTempDirs(): void {
  for (const dir of [...tempDirs]) removeTempDir(dir);
}

/**
 * Stops every server/stub started by this module that is still running,
 * then removes all temp dirs. Call it in each test file's `after()`.
 * Never rejects; safe to call repeatedly.
 */
export async function stopAll(): Promise<void> {
  const items = [...registry];
  await Promise.allSettled(items.map((s) => s.stop()));
  registry.clear();
  cleanupTempDirs();
}
