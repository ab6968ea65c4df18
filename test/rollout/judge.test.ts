import { expect } from "chai";
import { judgeStep, SEED_THRESHOLDS, Thresholds, TrackFigures } from "../../scripts/rollout/judge";

const T: Thresholds = SEED_THRESHOLDS;
/** A canary that passes every gate with room to spare, against a healthy stable version. */
const GOOD: Required<TrackFigures> = { requests: 500, errorRatio: 0.01, successRatio: 0.99, latencySeconds: 0.5, latencySamples: 10_000 };
const STABLE: Required<TrackFigures> = { requests: 5000, errorRatio: 0.01, successRatio: 0.99, latencySeconds: 0.5, latencySamples: 10_000 };
/** Just inside and just outside a bound. */
const EPS = 1e-6;

describe("rollout: the judgement of a step", () => {
    it("uses the seeds' thresholds by default: 5 % errors, 1.2 x latency, 95 % success", () => {
        expect(T.maxErrorRatio).to.equal(0.05);
        expect(T.maxLatencyRatio).to.equal(1.2);
        expect(T.minSuccessRatio).to.equal(0.95);
        expect(T.minRequests).to.be.greaterThan(0);
    });

    it("passes a healthy canary and says what it checked", () => {
        const j = judgeStep(GOOD, STABLE, T);
        expect(j.verdict).to.equal("pass");
        expect(j.reasons.join(" ")).to.contain("500 requests");
    });

    // Each gate at its bound: the value on the bound passes, one just beyond fails, and the reason names the gate.
    const cases: { gate: string; inside: Partial<TrackFigures>; outside: Partial<TrackFigures>; stable?: Partial<TrackFigures>; reason: RegExp }[] = [
        { gate: "error ratio at most 5 %", inside: { errorRatio: 0.05, successRatio: 0.95 }, outside: { errorRatio: 0.05 + EPS, successRatio: 0.95 }, stable: { errorRatio: 0.04 }, reason: /error ratio .* is above 5%/ },
        { gate: "error ratio at most stable + 2 points", inside: { errorRatio: 0.03 }, outside: { errorRatio: 0.03 + EPS }, stable: { errorRatio: 0.01 }, reason: /more than 2% above stable's 1%/ },
        { gate: "success ratio at least 95 %", inside: { successRatio: 0.95 }, outside: { successRatio: 0.95 - EPS }, reason: /success ratio .* is below 95%/ },
        { gate: "latency at most 1.2 x stable", inside: { latencySeconds: 0.6 }, outside: { latencySeconds: 0.6 + EPS }, reason: /latency .* is above 1\.2 x stable's 0\.5 s/ },
    ];
    for (const c of cases) {
        it(`${c.gate}: passes on the bound, fails just beyond it`, () => {
            const stable = { ...STABLE, ...c.stable };
            expect(judgeStep({ ...GOOD, ...c.inside }, stable, T).verdict, "on the bound").to.equal("pass");
            const beyond = judgeStep({ ...GOOD, ...c.outside }, stable, T);
            expect(beyond.verdict, "just beyond").to.equal("fail");
            expect(beyond.reasons).to.have.length(1);
            expect(beyond.reasons[0]).to.match(c.reason);
        });
    }

    it("gives the latency gate the source's resolution: whole milliseconds never fail a step by rounding alone", () => {
        const ms: Thresholds = { ...T, latencyToleranceSeconds: 0.001 };
        const fast = { ...STABLE, latencySeconds: 0.001 };
        expect(judgeStep({ ...GOOD, latencySeconds: 0.002 }, fast, T).verdict, "2 ms against 1 ms, no tolerance").to.equal("fail");
        expect(judgeStep({ ...GOOD, latencySeconds: 0.0021 }, fast, ms).verdict, "within 1.2 x + 1 ms").to.equal("pass");
        const beyond = judgeStep({ ...GOOD, latencySeconds: 0.0023 }, fast, ms);
        expect(beyond.verdict).to.equal("fail");
        expect(beyond.reasons[0]).to.contain("(+ 0.001 s resolution)");
    });

    describe("a running-mean latency on too few requests", () => {
        const settling: Thresholds = { ...T, latencyMinSamples: 2048 };
        const slow = { ...GOOD, latencySeconds: 2 };

        it("is compared once both versions have served the minimum since the load balancer's last reload", () => {
            expect(judgeStep(slow, STABLE, settling).verdict).to.equal("fail");
            expect(judgeStep({ ...slow, latencySamples: 2048 }, { ...STABLE, latencySamples: 2048 }, settling).verdict).to.equal("fail");
        });

        for (const short of ["canary", "stable"] as const) {
            it(`is not judged while the ${short} has served fewer, and the verdict says so`, () => {
                const canary = short === "canary" ? { ...slow, latencySamples: 2047 } : slow;
                const stable = short === "stable" ? { ...STABLE, latencySamples: 2047 } : STABLE;
                const j = judgeStep(canary, stable, settling);
                expect(j.verdict).to.equal("pass");
                expect(j.reasons.at(-1)).to.equal(`latency not judged: ${short} served fewer than 2048 requests since the load balancer's last reload, which its running mean needs`);
            });
        }

        it("still fails the error gates meanwhile", () => {
            expect(judgeStep({ ...slow, latencySamples: 10, errorRatio: 0.2, successRatio: 0.8 }, STABLE, settling).verdict).to.equal("fail");
        });
    });

    it("lists every failed gate, not only the first", () => {
        const j = judgeStep({ requests: 100, errorRatio: 0.3, successRatio: 0.7, latencySeconds: 2 }, STABLE, T);
        expect(j.verdict).to.equal("fail");
        expect(j.reasons).to.have.length(4);
    });

    describe("too little to judge", () => {
        it("is inconclusive below the minimum of requests, whatever the figures", () => {
            const j = judgeStep({ ...GOOD, requests: T.minRequests - 1, errorRatio: 1, successRatio: 0 }, STABLE, T);
            expect(j.verdict).to.equal("inconclusive");
            expect(j.reasons[0]).to.contain(`fewer than the ${T.minRequests}`);
        });

        it("judges from the minimum of requests on", () => {
            expect(judgeStep({ ...GOOD, requests: T.minRequests }, STABLE, T).verdict).to.equal("pass");
        });

        it("is inconclusive when the canary's request count is missing", () => {
            expect(judgeStep({}, STABLE, T).verdict).to.equal("inconclusive");
        });

        for (const missing of ["errorRatio", "successRatio", "latencySeconds"] as const) {
            it(`is inconclusive, naming it, when the canary's ${missing} series is missing`, () => {
                const canary: TrackFigures = { ...GOOD, [missing]: undefined };
                const j = judgeStep(canary, STABLE, T);
                expect(j.verdict).to.equal("inconclusive");
                expect(j.reasons[0]).to.contain(missing);
            });
        }
    });

    describe("without the stable version's figures", () => {
        it("skips only the comparisons: the absolute gates still fail a bad canary", () => {
            expect(judgeStep(GOOD, {}, T).verdict).to.equal("pass");
            expect(judgeStep({ ...GOOD, errorRatio: 0.2, successRatio: 0.8 }, {}, T).verdict).to.equal("fail");
        });

        it("does not compare latency with a stable latency of 0 (a version that served nothing)", () => {
            expect(judgeStep(GOOD, { ...STABLE, latencySeconds: 0 }, T).verdict).to.equal("pass");
        });
    });

    it("applies configured thresholds instead of the seeds'", () => {
        const strict: Thresholds = { ...T, maxErrorRatio: 0.001, maxErrorRatioAboveStable: 0.001 };
        expect(judgeStep(GOOD, STABLE, T).verdict).to.equal("pass");
        expect(judgeStep(GOOD, STABLE, strict).verdict).to.equal("fail");
    });
});
