import { expect } from "chai";
import { REDIS_PASSWORD_PATTERN } from "../../components/cache/redis-conf";
import { mockSecretValue } from "../harness";
import { devStack, devStackConfig } from "../support/dev-stack";
import { RedisServer, RespError, redisCommand, requireBinaryOrSkip, startRedis, stopAll } from "../support/servers";

const REDIS_CONF = "/usr/local/etc/redis/redis.conf";
/** The password the dev stack generates for Redis (the mock engine's value of the random password). */
const PASSWORD = mockSecretValue("secrets-redisPassword");

describe("Redis with the dev stack's redis.conf", function () {
    let redis: RedisServer;

    before(async function () {
        this.timeout(20_000);
        requireBinaryOrSkip(this, "redis-server");
        const dev = await devStack();
        redis = await startRedis(dev.upload("redis", REDIS_CONF));
    });

    after(async () => {
        await stopAll();
    });

    it("refuses commands without AUTH", async () => {
        const reply = await redisCommand(redis.port, ["PING"]);
        expect(reply).to.be.instanceOf(RespError);
        expect((reply as RespError).code).to.equal("NOAUTH");
    });

    it("refuses a wrong password", async () => {
        const reply = await redisCommand(redis.port, ["PING"], "not-the-password");
        expect(reply).to.be.instanceOf(RespError);
        expect((reply as RespError).code).to.equal("WRONGPASS");
    });

    it("accepts the generated password", async () => {
        expect(PASSWORD).to.match(REDIS_PASSWORD_PATTERN);
        expect(await redisCommand(redis.port, ["PING"], PASSWORD)).to.equal("PONG");
        expect(await redisCommand(redis.port, ["SET", "genai:probe", "1"], PASSWORD)).to.equal("OK");
        expect(await redisCommand(redis.port, ["GET", "genai:probe"], PASSWORD)).to.equal("1");
    });

    it("caps memory at the configured size and evicts least recently used keys", async () => {
        const bytes = devStackConfig().cache.maxMemoryMb * 1024 * 1024;
        expect(bytes).to.equal(268_435_456);
        expect(await redisCommand(redis.port, ["CONFIG", "GET", "maxmemory"], PASSWORD)).to.deep.equal(["maxmemory", String(bytes)]);
        expect(await redisCommand(redis.port, ["CONFIG", "GET", "maxmemory-policy"], PASSWORD)).to.deep.equal(["maxmemory-policy", "allkeys-lru"]);
    });

    it("persists to an append-only file", async () => {
        expect(await redisCommand(redis.port, ["CONFIG", "GET", "appendonly"], PASSWORD)).to.deep.equal(["appendonly", "yes"]);
        expect(await redisCommand(redis.port, ["CONFIG", "GET", "appendfsync"], PASSWORD)).to.deep.equal(["appendfsync", "everysec"]);
    });

    it("disables FLUSHALL and DEBUG", async () => {
        for (const command of [["FLUSHALL"], ["DEBUG", "SLEEP", "0"]]) {
            const reply = await redisCommand(redis.port, command, PASSWORD);
            expect(reply, command[0]).to.be.instanceOf(RespError);
            expect((reply as RespError).message, command[0]).to.match(/unknown command/i);
        }
    });
});
