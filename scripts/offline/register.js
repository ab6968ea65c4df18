// @ts-check
/**
 * `node -r ./scripts/offline/register.js file.ts`: how the offline check and the policy pack it starts
 * load TypeScript and the Pulumi SDKs, in a fraction of ts-node's time. Plain JavaScript, because it is
 * what lets Node load the TypeScript.
 *
 * - Each .ts file is transpiled on its own, as `ts-node --transpile-only` does, through the cache of
 *   ./transpile-cache.js: an unchanged file is never transpiled again, and after the first run TypeScript
 *   itself is not even loaded. Type checking stays with `npm run typecheck` (and `pulumi preview
 *   --policy-pack`, whose ts-node still type-checks the pack).
 * - Modules the SDKs load eagerly but the check and the pack do not use, or use a few of, are loaded on
 *   first use instead: @npmcli/arborist and the TypeScript compiler (for `pulumi.runtime.serializeFunction`),
 *   the Automation API (`pulumi.automation`), and the service modules of @pulumi/aws (238) and
 *   @pulumi/kubernetes. Together they were half the start-up of each process. A deferred module is a proxy
 *   that loads the real one when a member is first read, so a program that uses it sees no difference.
 */
"use strict";
const Module = require("module");
const path = require("path");
const { compiled } = require("./transpile-cache");

for (const extension of [".ts", ".cts"]) {
    require.extensions[extension] = (module, filename) => {
        /** @type {any} */ (module)._compile(compiled(filename), filename);
    };
}

/**
 * Modules loaded on first use, by the request that loads them and the folder of the module that asks.
 * `importStar` marks a module the asker wraps in TypeScript's __importStar, which would enumerate (and
 * so load) it at once unless it looks like an ES module; the asker only reads named members of it.
 */
const DEFERRED = [
    { request: "@npmcli/arborist", from: path.join("@pulumi", "pulumi", "runtime", "closure") + path.sep, importStar: true },
    { request: "../../typescript-shim", from: path.join("@pulumi", "pulumi") + path.sep, importStar: false },
    { request: "./automation", from: path.join("@pulumi", "pulumi", "index.js"), importStar: true },
    // The generated SDKs' indexes load every service module (238 for AWS); a program touches a few dozen.
    { request: /^\.\/[a-z0-9]+$/i, from: path.join("@pulumi", "aws", "index.js"), importStar: true },
    { request: /^\.\/[a-z0-9]+$/i, from: path.join("@pulumi", "kubernetes", "index.js"), importStar: true },
];

const load = /** @type {any} */ (Module)._load;
/** @type {any} */ (Module)._load = function (/** @type {string} */ request, /** @type {any} */ parent, /** @type {boolean} */ isMain) {
    const deferred = parent?.filename
        ? DEFERRED.find((d) => (typeof d.request === "string" ? d.request === request : d.request.test(request)) && parent.filename.includes(d.from))
        : undefined;
    if (!deferred) return load.call(this, request, parent, isMain);
    /** @type {any} */
    let real;
    const actual = () => (real ??= load.call(Module, request, parent, false));
    return new Proxy(
        {},
        {
            get: (_, key) => (deferred.importStar && key === "__esModule" ? true : Reflect.get(actual(), key)),
            has: (_, key) => Reflect.has(actual(), key),
            ownKeys: () => Reflect.ownKeys(actual()),
            getOwnPropertyDescriptor: (_, key) => {
                const descriptor = Reflect.getOwnPropertyDescriptor(actual(), key);
                return descriptor && { ...descriptor, configurable: true };
            },
        },
    );
};

module.exports = { DEFERRED };
