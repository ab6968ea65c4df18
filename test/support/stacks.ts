/**
 * Each stack of the project evaluated once per test process with the mock engine, shared by the
 * test files that only read what it registered. The cloud stacks run with every optional secret set,
 * so that the paths that carry them are evaluated too.
 */
import { engineConfigSource } from "../../stacks/config-reader";
import { definePlatform } from "../../stacks/platform";
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

export function evaluatedStack(stack: "dev" | "staging" | "prod"): Promise<ProgramRun> {
    let run = runs.get(stack);
    if (!run) {
        run = runProgram(stack, program, stack === "dev" ? {} : { secretOverrides: { ...CONFIGURED_SECRETS } });
        runs.set(stack, run);
    }
    return run;
}
