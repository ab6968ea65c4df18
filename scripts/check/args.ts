import { lastValue, splitCommandLine } from "./command-line";
import { InputError } from "./errors";

/** What `npm run check -- <stack> [options]` was asked to do. */
export interface CheckOptions {
    readonly stack: string;
    /** A `pulumi stack export` file to check instead of evaluating the program. */
    readonly statePath?: string;
    /** Where to write the checked resources as a stack export file. */
    readonly exportPath?: string;
    /** Print one JSON object instead of the terminal report. */
    readonly json: boolean;
    /** Where to write the pull-request comment. */
    readonly markdownPath?: string;
    /** A previous `--json` output to compare costs with. */
    readonly baselinePath?: string;
    /** A previous `--export` (the base branch's) to diff the resources with. */
    readonly diffPath?: string;
    /** Stack config values (unqualified or `ns:key` keys) that override the stack file's, as `pulumi -c`. */
    readonly configOverrides: Readonly<Record<string, string>>;
}

const USAGE =
    "usage: npm run check -- <stack> [--state <export.json>] [--export <file>] [--json] [--markdown <file>] " +
    "[--baseline <check.json>] [--diff <export.json>] [--config <key>=<value>]...";

const WITH_VALUE = new Set(["--state", "--export", "--markdown", "--baseline", "--diff", "--config"]);
const FLAGS = new Set(["--json"]);

/** Parses the command line (after `--`); throws an InputError naming the problem. */
export function parseArgs(argv: readonly string[]): CheckOptions {
    const line = splitCommandLine(argv, { flags: FLAGS, withValue: WITH_VALUE, usage: USAGE });
    const { positional } = line;
    const value = (option: string) => lastValue(line, option);
    // Each `--config <key>=<value>` in order: a key given again takes its last value.
    const configOverrides: Record<string, string> = {};
    for (const pair of line.values.get("--config") ?? []) {
        const eq = pair.indexOf("=");
        if (eq <= 0) throw new InputError(`--config takes <key>=<value>, got "${pair}"`);
        configOverrides[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    if (positional.length !== 1) throw new InputError(positional.length === 0 ? `no stack given; ${USAGE}` : `one stack only, got ${positional.join(" ")}; ${USAGE}`);
    if (line.values.has("--state") && Object.keys(configOverrides).length > 0) {
        throw new InputError("--config applies to the program's evaluation and cannot be combined with --state");
    }
    return {
        stack: positional[0],
        statePath: value("--state"),
        exportPath: value("--export"),
        json: line.flags.has("--json"),
        markdownPath: value("--markdown"),
        baselinePath: value("--baseline"),
        diffPath: value("--diff"),
        configOverrides,
    };
}
