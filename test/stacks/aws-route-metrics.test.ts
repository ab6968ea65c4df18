/**
 * The cloud's per-route signals for the models whose engines export no metrics of their own (ComfyUI): the ALB's
 * per-target-group CloudWatch metrics through a CloudWatch exporter of their own, and the blackbox exporter probing
 * each model's tracks through their Services. What the alert rules, panels and probes of the image model read.
 */
import { expect } from "chai";
import { parse } from "yaml";
import { ALB_SIGNALS } from "../../catalog/alb-metrics";
import { CHARTS } from "../../catalog/charts";
import { modelVersions } from "../../components/inference/model";
import { BLACKBOX_MODULE } from "../../components/observability/config-files";
import { readsLoadBalancerSignals } from "../../components/observability/signals";
import { resolveStackConfig } from "../../scripts/offline/stack-files";
import { stackConfigOf } from "../support/dev-stack";
import { offlineArnSuffix, ProgramRun } from "../harness";
import { evaluatedStack, evaluatedWith } from "../support/stacks";

const RELEASE = "kubernetes:helm.sh/v3:Release";

for (const stack of ["staging", "prod"] as const) {
    describe(`${stack}: the ALB's per-route metrics and the models' probes`, () => {
        let run: ProgramRun;
        before(async () => {
            run = await evaluatedStack(stack);
        });
        const cfg = stackConfigOf(stack);
        const routed = cfg.models.filter(readsLoadBalancerSignals);
        /** The mock's ARN suffix of a resource the stack registered. */
        const suffix = (type: "aws:lb/targetGroup:TargetGroup" | "aws:lb/loadBalancer:LoadBalancer", name: string) => offlineArnSuffix(type, run.one(type, name).name);

        it("reads the ALB's metrics for exactly the models whose engines export none: the image model", () => {
            expect(routed.map((m) => m.name)).to.deep.equal(["image"]);
        });

        it("asks CloudWatch, in the stack's region, for each such model's target groups' requests, target 5xx and p95 latency, minute by minute", () => {
            const release = run.one(RELEASE, "observability-alb-metrics-exporter");
            expect(release.inputs).to.include({ chart: CHARTS.cloudwatchExporter.chart, version: CHARTS.cloudwatchExporter.version, namespace: "monitoring" });
            const config = parse(release.inputs.values.config);
            expect(config.region).to.equal("us-east-1");
            const targetGroups = routed.flatMap((m) => modelVersions(m).map(({ track }) => suffix("aws:lb/targetGroup:TargetGroup", `lb-${m.name}-${track}`)));
            expect(targetGroups).to.have.length.greaterThan(0);
            const common = {
                aws_namespace: "AWS/ApplicationELB",
                aws_dimensions: ["LoadBalancer", "TargetGroup"],
                // Every dimension's values named: the exporter calls GetMetricStatistics only, never ListMetrics.
                aws_dimension_select: { LoadBalancer: [suffix("aws:lb/loadBalancer:LoadBalancer", "lb")], TargetGroup: targetGroups },
                period_seconds: 60,
                range_seconds: 60,
                delay_seconds: 300,
                set_timestamp: false,
            };
            expect(config.metrics).to.deep.equal([
                { ...common, aws_metric_name: "RequestCount", aws_statistics: ["Sum"] },
                { ...common, aws_metric_name: "HTTPCode_Target_5XX_Count", aws_statistics: ["Sum"] },
                { ...common, aws_metric_name: "TargetResponseTime", aws_extended_statistics: ["p95"] },
            ]);
        });

        it("labels each target group's series with the model and track it serves, scraped once a minute", () => {
            const values = run.one(RELEASE, "observability-alb-metrics-exporter").inputs.values;
            expect(values.serviceMonitor.interval).to.equal("60s");
            const relabelings = values.serviceMonitor.metricRelabelings as { sourceLabels: string[]; regex: string; targetLabel: string; replacement: string }[];
            for (const model of routed) {
                for (const { track } of modelVersions(model)) {
                    const targetGroup = suffix("aws:lb/targetGroup:TargetGroup", `lb-${model.name}-${track}`);
                    const applied = relabelings.filter((r) => r.sourceLabels[0] === ALB_SIGNALS.targetGroupLabel && new RegExp(`^(?:${r.regex})$`).test(targetGroup));
                    expect(Object.fromEntries(applied.map((r) => [r.targetLabel, r.replacement])), targetGroup).to.deep.equal({ model: model.name, track });
                }
            }
            // No rule matches another target group, however alike its name.
            expect(relabelings.filter((r) => new RegExp(`^(?:${r.regex})$`).test("targetgroup/lb-image-stable/0123456789abcdeX"))).to.deep.equal([]);
        });

        it("runs it as its own hardened exporter, with a Pod Identity role that may only read CloudWatch metrics", () => {
            const release = run.one(RELEASE, "observability-alb-metrics-exporter");
            const values = release.inputs.values;
            expect(values.fullnameOverride).to.equal("alb-metrics-exporter");
            expect(values.serviceAccount).to.deep.equal({ create: true, name: "alb-metrics-exporter", automountServiceAccountToken: false });
            expect(values.rbac).to.deep.equal({ create: false });
            expect(values).to.not.have.property("aws");
            expect(values.securityContext).to.deep.include({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
            expect(release.dependsOn).to.include("aws:eks/podIdentityAssociation:PodIdentityAssociation::alb-metrics-exporter");
            const policy = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", "alb-metrics-exporter").inputs.policy);
            expect(policy.Statement).to.deep.equal([{ Effect: "Allow", Action: ["cloudwatch:GetMetricStatistics"], Resource: "*" }]);
            expect(run.one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "alb-metrics-exporter").inputs).to.include({ namespace: "monitoring", serviceAccount: "alb-metrics-exporter" });
        });

        it("probes every track of every model through its Service's health endpoint, redirects refused, its probe_success labeled with model and track", () => {
            const release = run.one(RELEASE, "observability-blackbox-exporter");
            expect(release.inputs).to.include({ chart: CHARTS.blackboxExporter.chart, version: CHARTS.blackboxExporter.version, namespace: "monitoring" });
            const values = release.inputs.values;
            expect(values.config.modules[BLACKBOX_MODULE].http).to.deep.include({ valid_status_codes: [200], follow_redirects: false });
            expect(values.serviceMonitor.enabled).to.equal(true);
            expect(values.serviceMonitor.defaults.module).to.equal(BLACKBOX_MODULE);
            const expected = cfg.models.flatMap((model) =>
                modelVersions(model).map(({ track }) => {
                    const service = run.one("kubernetes:core/v1:Service", `model-${model.name}-${track}`).inputs;
                    return {
                        name: `${model.name}-${track}`,
                        url: `http://${service.metadata.name}.${service.metadata.namespace}.svc:${service.spec.ports[0].port}${model.engine.health.path}`,
                        additionalMetricsRelabels: { component: "probe", model: model.name, track },
                    };
                }),
            );
            expect(values.serviceMonitor.targets).to.deep.equal(expected);
            expect(values.podSecurityContext).to.deep.include({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
            expect(values.nodeSelector).to.deep.equal({ "genai.io/role": "system" });
        });

        it("reads the image model's errors and latency from the ALB and its availability from the probes, in the alert rules", () => {
            const rules = run.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "observability-rules").inputs.spec.groups.flatMap((g: any) => g.rules);
            const of = (alert: string) => rules.find((r: any) => r.alert === alert && r.labels.model === "image")?.expr as string | undefined;
            expect(of("HighErrorRate")).to.contain(`${ALB_SIGNALS.serverErrors.metric}{model="image"}`);
            expect(of("ImageGenerationSlow")).to.contain(`${ALB_SIGNALS.latency.metric}{model="image"}`);
            expect(of("ModelUnavailable")).to.equal('max by (model) (probe_success{component="probe", model="image"}) == 0');
            expect(of("ServiceDown")).to.equal('probe_success{component="probe", model="image"} == 0');
        });
    });
}

describe("staging with only models that export their own metrics", () => {
    it("runs no ALB metrics exporter and no role for it, and still probes every track", async () => {
        const models = JSON.parse(resolveStackConfig("staging").values["genai-platform:models"]).filter((m: { name: string }) => m.name !== "image");
        const run = await evaluatedWith("staging", { models });
        expect(run.ofType(RELEASE).map((r) => r.name)).to.not.include("observability-alb-metrics-exporter");
        expect(run.ofType("aws:iam/role:Role").map((r) => r.name)).to.not.include("alb-metrics-exporter");
        const targets = run.one(RELEASE, "observability-blackbox-exporter").inputs.values.serviceMonitor.targets.map((t: { name: string }) => t.name);
        expect(targets).to.deep.equal(["llm-stable", "llm-canary"]);
    });
});
