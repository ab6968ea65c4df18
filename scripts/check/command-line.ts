import { InputError } from "./errors";

/** The options a command takes: flags alone (`--json`), and options with a value (`--url <u>` or `--url=<u>`). */
export interface CommandLineSpec {
    readonly flags: ReadonlySet<string>;
    readonly withValue: ReadonlySet<string>;
    /** The command's usage line, appended to the message of a missing value or an unknown option. */
    readonly usage: string;
}

/** A command line split into its parts, before the command reads their meaning. */
export interface CommandLine {
    /** The arguments that are not options, in order. */
    readonly positional: string[];
    /** The flags given. */
    readonly flags: Set<string>;
    /** Every value of each option given, in order (an option may be repeated, such as the check's `--config`). */
    readonly values: Map<string, string[]>;
}

/**
 * Splits the command line (after `--`) of the check, the rollout and the smoke check alike; throws an InputError
 * for an option without its value or an unknown option.
 */
export function splitCommandLine(argv: readonly string[], spec: CommandLineSpec): CommandLine {
    const positional: string[] = [];
    const flags = new Set<string>();
    const values = new Map<string, string[]>();
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
        if (spec.flags.has(flag)) {
            flags.add(flag);
        } else if (spec.withValue.has(flag)) {
            const value = inline ?? argv[++i];
            if (value === undefined || value === "") throw new InputError(`${flag} needs a value; ${spec.usage}`);
            values.set(flag, [...(values.get(flag) ?? []), value]);
        } else if (arg.startsWith("-")) {
            throw new InputError(`unknown option ${arg}; ${spec.usage}`);
        } else {
            positional.push(arg);
        }
    }
    return { positional, flags, values };
}

/** The last value given for an option (a repeated option's last one wins), or undefined. */
export function lastValue(line: CommandLine, option: string): string | undefined {
    return line.values.get(option)?.at(-1);
}
