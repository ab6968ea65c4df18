/**
 * The dev stack's backups, run for real: the backup script the dev stack uploads into its backup
 * containers, under BusyBox, against PostgreSQL 15 and Redis with known data, then a restore into a
 * fresh cluster and a fresh Redis with the README runbook's commands, its time measured; retention; and
 * the daily schedule against a clock the test sets.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { BACKUP_METRICS } from "../../catalog/app-metrics";
import { BACKUP_FORMATS, BackupSource, backupPushUrl, renderPgpass } from "../../components/data/backup";
import { BACKUP_REDIS_PASSWORD_FILE, BACKUP_SCRIPT_PATH, backupHealthCommand, PGPASS_FILE } from "../../components/data/backup-docker";
import { renderPostgresInitSql } from "../../components/data/postgres-init";
import { mockSecretValue } from "../harness";
import { devStack, devStackConfig } from "../support/dev-stack";
import {
    LOOPBACK,
    PostgresServer,
    RunResult,
    ServerHandle,
    freePort,
    httpGet,
    httpRequest,
    makeTempDir,
    psql,
    redisCommand,
    requireBinaryOrSkip,
    runCommand,
    startPostgres,
    startRedis,
    startServer,
    stopAll,
    waitFor,
    waitForTcp,
} from "../support/servers";

const REDIS_CONF = "/usr/local/etc/redis/redis.conf";
const POSTGRES_PASSWORD = mockSecretValue("secrets-postgresPassword");
const REDIS_PASSWORD = mockSecretValue("secrets-redisPassword");
/** The programs the script runs by name, all BusyBox applets in the images (Alpine) and here. */
const APPLETS = ["sh", "date", "find", "mkdir", "rm", "mv", "wc", "head", "tar", "gzip", "sleep", "grep", "stat", "wget", "timeout"];

function describeRun(result: RunResult): string {
    return `exit ${String(result.code)}${result.timedOut ? " (timed out)" : ""}\n${result.stdout}\n${result.stderr}`;
}

/** Seconds, to the millisecond, since `start`. */
function since(start: bigint): number {
    return Number((process.hrtime.bigint() - start) / 1_000_000n) / 1000;
}

describe("dev backups and the restore runbook, for real", function () {
    let busybox: string;
    let pgBin: string;
    let redisServer: string;
    let redisCli: string;
    let dir: string;
    let binDir: string;
    let argvLog: string;
    /** The script each backup container runs, and the environment its container has. */
    let scripts: Record<BackupSource, { file: string; env: Record<string, string> }>;
    const keepDays = devStackConfig().backup.retentionDays;

    /** Runs `genai-backup <mode>` of a source as its container would, its variables pointed at this machine. */
    function backup(source: BackupSource, overrides: Record<string, string>, mode = "now", extraPath: string[] = []): Promise<RunResult> {
        const { file, env } = scripts[source];
        const unknown = Object.keys(overrides).filter((k) => !(k in env) && k !== "GENAI_BACKUP_POLL_SECONDS");
        if (unknown.length > 0) throw new Error(`the ${source} container sets no ${unknown.join(", ")}`);
        // The containers report to http://pushgateway:9091: here to a local Pushgateway when a test gives one, else nowhere.
        return runCommand(busybox, ["sh", file, mode], {
            env: { ...env, GENAI_BACKUP_PUSH_URL: "", ...overrides, PATH: [...extraPath, binDir].join(":"), PGPASSWORD: undefined },
            timeoutMs: 30_000,
        });
    }

    /** The container's healthcheck, with the same variables as its backup. */
    function health(source: BackupSource, overrides: Record<string, string>): Promise<RunResult> {
        return runCommand(busybox, ["sh", "-c", backupHealthCommand(source)], { env: { ...scripts[source].env, ...overrides, PATH: binDir }, timeoutMs: 10_000 });
    }

    function filesOf(backupDir: string, source: BackupSource): string[] {
        return fs.existsSync(backupDir) ? fs.readdirSync(backupDir).filter((f) => f.startsWith(`${source}-`)).sort() : [];
    }

    before(async function () {
        this.timeout(30_000);
        busybox = requireBinaryOrSkip(this, "busybox");
        const pgDump = requireBinaryOrSkip(this, "pg_dump");
        requireBinaryOrSkip(this, "pg_restore");
        requireBinaryOrSkip(this, "initdb");
        redisServer = requireBinaryOrSkip(this, "redis-server");
        redisCli = requireBinaryOrSkip(this, "redis-cli");
        pgBin = path.dirname(pgDump);
        dir = makeTempDir("genai-backup");
        binDir = path.join(dir, "bin");
        argvLog = path.join(dir, "argv.log");
        fs.mkdirSync(binDir);
        for (const applet of APPLETS) fs.symlinkSync(busybox, path.join(binDir, applet));
        // The clients record their arguments and environment, then run: the test hunts them for the passwords.
        for (const [name, real] of [
            ["pg_dump", path.join(pgBin, "pg_dump")],
            ["pg_restore", path.join(pgBin, "pg_restore")],
            ["redis-cli", redisCli],
        ]) {
            fs.writeFileSync(path.join(binDir, name), `#!${busybox} sh\n{ echo "${name} $*"; ${busybox} env; } >>${argvLog}\nexec ${real} "$@"\n`, { mode: 0o755 });
        }
        fs.writeFileSync(argvLog, "");
        fs.symlinkSync(path.join(pgBin, "pg_isready"), path.join(binDir, "pg_isready"));

        const dev = await devStack();
        scripts = {} as typeof scripts;
        for (const source of ["postgres", "redis", "grafana"] as const) {
            const file = path.join(dir, `genai-backup-${source}`);
            fs.writeFileSync(file, dev.upload(`backups-${source}`, BACKUP_SCRIPT_PATH), { mode: 0o555 });
            const envs = (dev.run.one("docker:index/container:Container", `backups-${source}`).inputs.envs ?? []) as string[];
            scripts[source] = { file, env: Object.fromEntries(envs.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)])) };
        }
        // The secret files are the ones the stack uploads.
        expect(dev.upload("backups-redis", BACKUP_REDIS_PASSWORD_FILE)).to.equal(REDIS_PASSWORD);
        expect(dev.upload("backups-postgres", PGPASS_FILE)).to.equal(`postgres:5432:genai:genai:${POSTGRES_PASSWORD}\n`);
    });

    after(async () => {
        await stopAll();
    });

    describe("Postgres: pg_dump, then pg_restore into a fresh cluster", () => {
        const DB = "genai";
        const HBA = "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
        /** What the data is: row counts, a digest of every row, the sequence, the extensions and the trigram index. */
        const FINGERPRINT = `
            SELECT (SELECT count(*) FROM conversations) || ' ' || (SELECT count(*) FROM messages) || ' ' || (SELECT sum(tokens) FROM messages);
            SELECT md5(string_agg(m.id || ':' || m.conversation_id || ':' || m.body || ':' || c.title, ',' ORDER BY m.id)) FROM messages m JOIN conversations c ON c.id = m.conversation_id;
            SELECT last_value FROM messages_id_seq;
            SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension;
            SELECT indexdef FROM pg_indexes WHERE indexname = 'messages_body_trgm';
            SELECT count(*) FROM messages WHERE body % 'message 4242';`;

        /** A cluster as the dev stack leaves a fresh Postgres: the owner role with its password, its database, the extensions. */
        async function devLikeCluster(): Promise<PostgresServer> {
            const server = await startPostgres();
            fs.writeFileSync(path.join(server.dataDir, "pg_hba.conf"), HBA);
            const setup = await psql(server.port, `SELECT pg_reload_conf(); CREATE ROLE genai LOGIN SUPERUSER PASSWORD '${POSTGRES_PASSWORD}'; CREATE DATABASE ${DB} OWNER genai;`);
            expect(setup.code, describeRun(setup)).to.equal(0);
            const init = await psql(server.port, renderPostgresInitSql(), DB);
            expect(init.code, describeRun(init)).to.equal(0);
            return server;
        }

        function pgpassFor(server: PostgresServer, name: string): string {
            const file = path.join(dir, name);
            fs.writeFileSync(file, renderPgpass({ host: LOOPBACK, port: server.port, database: DB, user: "genai", password: POSTGRES_PASSWORD }), { mode: 0o600 });
            return file;
        }

        it("restores the backup's data exactly, with the runbook's pg_restore, and reports the time", async function () {
            this.timeout(60_000);
            const source = await devLikeCluster();
            const data = await psql(
                source.port,
                `CREATE TABLE conversations (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), title text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
                 CREATE TABLE messages (id bigserial PRIMARY KEY, conversation_id uuid NOT NULL REFERENCES conversations (id), body text NOT NULL, tokens int NOT NULL);
                 CREATE INDEX messages_body_trgm ON messages USING gin (body gin_trgm_ops);
                 INSERT INTO conversations (id, title) SELECT md5(g::text)::uuid, 'conversation ' || g FROM generate_series(1, 1000) g;
                 INSERT INTO messages (conversation_id, body, tokens) SELECT md5((g % 1000 + 1)::text)::uuid, 'message ' || g || ' ' || md5(g::text), g % 500 FROM generate_series(1, 20000) g;`,
                DB,
                { timeoutMs: 60_000 },
            );
            expect(data.code, describeRun(data)).to.equal(0);
            const expected = await psql(source.port, FINGERPRINT, DB);
            expect(expected.code, describeRun(expected)).to.equal(0);
            expect(expected.stdout.split("\n")[0]).to.equal("1000 20000 4990000");

            const backupDir = path.join(dir, "backups", "postgres");
            const dumped = await backup("postgres", { PGHOST: LOOPBACK, PGPORT: String(source.port), PGPASSFILE: pgpassFor(source, "pgpass-source"), GENAI_BACKUP_DIR: backupDir });
            expect(dumped.code, describeRun(dumped)).to.equal(0);
            const [file] = filesOf(backupDir, "postgres");
            expect(file).to.match(/^postgres-\d{4}-\d\d-\d\dT\d{6}\.dump$/);
            expect(fs.readFileSync(path.join(backupDir, file)).subarray(0, 5).toString()).to.equal("PGDMP");
            expect(fs.statSync(path.join(backupDir, file)).mode & 0o077, "readable by its owner only").to.equal(0);
            expect(fs.readdirSync(backupDir).filter((f) => f.endsWith(".partial"))).to.deep.equal([]);
            const sourceEnv = { PGHOST: LOOPBACK, PGPORT: String(source.port), GENAI_BACKUP_DIR: backupDir };
            expect((await health("postgres", sourceEnv)).code, "healthy with a fresh backup").to.equal(0);
            expect((await health("postgres", { ...sourceEnv, GENAI_BACKUP_DIR: makeTempDir("genai-no-backup") })).code, "unhealthy without one").to.equal(1);
            // Nothing else may change the source while it restores: stop it, as a lost volume would.
            await source.stop();

            const fresh = await devLikeCluster();
            // The runbook: docker exec genai-dev-backup-postgres pg_restore --clean --if-exists --no-owner --exit-on-error --single-transaction --dbname=genai /backups/postgres/<file>
            const start = process.hrtime.bigint();
            const restored = await runCommand(
                path.join(binDir, "pg_restore"),
                ["--clean", "--if-exists", "--no-owner", "--exit-on-error", "--single-transaction", `--dbname=${DB}`, path.join(backupDir, file)],
                { env: { PGHOST: LOOPBACK, PGPORT: String(fresh.port), PGUSER: "genai", PGPASSFILE: pgpassFor(fresh, "pgpass-fresh"), PGPASSWORD: undefined }, timeoutMs: 60_000 },
            );
            const seconds = since(start);
            expect(restored.code, describeRun(restored)).to.equal(0);
            const actual = await psql(fresh.port, FINGERPRINT, DB);
            expect(actual.stdout).to.equal(expected.stdout);
            console.log(`      restore drill: pg_restore of ${fs.statSync(path.join(backupDir, file)).size} bytes (1,000 conversations, 20,000 messages with a trigram index) into a fresh cluster took ${seconds.toFixed(2)} s`);
        });
    });

    describe("Redis: an RDB over the replication protocol, loaded by a fresh Redis", () => {
        const KEYS: [string, string[], string[]][] = [
            ["SET", ["genai:cache:prompt:1", "a cached answer"], ["GET", "genai:cache:prompt:1"]],
            ["HSET", ["genai:session:42", "user", "ada", "model", "llm"], ["HGETALL", "genai:session:42"]],
            ["RPUSH", ["genai:queue:image", "job-1", "job-2", "job-3"], ["LRANGE", "genai:queue:image", "0", "-1"]],
            ["ZADD", ["genai:ratelimit", "3", "client-a", "7", "client-b"], ["ZRANGE", "genai:ratelimit", "0", "-1", "WITHSCORES"]],
        ];

        async function infoPersistence(port: number): Promise<Record<string, string>> {
            const result = await runCommand(redisCli, ["-p", String(port), "INFO", "persistence"], { timeoutMs: 5_000 });
            return Object.fromEntries(result.stdout.split(/\r?\n/).filter((l) => l.includes(":")).map((l) => l.split(":", 2) as [string, string]));
        }

        it("restores every key, its TTL included, with the runbook's steps, and reports the time", async function () {
            this.timeout(60_000);
            const dev = await devStack();
            const source = await startRedis(dev.upload("redis", REDIS_CONF));
            for (const [command, args] of KEYS) await redisCommand(source.port, [command, ...args], REDIS_PASSWORD);
            await redisCommand(source.port, ["SET", "genai:lock", "held", "EX", "3600"], REDIS_PASSWORD);
            const expected = await Promise.all(KEYS.map(([, , read]) => redisCommand(source.port, read, REDIS_PASSWORD)));

            const passwordFile = path.join(dir, "redis_password");
            fs.writeFileSync(passwordFile, dev.upload("backups-redis", BACKUP_REDIS_PASSWORD_FILE), { mode: 0o400 });
            const backupDir = path.join(dir, "backups", "redis");
            const dumped = await backup("redis", { GENAI_REDIS_HOST: LOOPBACK, GENAI_REDIS_PORT: String(source.port), GENAI_REDIS_PASSWORD_FILE: passwordFile, GENAI_BACKUP_DIR: backupDir });
            expect(dumped.code, describeRun(dumped)).to.equal(0);
            const [file] = filesOf(backupDir, "redis");
            expect(file).to.match(/^redis-\d{4}-\d\d-\d\dT\d{6}\.rdb$/);
            const sourceEnv = { GENAI_REDIS_HOST: LOOPBACK, GENAI_REDIS_PORT: String(source.port), GENAI_REDIS_PASSWORD_FILE: passwordFile, GENAI_BACKUP_DIR: backupDir };
            expect((await health("redis", sourceEnv)).code, "healthy with a fresh backup").to.equal(0);
            expect((await health("redis", { ...sourceEnv, GENAI_REDIS_PASSWORD_FILE: path.join(dir, "argv.log") })).code, "unhealthy when Redis refuses it").to.equal(1);

            // The runbook, with this machine's directories for the volumes and a free port for the container's 6379.
            const data = makeTempDir("genai-redis-restored");
            fs.mkdirSync(path.join(data, "appendonlydir"));
            const start = process.hrtime.bigint();
            // 1. docker run ... redis:7.4.1-alpine sh -c 'rm -rf /data/appendonlydir && cp /backups/redis/<file> /data/dump.rdb'
            const copied = await runCommand(busybox, ["sh", "-c", `rm -rf ${data}/appendonlydir && cp ${path.join(backupDir, file)} ${data}/dump.rdb`]);
            expect(copied.code, describeRun(copied)).to.equal(0);
            // 2. docker run -d --name genai-dev-redis-restore --network none ... redis-server --dir /data --appendonly no
            const port = await freePort();
            const loader: ServerHandle = await startServer(redisServer, ["--dir", data, "--appendonly", "no", "--port", String(port), "--bind", LOOPBACK], { name: "redis-restore" });
            await waitForTcp(port, 10_000, loader);
            // 3. docker exec genai-dev-redis-restore redis-cli CONFIG SET appendonly yes, then INFO persistence until the rewrite is done
            const enabled = await runCommand(redisCli, ["-p", String(port), "CONFIG", "SET", "appendonly", "yes"]);
            expect(enabled.stdout.trim(), describeRun(enabled)).to.equal("OK");
            await waitFor(
                async () => {
                    const info = await infoPersistence(port);
                    return info.aof_rewrite_in_progress === "0" && info.aof_rewrite_scheduled === "0" && info.aof_last_bgrewrite_status === "ok" && info.aof_enabled === "1";
                },
                10_000,
                50,
                "the AOF rewrite",
            );
            // 4. docker exec genai-dev-redis-restore redis-cli SHUTDOWN; docker rm genai-dev-redis-restore
            await runCommand(redisCli, ["-p", String(port), "SHUTDOWN"]);
            const exit = await Promise.race([loader.exited, new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 10_000))]);
            expect(exit, loader.logs()).to.deep.equal({ code: 0, signal: null });
            // 5. docker start genai-dev-redis: the dev redis.conf, append-only, on the restored directory.
            const confFile = path.join(data, "redis.conf");
            const finalPort = await freePort();
            fs.writeFileSync(confFile, `${dev.upload("redis", REDIS_CONF)}\nport ${finalPort}\nbind ${LOOPBACK}\ndir ${data}\n`);
            const restored = await startServer(redisServer, [confFile], { name: "redis-restored" });
            await waitForTcp(finalPort, 10_000, restored);
            const seconds = since(start);

            const actual = await Promise.all(KEYS.map(([, , read]) => redisCommand(finalPort, read, REDIS_PASSWORD)));
            expect(actual).to.deep.equal(expected);
            const ttl = (await redisCommand(finalPort, ["TTL", "genai:lock"], REDIS_PASSWORD)) as number;
            expect(ttl).to.be.within(3000, 3600);
            expect(restored.logs(), "loaded from the append-only file").to.match(/DB loaded from (append only file|base file)/i);
            console.log(`      restore drill: Redis from a ${fs.statSync(path.join(backupDir, file)).size}-byte RDB, through an append-only rewrite, to the dev configuration took ${seconds.toFixed(2)} s`);
        });

        it("a restore without the runbook's second step loads nothing: Redis with append-only on ignores the RDB", async function () {
            this.timeout(20_000);
            const [file] = filesOf(path.join(dir, "backups", "redis"), "redis");
            const data = makeTempDir("genai-redis-naive");
            fs.copyFileSync(path.join(dir, "backups", "redis", file), path.join(data, "dump.rdb"));
            const port = await freePort();
            const naive = await startServer(redisServer, ["--dir", data, "--appendonly", "yes", "--port", String(port), "--bind", LOOPBACK], { name: "redis-naive" });
            await waitForTcp(port, 10_000, naive);
            expect(await redisCommand(port, ["DBSIZE"])).to.equal(0);
            await naive.stop();
        });
    });

    describe("Grafana's data directory: a tar, extracted into an emptied volume", () => {
        it("restores every file and directory with the runbook's command", async () => {
            const grafanaData = makeTempDir("genai-grafana-data");
            fs.writeFileSync(path.join(grafanaData, "grafana.db"), Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 31) % 256)));
            fs.mkdirSync(path.join(grafanaData, "plugins", "panel"), { recursive: true });
            fs.writeFileSync(path.join(grafanaData, "plugins", "panel", "plugin.json"), '{"id": "panel"}');
            fs.mkdirSync(path.join(grafanaData, "csv"), { mode: 0o750 });
            const backupDir = path.join(dir, "backups", "grafana");
            const dumped = await backup("grafana", { GENAI_GRAFANA_DATA: grafanaData, GENAI_BACKUP_DIR: backupDir });
            expect(dumped.code, describeRun(dumped)).to.equal(0);
            const [file] = filesOf(backupDir, "grafana");
            expect(file).to.match(/^grafana-\d{4}-\d\d-\d\dT\d{6}\.tar\.gz$/);
            expect((await health("grafana", { GENAI_GRAFANA_DATA: grafanaData, GENAI_BACKUP_DIR: backupDir })).code, "healthy with a fresh backup").to.equal(0);

            // docker run ... --entrypoint sh curlimages/curl:8.21.0 -c 'find /var/lib/grafana -mindepth 1 -maxdepth 1 -exec rm -rf {} + && tar -xzf /backups/grafana/<file> -C /var/lib/grafana'
            const volume = makeTempDir("genai-grafana-restored");
            fs.writeFileSync(path.join(volume, "grafana.db"), "a newer, broken database");
            const restored = await runCommand(busybox, ["sh", "-c", `find ${volume} -mindepth 1 -maxdepth 1 -exec rm -rf {} + && tar -xzf ${path.join(backupDir, file)} -C ${volume}`], { env: { PATH: binDir } });
            expect(restored.code, describeRun(restored)).to.equal(0);
            const tree = (root: string) =>
                fs.readdirSync(root, { recursive: true, encoding: "utf8" }).sort().map((f) => {
                    const full = path.join(root, f);
                    return fs.statSync(full).isDirectory() ? `${f}/` : `${f} ${fs.readFileSync(full).toString("base64")}`;
                });
            expect(tree(volume)).to.deep.equal(tree(grafanaData));
        });
    });

    describe("retention", () => {
        it(`deletes this source's backups older than ${keepDays} days after a backup, and keeps the newer ones and every other file`, async () => {
            const touch = (file: string, when: string) => runCommand("/usr/bin/touch", ["-d", when, file]);
            const backupDir = makeTempDir("genai-backup-retention");
            const ext = BACKUP_FORMATS.grafana.extension;
            const files = {
                old: `grafana-2000-01-01T020000.${ext}`,
                justOld: `grafana-2000-01-02T020000.${ext}`,
                recent: `grafana-2000-01-03T020000.${ext}`,
                otherSource: `postgres-2000-01-01T020000.${BACKUP_FORMATS.postgres.extension}`,
                unrelated: "notes.txt",
            };
            for (const f of Object.values(files)) fs.writeFileSync(path.join(backupDir, f), "x");
            const ages: Record<keyof typeof files, string> = {
                old: "90 days ago",
                justOld: `${keepDays * 24 + 1} hours ago`,
                recent: `${keepDays * 24 - 25} hours ago`,
                otherSource: "90 days ago",
                unrelated: "90 days ago",
            };
            for (const [key, age] of Object.entries(ages)) expect((await touch(path.join(backupDir, files[key as keyof typeof files]), age)).code).to.equal(0);

            // A failed backup deletes nothing; it records its outcome for the reports.
            const failed = await backup("grafana", { GENAI_GRAFANA_DATA: path.join(backupDir, "no-such-directory"), GENAI_BACKUP_DIR: backupDir });
            expect(failed.code, describeRun(failed)).to.equal(1);
            expect(failed.stderr).to.contain("backup failed; earlier backups are kept");
            expect(fs.readdirSync(backupDir).sort()).to.deep.equal([".last-run", ...Object.values(files)].sort());
            expect(fs.readFileSync(path.join(backupDir, ".last-run"), "utf8")).to.equal("0\n");

            const grafanaData = makeTempDir("genai-grafana-small");
            fs.writeFileSync(path.join(grafanaData, "grafana.db"), "db");
            const done = await backup("grafana", { GENAI_GRAFANA_DATA: grafanaData, GENAI_BACKUP_DIR: backupDir });
            expect(done.code, describeRun(done)).to.equal(0);
            const left = fs.readdirSync(backupDir).sort();
            expect(fs.readFileSync(path.join(backupDir, ".last-run"), "utf8")).to.equal("1\n");
            expect(left).to.not.include(files.old).and.not.include(files.justOld);
            expect(left).to.include.members([files.recent, files.otherSource, files.unrelated]);
            expect(left.filter((f) => f.startsWith("grafana-"))).to.have.length(2);
            expect(done.stdout).to.contain(`deleted ${path.join(backupDir, files.old)}, older than ${keepDays} days`);
        });
    });

    describe("the daily schedule", () => {
        it("backs up once a day at the configured time, or on waking after it, and stops at once on SIGTERM", async function () {
            this.timeout(40_000);
            const at = devStackConfig().backup.at;
            expect(at).to.equal("02:00");
            // `date` answers with the time in this file: the clock the schedule reads.
            const clockDir = makeTempDir("genai-backup-clock");
            const now = path.join(clockDir, "now");
            fs.writeFileSync(path.join(clockDir, "date"), `#!${busybox} sh\nexec /bin/date -d "$(${busybox} cat ${now})" "$@"\n`, { mode: 0o755 });
            const setClock = (time: string) => fs.writeFileSync(now, time);
            const grafanaData = makeTempDir("genai-grafana-scheduled");
            fs.writeFileSync(path.join(grafanaData, "grafana.db"), "db");
            const backupDir = makeTempDir("genai-backup-scheduled");
            const { file, env } = scripts.grafana;

            setClock("2026-03-10 01:59:00");
            const loop = await startServer(busybox, ["sh", file, "schedule"], {
                name: "genai-backup-schedule",
                env: { ...env, GENAI_GRAFANA_DATA: grafanaData, GENAI_BACKUP_DIR: backupDir, GENAI_BACKUP_POLL_SECONDS: "1", GENAI_BACKUP_PUSH_URL: "", PATH: `${clockDir}:${binDir}` },
            });
            const backups = () => filesOf(backupDir, "grafana");
            const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));
            const expectBackups = async (names: string[]) => waitFor(() => JSON.stringify(backups()) === JSON.stringify(names), 8_000, 100, `backups ${names.join(", ")}; have ${backups().join(", ")}\n${loop.logs()}`);
            const ext = BACKUP_FORMATS.grafana.extension;

            await settle();
            expect(backups(), "before 02:00").to.deep.equal([]);
            setClock("2026-03-10 02:00:05");
            await expectBackups([`grafana-2026-03-10T020005.${ext}`]);
            setClock("2026-03-10 14:00:00");
            await settle();
            expect(backups(), "once a day").to.deep.equal([`grafana-2026-03-10T020005.${ext}`]);
            setClock("2026-03-11 01:30:00");
            await settle();
            expect(backups(), "the next day, before 02:00").to.have.length(1);
            // The machine slept through 02:00: the backup runs when it wakes.
            setClock("2026-03-11 09:12:00");
            await expectBackups([`grafana-2026-03-10T020005.${ext}`, `grafana-2026-03-11T091200.${ext}`]);
            expect(loop.logs()).to.contain(`daily at ${at}`);
            // Asleep for days: the newest backup is more than a day and two hours old, so one is taken on waking,
            // before 02:00 too (BackupStale would otherwise fire before the day's run).
            const old = Math.floor(Date.now() / 1000) - 30 * 3600;
            for (const f of backups()) fs.utimesSync(path.join(backupDir, f), old, old);
            setClock("2026-03-14 00:40:00");
            await expectBackups([`grafana-2026-03-10T020005.${ext}`, `grafana-2026-03-11T091200.${ext}`, `grafana-2026-03-14T004000.${ext}`]);

            const stopped = process.hrtime.bigint();
            await loop.stop();
            expect(since(stopped), "seconds to stop on SIGTERM").to.be.below(2);
        });
    });

    describe("reports to the Pushgateway", () => {
        let gateway: ServerHandle;
        let gatewayPort: number;
        /** The gateway's value of a backup metric of `source`, or undefined. */
        async function pushed(metric: string, source: BackupSource): Promise<number | undefined> {
            const res = await httpGet(gatewayPort, "/metrics");
            const line = res.body.split("\n").find((l) => l.startsWith(`${metric}{`) && l.includes(`job="${BACKUP_METRICS.job}"`) && l.includes(`source="${source}"`));
            return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
        }

        before(async function () {
            this.timeout(20_000);
            const bin = requireBinaryOrSkip(this, "prometheus-pushgateway");
            gatewayPort = await freePort();
            gateway = await startServer(bin, [`--web.listen-address=${LOOPBACK}:${gatewayPort}`, "--persistence.file="], { name: "pushgateway" });
            await waitFor(async () => (await httpGet(gatewayPort, "/-/ready").catch(() => ({ status: 0 }))).status === 200, 15_000, 100, "the Pushgateway to be ready");
        });

        it("tells when the newest backup was written and whether the last run succeeded; a failed run keeps the time", async () => {
            const grafanaData = makeTempDir("genai-grafana-reported");
            fs.writeFileSync(path.join(grafanaData, "grafana.db"), "db");
            const backupDir = makeTempDir("genai-backup-reported");
            const url = backupPushUrl(`http://${LOOPBACK}:${gatewayPort}`, "grafana");
            const done = await backup("grafana", { GENAI_GRAFANA_DATA: grafanaData, GENAI_BACKUP_DIR: backupDir, GENAI_BACKUP_PUSH_URL: url });
            expect(done.code, describeRun(done)).to.equal(0);
            const [file] = filesOf(backupDir, "grafana");
            const written = Math.floor(fs.statSync(path.join(backupDir, file)).mtimeMs / 1000);
            expect(await pushed(BACKUP_METRICS.lastSuccess, "grafana")).to.equal(written);
            expect(await pushed(BACKUP_METRICS.lastRunSucceeded, "grafana")).to.equal(1);

            const failed = await backup("grafana", { GENAI_GRAFANA_DATA: path.join(grafanaData, "gone"), GENAI_BACKUP_DIR: backupDir, GENAI_BACKUP_PUSH_URL: url });
            expect(failed.code, describeRun(failed)).to.equal(1);
            expect(await pushed(BACKUP_METRICS.lastRunSucceeded, "grafana")).to.equal(0);
            expect(await pushed(BACKUP_METRICS.lastSuccess, "grafana"), "the newest good backup's time").to.equal(written);
            // Another source's reports are its own group.
            expect(await pushed(BACKUP_METRICS.lastRunSucceeded, "postgres")).to.equal(undefined);
        });

        it("tells the newest backup's time and the last run's outcome again at every poll, for a gateway that forgot them", async function () {
            this.timeout(20_000);
            const backupDir = makeTempDir("genai-backup-restarted");
            // Today's backup, an hour old (so the schedule takes none now), and a last run that failed.
            const today = (await runCommand(busybox, ["date", "+%Y-%m-%d"])).stdout.trim();
            const file = path.join(backupDir, `grafana-${today}T000005.${BACKUP_FORMATS.grafana.extension}`);
            fs.writeFileSync(file, "x");
            const written = Math.floor(Date.now() / 1000) - 3600;
            fs.utimesSync(file, written, written);
            fs.writeFileSync(path.join(backupDir, ".last-run"), "0\n");
            // A hand-placed file with the source's prefix is not a backup: it must not pass for the newest.
            fs.writeFileSync(path.join(backupDir, `grafana-pre-upgrade.${BACKUP_FORMATS.grafana.extension}`), "y");
            const group = "grafana-restarted" as BackupSource;
            const url = backupPushUrl(`http://${LOOPBACK}:${gatewayPort}`, group);
            const { file: script, env } = scripts.grafana;
            const loop = await startServer(busybox, ["sh", script, "schedule"], {
                name: "genai-backup-report-every-poll",
                env: { ...env, GENAI_GRAFANA_DATA: makeTempDir("genai-grafana-unused"), GENAI_BACKUP_DIR: backupDir, GENAI_BACKUP_POLL_SECONDS: "1", GENAI_BACKUP_PUSH_URL: url, PATH: binDir },
            });
            const reported = async () => [await pushed(BACKUP_METRICS.lastSuccess, group), await pushed(BACKUP_METRICS.lastRunSucceeded, group)];
            await waitFor(async () => (await reported())[0] !== undefined, 10_000, 100, `the first report\n${loop.logs()}`);
            expect(await reported()).to.deep.equal([written, 0]);
            // The gateway forgets the group, as a restarted one would: the next polls tell it again.
            const deleted = await httpRequest(gatewayPort, { method: "DELETE", path: new URL(url).pathname });
            expect(deleted.status).to.equal(202);
            expect(await reported()).to.deep.equal([undefined, undefined]);
            await waitFor(async () => (await reported())[0] !== undefined, 10_000, 100, `the report after the gateway forgot\n${loop.logs()}`);
            expect(await reported()).to.deep.equal([written, 0]);
            expect(filesOf(backupDir, "grafana"), "no backup taken: today's is there and fresh").to.have.length(2);
            await loop.stop();
        });

        it("never fails a backup for a report that cannot be sent", async () => {
            await gateway.stop();
            const grafanaData = makeTempDir("genai-grafana-unreported");
            fs.writeFileSync(path.join(grafanaData, "grafana.db"), "db");
            const done = await backup("grafana", { GENAI_GRAFANA_DATA: grafanaData, GENAI_BACKUP_DIR: makeTempDir("genai-backup-unreported"), GENAI_BACKUP_PUSH_URL: backupPushUrl(`http://${LOOPBACK}:${gatewayPort}`, "grafana") });
            expect(done.code, describeRun(done)).to.equal(0);
            expect(done.stderr).to.contain("could not report to");
        });
    });

    describe("secrets", () => {
        it("never reach a program's arguments or environment: the clients read them from their files", () => {
            const log = fs.readFileSync(argvLog, "utf8");
            expect(log).to.contain("pg_dump --format=custom").and.contain("redis-cli -h 127.0.0.1").and.contain("pg_restore --clean");
            for (const secret of [POSTGRES_PASSWORD, REDIS_PASSWORD]) expect(log).to.not.contain(secret);
        });
    });
});
