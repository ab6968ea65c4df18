/**
 * Each stack of the project evaluated once per test process with the mock engine, shared by the
 * test files that only read what it registered. The cloud stacks run with every optional secret set,
 * so that the paths that carry them are evaluated too.
 */
import { engineConfigSource } from "../../stacks/config-reader";
import { definePlatform } from "../../stacks/platform";
import { resolveStackConfig } from "../../scripts/offline/stack-files";
import { ProgramRun, runProgram } from "../harness";

/** Third-party secrets set on the cloud stacks; recognisable so tests can hunt for them in clear. */
export const CONFIGURED_SECRETS = {
    openaiApiKey: "sk-OpenAiKeyForTests123",
    openrouterApiKey: "or-RouterKeyForTests456",
    alertSlackWebhookUrl: "https://hooks.slack.com/services/T0/B0/SlackSecret789",
} as const;

const runs = new Map<string, Promise<ProgramRun>>();

/** The stack's program, as the engine runs it. */
export const program = () => definePlatform(engineConfigSource());

const variants = new Map<string, Promise<ProgramRun>>();

/**
 * A stack evaluated with config overrides, once per distinct set of overrides and test process. The
 * mock engine is global: evaluations are chained, never concurrent.
 */
export function evaluatedWith(stack: "dev" | "staging" | "prod", overrides: Record<string, unknown>): Promise<ProgramRun> {
    const key = `${stack}:${JSON.stringify(overrides)}`;
    let run = variants.get(key);
    if (!run) {
        const previous = [...variants.values()].pop() ?? Promise.resolve(undefined);
        run = previous.catch(() => undefined).then(() => runProgram(stack, program, stack === "dev" ? { overrides } : { overrides, secretOverrides: { ...CONFIGURED_SECRETS } }));
        variants.set(key, run);
    }
    return run;
}

export function evaluatedStack(stack: "dev" | "staging" | "prod"): Promise<ProgramRun> {
    let run = runs.get(stack);
    if (!run) {
        run = runProgram(stack, program, stack === "dev" ? {} : { secretOverrides: { ...CONFIGURED_SECRETS } });
        runs.set(stack, run);
    }
    return run;
}

/** The dev stack file's models, as raw config. */
export function devModels(): any[] {
    return JSON.parse(resolveStackConfig("dev").values["genai-platform:models"]);
}

/** The server weights of a model's backend in the dev load balancer's configuration. */
export function lbServerWeights(run: ProgramRun, model: string): Record<string, number> {
    const conf = run.one("command:local:Command", "lb-config").inputs.stdin as string;
    const backend = conf.split(`backend model-${model}\n`)[1]?.split("\n\n")[0];
    if (backend === undefined) throw new Error(`no backend for model ${model}`);
    return Object.fromEntries([...backend.matchAll(/^\s+server (\S+) \S+ weight (\d+)/gm)].map((m) => [m[1], Number(m[2])]));
}
