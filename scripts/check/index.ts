/**
 * `npm run check -- <stack>`: evaluates the stack's program with the mock engine (or reads a
 * `pulumi stack export` file with --state), runs the CrossGuard pack on its resources through the
 * Analyzer protocol as `pulumi preview --policy-pack` does, prices them, and reports.
 * Exit status: 0 no mandatory violation, 1 mandatory violations, 2 bad input, 3 the check itself failed.
 */
import * as fs from "fs";
import * as path from "path";
import { readProjectFile, stackNames } from "../offline/stack-files";
import { PolicyPackProcess } from "./analyzer";
import { parseArgs } from "./args";
import { InputError, oneLine } from "./errors";
import { POLICY_CONFIG_DIR, reconcilePolicyConfig } from "./policy-config";
import { stackPolicyConfig, typedStackConfig } from "./stack-policy";
import { CATALOG } from "../../catalog";
import { isoDay } from "../../catalog/evidence";
import { catalogAdvisories, dockerFootprint } from "./advisories";
import { gpuQuotaNeeds } from "./quotas";

const POLICY_DIR = path.resolve(__dirname, "..", "..", "policy");
const BUDGET_POLICY = "stack-monthly-cost-within-budget";
async function check(argv: readonly string[]): Promise<number> {
    const options = parseArgs(argv);
    const { stack } = options;
    const stacks = stackNames();
    if (!stacks.includes(stack)) throw new InputError(`unknown stack "${stack}": no Pulumi.${stack}.yaml (stacks: ${stacks.join(", ")})`);
    // The pack is configured from the stack's own config (with any --config override), as policy/config/<stack>.json is.
    const stackConfig = typedStackConfig(stack, options.configOverrides);
    const policyConfig = stackPolicyConfig(stackConfig);
    const environment = { project: readProjectFile().name, stack };

    // The pack takes seconds to start (ts-node type-checks it): start it first, collect meanwhile.
    const pack = PolicyPackProcess.start(POLICY_DIR, environment);
    try {
        const { collectFromProgram, collectFromState, writeStackExport } = await import("./resources");
        const report = await import("./report");
        const { estimateMonthlyCost, DEFAULT_PRICING } = await import("../../policy/cost/estimate");
        const { unwrapSecrets } = await import("../offline/evaluate");

        const baseline = options.baselinePath ? report.readBaseline(options.baselinePath) : undefined;
        const collected = options.statePath
            ? collectFromState(options.statePath, stack)
            : await collectFromProgram(stack, options.configOverrides);
        const { resources, stackUrn } = collected;

        const info = await pack.info();
        const label = path.relative(process.cwd(), path.join(POLICY_CONFIG_DIR, `${stack}.json`));
        const config = reconcilePolicyConfig(info.policies, policyConfig, label);
        await pack.configure(config, environment);
        const diagnostics = [...(await pack.analyze(resources)), ...(await pack.analyzeStack(resources))];
        pack.close();

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
        );
        const context = {
            pack: { name: info.name, version: info.version, policyCount: info.policies.length },
            source: options.statePath ? `state file ${options.statePath}` : "the program (mock engine)",
            resourceTypes: resources.map((r) => r.type),
            items: estimate.items.filter((i) => billable.has(i.urn)),
            unpriced: estimate.unpriced,
            unknown: estimate.unknown,
        };

        if (options.exportPath) writeStackExport(options.exportPath, resources);
        if (options.markdownPath) writeFile(options.markdownPath, report.renderMarkdown(result, context, baseline));
        process.stdout.write(options.json ? report.renderJson(result) : report.renderText(result, context));
        return report.mandatoryCount(result) > 0 ? 1 : 0;
    } finally {
        pack.close();
    }
}

function writeFile(file: string, text: string): void {
    try {
        fs.writeFileSync(file, text);
    } catch (error) {
        throw new InputError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? oneLine(error)}`);
    }
}

check(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (error: unknown) => {
        const bad = error instanceof InputError;
        process.stderr.write(`check: ${bad ? "" : "failed: "}${oneLine(error)}\n`);
        process.exit(bad ? 2 : 3);
    },
);
