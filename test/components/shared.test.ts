import { expect } from "chai";
import { httpProbeCommand } from "../../catalog/probes";
import { httpHealthcheck, IMAGE_PULL_TIMEOUT, pullPlatform, shellHealthcheck, userSpec } from "../../components/shared/docker";
import { serviceTrustPolicy } from "../../components/shared/iam";
import { GENAI_LABELS } from "../../components/shared/labels";
import { named, platformTags } from "../../components/shared/tags";

describe("shared", () => {
    describe("pullPlatform", () => {
        it("pulls for the host's architecture when the image is published for it", () => {
            expect(pullPlatform(["amd64", "arm64"], "arm64")).to.equal("linux/arm64");
            expect(pullPlatform(["amd64", "arm64"], "amd64")).to.equal("linux/amd64");
            expect(pullPlatform(["amd64"], "amd64")).to.equal("linux/amd64");
        });

        it("pulls amd64, to run emulated, when the image lacks the host's architecture", () => {
            expect(pullPlatform(["amd64"], "arm64")).to.equal("linux/amd64");
        });
    });

    describe("userSpec", () => {
        it("writes uid:gid, group 0 included", () => {
            expect(userSpec({ uid: 2000, gid: 0 })).to.equal("2000:0");
            expect(userSpec({ uid: 65534, gid: 65534 })).to.equal("65534:65534");
        });
    });

    describe("healthchecks", () => {
        it("runs a shell command every 10 s with a 5 s timeout, failing after 5 tries once the start period is over", () => {
            expect(shellHealthcheck("pg_isready -q", 45)).to.deep.equal({ tests: ["CMD-SHELL", "pg_isready -q"], interval: "10s", timeout: "5s", retries: 5, startPeriod: "45s" });
            expect(shellHealthcheck("true").startPeriod).to.equal("30s");
        });

        it("checks HTTP with the probe command of the image's client, over the engine's load time", () => {
            const probe = { port: 8080, path: "/health" };
            const check = httpHealthcheck("curl", probe, 600);
            expect(check.tests).to.deep.equal(["CMD-SHELL", httpProbeCommand("curl", probe)]);
            expect(check.startPeriod).to.equal("600s");
        });

        it("refuses an HTTP healthcheck for an image without a client", () => {
            expect(() => httpHealthcheck("none", { port: 1, path: "/" })).to.throw(/no HTTP client/);
        });

        it("waits up to an hour for a multi-GB image pull", () => {
            expect(IMAGE_PULL_TIMEOUT).to.equal("60m");
        });
    });

    describe("tags", () => {
        it("tags every resource with environment, project, cost center and the tool that manages it", () => {
            expect(platformTags("prod", "genai-platform", "ml-platform")).to.deep.equal({ environment: "prod", project: "genai-platform", "managed-by": "pulumi", "cost-center": "ml-platform" });
        });

        it("adds a Name and the extra tags to a copy, leaving the shared tags untouched", () => {
            const tags = platformTags("prod", "genai-platform", "ml-platform");
            const resource = named(tags, "genai-prod-vpc", { tier: "public" });
            expect(resource).to.deep.equal({ ...tags, Name: "genai-prod-vpc", tier: "public" });
            expect(tags).to.not.have.property("Name");
            expect(tags).to.not.have.property("tier");
        });
    });

    describe("serviceTrustPolicy", () => {
        it("lets only the named service assume the role, with session tags for Pod Identity", () => {
            const policy = JSON.parse(serviceTrustPolicy("pods.eks.amazonaws.com"));
            expect(policy.Version).to.equal("2012-10-17");
            expect(policy.Statement).to.deep.equal([{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }]);
        });
    });

    describe("Docker labels", () => {
        it("names every platform label under genai., each once", () => {
            const labels = Object.values(GENAI_LABELS);
            expect(new Set(labels).size).to.equal(labels.length);
            for (const label of labels) expect(label).to.match(/^genai\.[a-z-]+$/);
            expect(GENAI_LABELS).to.include({ stack: "genai.stack", component: "genai.component", model: "genai.model", track: "genai.track" });
        });
    });
});
