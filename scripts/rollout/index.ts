/**
 * `npm run rollout -- <stack> <model> --image <ref> | --weights <id>`: rolls a new version of a model out
 * through Pulumi, step by step, gated on its metrics in Prometheus, and rolls it back on its own.
 * Exit status: 0 promoted (or a dry run), 1 rolled back or aborted, 2 bad input, 3 the rollout itself
 * failed (an update or a service): the state file says where it stopped; resume or abort it.
 */
import * as path from "path";
import { modelRoute } from "../../components/traffic/upstreams";
import { typedStackConfig } from "../check/stack-policy";
import { InputError, oneLine } from "../check/errors";
import { PROJECT_DIR, readProjectFile, resolveStackConfig, stackNames } from "../offline/stack-files";
import { AutomationApplier, StackApplier } from "./apply";
import { parseRolloutArgs, RolloutArgs } from "./args";
import { describePlan, Display, Output } from "./display";
import { buildPlan, RolloutPlan } from "./plan";
import { Clock, SYSTEM_CLOCK } from "./clock";
import { Outcome, ProgressEvent, RolloutError, RolloutRunner, RunnerOptions } from "./runner";
import { AlertmanagerNotifier, HttpSmokeCheck, MetricsSource, Notifier, PrometheusMetrics, SmokeCheck } from "./services";
import { RolloutState, StateStore } from "./state";

/** What a rollout acts on; the CLI builds the real ones, tests give their own. */
export interface Backends {
    readonly applier: StackApplier;
    readonly metrics: MetricsSource;
    readonly notifier: Notifier;
    readonly smoke?: { readonly canary: SmokeCheck; readonly stable: SmokeCheck };
}

export interface CliEnv {
    readonly stdout: Output;
    readonly stderr: Output;
    readonly clock: Clock;
    readonly backends: (plan: RolloutPlan, log: (line: string) => void) => Promise<Backends>;
    /** Builds the plan of a new rollout and says why the stack could not run it; the stack's files by default. */
    readonly planner?: (args: RolloutArgs) => Promise<PlannedRollout>;
}

export interface PlannedRollout {
    readonly plan: RolloutPlan;
    /** Why a run would be refused (an empty list when it can run). */
    readonly blockers: readonly string[];
}

/** The real backends: Pulumi's Automation API on the project, Prometheus, Alertmanager, the load balancer. */
export async function realBackends(plan: RolloutPlan, log: (line: string) => void): Promise<Backends> {
    const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
    const stack = await LocalWorkspace.selectStack({ stackName: plan.stack, workDir: PROJECT_DIR });
    const cfg = typedStackConfig(plan.stack);
    const health = cfg.models.find((m) => m.name === plan.model)!.engine.health.path;
    const smokeUrl = `${plan.lbUrl}${modelRoute(plan.model)}${health.replace(/^\//, "")}`;
    return {
        applier: new AutomationApplier(stack, { stack: plan.stack, platform: cfg.platform, model: plan.model }, log),
        metrics: new PrometheusMetrics(plan.prometheusUrl),
        notifier: new AlertmanagerNotifier(plan.alertmanagerUrl),
        smoke: plan.lbUrl ? { canary: new HttpSmokeCheck(smokeUrl, "canary"), stable: new HttpSmokeCheck(smokeUrl, "stable") } : undefined,
    };
}

/**
 * Why the stack cannot run the plan's canary, if it cannot: its config with the canary added, checked as
 * `pulumi up` will check it (the catalog, GPU capacity), and in dev the containers' memory limits against
 * the host's budget, from the program evaluated offline as `npm run check` does.
 */
async function canaryBlockers(plan: RolloutPlan): Promise<string[]> {
    const project = readProjectFile().name;
    const models = JSON.parse(resolveStackConfig(plan.stack).values[`${project}:models`]) as { name: string; canary?: unknown }[];
    const withCanary = models.map((m) => (m.name === plan.model ? { ...m, canary: { image: plan.to.image, weights: plan.to.weights, weight: 0 } } : m));
    const overrides = { models: JSON.stringify(withCanary) };
    let cfg;
    try {
        cfg = typedStackConfig(plan.stack, overrides);
    } catch (error) {
        if (!(error instanceof InputError)) throw error;
        return [`the stack cannot run a canary of ${plan.model}: ${error.message}`];
    }
    if (cfg.platform !== "docker") return [];
    const { collectFromProgram } = await import("../check/resources");
    const { dockerFootprint } = await import("../check/advisories");
    const footprint = dockerFootprint((await collectFromProgram(plan.stack, overrides)).resources, cfg)!;
    if (footprint.memoryMb <= footprint.hostMemoryMb) return [];
    return [
        `rollout of stack "${plan.stack}": with a canary of ${plan.model} the containers' memory limits add up to ${footprint.memoryMb} MiB, ` +
            `over genai-platform:hostMemoryMb ${footprint.hostMemoryMb}; allowed: at most hostMemoryMb; raise it where the machine has the memory ` +
            `(pulumi config set hostMemoryMb <MiB>), or lower the models' memoryMb`,
    ];
}

/** The plan from the stack's config file, and what would stop the stack from running its canary. */
export async function planFromStackFiles(args: RolloutArgs): Promise<PlannedRollout> {
    const stacks = stackNames();
    if (!stacks.includes(args.stack)) throw new InputError(`unknown stack "${args.stack}": no Pulumi.${args.stack}.yaml (stacks: ${stacks.join(", ")})`);
    const plan = buildPlan(typedStackConfig(args.stack), args.model, {
        change: { image: args.image, weights: args.weights },
        strategy: args.strategy,
        steps: args.steps,
        windowSeconds: args.windowSeconds,
        inconclusive: args.inconclusive,
        prometheusUrl: args.prometheusUrl,
        alertmanagerUrl: args.alertmanagerUrl,
        lbUrl: args.lbUrl,
    });
    return { plan, blockers: await canaryBlockers(plan) };
}

const FINISHED: readonly RolloutState["phase"][] = ["promoted", "rolled-back", "aborted"];

/** Runs the command; resolves with the exit status. */
export async function runRollout(argv: readonly string[], env: CliEnv): Promise<number> {
    let display: Display | undefined;
    /** Where the notice of a failed rollout goes, once the backends are up. */
    let notifyFailure: ((reason: string) => Promise<void>) | undefined;
    try {
        const args = parseRolloutArgs(argv);
        const progressOut = args.json ? env.stderr : env.stdout;
        const store = new StateStore(path.resolve(PROJECT_DIR, args.stateDir));
        const recorded = store.load(args.stack, args.model);
        const inProgress = recorded && !FINISHED.includes(recorded.phase) ? recorded : undefined;

        let plan: RolloutPlan | undefined;
        if (args.action === "start") {
            if (inProgress) {
                throw new InputError(`a rollout of ${args.model} on stack ${args.stack} is in progress (${inProgress.phase}, step ${inProgress.step + 1} of ${inProgress.plan.steps.length}, started ${inProgress.startedAt}); --resume or --abort it first`);
            }
            const planned = await (env.planner ?? planFromStackFiles)(args);
            plan = planned.plan;
            const { blockers } = planned;
            if (args.dryRun) {
                // The plan is printed either way; a run it would refuse makes the dry run fail too.
                if (args.json) env.stdout.write(`${JSON.stringify({ ...plan, blockers }, null, 2)}\n`);
                else env.stdout.write(`${describePlan(plan)}\n(dry run: nothing changed)\n`);
                if (blockers.length > 0) throw new InputError(blockers[0]);
                return 0;
            }
            if (blockers.length > 0) throw new InputError(blockers[0]);
        } else if (!inProgress) {
            throw new InputError(`no rollout of ${args.model} on stack ${args.stack} in progress to ${args.action}${recorded ? ` (the last one ${recorded.phase} at ${recorded.finishedAt})` : ""}`);
        } else if (args.action === "abort" && inProgress.phase === "promoting") {
            throw new InputError(`the rollout of ${args.model} on stack ${args.stack} passed every step and is being promoted (the stable version may already run ${inProgress.plan.to.image}); --resume it to finish, then roll out the previous version if needed`);
        }

        let release: () => void;
        try {
            release = store.lock(args.stack, `rollout of ${args.model}`);
        } catch (error) {
            // A live rollout holds the stack: an abort is handed to it, and it rolls back at its next check.
            if (args.action === "abort" && error instanceof InputError) {
                store.requestAbort(args.stack, args.model, `requested by ${process.env.USER ?? "a user"} at ${new Date(env.clock.now()).toISOString()}`);
                env.stdout.write(`asked the running rollout of ${args.model} to roll back at its next check\n`);
                return 0;
            }
            throw error;
        }
        try {
            display = new Display(progressOut);
            const show = (event: ProgressEvent): void => display!.show(event);
            let state: RolloutState;
            if (args.action === "start") {
                state = RolloutRunner.start(plan!, env.clock);
                store.clearAbort(args.stack, args.model);
                store.save(state);
                progressOut.write(`${describePlan(state.plan)}\n`);
            } else {
                state = inProgress!;
            }
            const backends = await env.backends(state.plan, (line) => show({ kind: "stage", message: line }));
            const { plan: running } = state;
            notifyFailure = (reason) =>
                backends.notifier.notify({
                    alertname: "RolloutFailed",
                    severity: "critical",
                    stack: running.stack,
                    model: running.model,
                    summary: `Rollout of ${running.model} to ${running.to.image} (${running.to.weights}) stopped: an update failed`,
                    description: `${reason}. The state is recorded: resume it (--resume) or send all traffic back to the stable version (--abort).`,
                });
            const options: RunnerOptions = { readyTimeoutSeconds: args.readyTimeoutSeconds };
            const runner = new RolloutRunner(
                { ...backends, store, clock: env.clock, progress: show, abortRequested: () => store.abortRequest(args.stack, args.model) },
                options,
            );
            let outcome: Outcome;
            if (args.action === "abort") {
                await runner.rollBack(state, `aborted: requested by ${process.env.USER ?? "a user"}`);
                outcome = "rolled-back";
            } else {
                outcome = await runner.run(state);
            }
            store.clearAbort(args.stack, args.model);
            display.close();
            if (args.json) env.stdout.write(`${JSON.stringify(store.load(args.stack, args.model), null, 2)}\n`);
            return outcome === "promoted" ? 0 : 1;
        } finally {
            release();
        }
    } catch (error) {
        display?.close();
        if (error instanceof InputError) {
            env.stderr.write(`error: ${oneLine(error)}\n`);
            return 2;
        }
        const what = error instanceof RolloutError ? error.message : oneLine(error);
        env.stderr.write(`rollout failed: ${what}\nthe state is recorded; run again with --resume to go on, or --abort to send all traffic back to the stable version\n`);
        await notifyFailure?.(what).catch((notifyError: Error) => env.stderr.write(`could not notify the receivers: ${notifyError.message}\n`));
        return 3;
    }
}

if (require.main === module) {
    runRollout(process.argv.slice(2), {
        stdout: process.stdout,
        stderr: process.stderr,
        clock: SYSTEM_CLOCK,
        backends: realBackends,
    }).then((code) => {
        process.exitCode = code;
    });
}
