import { expect } from "chai";
import { CATALOG } from "../../catalog";
import { CATALOG_CHECKED_ON } from "../../catalog/evidence";
import { ProgramRun } from "../harness";
import { stackConfigOf } from "../support/dev-stack";
import { awsVersionContract, chartContract, cloneCatalog, metricContract, probeContract, userContract, writable } from "../support/contracts";
import { evaluatedStack } from "../support/stacks";

/** Days of standard support the pinned EKS version must have left on the catalog's check day. */
const EKS_MARGIN_DAYS = 60;
const STACKS = ["dev", "staging", "prod"] as const;

describe("catalog contracts: what each stack declares agrees with the catalog", () => {
    const runs: Partial<Record<(typeof STACKS)[number], ProgramRun>> = {};
    before(async () => {
        for (const stack of STACKS) runs[stack] = await evaluatedStack(stack);
    });

    for (const stack of STACKS) {
        describe(stack, () => {
            const cfg = stackConfigOf(stack);
            it("reads only metrics that the engine releases, exporters and charts it deploys export", () => {
                expect(metricContract(runs[stack]!, cfg, CATALOG)).to.deep.equal([]);
            });
            it("checks health on each image's health endpoint and port, never accepting a redirect", () => {
                expect(probeContract(runs[stack]!, cfg, CATALOG)).to.deep.equal([]);
            });
            it("runs every container and pod as a user its image supports", () => {
                expect(userContract(runs[stack]!, CATALOG)).to.deep.equal([]);
            });
            if (stack !== "dev") {
                it("installs only catalog charts that support the cluster's Kubernetes minor, the autoscaler of the same minor", () => {
                    expect(chartContract(runs[stack]!, cfg, CATALOG)).to.deep.equal([]);
                });
                it(`creates only engine versions AWS still creates, EKS in standard support ${EKS_MARGIN_DAYS} days past the catalog's check`, () => {
                    expect(awsVersionContract(runs[stack]!, CATALOG, CATALOG_CHECKED_ON, EKS_MARGIN_DAYS)).to.deep.equal([]);
                });
            }
        });
    }

    describe("a fact broken on purpose is named", () => {
        it("an engine metric renamed: the cloud's queue alert and autoscaler read a metric the release no longer exports", () => {
            const catalog = cloneCatalog();
            for (const release of writable(catalog).engines.vllm.releases) release.signals.queueLength = { ...release.signals.queueLength, metric: "vllm:num_requests_queued" } as never;
            const problems = metricContract(runs.staging!, stackConfigOf("staging"), catalog);
            expect(problems.join("\n")).to.contain("alert QueueBacklog reads vllm:num_requests_waiting, which no release of model llm exports");
            expect(problems.join("\n")).to.contain("ScaledObject model-llm-stable-autoscaler trigger queue-length reads vllm:num_requests_waiting");
        });
        it("a signal one release lacks: a query of the model needs every release it runs to export it", () => {
            const catalog = cloneCatalog();
            writable(catalog).engines.vllm.releases[1].signals.kvCacheUsage = { kind: "absent", reason: "renamed", fallback: "none" };
            expect(metricContract(runs.staging!, stackConfigOf("staging"), catalog).join("\n")).to.contain('panel "llm: KV cache usage" reads vllm:kv_cache_usage_perc');
        });
        it("a load balancer metric dropped: dev's error alert for an engine without status counts names it", () => {
            const catalog = cloneCatalog();
            writable(catalog).images.haproxy.metrics!.names = ["haproxy_server_status"];
            expect(metricContract(runs.dev!, stackConfigOf("dev"), catalog).join("\n")).to.contain("alert HighErrorRate reads haproxy_server_http_responses_total");
        });
        it("a health endpoint moved: the model's healthcheck and the load balancer's check name it", () => {
            const catalog = cloneCatalog();
            writable(catalog).engines["llama-cpp"].health.path = "/v1/health";
            const problems = probeContract(runs.dev!, stackConfigOf("dev"), catalog).join("\n");
            expect(problems).to.contain("load balancer backend model-llm checks /health, the health endpoint of ghcr.io/ggml-org/llama.cpp:server-b10573 is /v1/health");
        });
        it("a port changed: the container's healthcheck names it", () => {
            const catalog = cloneCatalog();
            const grafana = writable(catalog).images.grafana;
            grafana.health = { ...grafana.health, port: 3001 } as never;
            expect(probeContract(runs.dev!, stackConfigOf("dev"), catalog).join("\n")).to.contain("container observability-grafana (grafana/grafana:12.3.1) checks health with");
        });
        it("an engine's port changed: the cloud's Deployments and target groups name it", () => {
            const catalog = cloneCatalog();
            writable(catalog).engines.vllm.port = 8001;
            const problems = probeContract(runs.prod!, stackConfigOf("prod"), catalog).join("\n");
            expect(problems).to.contain("Deployment model-llm-stable serves on 8000, vllm/vllm-openai:v0.30.0-cu129 listens on 8001");
            expect(problems).to.contain("target group lb-llm-stable sends to port 8000, vllm/vllm-openai:v0.30.0-cu129 listens on 8001");
        });
        it("an image's user changed: the container running it as the old user is named", () => {
            const catalog = cloneCatalog();
            writable(catalog).images.postgres.user.uid = 999;
            expect(userContract(runs.dev!, catalog).join("\n")).to.contain("container postgres runs postgres:15.17-alpine as 70:70; the image supports 999:70");
            const vllm = cloneCatalog();
            for (const release of writable(vllm).engines.vllm.releases) release.user.uid = 1001;
            expect(userContract(runs.staging!, vllm).join("\n")).to.contain("Deployment model-llm-stable container server runs vllm/vllm-openai:v0.30.0-cu129 as 2000:0");
        });
        it("a chart that stops supporting the cluster's minor, and an autoscaler of another minor, are named", () => {
            const catalog = cloneCatalog();
            writable(catalog).charts.keda.kubeMinors.max = "1.34";
            writable(catalog).charts.clusterAutoscaler.appVersion = "1.34.2";
            const problems = chartContract(runs.prod!, stackConfigOf("prod"), catalog).join("\n");
            expect(problems).to.contain("chart keda keda 2.20.2 supports Kubernetes up to 1.34, the cluster runs 1.35");
            expect(problems).to.contain("the cluster autoscaler 1.34.2 does not match the cluster's minor 1.35");
        });
        it("a retired or soon unsupported version is named", () => {
            const catalog = cloneCatalog();
            writable(catalog).eksVersions.find((v) => v.version === "1.35")!.standardSupportEnd = "2026-12-20";
            writable(catalog).rdsPostgres.engineVersion = "15.10";
            const problems = awsVersionContract(runs.prod!, catalog, CATALOG_CHECKED_ON, EKS_MARGIN_DAYS).join("\n");
            expect(problems).to.contain("EKS 1.35 leaves standard support on 2026-12-20, less than 60 days after the catalog was checked");
            expect(problems).to.contain("creates postgres 15, the catalog's creatable version is postgres 15.10");
        });
    });
});
