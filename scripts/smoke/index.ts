/**
 * `npm run smoke -- <stack> [--url <base>] [--json] [--timeout 120s]`: after a deploy, asks every route
 * the stack serves for its health through the load balancer (each model and, in dev, each of its tracks,
 * Grafana, and the load balancer itself), retrying while the deploy warms up.
 * Exit status: 0 every route healthy, 1 some route unhealthy, 2 bad input (one line), 3 the check itself failed.
 */
import { execFile } from "child_process";
import { loadBalancerUrl } from "../../components/traffic/lb-docker";
import { StackConfig } from "../../stacks/config";
import { InputError, oneLine } from "../check/errors";
import { typedStackConfig } from "../check/stack-policy";
import { PROJECT_DIR, stackNames } from "../offline/stack-files";
import { parseBaseUrl, parseSmokeArgs } from "./args";
import { httpProbe, Probe } from "./probe";
import { renderJson, renderText } from "./report";
import { smokePlan } from "./routes";
import { Clock } from "../rollout/clock";
import { runSmoke } from "./run";

/** The stack output holding the load balancer's URL (stacks/docker.ts, stacks/aws.ts: `https://<ALB DNS name>`). */
export const LB_URL_OUTPUT = "lbUrl";

export interface Output {
    write(chunk: string): void;
}

export interface SmokeEnv {
    readonly stdout: Output;
    readonly stderr: Output;
    readonly probe?: Probe;
    readonly clock?: Clock;
    /** A deployed stack's load balancer URL; `pulumi stack output lbUrl` by default. */
    readonly stackOutputUrl?: (stack: string) => Promise<string>;
}

/** `pulumi stack output lbUrl --stack <stack>`, where the Pulumi CLI is installed and logged in. */
export function pulumiStackOutputUrl(stack: string): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile("pulumi", ["stack", "output", LB_URL_OUTPUT, "--stack", stack], { cwd: PROJECT_DIR, timeout: 60_000 }, (error, stdout, stderr) => {
            if (error === null) return resolve(stdout.trim());
            const why = (error as NodeJS.ErrnoException).code === "ENOENT" ? "the Pulumi CLI is not installed" : oneLine(stderr) || oneLine(error);
            reject(new InputError(`no --url given and \`pulumi stack output ${LB_URL_OUTPUT} --stack ${stack}\` failed: ${why}`));
        });
    });
}

/** Where the stack's load balancer answers: dev's from its config, the cloud's from the deployed stack. */
async function stackBaseUrl(cfg: StackConfig, outputUrl: (stack: string) => Promise<string>): Promise<string> {
    if (cfg.platform === "docker") return loadBalancerUrl(cfg.traffic.lbBindAddress, cfg.traffic.lbHostPort);
    const url = await outputUrl(cfg.stack);
    try {
        return parseBaseUrl(url);
    } catch (error) {
        throw new InputError(`the stack output ${LB_URL_OUTPUT} of ${cfg.stack} is not a base URL ("${url}"): ${oneLine(error)}`);
    }
}

/**
 * Checks every route of `cfg` through its load balancer at `baseUrl` and reports; the exit status, 0 all
 * healthy or 1. Progress goes to stderr, the verdict to stdout.
 */
export async function smokeStack(cfg: StackConfig, baseUrl: string, options: { readonly timeoutMs: number; readonly json: boolean }, env: SmokeEnv): Promise<number> {
    const plan = smokePlan(cfg, baseUrl);
    const result = await runSmoke(plan, {
        timeoutMs: options.timeoutMs,
        probe: env.probe ?? httpProbe,
        clock: env.clock,
        onRetry: (pending, delayMs) =>
            env.stderr.write(
                `smoke: not healthy yet: ${pending.map((o) => `${o.route.name} (${o.last?.error ?? "not checked"})`).join(", ")}; again in ${(delayMs / 1000).toFixed(1)} s\n`,
            ),
    });
    env.stdout.write(options.json ? renderJson(plan, result, options.timeoutMs) : renderText(plan, result));
    return result.healthy ? 0 : 1;
}

export async function smoke(argv: readonly string[], env: SmokeEnv): Promise<number> {
    try {
        const args = parseSmokeArgs(argv);
        const stacks = stackNames();
        if (!stacks.includes(args.stack)) throw new InputError(`unknown stack "${args.stack}": no Pulumi.${args.stack}.yaml (stacks: ${stacks.join(", ")})`);
        const cfg = typedStackConfig(args.stack);
        const baseUrl = args.url ?? (await stackBaseUrl(cfg, env.stackOutputUrl ?? pulumiStackOutputUrl));
        if (cfg.platform === "aws" && !baseUrl.startsWith("https:")) {
            throw new InputError(`${baseUrl}: stack "${cfg.stack}" serves HTTPS only (its port 80 only redirects); give an https URL`);
        }
        return await smokeStack(cfg, baseUrl, args, env);
    } catch (error) {
        if (!(error instanceof InputError)) throw error;
        env.stderr.write(`smoke: ${oneLine(error)}\n`);
        return 2;
    }
}

if (require.main === module) {
    smoke(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
        (status) => process.exit(status),
        (error: unknown) => {
            process.stderr.write(`smoke: failed: ${oneLine(error)}\n`);
            process.exit(3);
        },
    );
}
