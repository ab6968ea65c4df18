import { expect } from "chai";
import { volumeTagParameters } from "../../components/cluster/addons";
import { BACKUP_ENV, BACKUP_FORMATS, BackupSource, renderBackupScript, renderPgpass } from "../../components/data/backup";
import { BACKUP_ROLE_POLICIES, dailyBackupCron, VAULT_KEY_SERVICES, vaultKeyPolicy } from "../../components/data/backup-aws";
import { backupHealthCommand } from "../../components/data/backup-docker";
import { IMAGES } from "../../catalog/images";

const SPEC = { at: "02:00", keepDays: 30 } as const;
const BACKUP_SOURCES: readonly BackupSource[] = ["postgres", "redis", "grafana"];

describe("backups", () => {
    describe("the dev backup script", () => {
        it("is a POSIX sh script that fails on an unset variable and writes files only their owner can read", () => {
            for (const source of BACKUP_SOURCES) {
                const lines = renderBackupScript({ source, ...SPEC }).split("\n");
                expect(lines[0], source).to.equal("#!/bin/sh");
                expect(lines, source).to.include.members(["set -u", "umask 077", `source=${source}`, `extension=${BACKUP_FORMATS[source].extension}`]);
            }
        });

        it("renders the schedule and the retention it is given", () => {
            const script = renderBackupScript({ source: "postgres", at: "23:45", keepDays: 7 });
            expect(script).to.contain("\nat=2345\n").and.contain("\nkeep_days=7\n");
            expect(script).to.contain("-mtime +$((keep_days - 1))");
        });

        it("reads only the documented environment, and no secret: each client takes its password from a file", () => {
            for (const source of BACKUP_SOURCES) {
                const script = renderBackupScript({ source, ...SPEC });
                const used = new Set([...script.matchAll(/\$\{?((?:GENAI|PG)[A-Z_]*)/g)].map((m) => m[1]));
                expect([...used].sort(), source).to.deep.equal([...BACKUP_ENV[source].filter((v) => !v.startsWith("PG")), "GENAI_BACKUP_DIR", "GENAI_BACKUP_POLL_SECONDS", "GENAI_BACKUP_PUSH_URL"].sort());
                expect(script, source).to.not.match(/PGPASSWORD|REDISCLI_AUTH|-a "|--pass/);
            }
            expect(renderBackupScript({ source: "redis", ...SPEC })).to.contain('--askpass --rdb "$1" <"$GENAI_REDIS_PASSWORD_FILE"');
            expect(renderBackupScript({ source: "postgres", ...SPEC })).to.contain('pg_dump --format=custom --file="$1"');
        });

        it("refuses a time that is not HH:MM and a retention below a day", () => {
            expect(() => renderBackupScript({ source: "redis", at: "2:00", keepDays: 30 })).to.throw("backup time 2:00 is not HH:MM");
            expect(() => renderBackupScript({ source: "redis", at: "24:00", keepDays: 30 })).to.throw("is not HH:MM");
            expect(() => renderBackupScript({ source: "redis", at: "02:00", keepDays: 0 })).to.throw("backup retention 0 is not a whole number of days >= 1");
        });
    });

    describe("the libpq password file", () => {
        it("is one host:port:database:user:password line, with colons and backslashes escaped", () => {
            expect(renderPgpass({ host: "postgres", port: 5432, database: "genai", user: "genai", password: "abc123" })).to.equal("postgres:5432:genai:genai:abc123\n");
            expect(renderPgpass({ host: "h", port: 1, database: "d", user: "u", password: "a:b\\c" })).to.equal("h:1:d:u:a\\:b\\\\c\n");
        });
    });

    describe("the backup containers' healthchecks", () => {
        it("check the source with the image's own client, and that the newest backup is at most 26 hours old", () => {
            expect(backupHealthCommand("postgres")).to.match(/^pg_isready -q && /);
            expect(backupHealthCommand("redis")).to.contain(`--askpass ping <"$GENAI_REDIS_PASSWORD_FILE" | grep -q PONG`);
            expect(IMAGES.postgres.health).to.include({ program: "pg_isready" });
            expect(IMAGES.redis.health).to.include({ program: "redis-cli" });
            for (const source of BACKUP_SOURCES) {
                expect(backupHealthCommand(source), source).to.contain(`-name '${source}-*.${BACKUP_FORMATS[source].extension}' -mmin -1560`);
            }
        });
    });

    describe("AWS Backup", () => {
        it("runs daily at the configured time, UTC, in AWS Backup's cron syntax", () => {
            expect(dailyBackupCron("02:00")).to.equal("cron(0 2 * * ? *)");
            expect(dailyBackupCron("23:05")).to.equal("cron(5 23 * * ? *)");
            expect(() => dailyBackupCron("2am")).to.throw("backup time 2am is not HH:MM");
        });

        it("encrypts each vault with a key the account administers and uses only through the services that write recovery points", () => {
            const policy = JSON.parse(vaultKeyPolicy("111122223333", "us-west-2"));
            const [admin, use] = policy.Statement;
            expect(admin.Principal).to.deep.equal({ AWS: "arn:aws:iam::111122223333:root" });
            expect(admin.Action).to.not.include("kms:Decrypt");
            expect(use.Action).to.include("kms:Decrypt").and.include("kms:CreateGrant");
            expect(use.Condition.StringEquals["kms:ViaService"]).to.deep.equal(VAULT_KEY_SERVICES.map((s) => `${s}.us-west-2.amazonaws.com`));
            expect(use.Condition.StringEquals["kms:CallerAccount"]).to.equal("111122223333");
        });

        it("gives its role AWS's managed backup and restore policies", () => {
            expect([...BACKUP_ROLE_POLICIES]).to.deep.equal([
                "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
                "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
            ]);
        });

        it("tags the EBS CSI driver's volumes through numbered tagSpecification parameters", () => {
            expect(volumeTagParameters({ "genai:backup": "genai-prod", team: "ml" })).to.deep.equal({ tagSpecification_1: "genai:backup=genai-prod", tagSpecification_2: "team=ml" });
            expect(volumeTagParameters({})).to.deep.equal({});
        });
    });
});
