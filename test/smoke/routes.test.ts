import { expect } from "chai";
import { IMAGES } from "../../catalog/images";
import { ENGINES } from "../../catalog/engines";
import { TRACK_HEADER } from "../../components/traffic/upstreams";
import { typedStackConfig } from "../../scripts/check/stack-policy";
import { smokePlan, SmokeRoute } from "../../scripts/smoke/routes";
import { devWithLlmCanary } from "./dev-canary";

const DEV_BASE = "http://127.0.0.1:8080";
const CLOUD_BASE = "https://genai.example.com";

function summary(routes: readonly SmokeRoute[]): string[] {
    return routes.map((r) => `${r.name} ${r.url}${Object.entries(r.headers).map(([k, v]) => ` ${k}=${v}`).join("")}`);
}

describe("smoke routes", () => {
    it("dev: each model's stable track by the track header, Grafana's health and HAProxy's monitor-uri", () => {
        const plan = smokePlan(typedStackConfig("dev"), DEV_BASE);
        expect(summary(plan.routes)).to.deep.equal([
            `llm/stable ${DEV_BASE}/models/llm${ENGINES["llama-cpp"].health.path} ${TRACK_HEADER}=stable`,
            `image/stable ${DEV_BASE}/models/image${ENGINES.comfyui.health.path} ${TRACK_HEADER}=stable`,
            `grafana ${DEV_BASE}/grafana/api/health`,
            `lb ${DEV_BASE}${IMAGES.haproxy.health.path}`,
        ]);
        expect(plan.notes).to.deep.equal([]);
    });

    it("dev with a canary: the canary track is checked too, by its own header", () => {
        const plan = smokePlan(devWithLlmCanary(), `${DEV_BASE}/`);
        expect(plan.routes.filter((r) => r.model === "llm").map((r) => [r.name, r.track, r.headers[TRACK_HEADER], r.url])).to.deep.equal([
            ["llm/stable", "stable", "stable", `${DEV_BASE}/models/llm/health`],
            ["llm/canary", "canary", "canary", `${DEV_BASE}/models/llm/health`],
        ]);
        expect(plan.routes.map((r) => r.name)).to.deep.equal(["llm/stable", "llm/canary", "image/stable", "grafana", "lb"]);
        // HAProxy answers 503 for a track whose server is down (test/real/haproxy.test.ts): nothing to warn about.
        expect(plan.notes).to.deep.equal([]);
    });

    it("staging: the plain route of each model (the ALB ignores the track header, and says so), Grafana, no load-balancer path", () => {
        const plan = smokePlan(typedStackConfig("staging"), CLOUD_BASE);
        expect(summary(plan.routes)).to.deep.equal([
            `llm ${CLOUD_BASE}/models/llm${ENGINES.vllm.health.path}`,
            `image ${CLOUD_BASE}/models/image${ENGINES.comfyui.health.path}`,
            `grafana ${CLOUD_BASE}/grafana/api/health`,
        ]);
        expect(plan.notes).to.have.length(2);
        expect(plan.notes[0]).to.match(/^llm has a canary, but the ALB ignores the x-genai-track header: only the route is checked/);
        expect(plan.notes[1]).to.match(/the ALB has no health path of its own/);
    });

    it("prod: no canary, so only the note about the ALB's own health", () => {
        const plan = smokePlan(typedStackConfig("prod"), CLOUD_BASE);
        expect(plan.routes.map((r) => r.name)).to.deep.equal(["llm", "image", "grafana"]);
        expect(plan.notes).to.have.length(1);
    });

    it("keeps to half of each stack's rate limits", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            const cfg = typedStackConfig(stack);
            const { budget } = smokePlan(cfg, CLOUD_BASE);
            expect(budget.modelRequestsPerMinute, stack).to.equal(Math.floor(cfg.traffic.rateLimitPerMinute / 2));
            expect(budget.requestsPerSecond, stack).to.equal(Math.floor(cfg.traffic.apiRateLimitPerSecond / 2));
        }
    });
});
