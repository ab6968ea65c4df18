import { lastValue, splitCommandLine } from "../check/command-line";
import { InputError } from "../check/errors";
import { parseWindow } from "../rollout/plan";

/** What `npm run smoke -- <stack> [options]` was asked to do. */
export interface SmokeArgs {
    readonly stack: string;
    /** The load balancer's base URL; the stack's own when not given. */
    readonly url?: string;
    /** Print one JSON object instead of a line per route. */
    readonly json: boolean;
    /** How long routes may take to become healthy, in all. */
    readonly timeoutMs: number;
}

export const USAGE = "usage: npm run smoke -- <stack> [--url <base>] [--json] [--timeout 120s]";

export const DEFAULT_TIMEOUT_SECONDS = 120;
const MAX_TIMEOUT_SECONDS = 3600;

const WITH_VALUE = new Set(["--url", "--timeout"]);
const FLAGS = new Set(["--json"]);

/** A base URL: http(s), a host, maybe a port, nothing after; returned without a trailing slash. */
export function parseBaseUrl(text: string): string {
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        throw new InputError(`--url ${text}: not a URL; allowed: the load balancer's base URL, such as http://127.0.0.1:8080 or https://genai.example.com`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new InputError(`--url ${text}: allowed: an http or https URL, not ${url.protocol}`);
    if (url.username || url.password || url.search || url.hash || url.pathname !== "/") {
        throw new InputError(`--url ${text}: allowed: scheme, host and port only (the routes are under /models/ and /grafana/ of the load balancer)`);
    }
    return url.origin;
}

/** Parses the command line (after `--`); throws an InputError naming the problem. */
export function parseSmokeArgs(argv: readonly string[]): SmokeArgs {
    const line = splitCommandLine(argv, { flags: FLAGS, withValue: WITH_VALUE, usage: USAGE });
    const { positional } = line;
    const value = (option: string) => lastValue(line, option);
    if (positional.length !== 1) throw new InputError(positional.length === 0 ? `no stack given; ${USAGE}` : `one stack only, got ${positional.join(" ")}; ${USAGE}`);
    const timeoutText = value("--timeout");
    const timeoutSeconds = timeoutText === undefined ? DEFAULT_TIMEOUT_SECONDS : parseWindow(timeoutText);
    if (timeoutSeconds === undefined || timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
        throw new InputError(`--timeout ${timeoutText}: allowed: from 1s to ${MAX_TIMEOUT_SECONDS / 60}m, in seconds or minutes, such as 90s, 5m or 120`);
    }
    const url = value("--url");
    return { stack: positional[0], url: url === undefined ? undefined : parseBaseUrl(url), json: line.flags.has("--json"), timeoutMs: timeoutSeconds * 1000 };
}
