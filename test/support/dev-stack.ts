/**
 * The dev stack's generated configuration files, as the program hands them to its containers:
 * the stack is evaluated once with the mock engine, and tests read the files it uploads.
 */
import { StackConfig, loadStackConfig } from "../../stacks/config";
import { ProgramRun, stackConfig } from "../harness";
import { evaluatedStack } from "./stacks";

const CONTAINER = "docker:index/container:Container";

/** A stack's typed configuration, read from its stack file (with `overrides` on top) as the program reads it. */
export function stackConfigOf(stack: "dev" | "staging" | "prod", overrides: Record<string, unknown> = {}): StackConfig {
    const resolved = stackConfig(stack, { overrides });
    return loadStackConfig({
        project: resolved.project,
        stack: resolved.stack,
        get: (key) => resolved.values[key.includes(":") ? key : `${resolved.project}:${key}`],
    });
}

/** The dev stack's typed configuration. */
export function devStackConfig(): StackConfig {
    return stackConfigOf("dev");
}

/** The evaluated dev stack and the files its containers receive. */
export interface DevStack {
    readonly run: ProgramRun;
    /** Content of the file `file` uploaded into the container resource `container`. */
    upload(container: string, file: string): string;
}

let cached: Promise<DevStack> | undefined;

async function evaluateDevStack(): Promise<DevStack> {
    const run = await evaluatedStack("dev");
    return {
        run,
        upload(container, file) {
            const uploads = (run.one(CONTAINER, container).inputs.uploads ?? []) as { file: string; content: string }[];
            const found = uploads.find((u) => u.file === file);
            if (found === undefined) throw new Error(`container ${container} uploads no ${file}`);
            return found.content;
        },
    };
}

/** The dev stack, evaluated on first use and shared by every caller. */
export function devStack(): Promise<DevStack> {
    cached ??= evaluateDevStack();
    return cached;
}
