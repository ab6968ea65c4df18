/**
 * A large but valid configuration for measuring the check: the stack's own config plus `count` small CPU
 * models (llama.cpp serving the catalog's smallest weights), as `--config` overrides. `npm run bench` times
 * the check with it, and a test pipes its `--json` (well over 64 KiB) through a reader.
 */
import { stackConfig } from "../offline/evaluate";

/** The models of a `count`-model configuration: the stack's own, then `model-001`, `model-002`, ... */
export function manyModels(stack: string, count: number, projectDir?: string): unknown[] {
    const resolved = stackConfig(stack, { projectDir });
    const own = JSON.parse(resolved.values[`${resolved.project}:models`] ?? "[]") as unknown[];
    const extra = Array.from({ length: Math.max(0, count - own.length) }, (_, i) => ({
        name: `model-${String(i + 1).padStart(3, "0")}`,
        engine: "llama-cpp",
        weights: "qwen2.5-0.5b-instruct-q4_k_m",
        replicas: { min: 1, max: 2 },
        memoryMb: 1024,
        cpus: 1,
    }));
    return [...own, ...extra];
}

/** `--config models=<json>` for a `count`-model check of `stack`. */
export function manyModelsArgs(stack: string, count: number, projectDir?: string): string[] {
    return ["--config", `models=${JSON.stringify(manyModels(stack, count, projectDir))}`];
}
