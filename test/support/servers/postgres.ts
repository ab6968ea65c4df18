/** PostgreSQL: a throw-away cluster started on a free port, and `psql`. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { requireBinary } from "./binaries";
import { makeTempDir, removeTempDir } from "./lifecycle";
import { LOOPBACK, startOnFreePort, waitFor } from "./net";
import { assertRunning, runCommand, startServer } from "./process";
import type { RunResult, ServerHandle } from "./process";
import { chownTree, ensureTestUser, isRoot } from "./users";

/** Environment for PostgreSQL programs: no inherited PG* settings. */
function pgEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_ALL: "C", LANG: "C", PGCONNECT_TIMEOUT: "5" };
  for (const key of Object.keys(process.env)) if (key.startsWith("PG") && key !== "PGCONNECT_TIMEOUT") env[key] = undefined;
  return { ...env, ...extra };
}

/** A PostgreSQL started by {@link startPostgres}. */
export interface PostgresServer {
  handle: ServerHandle;
  host: string;
  port: number;
  /** Database superuser created by initdb (`postgres`, trust auth). */
  superuser: string;
  /** OS user the server runs as (`genai-test` under root, else the current user). */
  osUser: string;
  dir: string;
  dataDir: string;
  socketDir: string;
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` */
  connectionString: string;
  stop(): Promise<void>;
  /** Starts the same cluster again on the same port after a stop (as a service restart would); `handle` follows it. */
  restart(): Promise<void>;
}

/**
 * `initdb` a fresh cluster into a temp dir (superuser `postgres`, trust auth,
 * UTF8, C locale, --no-sync) and starts `postgres` on 127.0.0.1:<free port>
 * (unix socket in the temp dir; fsync off for speed). PostgreSQL refuses to
 * run as root, so under root the cluster belongs to, and the server runs as,
 * the system user {@link TEST_OS_USER} (created if missing). Resolves when
 * `pg_isready` succeeds. Stops with SIGINT (fast shutdown).
 */
export async function startPostgres(opts: { timeoutMs?: number; extraArgs?: string[] } = {}): Promise<PostgresServer> {
  const initdb = requireBinary("initdb");
  const postgres = requireBinary("postgres");
  const pgIsReady = requireBinary("pg_isready");
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const runAs = isRoot() ? ensureTestUser() : undefined;
  const osUser = runAs?.name ?? os.userInfo().username;

  const dir = makeTempDir("genai-pg");
  const dataDir = path.join(dir, "data");
  const socketDir = path.join(dir, "sock");
  fs.mkdirSync(socketDir);
  if (runAs !== undefined) chownTree(dir, runAs);

  const init = await runCommand(
    initdb,
    ["-D", dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
    { cwd: dir, env: pgEnv(), user: runAs?.name, timeoutMs: 60_000 },
  );
  if (init.code !== 0) {
    throw new Error(`initdb failed (exit ${String(init.code)}):\n${init.stdout}\n${init.stderr}`);
  }

  const launch = (port: number): Promise<ServerHandle> =>
    startServer(
      postgres,
      [
        "-D", dataDir,
        "-k", socketDir,
        "-p", String(port),
        "-c", `listen_addresses=${LOOPBACK}`,
        "-c", "fsync=off",
        "-c", "synchronous_commit=off",
        "-c", "full_page_writes=off",
        ...(opts.extraArgs ?? []),
      ],
      { cwd: dir, env: pgEnv(), user: runAs?.name, name: "postgres", stopSignal: "SIGINT" },
    );
  const waitReady = async (handle: ServerHandle, port: number): Promise<void> => {
    await waitFor(
      async () => {
        assertRunning(handle);
        const r = await runCommand(pgIsReady, ["-h", LOOPBACK, "-p", String(port), "-U", "postgres", "-d", "postgres", "-t", "1"], {
          env: pgEnv(),
          timeoutMs: 3_000,
        });
        return r.code === 0;
      },
      timeoutMs,
      100,
      `postgres on ${LOOPBACK}:${port}`,
    );
  };
  return startOnFreePort("postgres", async (port) => {
    const handle = await launch(port);
    return {
      handle,
      ready: async (): Promise<PostgresServer> => {
        await waitReady(handle, port);
        const server: PostgresServer = {
          handle,
          host: LOOPBACK,
          port,
          superuser: "postgres",
          osUser,
          dir,
          dataDir,
          socketDir,
          connectionString: `postgresql://postgres@${LOOPBACK}:${port}/postgres`,
          stop: () => server.handle.stop(),
          restart: async () => {
            await server.handle.stop();
            server.handle = await launch(port);
            await waitReady(server.handle, port);
          },
        };
        return server;
      },
    };
  });
}

/**
 * Runs `sql` with `psql -h 127.0.0.1 -p <port> -U postgres -d <db>
 * -v ON_ERROR_STOP=1 -X -q -At -f <file>` (the SQL is written to a temp
 * file first). Output is unaligned, tuples only: one row per line, columns
 * separated by `|`. A failing statement gives a non-zero `code` (3).
 */
export async function psql(port: number, sql: string, db = "postgres", opts: { timeoutMs?: number } = {}): Promise<RunResult> {
  const bin = requireBinary("psql");
  const dir = makeTempDir("genai-psql");
  try {
    const file = path.join(dir, "input.sql");
    fs.writeFileSync(file, sql);
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(file, 0o644);
    return await runCommand(
      bin,
      ["-h", LOOPBACK, "-p", String(port), "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-At", "-f", file],
      { cwd: dir, env: pgEnv(), timeoutMs: opts.timeoutMs ?? 30_000 },
    );
  } finally {
    removeTempDir(dir);
  }
}
