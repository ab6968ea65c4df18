import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// Plain JavaScript (scripts/offline/register.js loads it before any TypeScript can be loaded).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compiled } = require("../../scripts/offline/transpile-cache.js") as { compiled: (file: string, cacheDir?: string) => string };

describe("transpile cache of the check", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "genai-transpile-"));
    const cache = path.join(dir, "cache");
    const source = path.join(dir, "module.ts");
    const cached = (): string[] => (fs.existsSync(cache) ? fs.readdirSync(cache, { recursive: true }).map(String).filter((f) => f.endsWith(".js")) : []);

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("transpiles a file once and serves it from the cache until its source changes", () => {
        fs.writeFileSync(source, 'import * as path from "path";\nexport const answer: number = 42;\nexport const sep = path.sep;\n');
        const first = compiled(source, cache);
        expect(first).to.contain("exports.answer = 42");
        expect(first).not.to.contain(": number");
        expect(cached()).to.have.length(1);

        // A cache hit returns the cached text as it is (here marked), without transpiling again.
        const file = path.join(cache, cached()[0]);
        fs.writeFileSync(file, `${first}// from the cache\n`);
        expect(compiled(source, cache)).to.contain("// from the cache");

        fs.writeFileSync(source, "export const answer: number = 43;\n");
        expect(compiled(source, cache)).to.contain("exports.answer = 43");
        expect(cached()).to.have.length(2);
    });

    it("names the file and line of a syntax error", () => {
        fs.writeFileSync(source, "export const broken = ;\n");
        expect(() => compiled(source, cache)).to.throw(SyntaxError, /module\.ts:1:\d+: Expression expected/);
    });
});
