/**
 * The check's verdict and its three renderings: the terminal report, the one JSON object of
 * `--json`, and the pull-request comment of `--markdown`.
 */
import * as fs from "fs";
import { CostEstimate, CostIssue, CostItem } from "../../policy/cost/estimate";
import { usd } from "../../policy/lib/policy";
import { AnalyzerDiagnostic } from "./analyzer";
import { InputError, oneLine } from "./errors";
import { Footprint } from "./advisories";
import { EnforcementLevel } from "./policy-config";
import { QuotaNeed, quotaLine } from "./quotas";
import { changeCounts, ChangeDetail, ResourceChange, ResourceDiff } from "./diff";

export interface Violation {
    readonly policy: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly urn: string;
    readonly message: string;
}

export interface CostLine {
    readonly urn: string;
    readonly type: string;
    readonly monthlyUsd: number;
}

/** The `--json` object, exactly. */
export interface CheckReport {
    readonly stack: string;
    readonly resourceCount: number;
    readonly monthlyCostUsd: number;
    readonly budgetUsd: number;
    readonly costs: CostLine[];
    readonly violations: Violation[];
    /** Catalog facts due to be read again, support dates coming near. */
    readonly advisories: string[];
    /** Dev only: the containers' memory limits and largest CPU ask against the Docker host. */
    readonly footprint?: Footprint;
    /** Cloud only: the EC2 vCPU quotas the GPU node groups need at their maxima. */
    readonly quotas?: QuotaNeed[];
    /** With --diff: what a deploy would do to each resource, against the base branch's export. */
    readonly changes?: ResourceChange[];
    /** With --diff: protected or data-holding resources that would be replaced or deleted. */
    readonly changeWarnings?: string[];
}

/** What the terminal and markdown renderings add to the JSON object. */
export interface ReportContext {
    readonly pack: { readonly name: string; readonly version: string; readonly policyCount: number };
    /** "the program (mock engine)" or "state file <path>". */
    readonly source: string;
    readonly resourceTypes: readonly string[];
    /** Priced and free resources of `costs`, with how each was priced. */
    readonly items: readonly CostItem[];
    readonly unpriced: readonly CostIssue[];
    readonly unknown: readonly CostIssue[];
    /** With --diff: the base export's path and the diff. */
    readonly diff?: { readonly base: string; readonly result: ResourceDiff };
}

/** A previous `--json` object to compare costs with. */
export interface Baseline {
    readonly monthlyCostUsd: number;
    readonly costs: readonly CostLine[];
}

const LEVEL_ORDER: readonly EnforcementLevel[] = ["mandatory", "remediate", "advisory", "disabled"];

/** The pack's diagnostics as violations: the description line the pack prepends removed, stack-level ones on the stack's URN. */
export function toViolations(diagnostics: readonly AnalyzerDiagnostic[], stackUrn: string): Violation[] {
    return diagnostics
        .map((d) => ({
            policy: d.policyName,
            enforcementLevel: d.enforcementLevel,
            urn: d.urn || stackUrn,
            message: d.message.startsWith(`${d.description}\n`) ? d.message.slice(d.description.length + 1) : d.message,
        }))
        .sort(
            (a, b) =>
                LEVEL_ORDER.indexOf(a.enforcementLevel) - LEVEL_ORDER.indexOf(b.enforcementLevel) ||
                a.policy.localeCompare(b.policy) ||
                a.urn.localeCompare(b.urn),
        );
}

/** The JSON object of a check, its costs restricted to `billable` (custom resources other than providers). */
export function buildReport(
    stack: string,
    resourceCount: number,
    estimate: CostEstimate,
    billable: ReadonlySet<string>,
    budgetUsd: number,
    violations: Violation[],
    advisories: string[],
    footprint?: Footprint,
    quotas?: QuotaNeed[],
    diff?: ResourceDiff,
): CheckReport {
    return {
        stack,
        resourceCount,
        monthlyCostUsd: estimate.total,
        budgetUsd,
        costs: estimate.items.filter((i) => billable.has(i.urn)).map(({ urn, type, monthlyUsd }) => ({ urn, type, monthlyUsd })),
        violations,
        advisories,
        ...(footprint ? { footprint } : {}),
        ...(quotas ? { quotas } : {}),
        ...(diff ? { changes: diff.changes, changeWarnings: diff.warnings } : {}),
    };
}

const gib = (mb: number): string => `${(mb / 1024).toFixed(1)} GiB`;

/** One line on the dev stack's footprint. */
export function footprintLine(f: Footprint): string {
    return `Dev footprint: memory limits add up to ${gib(f.memoryMb)} of the host's ${gib(f.hostMemoryMb)}; the largest CPU ask is ${f.largestCpus} of ${f.hostCpus}`;
}

/** Number of violations that fail the check. */
export function mandatoryCount(report: CheckReport): number {
    return report.violations.filter((v) => v.enforcementLevel === "mandatory").length;
}

/** Reads a `--baseline` file: a previous `--json` output. */
export function readBaseline(file: string): Baseline {
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new InputError(`baseline ${file} cannot be read as JSON: ${oneLine(error)}`);
    }
    const baseline = doc as Partial<Baseline> | null;
    const valid =
        baseline !== null &&
        typeof baseline === "object" &&
        typeof baseline.monthlyCostUsd === "number" &&
        Array.isArray(baseline.costs) &&
        baseline.costs.every((c) => typeof c?.urn === "string" && typeof c?.monthlyUsd === "number");
    if (!valid) throw new InputError(`baseline ${file} is not the JSON output of npm run check (monthlyCostUsd, costs[])`);
    return { monthlyCostUsd: baseline.monthlyCostUsd as number, costs: baseline.costs as CostLine[] };
}

const shortName = (urn: string): string => urn.split("::").pop() ?? urn;
const money = (amount: number): string => amount.toFixed(2);
const signed = (amount: number): string => `${amount >= 0 ? "+" : "-"}${usd(Math.abs(amount))}`;
const percent = (part: number, whole: number): string => (whole > 0 ? `${Math.round((part / whole) * 100)}%` : "n/a");

/** How many changed paths a diff row lists before it says how many more there are. */
const PATHS_SHOWN = 4;

/** A change's paths for a table: those forcing a replacement marked `!`, then the others, at most PATHS_SHOWN. */
function pathList(change: ResourceChange, detail: ChangeDetail | undefined): string {
    const forcing = new Set(detail?.replacedBy ?? []);
    const ordered = [...change.paths.filter((p) => forcing.has(p)).map((p) => `${p}!`), ...change.paths.filter((p) => !forcing.has(p))];
    const shown = ordered.slice(0, PATHS_SHOWN).join(", ");
    const more = ordered.length > PATHS_SHOWN ? ` (+${ordered.length - PATHS_SHOWN} more)` : "";
    const cause = detail && detail.becauseOf.length > 0 ? `; new id of ${detail.becauseOf.map(shortName).join(", ")}` : "";
    return `${shown}${more}${cause}`;
}

function diffSummary(diff: ResourceDiff): string {
    const counts = changeCounts(diff.changes);
    return (Object.keys(counts) as (keyof typeof counts)[]).map((kind) => `${counts[kind]} to ${kind}`).join(", ");
}

/** Rows of changes a terminal shows in full before it says how many more there are. */
const CHANGES_SHOWN = 40;

function diffText(context: ReportContext): string[] {
    if (!context.diff) return [];
    const { base, result } = context.diff;
    if (result.changes.length === 0) return [`Changes against ${base}: none`, ""];
    const rows = result.changes.slice(0, CHANGES_SHOWN).map((c) => [c.kind.toUpperCase(), shortName(c.urn), c.type, pathList(c, result.details.get(c.urn))]);
    return [
        `Changes against ${base}: ${diffSummary(result)} (! marks an input that forces the replacement)`,
        ...result.warnings.map((w) => `  WARNING ${w}`),
        ...table([["CHANGE", "RESOURCE", "TYPE", "PATHS"], ...rows]),
        ...(result.changes.length > CHANGES_SHOWN ? [`  ... and ${result.changes.length - CHANGES_SHOWN} more (--json lists them all)`] : []),
        ...(result.uncatalogued.length > 0
            ? [`  Replacement inputs not catalogued for ${result.uncatalogued.join(", ")}: an update there may be a replacement (catalog/replacements.ts)`]
            : []),
        "",
    ];
}

/** Rows of changes a pull-request comment lists (GitHub refuses comments over 65,536 characters). */
const MARKDOWN_CHANGES_SHOWN = 150;

function diffMarkdown(context: ReportContext): string[] {
    if (!context.diff) return [];
    const { result } = context.diff;
    if (result.changes.length === 0) return ["#### Resource changes vs the base branch", "", "No resource would change.", ""];
    return [
        "#### Resource changes vs the base branch",
        "",
        `${diffSummary(result)}. \`!\` marks an input that forces the replacement.`,
        "",
        ...result.warnings.map((w) => `> ⚠️ **Data at risk:** ${cell(w)}`),
        ...(result.warnings.length > 0 ? [""] : []),
        "| Change | Resource | Type | Changed inputs |",
        "|---|---|---|---|",
        ...result.changes
            .slice(0, MARKDOWN_CHANGES_SHOWN)
            .map((c) => `| ${c.kind} | \`${cell(shortName(c.urn))}\` | \`${c.type}\` | ${cell(pathList(c, result.details.get(c.urn))) || " "} |`),
        ...(result.changes.length > MARKDOWN_CHANGES_SHOWN ? [`| … | ${result.changes.length - MARKDOWN_CHANGES_SHOWN} more | | |`] : []),
        "",
        ...(result.uncatalogued.length > 0
            ? [`Replacement inputs are not catalogued for ${result.uncatalogued.map((t) => `\`${t}\``).join(", ")}: an update there may be a replacement.`, ""]
            : []),
    ];
}

function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
    return [...counts].sort((a, b) => a[0].localeCompare(b[0]));
}

/** Cost rows: priced resources one by one (dearest first), free ones grouped by type. */
function costRows(items: readonly CostItem[]): { label: string; type: string; monthlyUsd: number; detail: string; urn?: string }[] {
    const priced = items.filter((i) => i.monthlyUsd > 0).sort((a, b) => b.monthlyUsd - a.monthlyUsd);
    const free = items.filter((i) => i.monthlyUsd === 0);
    return [
        ...priced.map((i) => ({ label: shortName(i.urn), type: i.type, monthlyUsd: i.monthlyUsd, detail: i.detail, urn: i.urn })),
        ...countBy(free, (i) => i.type).map(([type, n]) => ({
            label: `${n} resource${n === 1 ? "" : "s"}`,
            type,
            monthlyUsd: 0,
            detail: free.find((i) => i.type === type)?.detail ?? "",
        })),
    ];
}

function table(rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string[] {
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    return rows.map((r) => `  ${r.map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  ").trimEnd()}`);
}

/** The terminal report: resources by type, cost per resource and total, violations grouped by policy. */
export function renderText(report: CheckReport, context: ReportContext): string {
    const lines = [
        `Stack ${report.stack}: ${report.resourceCount} resources from ${context.source}; policy pack ${context.pack.name}@${context.pack.version} (${context.pack.policyCount} policies)`,
        "",
        "Resources by type",
        ...table(countBy(context.resourceTypes, (t) => t).map(([type, n]) => [type, String(n)]), new Set([1])),
        "",
        "Estimated monthly cost (USD, us-east-1 list prices)",
        ...table(
            [
                ["RESOURCE", "TYPE", "MONTHLY", "HOW"],
                ...costRows(context.items).map((r) => [r.label, r.type, money(r.monthlyUsd), r.detail]),
                ...context.unpriced.map((i) => [shortName(i.urn), i.type, "unpriced", i.reason]),
                ...context.unknown.map((i) => [shortName(i.urn), i.type, "unknown", i.reason]),
                ["TOTAL", "", money(report.monthlyCostUsd), `budget ${usd(report.budgetUsd)} (${percent(report.monthlyCostUsd, report.budgetUsd)} used)`],
            ],
            new Set([2]),
        ),
        "",
        ...diffText(context),
    ];
    if (report.footprint) lines.push(footprintLine(report.footprint), "");
    if (report.quotas) lines.push(quotaLine(report.quotas), "");
    if (report.advisories.length > 0) lines.push("Advisories", ...report.advisories.map((a) => `  ${a}`), "");
    if (report.violations.length === 0) {
        lines.push("Policy violations: none");
    } else {
        lines.push("Policy violations");
        for (const [policy] of countBy(report.violations, (v) => v.policy)) {
            const own = report.violations.filter((v) => v.policy === policy);
            lines.push(`  ${policy} [${own[0].enforcementLevel}] (${own.length})`);
            for (const v of own) lines.push(`    ${shortName(v.urn)}: ${v.message.replace(/\n/g, " ")}`);
        }
    }
    const mandatory = mandatoryCount(report);
    lines.push("", mandatory === 0 ? "PASS: no mandatory policy violation" : `FAIL: ${mandatory} mandatory policy violation${mandatory === 1 ? "" : "s"}`);
    return `${lines.join("\n")}\n`;
}

/** The `--json` output: one JSON object. */
export function renderJson(report: CheckReport): string {
    return `${JSON.stringify(report, null, 2)}\n`;
}

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The pull-request comment: verdict, cost total and per-resource table (with deltas against a baseline), violations. */
export function renderMarkdown(report: CheckReport, context: ReportContext, baseline?: Baseline): string {
    const mandatory = mandatoryCount(report);
    const before = new Map(baseline?.costs.map((c) => [c.urn, c.monthlyUsd]));
    const delta = (urn: string | undefined, now: number): string => {
        if (!baseline || urn === undefined) return "";
        const was = before.get(urn);
        return was === undefined ? "new" : now === was ? "=" : signed(now - was);
    };
    const totalDelta = baseline ? ` (${signed(report.monthlyCostUsd - baseline.monthlyCostUsd)} vs baseline ${usd(baseline.monthlyCostUsd)})` : "";
    const current = new Set(report.costs.map((c) => c.urn));
    const removed = baseline ? baseline.costs.filter((c) => !current.has(c.urn) && c.monthlyUsd > 0) : [];
    const lines = [
        `### ${mandatory === 0 ? "✅" : "❌"} Offline check of stack \`${report.stack}\``,
        "",
        `${mandatory === 0 ? "No mandatory policy violation" : `**${mandatory} mandatory policy violation${mandatory === 1 ? "" : "s"}**`} · ` +
            `${report.resourceCount} resources from ${context.source} · policy pack ${context.pack.name}@${context.pack.version}`,
        "",
        `**Estimated monthly cost: ${usd(report.monthlyCostUsd)}** of the ${usd(report.budgetUsd)} budget ` +
            `(${percent(report.monthlyCostUsd, report.budgetUsd)})${totalDelta}`,
        "",
        `| Resource | Type | Monthly (USD) |${baseline ? " Δ vs baseline |" : ""} How |`,
        `|---|---|---:|${baseline ? "---:|" : ""}---|`,
        ...costRows(context.items).map(
            (r) => `| \`${cell(r.label)}\` | \`${r.type}\` | ${money(r.monthlyUsd)} |${baseline ? ` ${delta(r.urn, r.monthlyUsd)} |` : ""} ${cell(r.detail)} |`,
        ),
        ...removed.map((c) => `| \`${cell(shortName(c.urn))}\` (removed) | \`${c.type ?? ""}\` | 0.00 | ${signed(-c.monthlyUsd)} | |`),
        ...[...context.unpriced, ...context.unknown].map(
            (i) => `| \`${cell(shortName(i.urn))}\` | \`${i.type}\` | ? |${baseline ? " ? |" : ""} ${cell(i.reason)} |`,
        ),
        `| **Total** | | **${money(report.monthlyCostUsd)}** |${baseline ? ` **${signed(report.monthlyCostUsd - baseline.monthlyCostUsd)}** |` : ""} |`,
        "",
        ...diffMarkdown(context),
        ...(report.footprint ? [footprintLine(report.footprint), ""] : []),
        ...(report.advisories.length > 0 ? ["#### Advisories", "", ...report.advisories.map((a) => `- ${a}`), ""] : []),
    ];
    if (report.violations.length === 0) {
        lines.push("No policy violations.");
    } else {
        lines.push("#### Policy violations", "", "| Level | Policy | Resource | Message |", "|---|---|---|---|");
        for (const v of report.violations) {
            lines.push(`| ${v.enforcementLevel} | \`${v.policy}\` | \`${cell(shortName(v.urn))}\` | ${cell(v.message)} |`);
        }
    }
    return `${lines.join("\n")}\n`;
}
