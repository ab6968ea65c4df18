import { expect } from "chai";
import { renderHaproxyConfig } from "../../components/traffic/haproxy-conf";
import { MAX_SERVER_WEIGHT, upstreamServerWeights } from "../../components/traffic/split";

const split = (canary: number) => ({ model: "llm", stable: 100 - canary, canary });

describe("traffic split", () => {
    it("weights servers so each version's total share is exact, whatever the replica counts", () => {
        for (const weight of [0, 10, 25, 50, 75, 100]) {
            for (const [stableServers, canaryServers] of [[1, 1], [3, 1], [2, 2], [5, 3]]) {
                const w = upstreamServerWeights(split(weight), stableServers, canaryServers);
                const stable = w.stable * stableServers;
                const canary = w.canary * canaryServers;
                expect((100 * canary) / (stable + canary), `${weight}% over ${stableServers}+${canaryServers}`).to.equal(weight);
                expect(Math.max(w.stable, w.canary)).to.be.at.most(MAX_SERVER_WEIGHT);
            }
        }
    });

    it("keeps a version with no traffic at weight 0 and scales weights beyond HAProxy's 256 to within a point", () => {
        expect(upstreamServerWeights(split(0), 1, 1)).to.deep.equal({ stable: 1, canary: 0 });
        expect(upstreamServerWeights(split(100), 1, 1)).to.deep.equal({ stable: 0, canary: 1 });
        const w = upstreamServerWeights(split(3), 5, 3);
        expect(Math.max(w.stable, w.canary)).to.be.at.most(MAX_SERVER_WEIGHT);
        const share = (100 * w.canary * 3) / (w.stable * 5 + w.canary * 3);
        expect(Math.abs(share - 3)).to.be.lessThan(1);
    });

    it("renders every server of both versions, weighted, in the model's backend", () => {
        const conf = renderHaproxyConfig({
            listenPort: 8080,
            statsPort: 8404,
            healthPath: "/healthz",
            nameserver: "127.0.0.11:53",
            routes: [
                {
                    split: split(25),
                    healthPath: "/health",
                    servers: { stable: [{ name: "stable-0", host: "s0", port: 1 }, { name: "stable-1", host: "s1", port: 1 }], canary: [{ name: "canary-0", host: "c0", port: 1 }] },
                },
            ],
            rateLimits: { perMinute: 50, apiPerSecond: 10, authPerSecond: 5 },
            corsOrigins: [],
        });
        expect(conf).to.contain("    server stable-0 s0:1 weight 3 check\n    server stable-1 s1:1 weight 3 check\n    server canary-0 c0:1 weight 2 check");
    });
});
