import { expect } from "chai";
import { smoke, SmokeEnv } from "../../scripts/smoke/index";
import { ProbeResult } from "../../scripts/smoke/probe";
import { SmokeRoute } from "../../scripts/smoke/routes";

class Capture {
    text = "";
    write(chunk: string): void {
        this.text += chunk;
    }
}

interface Run {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly asked: SmokeRoute[];
}

/** Runs the command in-process; requests go to `answer` (200 by default), never to the network. */
async function run(argv: string[], opts: { answer?: (r: SmokeRoute) => Omit<ProbeResult, "latencyMs">; stackOutputUrl?: SmokeEnv["stackOutputUrl"] } = {}): Promise<Run> {
    const stdout = new Capture();
    const stderr = new Capture();
    const asked: SmokeRoute[] = [];
    let t = 0;
    const code = await smoke(argv, {
        stdout,
        stderr,
        clock: { now: () => t, sleep: async (ms) => void (t += ms) },
        probe: async (r) => {
            asked.push(r);
            t += 3;
            return { ...(opts.answer ?? (() => ({ status: 200, final: false })))(r), latencyMs: 3 };
        },
        stackOutputUrl: opts.stackOutputUrl ?? (async () => "https://genai-staging.example.com"),
    });
    return { code, stdout: stdout.text, stderr: stderr.text, asked };
}

describe("smoke command", () => {
    describe("bad input: exit 2 with one line, no request sent", () => {
        const cases: [string, string[], RegExp][] = [
            ["no stack", [], /^smoke: no stack given; usage/],
            ["an unknown stack", ["qa"], /^smoke: unknown stack "qa": no Pulumi\.qa\.yaml \(stacks: [a-z, ]*dev[a-z, ]*\)\n$/],
            ["two stacks", ["dev", "prod"], /one stack only/],
            ["an unknown option", ["dev", "--follow"], /unknown option --follow/],
            ["a URL that is not one", ["dev", "--url", "127.0.0.1:8080"], /--url 127\.0\.0\.1:8080: (not a URL|allowed: an http or https URL)/],
            ["a URL of another scheme", ["dev", "--url", "ftp://127.0.0.1"], /allowed: an http or https URL, not ftp:/],
            ["a URL with a path", ["dev", "--url", "http://127.0.0.1:8080/models/"], /allowed: scheme, host and port only/],
            ["--url without a value", ["dev", "--url"], /--url needs a value/],
            ["a timeout of zero", ["dev", "--timeout", "0"], /--timeout 0: allowed: from 1s to 60m/],
            ["a timeout that is not a duration", ["dev", "--timeout", "2h"], /--timeout 2h: allowed/],
            ["a timeout over an hour", ["dev", "--timeout=61m"], /--timeout 61m: allowed/],
            ["plain HTTP to a cloud stack", ["prod", "--url", "http://genai.example.com"], /stack "prod" serves HTTPS only/],
        ];
        for (const [what, argv, message] of cases) {
            it(what, async () => {
                const r = await run(argv);
                expect(r.code).to.equal(2);
                expect(r.stderr).to.match(message);
                expect(r.stderr.trimEnd().split("\n")).to.have.length(1);
                expect(r.stdout).to.equal("");
                expect(r.asked).to.deep.equal([]);
            });
        }

        it("a cloud stack whose deployed URL cannot be read", async () => {
            const r = await run(["staging"], { stackOutputUrl: async () => "genai-alb-123.us-east-1.elb.amazonaws.com" });
            expect(r.code).to.equal(2);
            expect(r.stderr).to.match(/^smoke: the stack output lbUrl of staging is not a base URL \("genai-alb-123/);
            expect(r.stderr.trimEnd().split("\n")).to.have.length(1);
        });
    });

    it("dev: every route healthy through the dev load balancer's URL, exit 0, a line per route", async () => {
        const r = await run(["dev"]);
        expect(r.code).to.equal(0);
        expect(r.asked.map((a) => a.url)).to.deep.equal([
            "http://127.0.0.1:8080/models/llm/health",
            "http://127.0.0.1:8080/models/image/system_stats",
            "http://127.0.0.1:8080/grafana/api/health",
            "http://127.0.0.1:8080/healthz",
        ]);
        const lines = r.stdout.trimEnd().split("\n");
        expect(lines).to.have.length(5);
        expect(lines[0]).to.match(/^ok {3}llm\/stable +200 +3 ms {2}GET http:\/\/127\.0\.0\.1:8080\/models\/llm\/health \[x-genai-track: stable\]/);
        expect(lines[4]).to.match(/^smoke dev: all 4 routes healthy through http:\/\/127\.0\.0\.1:8080/);
    });

    it("a cloud stack: its deployed URL by default, HTTPS, one route per model, the notes printed", async () => {
        const r = await run(["staging"]);
        expect(r.code).to.equal(0);
        expect(r.asked.map((a) => a.url)).to.deep.equal([
            "https://genai-staging.example.com/models/llm/health",
            "https://genai-staging.example.com/models/image/system_stats",
            "https://genai-staging.example.com/grafana/api/health",
        ]);
        expect(r.asked.every((a) => Object.keys(a.headers).length === 0)).to.equal(true);
        expect(r.stdout).to.match(/^note: llm has a canary, but the ALB ignores the x-genai-track header/);
    });

    it("one route unhealthy: exit 1, its line names it with its status", async () => {
        const r = await run(["dev", "--timeout", "5s"], { answer: (a) => (a.model === "image" ? { status: 503, error: "answered 503", final: false } : { status: 200, final: false }) });
        expect(r.code).to.equal(1);
        const failed = r.stdout.split("\n").filter((l) => l.startsWith("FAIL"));
        expect(failed).to.have.length(1);
        expect(failed[0]).to.match(/^FAIL image\/stable 503 +3 ms {2}GET http:\/\/127\.0\.0\.1:8080\/models\/image\/system_stats .* attempts; answered 503$/);
        expect(r.stdout).to.match(/smoke dev: 1 of 4 routes unhealthy through http:\/\/127\.0\.0\.1:8080 after [\d.]+ s: image\/stable\n$/);
        expect(r.stderr).to.match(/not healthy yet: image\/stable \(answered 503\)/);
    });

    it("--json: exactly one object on stdout", async () => {
        const r = await run(["dev", "--json", "--url", "http://127.0.0.1:18080/", "--timeout", "3s"], {
            answer: (a) => (a.kind === "grafana" ? { status: 302, location: "/login", error: "redirect to /login, never followed", final: true } : { status: 200, final: false }),
        });
        expect(r.code).to.equal(1);
        const doc = JSON.parse(r.stdout);
        expect(doc).to.include({ stack: "dev", platform: "docker", baseUrl: "http://127.0.0.1:18080", healthy: false, timeoutMs: 3000 });
        const grafana = doc.routes.find((x: { name: string }) => x.name === "grafana");
        expect(grafana).to.include({ healthy: false, status: 302, attempts: 1, location: "/login", error: "redirect to /login, never followed" });
        expect(doc.routes.find((x: { name: string }) => x.name === "llm/stable")).to.include({ healthy: true, status: 200, error: null, track: "stable" });
    });
});
