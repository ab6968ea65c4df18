import { expect } from "chai";
import { renderBucketPolicy } from "../../components/data/bucket";
import { POSTGRES_EXTENSIONS, postgresServerSettings, renderPostgresInitSql } from "../../components/data/postgres-init";
import { POSTGRES_PARAMETERS } from "../../components/data/postgres-rds";
import { POSTGRES_START_SCRIPT } from "../../components/data/postgres-start";

const SCRIPT_ENV = ["GENAI_PG_START", "GENAI_PG_SOCKET_DIR", "GENAI_PG_PORT", "GENAI_PG_USER", "GENAI_PG_PASSWORD_FILE"];

describe("data", () => {
    describe("Postgres init SQL", () => {
        it("creates every application extension idempotently, one statement per line", () => {
            const lines = renderPostgresInitSql().trimEnd().split("\n");
            const statements = lines.filter((l) => !l.startsWith("--"));
            expect(statements).to.deep.equal(POSTGRES_EXTENSIONS.map((ext) => `CREATE EXTENSION IF NOT EXISTS "${ext}";`));
            expect(POSTGRES_EXTENSIONS).to.include.members(["pgcrypto", "pg_trgm", "uuid-ossp"]);
        });

        it("quotes each name as an identifier, doubling a double quote inside it", () => {
            expect(renderPostgresInitSql(['we"ird'])).to.contain('CREATE EXTENSION IF NOT EXISTS "we""ird";');
            expect(renderPostgresInitSql(["uuid-ossp"])).to.contain('"uuid-ossp"');
        });

        it("ends with a newline, and renders only its comment for no extension", () => {
            expect(renderPostgresInitSql().endsWith(";\n")).to.equal(true);
            expect(renderPostgresInitSql([]).split("\n").filter((l) => l !== "" && !l.startsWith("--"))).to.deep.equal([]);
        });
    });

    describe("Postgres server settings", () => {
        it("sizes shared buffers at a quarter and the cache estimate at three quarters of the memory limit", () => {
            expect(postgresServerSettings(512)).to.deep.include({ shared_buffers: "128MB", effective_cache_size: "384MB" });
            expect(postgresServerSettings(2048)).to.deep.include({ shared_buffers: "512MB", effective_cache_size: "1536MB" });
            expect(postgresServerSettings(1000)).to.deep.include({ shared_buffers: "250MB", effective_cache_size: "750MB" });
        });

        it("keeps shared buffers at 32MB and the cache estimate at 64MB at least", () => {
            expect(postgresServerSettings(64)).to.deep.include({ shared_buffers: "32MB", effective_cache_size: "64MB" });
        });

        it("logs statements slower than a second, like the cloud database", () => {
            const cloud = POSTGRES_PARAMETERS.find((p) => p.name === "log_min_duration_statement");
            expect(postgresServerSettings(512).log_min_duration_statement).to.equal(cloud?.value);
            expect(postgresServerSettings(512).max_connections).to.equal("200");
        });
    });

    describe("cloud Postgres parameters", () => {
        it("forces TLS and loads pg_stat_statements at the next reboot", () => {
            expect(POSTGRES_PARAMETERS).to.deep.include({ name: "rds.force_ssl", value: "1" });
            expect(POSTGRES_PARAMETERS).to.deep.include({ name: "shared_preload_libraries", value: "pg_stat_statements", applyMethod: "pending-reboot" });
        });
    });

    describe("Postgres start script", () => {
        it("stops at the first failing command and reads its settings from the documented environment", () => {
            expect(POSTGRES_START_SCRIPT.split("\n")[0]).to.equal("set -eu");
            for (const name of SCRIPT_ENV) expect(POSTGRES_START_SCRIPT, name).to.contain(`$${name}`);
            const used = new Set(POSTGRES_START_SCRIPT.match(/\$\{?GENAI_[A-Z_]+/g)!.map((m) => m.replace(/^\$\{?/, "")));
            expect([...used].sort()).to.deep.equal([...SCRIPT_ENV].sort());
        });

        it("refuses to start with an unreadable or empty password file", () => {
            expect(POSTGRES_START_SCRIPT).to.contain('[ -r "$GENAI_PG_PASSWORD_FILE" ] && [ -s "$GENAI_PG_PASSWORD_FILE" ] ||');
            expect(POSTGRES_START_SCRIPT).to.match(/cannot read the password file \$GENAI_PG_PASSWORD_FILE" >&2; exit 1/);
        });

        it("never holds the password in a variable, an argument or the environment: psql reads the file itself", () => {
            expect(POSTGRES_START_SCRIPT).to.not.match(/PGPASSWORD|POSTGRES_PASSWORD\b|password=/i);
            // The only read of the file is psql's own backtick \set, which is inside the text piped to psql's standard input.
            const reads = POSTGRES_START_SCRIPT.split("\n").filter((line) => /\bcat\b/.test(line));
            expect(reads).to.have.length(1);
            expect(reads[0]).to.contain("\\\\set pw \\`cat %s\\`");
            expect(reads[0]).to.match(/printf ".*" "\$GENAI_PG_PASSWORD_FILE" \\$/);
            expect(POSTGRES_START_SCRIPT).to.contain('| psql -q -X -v ON_ERROR_STOP=1 -v role="$GENAI_PG_USER"');
        });

        it("turns statement logging off in the session before it sets the password", () => {
            const sql = POSTGRES_START_SCRIPT.split("\n").find((line) => line.includes("ALTER ROLE"))!;
            const off = Math.max(sql.indexOf("SET log_min_duration_statement = -1"), sql.indexOf("SET log_statement = none"));
            expect(sql.indexOf("SET log_min_duration_statement = -1")).to.be.greaterThan(-1);
            expect(sql.indexOf("SET log_statement = none")).to.be.greaterThan(-1);
            expect(off).to.be.lessThan(sql.indexOf("ALTER ROLE"));
            // Role and password go in as psql variables, quoted by psql as an identifier and a literal.
            expect(sql).to.contain(`ALTER ROLE :\\"role\\" PASSWORD :'pw';`);
        });

        it("starts the server from its environment and forwards the stop signals to it", () => {
            expect(POSTGRES_START_SCRIPT).to.contain('sh -c "exec $GENAI_PG_START" &');
            expect(POSTGRES_START_SCRIPT).to.match(/trap '.*kill -INT "\$server".*' INT TERM/);
            expect(POSTGRES_START_SCRIPT).to.contain('pg_isready -q -h "$GENAI_PG_SOCKET_DIR" -p "$GENAI_PG_PORT" -U "$GENAI_PG_USER"');
        });

        it("is POSIX sh, without bash-only syntax", () => {
            expect(POSTGRES_START_SCRIPT).to.not.match(/\[\[|pipefail|\bfunction\b|\blocal\b|<<<|\$\{[A-Z_]+\/\//);
        });
    });

    describe("bucket policy", () => {
        const arn = "arn:aws:s3:::genai-prod-platform";
        // us-east-1's Elastic Load Balancing account, as aws.elb.getServiceAccount answers for the region.
        const albLogs = { prefix: "alb-logs", deliveryAccountArn: "arn:aws:iam::127311923021:root" };

        it("denies every request over plain HTTP, to the bucket and its objects", () => {
            const [deny] = JSON.parse(renderBucketPolicy(arn)).Statement;
            expect(deny).to.deep.include({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
            expect(deny.Resource).to.deep.equal([arn, `${arn}/*`]);
        });

        it("grants ALB log delivery only when a log prefix is given, and only under it", () => {
            expect(JSON.parse(renderBucketPolicy(arn)).Statement).to.have.length(1);
            const statements = JSON.parse(renderBucketPolicy(arn, albLogs)).Statement;
            expect(statements).to.have.length(2);
            expect(statements[1]).to.deep.include({ Effect: "Allow", Action: "s3:PutObject", Resource: `${arn}/alb-logs/*` });
        });

        it("lets the region's Elastic Load Balancing account it is given deliver the logs", () => {
            expect(JSON.parse(renderBucketPolicy(arn, albLogs)).Statement[1].Principal).to.deep.equal({ AWS: "arn:aws:iam::127311923021:root" });
        });
    });
});
