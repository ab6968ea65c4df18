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

/** Parses the command line (after `--`); throws an InputError naming the problem. */
export function parseArgs(argv: readonly string[]): CheckOptions {
    const positional: string[] = [];
    const values = new Map<string, string>();
    const configOverrides: Record<string, string> = {};
    let json = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
        if (flag === "--json") {
            json = true;
        } else if (WITH_VALUE.has(flag)) {
            const value = inline ?? argv[++i];
            if (value === undefined || value === "") throw new InputError(`${flag} needs a value; ${USAGE}`);
            if (flag === "--config") {
                const eq = value.indexOf("=");
                if (eq <= 0) throw new InputError(`--config takes <key>=<value>, got "${value}"`);
                configOverrides[value.slice(0, eq)] = value.slice(eq + 1);
            } else {
                values.set(flag, value);
            }
        } else if (arg.startsWith("-")) {
            throw new InputError(`unknown option ${arg}; ${USAGE}`);
        } else {
            positional.push(arg);
        }
    }
    if (positional.length !== 1) throw new InputError(positional.length === 0 ? `no stack given; ${USAGE}` : `one stack only, got ${positional.join(" ")}; ${USAGE}`);
    if (values.has("--state") && Object.keys(configOverrides).length > 0) {
        throw new InputError("--config applies to the program's evaluation and cannot be combined with --state");
    }
    return {
        stack: positional[0],
        statePath: values.get("--state"),
        exportPath: values.get("--export"),
        json,
        markdownPath: values.get("--markdown"),
        baselinePath: values.get("--baseline"),
        diffPath: values.get("--diff"),
        configOverrides,
    };
}
