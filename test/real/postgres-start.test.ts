import { expect } from "chai";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { POSTGRES_START_SCRIPT } from "../../components/data/postgres-start";
import {
    LOOPBACK,
    RunResult,
    ServerHandle,
    chownTree,
    ensureTestUser,
    freePort,
    isRoot,
    makeTempDir,
    requireBinaryOrSkip,
    runCommand,
    startServer,
    stopAll,
    waitFor,
} from "../support/servers";

const ROLE = "genai_app";
const RECONCILED = `password of role ${ROLE} reconciled with the secret file`;
const SHUT_DOWN = "database system is shut down";
/** Passwords with the characters that break naive quoting: a quote, a double quote, a dollar, a backslash, a space. */
const OLD_PASSWORD = `old-${randomBytes(6).toString("hex")}`;
const NEW_PASSWORD = `n3w'pa$$ "w0rd"\\${randomBytes(6).toString("hex")}`;

/** Environment for PostgreSQL programs: no inherited PG* settings, C locale. */
function pgEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { LC_ALL: "C", LANG: "C", PGCONNECT_TIMEOUT: "5" };
    for (const key of Object.keys(process.env)) if (key.startsWith("PG") && !(key in env)) env[key] = undefined;
    return { ...env, ...extra };
}

function describeRun(result: RunResult): string {
    return `exit ${String(result.code)} signal ${String(result.signal)}\n${result.stdout}\n${result.stderr}`;
}

/** Every readable process: its pid, command line (arguments joined by spaces), environment and working directory. */
function processTable(): { pid: number; args: string; environ: string; cwd: string }[] {
    const table: { pid: number; args: string; environ: string; cwd: string }[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        const read = (file: string): string => {
            try {
                return fs.readFileSync(`/proc/${entry}/${file}`, "utf8").split("\0").join(" ");
            } catch {
                return "";
            }
        };
        let cwd = "";
        try {
            cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
        } catch {
            // gone, or not ours to read
        }
        table.push({ pid: Number(entry), args: read("cmdline"), environ: read("environ"), cwd });
    }
    return table;
}

/** Processes whose working directory is `dataDir`: the postmaster and all its children chdir there. */
function postgresProcessesIn(dataDir: string): number[] {
    return processTable()
        .filter((p) => p.cwd === dataDir)
        .map((p) => p.pid);
}

function settlesWithin<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
    return new Promise((resolve) => {
        const timer = setTimeout(() => resolve("timeout"), ms);
        void promise.then((value) => {
            clearTimeout(timer);
            resolve(value);
        });
    });
}

describe("the dev Postgres start script with PostgreSQL 15", function () {
    let busybox: string;
    let psqlBin: string;
    let ps: string;
    let pgBinDir: string;
    let osUser: string | undefined;
    let dir: string;
    let dataDir: string;
    let socketDir: string;
    let shimDir: string;
    let argvLog: string;
    let newPasswordFile: string;

    /** The script as the image runs it: BusyBox's sh, the server command from GENAI_PG_START. */
    async function startThroughScript(passwordFile: string): Promise<{ handle: ServerHandle; port: number }> {
        const port = await freePort();
        const postgres = path.join(pgBinDir, "postgres");
        const server = [
            postgres,
            `-D ${dataDir}`,
            `-k ${socketDir}`,
            `-p ${port}`,
            `-c listen_addresses=${LOOPBACK}`,
            "-c fsync=off",
            // Stricter than the dev stack (log_min_duration_statement=1000): every statement would be logged.
            "-c log_statement=all",
            "-c log_min_duration_statement=0",
            "-c log_connections=on",
        ].join(" ");
        const handle = await startServer(busybox, ["sh", "-c", POSTGRES_START_SCRIPT], {
            cwd: dir,
            user: osUser,
            name: "postgres-start",
            stopSignal: "SIGTERM",
            stopTimeoutMs: 10_000,
            env: pgEnv({
                PATH: [shimDir, pgBinDir, "/usr/bin", "/bin"].join(path.delimiter),
                GENAI_PG_START: server,
                GENAI_PG_SOCKET_DIR: socketDir,
                GENAI_PG_PORT: String(port),
                GENAI_PG_USER: ROLE,
                GENAI_PG_PASSWORD_FILE: passwordFile,
            }),
        });
        return { handle, port };
    }

    /** Waits for the script's reconcile line; fails with the logs if the script exits first. */
    async function waitForReconcile(handle: ServerHandle, onPoll: () => void = () => undefined): Promise<void> {
        await waitFor(
            () => {
                onPoll();
                if (!handle.isRunning()) throw new Error(`the start script exited:\n${handle.logs()}`);
                return handle.logs().includes(RECONCILED);
            },
            12_000,
            10,
            "the password reconcile",
        );
    }

    /** A TCP login with scram, the way the application connects. */
    function login(port: number, password: string): Promise<RunResult> {
        return runCommand(psqlBin, ["-h", LOOPBACK, "-p", String(port), "-U", ROLE, "-d", "postgres", "-w", "-X", "-At", "-c", "SELECT current_user"], {
            env: pgEnv({ PGPASSWORD: password }),
            timeoutMs: 10_000,
        });
    }

    async function psArgs(): Promise<string[]> {
        const result = await runCommand(ps, ["-eo", "args"], { timeoutMs: 5_000 });
        expect(result.code, describeRun(result)).to.equal(0);
        return result.stdout.split("\n");
    }

    before(async function () {
        this.timeout(30_000);
        busybox = requireBinaryOrSkip(this, "busybox");
        ps = requireBinaryOrSkip(this, "ps");
        const initdb = requireBinaryOrSkip(this, "initdb");
        requireBinaryOrSkip(this, "postgres");
        requireBinaryOrSkip(this, "pg_isready");
        psqlBin = requireBinaryOrSkip(this, "psql");
        pgBinDir = path.dirname(initdb);
        // PostgreSQL refuses to run as root.
        const runAs = isRoot() ? ensureTestUser() : undefined;
        osUser = runAs?.name;

        dir = makeTempDir("genai-pg-start");
        dataDir = path.join(dir, "data");
        socketDir = path.join(dir, "sock");
        shimDir = path.join(dir, "bin");
        argvLog = path.join(dir, "argv.log");
        const secrets = path.join(dir, "secrets");
        for (const d of [socketDir, shimDir, secrets]) fs.mkdirSync(d);
        // Every program the script (and psql's backtick) runs by name records its arguments.
        for (const name of ["psql", "pg_isready", "cat"]) {
            const real = name === "cat" ? "/bin/cat" : path.join(pgBinDir, name);
            fs.writeFileSync(path.join(shimDir, name), `#!/bin/sh\nprintf '%s\\n' "${name} $*" >>${argvLog}\nexec ${real} "$@"\n`, { mode: 0o755 });
        }
        fs.writeFileSync(argvLog, "");
        const oldPasswordFile = path.join(secrets, "old_password");
        newPasswordFile = path.join(secrets, "postgres_password");
        fs.writeFileSync(oldPasswordFile, `${OLD_PASSWORD}\n`, { mode: 0o400 });
        fs.writeFileSync(newPasswordFile, `${NEW_PASSWORD}\n`, { mode: 0o400 });
        if (runAs !== undefined) chownTree(dir, runAs);

        // The data directory as the official image leaves it, initialised under the OLD password.
        const init = await runCommand(
            initdb,
            ["-D", dataDir, "-U", ROLE, `--pwfile=${oldPasswordFile}`, "-A", "trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
            { cwd: dir, env: pgEnv(), user: osUser, timeoutMs: 30_000 },
        );
        expect(init.code, describeRun(init)).to.equal(0);
        fs.writeFileSync(path.join(dataDir, "pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
        if (runAs !== undefined) fs.chownSync(path.join(dataDir, "pg_hba.conf"), runAs.uid, runAs.gid);
    });

    after(async () => {
        await stopAll();
    });

    describe("on a data directory initialised under an older password", () => {
        let handle: ServerHandle;
        let port: number;
        const seenArgs = new Set<string>();
        const seenEnviron = new Set<string>();

        before(async function () {
            this.timeout(20_000);
            ({ handle, port } = await startThroughScript(newPasswordFile));
            // Read the whole process table every 10 ms while the script waits for the server and reconciles.
            const sample = (): void => {
                for (const p of processTable()) {
                    seenArgs.add(p.args);
                    seenEnviron.add(p.environ);
                }
            };
            await waitForReconcile(handle, sample);
            sample();
        });

        it("sets the role's password from the file: the new password logs in over TCP", async () => {
            const result = await login(port, NEW_PASSWORD);
            expect(result.code, describeRun(result)).to.equal(0);
            expect(result.stdout.trim()).to.equal(ROLE);
        });

        it("makes the old password fail over TCP", async () => {
            const result = await login(port, OLD_PASSWORD);
            expect(result.code, describeRun(result)).to.not.equal(0);
            expect(result.stderr).to.contain("password authentication failed");
        });

        it("keeps both passwords out of the logs, with every statement logged", () => {
            const logs = handle.logs();
            expect(logs, "statement logging is on").to.contain("statement: SET log_statement = none");
            expect(logs).to.contain(RECONCILED);
            expect(logs).not.to.contain(NEW_PASSWORD);
            expect(logs).not.to.contain(OLD_PASSWORD);
            expect(logs).not.to.match(/ALTER ROLE/i);
        });

        it("keeps both passwords out of every process's arguments and environment while starting and running", async () => {
            const args = fs.readFileSync(argvLog, "utf8");
            expect(args, "psql was run").to.match(/^psql .*-h /m);
            expect(args, "the password file was read by cat").to.contain(`cat ${newPasswordFile}`);
            expect(seenArgs.size).to.be.greaterThan(0);
            for (const secret of [NEW_PASSWORD, OLD_PASSWORD]) {
                expect(args).not.to.contain(secret);
                expect([...seenArgs].filter((line) => line.includes(secret))).to.deep.equal([]);
                expect([...seenEnviron].filter((env) => env.includes(secret))).to.deep.equal([]);
                expect((await psArgs()).filter((line) => line.includes(secret))).to.deep.equal([]);
            }
            expect((await psArgs()).some((line) => line.includes(`-D ${dataDir}`)), "the server is in ps").to.equal(true);
        });

        it("stops the server with a fast shutdown on SIGTERM, within 10 s, leaving no postgres process", async function () {
            this.timeout(15_000);
            const postmaster = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
            expect(postgresProcessesIn(dataDir)).to.include(postmaster);
            const started = Date.now();
            process.kill(handle.pid, "SIGTERM");
            const exit = await settlesWithin(handle.exited, 10_000);
            expect(exit, handle.logs()).to.not.equal("timeout");
            expect(exit).to.deep.equal({ code: 0, signal: null });
            expect(Date.now() - started).to.be.below(10_000);
            expect(handle.logs()).to.contain("received fast shutdown request");
            expect(handle.logs()).to.contain(SHUT_DOWN);
            expect(postgresProcessesIn(dataDir)).to.deep.equal([]);
            expect(fs.existsSync(path.join(dataDir, "postmaster.pid"))).to.equal(false);
        });
    });

    describe("started again with the same password file", () => {
        let handle: ServerHandle;
        let port: number;

        before(async function () {
            this.timeout(20_000);
            ({ handle, port } = await startThroughScript(newPasswordFile));
            await waitForReconcile(handle);
        });

        it("reconciles again and the password still logs in", async () => {
            const result = await login(port, NEW_PASSWORD);
            expect(result.code, describeRun(result)).to.equal(0);
        });

        it("stops the server with a fast shutdown on SIGINT too", async function () {
            this.timeout(15_000);
            process.kill(handle.pid, "SIGINT");
            const exit = await settlesWithin(handle.exited, 10_000);
            expect(exit, handle.logs()).to.deep.equal({ code: 0, signal: null });
            expect(handle.logs()).to.contain("received fast shutdown request");
            expect(handle.logs()).to.contain(SHUT_DOWN);
            expect(postgresProcessesIn(dataDir)).to.deep.equal([]);
        });
    });

    describe("with a password file it cannot read", () => {
        let handle: ServerHandle;
        let port: number;

        before(async function () {
            this.timeout(20_000);
            ({ handle, port } = await startThroughScript(path.join(dir, "secrets", "no_such_file")));
            // Until the script claims the reconcile, exits, or has had 3 s with the server up.
            let upSince: number | undefined;
            await waitFor(
                async () => {
                    if (!handle.isRunning() || handle.logs().includes(RECONCILED)) return true;
                    if (upSince === undefined && postgresProcessesIn(dataDir).length > 0 && (await login(port, NEW_PASSWORD)).code === 0) upSince = Date.now();
                    return upSince !== undefined && Date.now() - upSince > 3_000;
                },
                15_000,
                100,
                "the start script to give up or claim the reconcile",
            );
        });

        after(async () => {
            await handle?.stop();
        });

        it("either refuses to start, naming the file, or leaves the role's password as it was", async () => {
            if (!handle.isRunning()) {
                expect((await handle.exited).code, handle.logs()).to.not.equal(0);
                expect(handle.logs()).to.contain("no_such_file");
                return;
            }
            const result = await login(port, NEW_PASSWORD);
            expect(result.code, `${describeRun(result)}\nscript output:\n${handle.logs()}`).to.equal(0);
        });

        it("does not claim that the password was reconciled", () => {
            expect(handle.logs()).not.to.contain(RECONCILED);
        });
    });

    describe("when the server dies after the reconcile", () => {
        let handle: ServerHandle;

        before(async function () {
            this.timeout(20_000);
            ({ handle } = await startThroughScript(newPasswordFile));
            await waitForReconcile(handle);
        });

        it("exits with a failure status, as the server would have under exec", async function () {
            this.timeout(15_000);
            const postmaster = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
            process.kill(postmaster, "SIGKILL");
            const exit = await settlesWithin(handle.exited, 10_000);
            await waitFor(() => postgresProcessesIn(dataDir).length === 0, 10_000, 50, "the server's children to exit");
            expect(exit, handle.logs()).to.not.equal("timeout");
            expect(exit, `script output:\n${handle.logs()}`).to.not.deep.equal({ code: 0, signal: null });
        });
    });
});
