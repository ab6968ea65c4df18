/**
 * One health request of the smoke check: a GET on a fresh connection that never follows a redirect and
 * verifies TLS certificates as any client would.
 */
import * as http from "http";
import * as https from "https";
import { SmokeRoute } from "./routes";

/** What one request of a route found. */
export interface ProbeResult {
    /** The answer's status; undefined when none came (refused, timed out, TLS failed). */
    readonly status?: number;
    /** From sending the request to the end of the answer (or the error). */
    readonly latencyMs: number;
    /** Why the route is not healthy, when it is not. */
    readonly error?: string;
    /** Where a redirect pointed. */
    readonly location?: string;
    /**
     * No retry can change the verdict: a redirect (the route answers elsewhere) or a certificate the
     * client refuses. Warming up gives neither.
     */
    readonly final: boolean;
}

export type Probe = (route: SmokeRoute, timeoutMs: number) => Promise<ProbeResult>;

/** Node's error codes for a certificate it refuses (unknown issuer, expired, self-signed, wrong name). */
const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

function describeError(error: NodeJS.ErrnoException): { error: string; final: boolean } {
    const code = error.code ?? "";
    if (CERTIFICATE_ERROR.test(code)) {
        const hint = code === "ERR_TLS_CERT_ALTNAME_INVALID" ? " (give --url the name the certificate is issued for)" : "";
        return { error: `TLS: ${error.message}${hint}`, final: true };
    }
    return { error: code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message, final: false };
}

/** GETs the route once, within `timeoutMs`. */
export const httpProbe: Probe = (route, timeoutMs) =>
    new Promise((resolve) => {
        const started = Date.now();
        const target = new URL(route.url);
        const client = target.protocol === "https:" ? https : http;
        let settled = false;
        const finish = (result: Omit<ProbeResult, "latencyMs">): void => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ ...result, latencyMs: Date.now() - started });
        };
        // No agent: every check opens its own connection, as a new client would, and leaves none behind.
        const req = client.request(target, { method: "GET", headers: { ...route.headers }, agent: false }, (res) => {
            const status = res.statusCode ?? 0;
            res.resume();
            res.on("error", (error) => finish({ status, ...describeError(error) }));
            res.on("end", () => {
                if (status === 200) finish({ status, final: false });
                else if (status >= 300 && status < 400) {
                    const location = res.headers.location;
                    finish({ status, location, error: `redirect${location ? ` to ${location}` : ""}, never followed`, final: true });
                } else finish({ status, error: `answered ${status}`, final: false });
            });
        });
        const timer = setTimeout(() => {
            req.destroy();
            finish({ error: `no answer within ${timeoutMs} ms`, final: false });
        }, timeoutMs);
        req.on("error", (error: NodeJS.ErrnoException) => finish(describeError(error)));
        req.end();
    });
