import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { HttpClient } from "../../catalog/images";
import { HttpProbe, httpProbeCommand } from "../../catalog/probes";
import { LOOPBACK, RunResult, canConnect, freePort, listenOnLoopback, makeTempDir, requireBinaryOrSkip, runCommand, stopAll } from "../support/servers";

/** The probes' file-list check: a 200 whose JSON body names (or does not name) the weights file. */
const FILE_NAME = "qwen2.5-0.5b-instruct-q4_k_m.gguf";

/** What the local server answers on each path. */
const PATHS = {
    ok: "/ready",
    movedPermanently: "/moved",
    found: "/found",
    unavailable: "/unavailable",
    notFound: "/missing",
    listWithFile: "/files/with",
    listWithoutFile: "/files/without",
} as const;

interface ProbeServer {
    port: number;
    /** Paths requested so far, oldest first. */
    seen: string[];
    close(): Promise<void>;
}

async function startProbeServer(): Promise<ProbeServer> {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
        const url = req.url ?? "";
        seen.push(url);
        const json = (body: unknown): void => {
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify(body));
        };
        switch (url) {
            case PATHS.ok:
                res.writeHead(200, { "content-type": "text/plain" });
                res.end("ok");
                return;
            case PATHS.movedPermanently:
                res.writeHead(301, { location: `http://${LOOPBACK}:${port}${PATHS.ok}` });
                res.end();
                return;
            case PATHS.found:
                res.writeHead(302, { location: PATHS.ok });
                res.end();
                return;
            case PATHS.unavailable:
                res.writeHead(503, { "content-type": "text/plain" });
                res.end("loading");
                return;
            case PATHS.listWithFile:
                return json(["other.bin", FILE_NAME]);
            case PATHS.listWithoutFile:
                return json(["other.bin"]);
            default:
                res.writeHead(404, { "content-type": "text/plain" });
                res.end("no such path");
        }
    });
    server.keepAliveTimeout = 500;
    const port = await listenOnLoopback(server);
    return {
        port,
        seen,
        close: () =>
            new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            }),
    };
}

/**
 * A directory of BusyBox applets, to be the whole PATH, as in an Alpine image. Debian bookworm's
 * BusyBox is built without FEATURE_WGET_TIMEOUT and its wget crashes (SIGSEGV) on `-T`, which
 * Alpine's accepts; on such a build `wget` is a wrapper that drops `-T <seconds>` and runs BusyBox's
 * wget with every other argument unchanged.
 */
async function busyboxBin(busybox: string, applets: readonly string[]): Promise<{ dir: string; wgetTimeoutDropped: boolean }> {
    const dir = makeTempDir("genai-busybox-bin");
    fs.chmodSync(dir, 0o755);
    const closed = await freePort();
    const trial = await runCommand(busybox, ["wget", "-q", "-T", "1", "-O", "/dev/null", `http://${LOOPBACK}:${closed}/`], { timeoutMs: 5_000 });
    const wgetTimeoutDropped = trial.signal === "SIGSEGV" || trial.code === 139;
    for (const applet of applets) {
        const file = path.join(dir, applet);
        if (applet === "wget" && wgetTimeoutDropped) {
            fs.writeFileSync(
                file,
                [
                    `#!${busybox} sh`,
                    "skip=no",
                    'for arg; do shift; if [ "$skip" = yes ]; then skip=no; continue; fi',
                    '    case "$arg" in -T) skip=yes; continue;; -T*) continue;; esac; set -- "$@" "$arg"; done',
                    `exec ${busybox} wget "$@"`,
                    "",
                ].join("\n"),
                { mode: 0o755 },
            );
        } else {
            fs.symlinkSync(busybox, file);
        }
    }
    return { dir, wgetTimeoutDropped };
}

/** A loopback port where nothing listens, checked just before use (another test may take a freed port). */
async function closedPort(): Promise<number> {
    for (let attempt = 0; attempt < 5; attempt++) {
        const port = await freePort();
        if (!(await canConnect(port, 200))) return port;
    }
    throw new Error("no closed loopback port found in 5 attempts");
}

function describeRun(result: RunResult): string {
    return `exit ${String(result.code)} signal ${String(result.signal)}\n${result.stdout}\n${result.stderr}`;
}

describe("health probes run by each image's HTTP client accept only a direct 200", function () {
    let server: ProbeServer;
    let sh: string;
    let busybox: string;
    let busyboxPath: string;
    let curl: string;
    let python3: string;

    before(async function () {
        this.timeout(15_000);
        sh = requireBinaryOrSkip(this, "sh");
        busybox = requireBinaryOrSkip(this, "busybox");
        curl = requireBinaryOrSkip(this, "curl");
        python3 = requireBinaryOrSkip(this, "python3");
        server = await startProbeServer();
        const bin = await busyboxBin(busybox, ["wget", "head", "grep"]);
        busyboxPath = bin.dir;
        if (bin.wgetTimeoutDropped) console.warn("probes: this BusyBox's wget crashes on -T (built without FEATURE_WGET_TIMEOUT); the probe runs with -T dropped");
    });

    after(async () => {
        await server?.close();
        await stopAll();
    });

    /** Runs the probe command as its image would: `sh -c <command>` with the image's programs. */
    function runProbe(client: HttpClient, probe: HttpProbe): Promise<RunResult> {
        const command = httpProbeCommand(client, probe);
        if (client === "busybox-wget") return runCommand(busybox, ["sh", "-c", command], { env: { PATH: busyboxPath }, timeoutMs: 10_000 });
        const dirs = [path.dirname(client === "curl" ? curl : python3), process.env.PATH ?? "/usr/bin:/bin"];
        return runCommand(sh, ["-c", command], { env: { PATH: dirs.join(path.delimiter) }, timeoutMs: 10_000 });
    }

    for (const client of ["curl", "busybox-wget", "python3"] as const) {
        describe(`with ${client}`, () => {
            it("passes on a 200", async () => {
                const result = await runProbe(client, { port: server.port, path: PATHS.ok });
                expect(result.code, describeRun(result)).to.equal(0);
            });

            const failures: ReadonlyArray<[string, string]> = [
                ["a 301 to the 200 path", PATHS.movedPermanently],
                ["a 302 to the 200 path", PATHS.found],
                ["a 503", PATHS.unavailable],
                ["a 404", PATHS.notFound],
            ];
            for (const [what, urlPath] of failures) {
                it(`fails on ${what}`, async () => {
                    const before = server.seen.length;
                    const result = await runProbe(client, { port: server.port, path: urlPath });
                    expect(result.code, describeRun(result)).to.be.a("number").and.not.equal(0);
                    expect(server.seen.slice(before)[0], "the probe reached the server").to.equal(urlPath);
                    const redirect = urlPath === PATHS.movedPermanently || urlPath === PATHS.found;
                    if (redirect && client === "busybox-wget") {
                        // BusyBox's wget may follow the redirect to the 200 before the pipe closes on it: only the first
                        // status line judges, so the probe fails either way.
                        expect([[urlPath], [urlPath, PATHS.ok]]).to.deep.include(server.seen.slice(before));
                    } else {
                        expect(server.seen.slice(before), "the redirect was not followed").to.deep.equal([urlPath]);
                    }
                });
            }

            it("fails when nothing listens on the port", async () => {
                const result = await runProbe(client, { port: await closedPort(), path: PATHS.ok });
                expect(result.code, describeRun(result)).to.be.a("number").and.not.equal(0);
            });
        });
    }

    describe("with python3 and a body check", () => {
        it("passes on a 200 whose body names the file", async () => {
            const result = await runProbe("python3", { port: server.port, path: PATHS.listWithFile, bodyIncludes: FILE_NAME });
            expect(result.code, describeRun(result)).to.equal(0);
        });

        it("fails on a 200 whose body does not name the file", async () => {
            const result = await runProbe("python3", { port: server.port, path: PATHS.listWithoutFile, bodyIncludes: FILE_NAME });
            expect(result.code, describeRun(result)).to.equal(1);
        });

        it("fails on a redirect to a body that names the file", async () => {
            const result = await runProbe("python3", { port: server.port, path: PATHS.found, bodyIncludes: "ok" });
            expect(result.code, describeRun(result)).to.equal(1);
        });

        it("fails when nothing listens on the port", async () => {
            const result = await runProbe("python3", { port: await closedPort(), path: PATHS.listWithFile, bodyIncludes: FILE_NAME });
            expect(result.code, describeRun(result)).to.be.a("number").and.not.equal(0);
        });
    });

    describe("without a usable client", () => {
        it("throws for an image with no HTTP client", () => {
            expect(() => httpProbeCommand("none", { port: 8080, path: "/health" })).to.throw(/no HTTP client/);
        });

        it("throws for a body check with a client that cannot read the body", () => {
            expect(() => httpProbeCommand("curl", { port: 8080, path: "/", bodyIncludes: FILE_NAME })).to.throw(/needs python3/);
            expect(() => httpProbeCommand("busybox-wget", { port: 8080, path: "/", bodyIncludes: FILE_NAME })).to.throw(/needs python3/);
        });
    });
});
