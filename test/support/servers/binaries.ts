/// <reference types="mocha" />
/**
 * Finding the installed programs, and skipping (or failing, in CI) when one
 * is missing.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** How to install the programs, quoted in skip/error messages. */
export const INSTALL_HINT = "sudo bash .ci/install-servers.sh";

/** Programs that live in /usr/lib/postgresql/<version>/bin. */
const POSTGRES_TOOLS: ReadonlySet<string> = new Set([
  "initdb",
  "postgres",
  "postmaster",
  "pg_ctl",
  "pg_isready",
  "psql",
  "createdb",
  "dropdb",
  "pg_dump",
  "pg_restore",
]);

/** Searched after PATH: sbin dirs are often missing from a non-root PATH. */
const SYSTEM_DIRS: readonly string[] = [
  "/usr/local/sbin",
  "/usr/local/bin",
  "/usr/sbin",
  "/usr/bin",
  "/sbin",
  "/bin",
];

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `/usr/lib/postgresql/<version>/bin` dirs that exist, newest version first
 * (e.g. `["/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"]`).
 */
export function postgresBinDirs(root = "/usr/lib/postgresql"): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return [];
  }
  return entries
    .filter((e) => /^\d+(\.\d+)?$/.test(e))
    .sort((a, b) => parseFloat(b) - parseFloat(a))
    .map((v) => path.join(root, v, "bin"))
    .filter((d) => {
      try {
        return fs.statSync(d).isDirectory();
      } catch {
        return false;
      }
    });
}

/**
 * Finds an executable by name. Search order: `extraDirs` (so a caller can
 * pin a version), then `$PATH`, then the usual system dirs (`/usr/sbin`
 * etc., where nginx lives), then `/usr/lib/postgresql/* /bin` newest first.
 * For PostgreSQL tools (initdb, postgres, psql, pg_isready, ...) the versioned
 * PostgreSQL dirs are searched before `$PATH` when `extraDirs` is not given,
 * which avoids Debian's `/usr/bin` pg_wrapper scripts.
 * A name containing `/` is checked as a path as is.
 * @returns the absolute path, or `undefined` if not found.
 */
export function findBinary(name: string, extraDirs?: string[]): string | undefined {
  if (name.includes("/")) return isExecutableFile(name) ? path.resolve(name) : undefined;
  const first = extraDirs ?? (POSTGRES_TOOLS.has(name) ? postgresBinDirs() : []);
  const pathDirs = (process.env.PATH ?? "").split(path.delimiter).filter((d) => d !== "");
  const seen = new Set<string>();
  for (const dir of [...first, ...pathDirs, ...SYSTEM_DIRS, ...postgresBinDirs()]) {
    if (seen.has(dir)) continue;
    seen.add(dir);
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** Like {@link findBinary} but throws an Error naming the install script. */
export function requireBinary(name: string, extraDirs?: string[]): string {
  const found = findBinary(name, extraDirs);
  if (found === undefined) {
    throw new Error(`required program "${name}" is not installed; install it with: ${INSTALL_HINT}`);
  }
  return found;
}

const warnedMissing = new Set<string>();

/**
 * Returns the path of `name`, or skips the current test/hook when it is
 * missing. With `GENAI_REQUIRE_REAL_SERVERS=1` (set by CI) a missing program
 * is an Error instead. When skipping, it warns once per program on stderr
 * (`skipped: <name> not installed; run sudo bash .ci/install-servers.sh`) and
 * appends the reason to the test's title, so mocha's pending list shows it.
 * Call it from `it()` or from `before()` (skips the whole suite).
 */
export function requireBinaryOrSkip(ctx: Mocha.Context, name: string, extraDirs?: string[]): string {
  const found = findBinary(name, extraDirs);
  if (found !== undefined) return found;
  if (process.env.GENAI_REQUIRE_REAL_SERVERS === "1") {
    throw new Error(
      `required program "${name}" is not installed (GENAI_REQUIRE_REAL_SERVERS=1); ` +
        `install it with: ${INSTALL_HINT}`,
    );
  }
  if (!warnedMissing.has(name)) {
    warnedMissing.add(name);
    console.warn(`skipped: ${name} not installed; run ${INSTALL_HINT}`);
  }
  // Mocha sets `type` ("test" | "hook") at run time; @types/mocha omits it.
  const runnable: { title: string; type?: unknown } | undefined = ctx.test;
  if (runnable !== undefined && runnable.type === "test") {
    runnable.title += ` (skipped: ${name} not installed)`;
  }
  return ctx.skip();
}
