import { expect } from "chai";
import { httpProbeCommand } from "../../catalog/probes";

const probe = { port: 8080, path: "/health" };

/**
 * The words a POSIX shell makes of a simple command line: single-quoted, double-quoted (with `\"` and `\\`)
 * and bare text, concatenated until unquoted white space. Enough for the commands the probes render.
 */
function shellWords(line: string): string[] {
    const words: string[] = [];
    let word: string | undefined;
    for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (c === "'") {
            const end = line.indexOf("'", i + 1);
            if (end === -1) throw new Error(`unterminated single quote in ${line}`);
            word = (word ?? "") + line.slice(i + 1, end);
            i = end;
        } else if (c === '"') {
            let text = "";
            for (i++; i < line.length && line[i] !== '"'; i++) text += line[i] === "\\" && /["\\$`]/.test(line[i + 1]) ? line[++i] : line[i];
            if (i >= line.length) throw new Error(`unterminated double quote in ${line}`);
            word = (word ?? "") + text;
        } else if (/\s/.test(c)) {
            if (word !== undefined) words.push(word);
            word = undefined;
        } else {
            word = (word ?? "") + c;
        }
    }
    if (word !== undefined) words.push(word);
    return words;
}

/** The words of the curl command inside a curl probe's `test "$(...)" = 200`. */
function curlWords(command: string): string[] {
    const inner = /^test "\$\((.*)\)" = 200$/.exec(command);
    expect(inner, command).to.not.equal(null);
    return shellWords(inner![1]);
}

/** The Python program a python3 probe runs. */
function pythonScript(command: string): string {
    const words = shellWords(command);
    expect(words.slice(0, 2)).to.deep.equal(["python3", "-c"]);
    expect(words).to.have.length(3);
    return words[2];
}

describe("catalog probes: rendered commands", () => {
    it("curl: compares the first response's status with 200 and never follows a redirect", () => {
        const command = httpProbeCommand("curl", probe);
        expect(command).to.equal(`test "$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' 'http://127.0.0.1:8080/health')" = 200`);
        expect(curlWords(command)).to.deep.equal(["curl", "-s", "-o", "/dev/null", "--max-time", "5", "-w", "%{http_code}", "http://127.0.0.1:8080/health"]);
    });

    it("BusyBox wget: judges the first status line it prints, since it follows redirects itself", () => {
        const command = httpProbeCommand("busybox-wget", { port: 9100, path: "/" });
        expect(command).to.equal(`wget -q -S -T 5 -O /dev/null 'http://127.0.0.1:9100/' 2>&1 | head -n 1 | grep -q '^ *HTTP/[0-9.]* 200 '`);
    });

    it("python3: requests the path once with http.client, which never follows, and exits 0 only on 200", () => {
        const script = pythonScript(httpProbeCommand("python3", { port: 8188, path: "/system_stats" }));
        expect(script).to.equal(
            `import http.client,sys;c=http.client.HTTPConnection('127.0.0.1',8188,timeout=5);c.request('GET',"/system_stats");r=c.getresponse();sys.exit(0 if r.status==200 else 1)`,
        );
    });

    it("python3 with a body check: needs both the 200 and the text in the body", () => {
        const script = pythonScript(httpProbeCommand("python3", { port: 8188, path: "/models/checkpoints", bodyIncludes: "sd_turbo.safetensors" }));
        expect(script).to.contain(`c.request('GET',"/models/checkpoints")`);
        expect(script).to.contain(`b=r.read().decode(errors='replace')`);
        expect(script.endsWith(`sys.exit(0 if r.status==200 and "sd_turbo.safetensors" in b else 1)`), script).to.equal(true);
        expect(script).to.not.contain("sys.exit(0 if r.status==200 else 1)");
    });

    it("quotes a path with a single quote so the shell hands it over unchanged", () => {
        const path = "/it's";
        expect(curlWords(httpProbeCommand("curl", { port: 1, path })).at(-1)).to.equal("http://127.0.0.1:1/it's");
        expect(shellWords(httpProbeCommand("busybox-wget", { port: 1, path }))).to.include("http://127.0.0.1:1/it's");
        expect(pythonScript(httpProbeCommand("python3", { port: 1, path }))).to.contain(`c.request('GET',"/it's")`);
    });

    it("quotes a body text with a double quote as a Python string", () => {
        const script = pythonScript(httpProbeCommand("python3", { port: 1, path: "/", bodyIncludes: 'say "hi"' }));
        expect(script).to.contain(`"say \\"hi\\"" in b`);
    });

    it("keeps shell expansions in a path quoted", () => {
        const path = "/$(reboot)`x`";
        expect(curlWords(httpProbeCommand("curl", { port: 1, path })).at(-1)).to.equal(`http://127.0.0.1:1${path}`);
        expect(shellWords(httpProbeCommand("busybox-wget", { port: 1, path }))).to.include(`http://127.0.0.1:1${path}`);
        expect(pythonScript(httpProbeCommand("python3", { port: 1, path }))).to.contain(`"${path}"`);
    });

    it("refuses an image without an HTTP client", () => {
        expect(() => httpProbeCommand("none", probe)).to.throw(/no HTTP client: probe it from outside/);
    });

    it("refuses a body check with a client that cannot read the body", () => {
        expect(() => httpProbeCommand("curl", { ...probe, bodyIncludes: "x" })).to.throw("a body check needs python3, not curl");
        expect(() => httpProbeCommand("busybox-wget", { ...probe, bodyIncludes: "x" })).to.throw("a body check needs python3, not busybox-wget");
    });
});
