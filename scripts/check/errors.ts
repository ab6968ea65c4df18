/**
 * Bad input to the check (unknown stack, invalid config, unreadable or malformed file): the check
 * prints the message as one line and exits with status 2.
 */
export class InputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "InputError";
    }
}

/** The one-line text of an error, without a stack trace. */
export function oneLine(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return message.split("\n").map((l) => l.trim()).filter((l) => l !== "").join(" ");
}
