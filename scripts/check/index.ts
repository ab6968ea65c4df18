/**
 * `npm run check -- <stack>`: evaluates the stack's program with the mock engine (or reads a
 * `pulumi stack export` file with --state), runs the CrossGuard pack on its resources through the
 * Analyzer protocol as `pulumi preview --policy-pack` does, prices them, diffs them with the base
 * branch's export (--diff), and reports.
 * Exit status: 0 no mandatory violation, 1 mandatory violations, 2 bad input, 3 the check itself failed.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR, readProjectFile, stackNames } from "../offline/stack-files";
import { PolicyPackProcess } from "./analyzer";
import { parseArgs } from "./args";
import { InputError, oneLine } from "./errors";
import { POLICY_CONFIG_DIR, reconcilePolicyConfig } from "./policy-config";
import { stackPolicyConfig, typedStackConfig } from "./stack-policy";
import { CATALOG } from "../../catalog";
import { isoDay } from "../../catalog/evidence";
import { catalogAdvisories, dockerFootprint } from "./advisories";
import { gpuQuotaNeeds } from "./quotas";
import { collectFromState } from "./resources";

const POLICY_DIR = path.resolve(__dirname, "..", "..", "policy");
const BUDGET_POLICY = "stack-monthly-cost-within-budget";

/** Where the check writes, and the project it checks: the process's streams and this project by default. */
export interface CheckIo {
    /** Writes to standard output; resolves once the text has been handed to the system. */
    readonly stdout: (text: string) => Promise<void>;
    readonly stderr: (text: string) => Promise<void>;
    /** Folder holding Pulumi.yaml and the stack files. */
    readonly projectDir: string;
    /** Told the policy pack's process id as soon as it starts (tests watch it go). */
    readonly onPackStarted?: (pid: number | undefined) => void;
}

/** Writes `text` to a stream and resolves once it is flushed, however large and whatever the stream is. */
export function writeFully(stream: NodeJS.WritableStream, text: string): Promise<void> {
    return new Promise((resolve) => {
        if (text === "") return resolve();
        // Resolves on an error too: a reader that went away (`| head`) is not the check's failure.
        stream.write(text, () => resolve());
    });
}

const PROCESS_IO: CheckIo = {
    stdout: (text) => writeFully(process.stdout, text),
    stderr: (text) => writeFully(process.stderr, text),
    projectDir: PROJECT_DIR,
};

async function check(argv: readonly string[], io: CheckIo): Promise<number> {
    const options = parseArgs(argv);
    const { stack } = options;
    const stacks = stackNames(io.projectDir);
    if (!stacks.includes(stack)) throw new InputError(`unknown stack "${stack}": no Pulumi.${stack}.yaml (stacks: ${stacks.join(", ")})`);
    // The pack is configured from the stack's own config (with any --config override), as policy/config/<stack>.json is.
    const stackConfig = typedStackConfig(stack, options.configOverrides, io.projectDir);
    const policyConfig = stackPolicyConfig(stackConfig);
    const environment = { project: readProjectFile(io.projectDir).name, stack };
    const report = await import("./report");
    // Input files first: a bad one costs no pack start.
    const baseline = options.baselinePath ? report.readBaseline(options.baselinePath) : undefined;
    const diffBase = options.diffPath ? readDiffBase(options.diffPath, stack) : undefined;
    const fromState = options.statePath ? collectFromState(options.statePath, stack) : undefined;

    // The pack takes a second to start: start it first, evaluate the program meanwhile.
    const pack = PolicyPackProcess.start(POLICY_DIR, environment);
    io.onPackStarted?.(pack.pid);
    try {
        const { collectFromProgram, writeStackExport } = await import("./resources");
        const { estimateMonthlyCost, DEFAULT_PRICING } = await import("../../policy/cost/estimate");
        const { unwrapSecrets } = await import("../offline/evaluate");
        const { diffResources } = await import("./diff");

        // The pack is configured while the program runs, and analyses each resource as the program registers
        // it: the program yields to the event loop at each registration, so requests and answers keep flowing.
        const label = path.relative(process.cwd(), path.join(POLICY_CONFIG_DIR, `${stack}.json`));
        const configuring = pack.info().then(async (info) => {
            const config = reconcilePolicyConfig(info.policies, policyConfig, label);
            await pack.configure(config, environment);
            return { info, config };
        });
        // Awaited below, after the program's own errors, which come first.
        configuring.catch(() => undefined);
        const analysis = pack.startAnalysis(configuring.then(() => undefined));
        const collected = fromState ?? (await collectFromProgram(stack, options.configOverrides, io.projectDir, (r) => {
            analysis.add(r);
            return new Promise<void>((resolve) => setImmediate(resolve));
        }));
        const { resources, stackUrn } = collected;
        if (fromState) for (const resource of resources) analysis.add(resource);
        const { info, config } = await configuring;
        const resourceDiagnostics = await analysis.finish();
        const stackDiagnostics = await pack.analyzeStack(resources);
        const diagnostics = [...resourceDiagnostics, ...stackDiagnostics];
        await pack.close();

        // Price with the assumptions the budget policy was configured with.
        const budget = config.get(BUDGET_POLICY)?.properties ?? {};
        const setting = (key: keyof typeof DEFAULT_PRICING): number => (typeof budget[key] === "number" ? (budget[key] as number) : DEFAULT_PRICING[key]);
        const pricing = {
            spotDiscount: setting("spotDiscount"),
            s3ExpectedGbPerBucket: setting("s3ExpectedGbPerBucket"),
            albLcuPerHour: setting("albLcuPerHour"),
            natProcessedGbPerMonth: setting("natProcessedGbPerMonth"),
        };
        const estimate = estimateMonthlyCost(
            resources.map((r) => ({ type: r.type, urn: r.urn, props: unwrapSecrets(r.outputs) })),
            pricing,
        );
        const billable = new Set(resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).map((r) => r.urn));
        const diff = diffBase ? diffResources(diffBase, resources, CATALOG.replacements) : undefined;
        const result = report.buildReport(
            stack,
            resources.length,
            estimate,
            billable,
            typeof budget.budgetUsd === "number" ? budget.budgetUsd : 0,
            report.toViolations(diagnostics, stackUrn),
            catalogAdvisories(CATALOG, stackConfig, isoDay(new Date())),
            dockerFootprint(resources, stackConfig),
            stackConfig.platform === "aws" ? gpuQuotaNeeds(stackConfig.aws.gpuNodeGroups) : undefined,
            diff,
        );
        const context = {
            pack: { name: info.name, version: info.version, policyCount: info.policies.length },
            source: options.statePath ? `state file ${options.statePath}` : "the program (mock engine)",
            resourceTypes: resources.map((r) => r.type),
            items: estimate.items.filter((i) => billable.has(i.urn)),
            unpriced: estimate.unpriced,
            unknown: estimate.unknown,
            diff: diff && options.diffPath ? { base: options.diffPath, result: diff } : undefined,
        };

        if (options.exportPath) writeFile(options.exportPath, () => writeStackExport(options.exportPath!, resources));
        if (options.markdownPath) writeFile(options.markdownPath, () => fs.writeFileSync(options.markdownPath!, report.renderMarkdown(result, context, baseline)));
        await io.stdout(options.json ? report.renderJson(result) : report.renderText(result, context));
        return report.mandatoryCount(result) > 0 ? 1 : 0;
    } finally {
        await pack.close();
    }
}

/** The base branch's `--export` file: its resources, refused when it is another stack's. */
function readDiffBase(file: string, stack: string) {
    const { resources } = collectFromState(file, stack, "diff base");
    const other = resources.map((r) => r.urn.split("::")[0].replace(/^urn:pulumi:/, "")).find((s) => s !== stack);
    if (other !== undefined) throw new InputError(`diff base ${file} holds resources of stack ${other}, not ${stack}: export the base branch's ${stack} with --export`);
    return resources;
}

function writeFile(file: string, write: () => void): void {
    try {
        write();
    } catch (error) {
        if (error instanceof InputError) throw error;
        throw new InputError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? oneLine(error)}`);
    }
}

/**
 * Runs the check and returns its exit status; never throws. Bad input is one line on standard error
 * (status 2), as is a failure of the check itself (status 3).
 */
export async function main(argv: readonly string[], io: CheckIo = PROCESS_IO): Promise<number> {
    try {
        return await check(argv, io);
    } catch (error) {
        const bad = error instanceof InputError;
        await io.stderr(`check: ${bad ? "" : "failed: "}${oneLine(error)}\n`);
        return bad ? 2 : 3;
    }
}

if (require.main === module) {
    process.stdout.on("error", () => undefined);
    // The exit status is set once everything written has been flushed (never process.exit before: a pipe
    // would lose what it had not read yet); the process then ends on its own.
    void main(process.argv.slice(2)).then((status) => {
        process.exitCode = status;
        // Should a library leave a handle open, the process still ends; its output is already out.
        setTimeout(() => process.exit(status), 1000).unref();
    });
}
