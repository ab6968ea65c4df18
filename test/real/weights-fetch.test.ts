import { expect } from "chai";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { WEIGHTS, WeightsFile, weightsUrl } from "../../catalog/weights";
import { FETCH_MOUNT, FETCH_SCRIPT, fetchCommand, fetchTarget } from "../../components/inference/weights-fetch";
import { LOOPBACK, RunResult, canConnect, freePort, listenOnLoopback, makeTempDir, requireBinaryOrSkip, runCommand, stopAll, waitFor } from "../support/servers";

/** The programs the script runs besides curl, all BusyBox applets in the curl image's alpine base. */
const APPLETS = ["sh", "sha256sum", "mkdir", "rm", "chmod", "mv", "cat", "dirname", "echo", "printf", "[", "test"] as const;
const TOKEN = "hf_test_token_4b1d9e";
/** How long the server holds a slow answer, so the running download can be looked at. */
const SLOW_MS = 1_500;

/** Deterministic content standing in for a weights file. */
function fakeWeights(size: number, seed: number): Buffer {
    const bytes = Buffer.alloc(size);
    let state = seed;
    for (let i = 0; i < size; i++) {
        state = (state * 1103515245 + 12345) >>> 0;
        bytes[i] = state >>> 24;
    }
    return bytes;
}

function sha256(data: Buffer): string {
    return createHash("sha256").update(data).digest("hex");
}

const CONTENT = fakeWeights(300 * 1024, 7);
const CONTENT_SHA = sha256(CONTENT);

interface SeenRequest {
    url: string;
    authorization: string | undefined;
}

interface FileServer {
    port: number;
    seen: SeenRequest[];
    url(urlPath: string): string;
    close(): Promise<void>;
}

/** Paths the local server answers. */
const PATHS = {
    file: "/Qwen/fake-GGUF/resolve/0123abcd/model.gguf",
    /** The hub's answer: a redirect to where the file is stored. */
    redirect: "/Qwen/fake-GGUF/resolve/0123abcd/redirected.gguf",
    slow: "/Qwen/fake-GGUF/resolve/0123abcd/slow.gguf",
    missing: "/Qwen/fake-GGUF/resolve/0123abcd/missing.gguf",
    broken: "/Qwen/fake-GGUF/resolve/0123abcd/broken.gguf",
} as const;

async function startFileServer(): Promise<FileServer> {
    const seen: SeenRequest[] = [];
    const timers = new Set<NodeJS.Timeout>();
    const sendFile = (res: http.ServerResponse): void => {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": CONTENT.length });
        res.end(CONTENT);
    };
    const server = http.createServer((req, res) => {
        const url = req.url ?? "";
        seen.push({ url, authorization: req.headers.authorization });
        switch (url) {
            case PATHS.file:
                return sendFile(res);
            case PATHS.redirect:
                res.writeHead(302, { location: PATHS.file });
                res.end();
                return;
            case PATHS.slow: {
                const timer = setTimeout(() => {
                    timers.delete(timer);
                    sendFile(res);
                }, SLOW_MS);
                timers.add(timer);
                return;
            }
            case PATHS.broken:
                res.writeHead(500, { "content-type": "text/plain" });
                res.end("internal error");
                return;
            default:
                res.writeHead(404, { "content-type": "text/plain" });
                res.end("Entry not found");
        }
    });
    const port = await listenOnLoopback(server);
    return {
        port,
        seen,
        url: (urlPath) => `http://${LOOPBACK}:${port}${urlPath}`,
        close: () =>
            new Promise<void>((resolve) => {
                for (const timer of timers) clearTimeout(timer);
                server.close(() => resolve());
                server.closeAllConnections();
            }),
    };
}

/** A directory of BusyBox applets and curl, to be the whole PATH, as in the curl image (alpine with curl). */
function imageBin(busybox: string, curl: string): string {
    const dir = makeTempDir("genai-fetch-bin");
    fs.chmodSync(dir, 0o755);
    for (const applet of APPLETS) fs.symlinkSync(busybox, path.join(dir, applet));
    fs.symlinkSync(curl, path.join(dir, "curl"));
    return dir;
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
    return `exit ${String(result.code)} signal ${String(result.signal)}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
}

/** Command lines (arguments joined by spaces) of every process now readable in /proc. */
function processCommandLines(): string[] {
    const lines: string[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const raw = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
            if (raw !== "") lines.push(raw.split("\0").join(" ").trim());
        } catch {
            // the process is gone
        }
    }
    return lines;
}

function exists(file: string): boolean {
    return fs.existsSync(file);
}

describe("the weights fetch job under BusyBox and curl, as in the curl image", function () {
    let busybox: string;
    let binDir: string;
    let server: FileServer;

    before(async function () {
        this.timeout(15_000);
        busybox = requireBinaryOrSkip(this, "busybox");
        binDir = imageBin(busybox, requireBinaryOrSkip(this, "curl"));
        server = await startFileServer();
    });

    after(async () => {
        await server?.close();
        await stopAll();
    });

    /** `sh -c FETCH_SCRIPT fetch <args>` with only BusyBox and curl on the PATH; `umask` is set first when given. */
    function runFetch(args: readonly string[], umask?: string): Promise<RunResult> {
        const script = umask === undefined ? FETCH_SCRIPT : `umask ${umask}\n${FETCH_SCRIPT}`;
        return runCommand(busybox, ["sh", "-c", script, "fetch", ...args], { env: { PATH: binDir }, timeoutMs: 15_000 });
    }

    function requestsSince(count: number): SeenRequest[] {
        return server.seen.slice(count);
    }

    it("downloads into a new directory, checks the sha256, leaves the file 0644 and no partial file", async () => {
        const target = path.join(makeTempDir("genai-weights"), "sub", "model.gguf");
        const before = server.seen.length;
        // umask 077 would make curl's file 0600: the mode is the script's chmod.
        const result = await runFetch([target, server.url(PATHS.file), CONTENT_SHA], "077");
        expect(result.code, describeRun(result)).to.equal(0);
        expect(result.stdout).to.contain(`weights fetched: ${target}`);
        expect(sha256(fs.readFileSync(target))).to.equal(CONTENT_SHA);
        expect(fs.statSync(target).mode & 0o777).to.equal(0o644);
        expect(exists(`${target}.part`)).to.equal(false);
        expect(fs.readdirSync(path.dirname(target))).to.deep.equal(["model.gguf"]);
        expect(requestsSince(before).map((r) => r.url)).to.deep.equal([PATHS.file]);
    });

    it("makes no request and exits 0 when the file is already there with the right checksum", async () => {
        const target = path.join(makeTempDir("genai-weights"), "model.gguf");
        const first = await runFetch([target, server.url(PATHS.file), CONTENT_SHA]);
        expect(first.code, describeRun(first)).to.equal(0);
        const mtime = fs.statSync(target).mtimeMs;
        const before = server.seen.length;
        const second = await runFetch([target, server.url(PATHS.file), CONTENT_SHA]);
        expect(second.code, describeRun(second)).to.equal(0);
        expect(second.stdout).to.contain(`weights present: ${target}`);
        expect(requestsSince(before)).to.deep.equal([]);
        expect(fs.statSync(target).mtimeMs).to.equal(mtime);
    });

    it("refuses a download whose checksum does not match: no file, no partial file, the mismatch on stderr", async () => {
        const dir = makeTempDir("genai-weights");
        const target = path.join(dir, "model.gguf");
        const wrongSha = sha256(Buffer.from("something else"));
        const url = server.url(PATHS.file);
        const result = await runFetch([target, url, wrongSha]);
        expect(result.code, describeRun(result)).to.be.a("number").and.not.equal(0);
        expect(result.stderr).to.contain(`checksum mismatch for ${url}`);
        expect(exists(target)).to.equal(false);
        expect(fs.readdirSync(dir)).to.deep.equal([]);
    });

    it("replaces a present file whose checksum is wrong with a good download", async () => {
        const target = path.join(makeTempDir("genai-weights"), "model.gguf");
        fs.writeFileSync(target, CONTENT.subarray(0, 1000), { mode: 0o600 });
        const before = server.seen.length;
        const result = await runFetch([target, server.url(PATHS.file), CONTENT_SHA]);
        expect(result.code, describeRun(result)).to.equal(0);
        expect(sha256(fs.readFileSync(target))).to.equal(CONTENT_SHA);
        expect(fs.statSync(target).mode & 0o777).to.equal(0o644);
        expect(exists(`${target}.part`)).to.equal(false);
        expect(requestsSince(before)).to.have.length(1);
    });

    it("replaces a stale partial file left by an interrupted run", async () => {
        const target = path.join(makeTempDir("genai-weights"), "model.gguf");
        fs.writeFileSync(`${target}.part`, "half a download");
        const result = await runFetch([target, server.url(PATHS.file), CONTENT_SHA]);
        expect(result.code, describeRun(result)).to.equal(0);
        expect(sha256(fs.readFileSync(target))).to.equal(CONTENT_SHA);
        expect(exists(`${target}.part`)).to.equal(false);
    });

    it("follows the hub's redirect to where the file is stored", async () => {
        const target = path.join(makeTempDir("genai-weights"), "model.gguf");
        const before = server.seen.length;
        const result = await runFetch([target, server.url(PATHS.redirect), CONTENT_SHA]);
        expect(result.code, describeRun(result)).to.equal(0);
        expect(sha256(fs.readFileSync(target))).to.equal(CONTENT_SHA);
        expect(requestsSince(before).map((r) => r.url)).to.deep.equal([PATHS.redirect, PATHS.file]);
    });

    for (const [what, urlPath] of [
        ["a 404", PATHS.missing],
        ["a server error", PATHS.broken],
    ] as const) {
        it(`fails on ${what} and leaves no file`, async () => {
            const dir = makeTempDir("genai-weights");
            const target = path.join(dir, "model.gguf");
            const result = await runFetch([target, server.url(urlPath), CONTENT_SHA]);
            expect(result.code, describeRun(result)).to.be.a("number").and.not.equal(0);
            expect(result.stdout).not.to.contain("weights fetched");
            expect(exists(target)).to.equal(false);
            expect(exists(`${target}.part`)).to.equal(false);
        });
    }

    it("fails when nothing listens and leaves no file", async () => {
        const target = path.join(makeTempDir("genai-weights"), "model.gguf");
        const result = await runFetch([target, `http://${LOOPBACK}:${await closedPort()}${PATHS.file}`, CONTENT_SHA]);
        expect(result.code, describeRun(result)).to.be.a("number").and.not.equal(0);
        expect(exists(target)).to.equal(false);
    });

    describe("with a token file", () => {
        let tokenFile: string;

        before(() => {
            const dir = makeTempDir("genai-weights-token");
            tokenFile = path.join(dir, "hf_token");
            fs.writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o400 });
        });

        it("sends the token as a bearer Authorization header", async () => {
            const target = path.join(makeTempDir("genai-weights"), "model.gguf");
            const before = server.seen.length;
            const result = await runFetch([target, server.url(PATHS.file), CONTENT_SHA, tokenFile]);
            expect(result.code, describeRun(result)).to.equal(0);
            expect(requestsSince(before)).to.deep.equal([{ url: PATHS.file, authorization: `Bearer ${TOKEN}` }]);
            expect(result.stdout + result.stderr).not.to.contain(TOKEN);
        });

        it("sends no Authorization header without one", async () => {
            const target = path.join(makeTempDir("genai-weights"), "model.gguf");
            const before = server.seen.length;
            const result = await runFetch([target, server.url(PATHS.file), CONTENT_SHA]);
            expect(result.code, describeRun(result)).to.equal(0);
            expect(requestsSince(before)).to.deep.equal([{ url: PATHS.file, authorization: undefined }]);
        });

        it("keeps the token out of every process's arguments while downloading", async function () {
            this.timeout(10_000);
            const target = path.join(makeTempDir("genai-weights"), "model.gguf");
            const before = server.seen.length;
            const running = runFetch([target, server.url(PATHS.slow), CONTENT_SHA, tokenFile]);
            let done = false;
            void running.then(() => {
                done = true;
            });
            const leaks = new Set<string>();
            let downloading = false;
            // Look at the process table until the download has ended (the server holds its answer SLOW_MS).
            await waitFor(
                () => {
                    if (requestsSince(before).length > 0) downloading = true;
                    for (const line of processCommandLines()) if (line.includes(TOKEN)) leaks.add(line);
                    return done;
                },
                8_000,
                20,
                "the slow download to end",
            );
            const result = await running;
            expect(result.code, describeRun(result)).to.equal(0);
            expect(downloading, "the process table was read while the request was open").to.equal(true);
            expect([...leaks], "command lines holding the token").to.deep.equal([]);
        });
    });
});

describe("the weights fetch job's command", () => {
    const base: WeightsFile = WEIGHTS["sd-turbo"];

    it("runs the script with the target under the mount, the hub URL and the sha256", () => {
        const command = fetchCommand(base);
        expect(command).to.deep.equal([
            "sh",
            "-c",
            FETCH_SCRIPT,
            "fetch",
            `${FETCH_MOUNT}/checkpoints/sd_turbo.safetensors`,
            `https://huggingface.co/stabilityai/sd-turbo/resolve/${base.revision}/sd_turbo.safetensors`,
            base.sha256,
        ]);
        expect(command[5]).to.equal(weightsUrl(base));
    });

    it("puts a file without a subdirectory directly under the mount", () => {
        const weights: WeightsFile = { ...base, subdirectory: "", file: "model.gguf" };
        expect(fetchTarget(weights)).to.equal("/weights/model.gguf");
        expect(fetchCommand(weights)[4]).to.equal("/weights/model.gguf");
    });

    it("passes the token file's path, never a token, as the last argument", () => {
        const weights: WeightsFile = { ...base, gated: true };
        const command = fetchCommand(weights, "/run/secrets/hf_token");
        expect(command).to.have.length(8);
        expect(command[7]).to.equal("/run/secrets/hf_token");
        expect(command.slice(4)).to.deep.equal([fetchTarget(weights), weightsUrl(weights), weights.sha256, "/run/secrets/hf_token"]);
        const args = command.filter((_, index) => index !== 2);
        expect(args.join("\n")).not.to.match(/Bearer|hf_[A-Za-z0-9]{8,}/);
    });
});
