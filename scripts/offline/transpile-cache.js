// @ts-check
/**
 * The transpile cache of scripts/offline/register.js: each TypeScript file transpiled on its own, as
 * `ts-node --transpile-only` does, its JavaScript kept in node_modules/.cache/genai-transpile under a
 * hash of its source, the compiler's version and options. TypeScript is loaded only on a miss.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const PROJECT_DIR = path.resolve(__dirname, "..", "..");
/** Where the transpiled files live. */
const CACHE_DIR = path.join(PROJECT_DIR, "node_modules", ".cache", "genai-transpile");

/** The options of tsconfig.json that shape the emitted JavaScript. */
const COMPILER_OPTIONS = { target: "ES2022", module: "CommonJS", esModuleInterop: true, resolveJsonModule: true };

function typescriptVersion() {
    try {
        return JSON.parse(fs.readFileSync(require.resolve("typescript/package.json", { paths: [PROJECT_DIR] }), "utf8")).version;
    } catch {
        return "none";
    }
}
const SALT = JSON.stringify({ cacheFormat: 1, typescript: typescriptVersion(), COMPILER_OPTIONS });

/** @type {typeof import("typescript") | undefined} */
let typescript;

/**
 * @param {string} source
 * @param {string} filename
 * @returns {string}
 */
function transpile(source, filename) {
    const ts = (typescript ??= /** @type {typeof import("typescript")} */ (require(require.resolve("typescript", { paths: [PROJECT_DIR] }))));
    const result = ts.transpileModule(source, {
        fileName: filename,
        reportDiagnostics: true,
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true, resolveJsonModule: true },
    });
    const error = (result.diagnostics ?? []).find((d) => d.category === ts.DiagnosticCategory.Error);
    if (error) {
        const at = error.file && error.start !== undefined ? error.file.getLineAndCharacterOfPosition(error.start) : undefined;
        const where = `${path.relative(PROJECT_DIR, filename)}${at ? `:${at.line + 1}:${at.character + 1}` : ""}`;
        throw new SyntaxError(`${where}: ${ts.flattenDiagnosticMessageText(error.messageText, " ")}`);
    }
    return result.outputText;
}

/**
 * The JavaScript of one TypeScript file: from the cache, or transpiled now and cached.
 * @param {string} filename
 * @param {string} [cacheDir]
 * @returns {string}
 */
function compiled(filename, cacheDir = CACHE_DIR) {
    const source = fs.readFileSync(filename, "utf8");
    const key = crypto.createHash("sha256").update(SALT).update("\0").update(path.extname(filename)).update("\0").update(source).digest("hex");
    const file = path.join(cacheDir, key.slice(0, 2), `${key.slice(2)}.js`);
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        const output = transpile(source, filename);
        try {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            // Written aside, then renamed: parallel checks and test workers never read half a file.
            const partial = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
            fs.writeFileSync(partial, output);
            fs.renameSync(partial, file);
        } catch {
            // A read-only or full disk only costs the next run the transpilation.
        }
        return output;
    }
}

module.exports = { CACHE_DIR, compiled };
