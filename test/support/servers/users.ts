/** OS accounts: who we run as, and the non-root user that runs PostgreSQL under root. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { requireBinary } from "./binaries";

/** Non-root OS user that runs PostgreSQL when the tests run as root. */
export const TEST_OS_USER = process.env.GENAI_TEST_USER ?? "genai-test";

/** An OS account as listed by `getent passwd`. */
export interface OsUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** True when the test process runs as root. */
export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** Looks a user up with `getent passwd`; `undefined` if there is none. */
export function lookupUser(name: string): OsUser | undefined {
  let line: string;
  try {
    line = execFileSync("getent", ["passwd", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
  const fields = line.trim().split(":");
  if (fields.length < 7) return undefined;
  return { name: fields[0], uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] };
}

/**
 * Makes sure the non-root system user `name` exists (idempotent), creating
 * it with `useradd --system --no-create-home --user-group` when running as
 * root. Throws when it is missing and we are not root.
 */
export function ensureTestUser(name: string = TEST_OS_USER): OsUser {
  const existing = lookupUser(name);
  if (existing !== undefined) return existing;
  if (!isRoot()) throw new Error(`OS user "${name}" does not exist and only root can create it`);
  const useradd = requireBinary("useradd");
  try {
    execFileSync(
      useradd,
      ["--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "--user-group", name],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
  } catch (err) {
    // Exit status 9 = "username already in use" (another process won a race).
    if (lookupUser(name) === undefined) throw err;
  }
  const created = lookupUser(name);
  if (created === undefined) throw new Error(`useradd did not create OS user "${name}"`);
  return created;
}

/** Recursively chowns `target` (a file or dir tree) to `user`. */
export function chownTree(target: string, user: OsUser): void {
  fs.chownSync(target, user.uid, user.gid);
  if (fs.lstatSync(target).isDirectory()) {
    for (const entry of fs.readdirSync(target)) chownTree(path.join(target, entry), user);
  }
}
