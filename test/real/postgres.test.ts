import { expect } from "chai";
import { createHash } from "node:crypto";
import { POSTGRES_EXTENSIONS } from "../../components/data/postgres-init";
import { devStack } from "../support/dev-stack";
import { PostgresServer, RunResult, psql, requireBinaryOrSkip, startPostgres, stopAll } from "../support/servers";

const INIT_SQL = "/docker-entrypoint-initdb.d/10-extensions.sql";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function describeRun(result: RunResult): string {
    return `exit ${String(result.code)}\n${result.stdout}\n${result.stderr}`;
}

/** Runs `sql` and returns its output rows; fails the test when psql fails. */
async function query(server: PostgresServer, sql: string): Promise<string[]> {
    const result = await psql(server.port, sql);
    expect(result.code, describeRun(result)).to.equal(0);
    return result.stdout.split("\n").filter((line) => line !== "");
}

describe("PostgreSQL 15 with the dev stack's init SQL", function () {
    let server: PostgresServer;
    let initSql: string;
    let firstRun: RunResult;

    before(async function () {
        this.timeout(30_000);
        requireBinaryOrSkip(this, "initdb");
        requireBinaryOrSkip(this, "postgres");
        requireBinaryOrSkip(this, "psql");
        initSql = (await devStack()).upload("postgres", INIT_SQL);
        server = await startPostgres();
        firstRun = await psql(server.port, initSql);
    });

    after(async () => {
        await stopAll();
    });

    it("runs the init SQL on a fresh database without error or warning", () => {
        expect(firstRun.code, describeRun(firstRun)).to.equal(0);
        expect(firstRun.stderr).to.equal("");
    });

    it("creates every extension the application needs", async () => {
        const installed = await query(server, "SELECT extname FROM pg_extension ORDER BY extname;");
        expect(installed).to.include.members([...POSTGRES_EXTENSIONS]);
        expect([...POSTGRES_EXTENSIONS].sort()).to.deep.equal(["pg_trgm", "pgcrypto", "uuid-ossp"]);
    });

    it("makes the extensions' functions work", async () => {
        const [pgcryptoUuid, osspUuid, similarity, digest] = await query(
            server,
            [
                "SELECT gen_random_uuid();",
                "SELECT uuid_generate_v4();",
                "SELECT similarity('genai', 'genai');",
                "SELECT encode(digest('genai', 'sha256'), 'hex');",
            ].join("\n"),
        );
        expect(pgcryptoUuid).to.match(UUID);
        expect(osspUuid).to.match(UUID);
        expect(Number(similarity)).to.equal(1);
        expect(digest).to.equal(createHash("sha256").update("genai").digest("hex"));
    });

    it("runs again without error and without duplicating anything", async () => {
        const before = await query(server, "SELECT extname, extversion FROM pg_extension ORDER BY extname;");
        const result = await psql(server.port, initSql);
        expect(result.code, describeRun(result)).to.equal(0);
        expect(await query(server, "SELECT extname, extversion FROM pg_extension ORDER BY extname;")).to.deep.equal(before);
    });
});
