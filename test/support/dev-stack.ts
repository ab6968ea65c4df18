/**
 * The dev stack's generated configuration files, as the program hands them to its containers:
 * the stack is evaluated once with the mock engine, and tests read the files it uploads.
 */
import { parse } from "yaml";
import { StackConfig, loadStackConfig } from "../../stacks/config";
import { ProgramRun, stackConfig } from "../harness";
import { evaluatedStack } from "./stacks";

const CONTAINER = "docker:index/container:Container";
/** Where the dev Prometheus container reads its configuration and its rules. */
export const DEV_PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml";
export const DEV_PROMETHEUS_RULES = "/etc/prometheus/rules/genai.yml";

/** One scrape job of a Prometheus configuration, as far as the tests read it. */
export interface ScrapeConfig {
    readonly job_name: string;
    readonly static_configs: readonly { readonly targets: readonly string[]; readonly labels?: Readonly<Record<string, string>> }[];
    readonly [key: string]: unknown;
}

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
    /** The dev Prometheus's own scrape job `job` (relabelling, honor_labels and labels kept), scraping `target` instead. */
    scrapeJob(job: string, target: string): ScrapeConfig;
}

let cached: Promise<DevStack> | undefined;

async function evaluateDevStack(): Promise<DevStack> {
    const run = await evaluatedStack("dev");
    const upload = (container: string, file: string): string => {
        const uploads = (run.one(CONTAINER, container).inputs.uploads ?? []) as { file: string; content: string }[];
        const found = uploads.find((u) => u.file === file);
        if (found === undefined) throw new Error(`container ${container} uploads no ${file}`);
        return found.content;
    };
    return {
        run,
        upload,
        scrapeJob(job, target) {
            const config = parse(upload("observability-prometheus", DEV_PROMETHEUS_CONFIG)) as { scrape_configs: ScrapeConfig[] };
            const found = config.scrape_configs.find((j) => j.job_name === job);
            if (!found) throw new Error(`the dev Prometheus has no ${job} job`);
            return { ...found, static_configs: [{ ...found.static_configs[0], targets: [target] }] };
        },
    };
}

/** The dev stack, evaluated on first use and shared by every caller. */
export function devStack(): Promise<DevStack> {
    cached ??= evaluateDevStack();
    return cached;
}
