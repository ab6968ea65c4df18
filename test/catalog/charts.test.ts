import { expect } from "chai";
import { chartSupportProblem, CHARTS, compareMinors, minorOf } from "../../catalog/charts";
import { ChartEntry } from "../../catalog/charts";
import { stackConfigOf } from "../support/dev-stack";

const CHART_LIST: [string, ChartEntry][] = Object.entries(CHARTS);

describe("catalog charts", () => {
    describe("minorOf", () => {
        it("takes major.minor of a Kubernetes or application version, with or without v and suffixes", () => {
            expect(minorOf("v1.35.0")).to.equal("1.35");
            expect(minorOf("1.35")).to.equal("1.35");
            expect(minorOf("1.33.4-eks-a1b2c3")).to.equal("1.33");
            expect(minorOf("v0.93.1")).to.equal("0.93");
        });

        it("refuses what is not a version, naming it", () => {
            expect(() => minorOf("latest")).to.throw("not a version: latest");
            expect(() => minorOf("v1")).to.throw("not a version: v1");
            expect(() => minorOf("")).to.throw(/not a version/);
        });
    });

    describe("compareMinors", () => {
        it("compares minors as numbers, not as text", () => {
            expect(compareMinors("1.9", "1.10")).to.be.lessThan(0);
            expect(compareMinors("1.10", "1.9")).to.be.greaterThan(0);
            expect(compareMinors("1.35", "1.35")).to.equal(0);
        });

        it("orders by the major first", () => {
            expect(compareMinors("2.0", "1.99")).to.be.greaterThan(0);
            expect(compareMinors("0.99", "1.0")).to.be.lessThan(0);
        });
    });

    describe("chartSupportProblem", () => {
        const keda = CHARTS.keda;

        it("accepts every minor from min to max, inclusive", () => {
            for (const minor of [keda.kubeMinors.min, "1.34", keda.kubeMinors.max]) expect(chartSupportProblem("keda", keda, minor), minor).to.equal(undefined);
        });

        it("names the chart, its version, what it needs and what the cluster runs when the cluster is older", () => {
            expect(chartSupportProblem("keda", keda, "1.32")).to.equal(`chart keda keda ${keda.version} needs Kubernetes ${keda.kubeMinors.min} or newer, the cluster runs 1.32`);
        });

        it("names the upper bound when the cluster is newer than the chart supports", () => {
            expect(chartSupportProblem("keda", keda, "1.36")).to.equal(`chart keda keda ${keda.version} supports Kubernetes up to ${keda.kubeMinors.max}, the cluster runs 1.36`);
        });

        it("accepts any newer minor when the chart documents no upper bound", () => {
            const alloy = CHARTS.alloy;
            expect(alloy.kubeMinors).to.not.have.property("max");
            expect(chartSupportProblem("alloy", alloy, "1.99")).to.equal(undefined);
            expect(chartSupportProblem("alloy", alloy, "1.24")).to.match(/needs Kubernetes 1.25 or newer/);
        });
    });

    describe("the table", () => {
        it("pins every chart to a version and names a repository", () => {
            for (const [name, chart] of CHART_LIST) {
                expect(chart.version, name).to.match(/^\d+\.\d+\.\d+$/);
                expect(chart.repo, name).to.match(/^https:\/\//);
                expect(chart.evidence.length, name).to.be.greaterThan(0);
            }
        });

        it("gives every chart a supported range whose lower bound is not above its upper bound", () => {
            for (const [name, chart] of CHART_LIST) {
                expect(() => minorOf(chart.kubeMinors.min), name).to.not.throw();
                if (chart.kubeMinors.max !== undefined) expect(compareMinors(chart.kubeMinors.min, chart.kubeMinors.max), name).to.be.at.most(0);
            }
        });

        it("runs the cluster autoscaler release of the one minor it supports", () => {
            const ca = CHARTS.clusterAutoscaler;
            expect(ca.kubeMinors.max).to.equal(ca.kubeMinors.min);
            expect(minorOf(ca.appVersion)).to.equal(ca.kubeMinors.min);
        });

        it("supports the Kubernetes minor each cloud stack pins", () => {
            for (const stack of ["staging", "prod"] as const) {
                const minor = minorOf(stackConfigOf(stack).aws!.eksVersion);
                for (const [name, chart] of CHART_LIST) expect(chartSupportProblem(name, chart, minor), `${stack} ${name}`).to.equal(undefined);
            }
        });
    });
});
