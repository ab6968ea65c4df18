import { expect } from "chai";
import { ALB_METRICS_EVIDENCE, ALB_METRICS_TIMING, ALB_SIGNALS, ALB_TARGET_METRICS, exporterDimensionLabel, exporterMetricName } from "../../catalog/alb-metrics";
import { CHARTS } from "../../catalog/charts";

describe("catalog: the ALB's per-route metrics as the CloudWatch exporter names them", () => {
    it("names metrics as the exporter's own examples and the billing metric the stack already reads", () => {
        // The exporter's README example, and the name the account spend alerts read (catalog/charts.ts cloudwatchExporter exports).
        expect(exporterMetricName({ namespace: "AWS/ELB", name: "RequestCount", statistic: { kind: "statistic", name: "Sum" } })).to.equal("aws_elb_request_count_sum");
        expect(exporterMetricName({ namespace: "AWS/Billing", name: "EstimatedCharges", statistic: { kind: "statistic", name: "Maximum" } })).to.equal("aws_billing_estimated_charges_maximum");
        expect(CHARTS.cloudwatchExporter.exports).to.include("aws_billing_estimated_charges_maximum");
    });

    it("names the ALB's target metrics: digits before capitals split, percentiles as a suffix of their own", () => {
        expect(ALB_SIGNALS.requests.metric).to.equal("aws_applicationelb_request_count_sum");
        expect(ALB_SIGNALS.serverErrors.metric).to.equal("aws_applicationelb_httpcode_target_5_xx_count_sum");
        expect(ALB_SIGNALS.latency.metric).to.equal("aws_applicationelb_target_response_time_p95");
        expect(exporterMetricName({ ...ALB_TARGET_METRICS.latency, statistic: { kind: "extended", name: "p99.9" } })).to.equal("aws_applicationelb_target_response_time_p99_9");
    });

    it("labels dimensions in snake case, as the README's example series", () => {
        expect(exporterDimensionLabel("TargetGroup")).to.equal("target_group");
        expect(exporterDimensionLabel("LoadBalancerName")).to.equal("load_balancer_name");
        expect(exporterDimensionLabel("AvailabilityZone")).to.equal("availability_zone");
        expect(ALB_SIGNALS.targetGroupLabel).to.equal("target_group");
    });

    it("reads every metric as CloudWatch reports it: only for minutes with a nonzero value", () => {
        for (const metric of Object.values(ALB_TARGET_METRICS)) expect(metric.reportedOnlyWhenNonZero, metric.name).to.equal(true);
    });

    it("asks for one period per scrape, late enough to be complete, stamped with the scrape's time", () => {
        expect(ALB_METRICS_TIMING.rangeSeconds).to.equal(ALB_METRICS_TIMING.periodSeconds);
        expect(ALB_METRICS_TIMING.delaySeconds).to.be.at.least(2 * ALB_METRICS_TIMING.periodSeconds);
        expect(ALB_METRICS_TIMING.setTimestamp).to.equal(false);
        expect(ALB_SIGNALS.lagSeconds).to.equal(ALB_METRICS_TIMING.delaySeconds + ALB_METRICS_TIMING.periodSeconds);
    });

    it("carries its evidence: AWS's metric reference and the exporter's source at its pinned tag", () => {
        const urls = ALB_METRICS_EVIDENCE.map((e) => e.url);
        expect(urls.some((u) => u.startsWith("https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics"))).to.equal(true);
        for (const url of urls.filter((u) => u.includes("cloudwatch_exporter"))) expect(url).to.contain(`/v${CHARTS.cloudwatchExporter.appVersion}/`);
    });
});
