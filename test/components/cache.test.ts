import { expect } from "chai";
import { REDIS_PASSWORD_PATTERN, renderRedisConf } from "../../components/cache/redis-conf";

const PASSWORD = "Abcdefgh12345678Abcdefgh12345678";

/** The directives of a redis.conf, comments and blank lines left out. */
function directives(conf: string): string[] {
    return conf.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
}

/** The arguments of every occurrence of a directive. */
function values(conf: string, name: string): string[] {
    return directives(conf)
        .filter((line) => line.split(" ")[0] === name)
        .map((line) => line.slice(name.length + 1));
}

describe("cache: redis.conf", () => {
    it("requires the password, on the default port unless told", () => {
        const conf = renderRedisConf({ password: PASSWORD, maxMemoryMb: 256 });
        expect(values(conf, "requirepass")).to.deep.equal([PASSWORD]);
        expect(values(conf, "port")).to.deep.equal(["6379"]);
        expect(values(conf, "protected-mode")).to.deep.equal(["yes"]);
        expect(values(renderRedisConf({ password: PASSWORD, maxMemoryMb: 256, port: 6380 }), "port")).to.deep.equal(["6380"]);
    });

    it("caps memory at the configured MiB and evicts the least recently used keys", () => {
        const conf = renderRedisConf({ password: PASSWORD, maxMemoryMb: 300 });
        expect(values(conf, "maxmemory")).to.deep.equal(["300mb"]);
        expect(values(conf, "maxmemory-policy")).to.deep.equal(["allkeys-lru"]);
    });

    it("persists with an append-only file synced every second, and snapshots", () => {
        const conf = renderRedisConf({ password: PASSWORD, maxMemoryMb: 256 });
        expect(values(conf, "appendonly")).to.deep.equal(["yes"]);
        expect(values(conf, "appendfsync")).to.deep.equal(["everysec"]);
        expect(values(conf, "save").length).to.be.greaterThan(0);
    });

    it("disables FLUSHALL and DEBUG", () => {
        const conf = renderRedisConf({ password: PASSWORD, maxMemoryMb: 256 });
        expect(values(conf, "rename-command")).to.have.members(['FLUSHALL ""', 'DEBUG ""']);
    });

    it("states each single-valued directive once and ends with a newline", () => {
        const conf = renderRedisConf({ password: PASSWORD, maxMemoryMb: 256 });
        const names = directives(conf).map((line) => line.split(" ")[0]).filter((n) => n !== "save" && n !== "rename-command");
        expect(new Set(names).size).to.equal(names.length);
        expect(conf.endsWith("\n")).to.equal(true);
    });

    it("refuses a password shorter than 16 characters or with characters that would need quoting, without echoing it", () => {
        for (const password of ["short1", "a".repeat(15), `${"a".repeat(16)} x`, `${"a".repeat(16)}\nrequirepass x`, `${"a".repeat(16)}"`, `${"a".repeat(16)}#`]) {
            let error: unknown;
            try {
                renderRedisConf({ password, maxMemoryMb: 256 });
            } catch (e) {
                error = e;
            }
            expect(error, JSON.stringify(password)).to.be.instanceOf(Error);
            expect((error as Error).message).to.equal("redis password must be at least 16 letters or digits");
        }
    });

    it("accepts the letters-and-digits passwords the platform generates, from 16 characters", () => {
        expect(REDIS_PASSWORD_PATTERN.test("a".repeat(16))).to.equal(true);
        expect(REDIS_PASSWORD_PATTERN.test(PASSWORD)).to.equal(true);
        expect(() => renderRedisConf({ password: "A1".repeat(8), maxMemoryMb: 64 })).to.not.throw();
    });
});
