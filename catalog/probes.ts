/**
 * In-container health probes, rendered for the HTTP client an image carries. Every probe passes only
 * on a 200 from the first response: a redirect is a failure, never followed.
 */
import { HttpClient } from "./images";

export interface HttpProbe {
    readonly port: number;
    readonly path: string;
    /** Text the body must contain as well (only with python3, which can read it). */
    readonly bodyIncludes?: string;
}

function shellQuote(text: string): string {
    return `'${text.replace(/'/g, `'"'"'`)}'`;
}

/** A shell command that exits 0 only when GET http://127.0.0.1:<port><path> answers 200 itself. */
export function httpProbeCommand(client: HttpClient, probe: HttpProbe): string {
    const url = `http://127.0.0.1:${probe.port}${probe.path}`;
    if (probe.bodyIncludes !== undefined && client !== "python3") throw new Error(`a body check needs python3, not ${client}`);
    switch (client) {
        case "curl":
            // Without -L curl does not follow; the status code itself must be 200.
            return `test "$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' ${shellQuote(url)})" = 200`;
        case "busybox-wget":
            // BusyBox wget follows redirects and has no switch against it: judge the first status line it prints.
            return `wget -q -S -T 5 -O /dev/null ${shellQuote(url)} 2>&1 | head -n 1 | grep -q '^ *HTTP/[0-9.]* 200 '`;
        case "python3": {
            const body = probe.bodyIncludes === undefined ? "" : `;b=r.read().decode(errors='replace');sys.exit(0 if r.status==200 and ${JSON.stringify(probe.bodyIncludes)} in b else 1)`;
            const status = probe.bodyIncludes === undefined ? ";sys.exit(0 if r.status==200 else 1)" : "";
            const script = `import http.client,sys;c=http.client.HTTPConnection('127.0.0.1',${probe.port},timeout=5);c.request('GET',${JSON.stringify(probe.path)});r=c.getresponse()${status}${body}`;
            return `python3 -c ${shellQuote(script)}`;
        }
        case "none":
            throw new Error("the image has no HTTP client: probe it from outside (Prometheus, the load balancer)");
    }
}
