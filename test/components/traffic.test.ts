import { expect } from "chai";
import { ModelSpec } from "../../components/inference/model";
import { renderNginxConf } from "../../components/traffic/nginx-conf";
import { trafficSplit, upstreamServerWeights } from "../../components/traffic/split";
import { nginxTrackShares } from "../support/nginx";

function model(weight?: number): ModelSpec {
    return {
        name: "llm",
        kind: "llm",
        image: "vllm/vllm-openai:v0.6.3",
        port: 8000,
        healthPath: "/health",
        metricsPath: "/metrics",
        scrapeMetrics: true,
        autoscaling: { minReplicas: 1, maxReplicas: 5, queueDepthTarget: 5, gpuUtilizationTarget: 80, scaleDownStabilizationSeconds: 300 },
        gpus: 1,
        memoryMb: 1024,
        cpus: 1,
        args: [],
        env: {},
        gatedWeights: false,
        weightsCacheGb: 10,
        canary: weight === undefined ? undefined : { image: "vllm/vllm-openai:v0.6.4", weight },
    };
}

describe("traffic split", () => {
    it("gives the canary its weight and the stable version the rest", () => {
        expect(trafficSplit(model(25))).to.deep.equal({ model: "llm", stable: 75, canary: 25 });
        expect(trafficSplit(model())).to.deep.equal({ model: "llm", stable: 100, canary: 0 });
    });

    it("weights upstream servers so each version's total share is exact, whatever the replica counts", () => {
        for (const weight of [0, 10, 25, 50, 75, 100]) {
            for (const [stableServers, canaryServers] of [[1, 1], [3, 1], [2, 2], [5, 3]]) {
                const w = upstreamServerWeights(trafficSplit(model(weight)), stableServers, canaryServers);
                const stable = w.stable * stableServers;
                const canary = w.canary * canaryServers;
                expect((100 * canary) / (stable + canary), `${weight}% over ${stableServers}+${canaryServers}`).to.equal(weight);
            }
        }
    });

    it("renders nginx upstreams whose weights sum to the split, and leaves out a version with no traffic", () => {
        for (const weight of [0, 10, 25, 50, 75, 100]) {
            const conf = renderNginxConf({
                listenPort: 8080,
                routes: [{ split: trafficSplit(model(weight)), stable: [{ host: "s0", port: 1 }, { host: "s1", port: 1 }], canary: [{ host: "c0", port: 1 }] }],
                rateLimits: { perMinute: 50, apiPerSecond: 10, authPerSecond: 5 },
                corsOrigins: [],
            });
            expect(nginxTrackShares(conf, "llm")).to.deep.equal({ stable: 100 - weight, canary: weight });
            expect(conf.includes("server c0:1"), `canary server at ${weight}%`).to.equal(weight > 0);
            expect(conf.includes("server s0:1"), `stable server at ${weight}%`).to.equal(weight < 100);
        }
    });
});
