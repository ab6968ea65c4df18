import { expect } from "chai";
import { ProbeResult } from "../../scripts/smoke/probe";
import { SmokePlan, SmokeRoute } from "../../scripts/smoke/routes";
import { Clock } from "../../scripts/rollout/clock";
import { runSmoke } from "../../scripts/smoke/run";

/** Time that passes only when the check sleeps or a request takes it. */
class FakeClock implements Clock {
    t = 0;
    now(): number {
        return this.t;
    }
    async sleep(ms: number): Promise<void> {
        this.t += ms;
    }
}

const route = (name: string, kind: SmokeRoute["kind"] = "model"): SmokeRoute => ({ name, kind, url: `http://127.0.0.1:1/${name}`, headers: {} });

function plan(routes: SmokeRoute[], budget = { modelRequestsPerMinute: 25, requestsPerSecond: 5 }): SmokePlan {
    return { stack: "dev", platform: "docker", baseUrl: "http://127.0.0.1:1", routes, notes: [], budget };
}

/** A probe answering by route name and time; records when each request was sent. */
function fakeProbe(clock: FakeClock, answer: (name: string, t: number) => Omit<ProbeResult, "latencyMs">) {
    const sent: { name: string; t: number; kind: string }[] = [];
    const probe = async (r: SmokeRoute): Promise<ProbeResult> => {
        sent.push({ name: r.name, t: clock.t, kind: r.kind });
        const result = answer(r.name, clock.t);
        clock.t += 5;
        return { ...result, latencyMs: 5 };
    };
    return { probe, sent };
}

const OK = { status: 200, final: false };
const UNAVAILABLE = { status: 503, error: "answered 503", final: false };

describe("smoke run", () => {
    it("asks each route once when all are healthy", async () => {
        const clock = new FakeClock();
        const { probe, sent } = fakeProbe(clock, () => OK);
        const result = await runSmoke(plan([route("llm/stable"), route("grafana", "grafana"), route("lb", "lb")]), { timeoutMs: 120_000, probe, clock });
        expect(result.healthy).to.equal(true);
        expect(sent.map((s) => s.name)).to.deep.equal(["llm/stable", "grafana", "lb"]);
        expect(result.routes.map((o) => o.attempts)).to.deep.equal([1, 1, 1]);
    });

    it("retries only the routes still warming up, and passes once they answer within the timeout", async () => {
        const clock = new FakeClock();
        const { probe, sent } = fakeProbe(clock, (name, t) => (name === "image/stable" && t < 3_000 ? UNAVAILABLE : OK));
        const result = await runSmoke(plan([route("llm/stable"), route("image/stable")]), { timeoutMs: 120_000, probe, clock });
        expect(result.healthy).to.equal(true);
        expect(sent.filter((s) => s.name === "llm/stable")).to.have.length(1);
        const image = result.routes[1];
        expect(image.attempts).to.be.greaterThan(1);
        expect(image.healthyAfterMs).to.be.within(3_000, 8_000);
    });

    it("never retries a redirect: the route fails at once and the others go on", async () => {
        const clock = new FakeClock();
        const { probe, sent } = fakeProbe(clock, (name, t) =>
            name === "grafana" ? { status: 301, location: "https://x/", error: "redirect to https://x/, never followed", final: true } : t < 2_000 ? UNAVAILABLE : OK,
        );
        const result = await runSmoke(plan([route("llm/stable"), route("grafana", "grafana")]), { timeoutMs: 120_000, probe, clock });
        expect(result.healthy).to.equal(false);
        expect(sent.filter((s) => s.name === "grafana")).to.have.length(1);
        expect(result.routes[0].healthy).to.equal(true);
        expect(result.routes[1]).to.include({ healthy: false, attempts: 1 });
    });

    it("gives up at the timeout with the last answer of each unhealthy route", async () => {
        const clock = new FakeClock();
        const { probe } = fakeProbe(clock, () => UNAVAILABLE);
        const retries: number[] = [];
        const result = await runSmoke(plan([route("llm/stable")]), { timeoutMs: 10_000, probe, clock, onRetry: (_p, delay) => retries.push(delay) });
        expect(result.healthy).to.equal(false);
        expect(result.elapsedMs).to.be.at.most(10_000);
        expect(result.routes[0].last?.status).to.equal(503);
        expect(retries.slice(0, 3)).to.deep.equal([500, 1_000, 2_000]);
    });

    it("stays within its share of the rate limits however long routes fail", async () => {
        const clock = new FakeClock();
        const budget = { modelRequestsPerMinute: 10, requestsPerSecond: 2 };
        const { probe, sent } = fakeProbe(clock, () => UNAVAILABLE);
        const routes = [route("llm/stable"), route("llm/canary"), route("image/stable"), route("grafana", "grafana"), route("lb", "lb")];
        await runSmoke(plan(routes, budget), { timeoutMs: 600_000, probe, clock });
        const models = sent.filter((s) => s.kind === "model");
        for (const s of models) expect(models.filter((o) => o.t >= s.t && o.t < s.t + 60_000).length).to.be.at.most(budget.modelRequestsPerMinute);
        for (const s of sent) expect(sent.filter((o) => o.t >= s.t && o.t < s.t + 1_000).length).to.be.at.most(budget.requestsPerSecond);
        // And it keeps asking until the end, not only at the start.
        expect(Math.max(...models.map((s) => s.t))).to.be.greaterThan(540_000);
    });
});
