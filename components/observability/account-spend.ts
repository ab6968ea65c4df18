import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { podIdentityRole } from "../shared/iam";
import { named, Tags } from "../shared/tags";

/**
 * The account's month-to-date spend as CloudWatch publishes it: AWS/Billing EstimatedCharges in USD, account-wide,
 * in us-east-1 only, a few times a day, once "Receive CloudWatch billing alerts" is on in the Billing preferences.
 */
export const BILLING_METRIC = { region: "us-east-1", namespace: "AWS/Billing", name: "EstimatedCharges", currency: "USD" } as const;

/**
 * CloudWatch's billing statistics: 1-hour periods. The exporter's periods start at the scrape time minus the range and
 * its 10-minute delay, rounded down to the minute (GetMetricStatisticsDataGetter at v0.16.0), not at midnight: a
 * 6-hour period could hold the previous month's last estimate for hours into a new month, an hour's for at most about
 * an hour. A day of range always holds the newest datapoint of a metric AWS updates several times a day.
 */
export const BILLING_PERIOD_SECONDS = 3_600;
export const BILLING_RANGE_SECONDS = 86_400;

/**
 * What the exporter calls with the configuration below: GetMetricStatistics only, since the configuration names the
 * value of every dimension (no ListMetrics) and selects no tags (no tag:GetResources) (catalog/charts.ts,
 * cloudwatchExporter evidence).
 */
export const CLOUDWATCH_EXPORTER_ACTIONS = ["cloudwatch:GetMetricStatistics"] as const;

/** The service account the chart creates for the exporter, pinned so that the Pod Identity association matches it. */
export const CLOUDWATCH_EXPORTER_SERVICE_ACCOUNT = "cloudwatch-exporter";

/**
 * The exporter's configuration: the one billing metric, statistic Maximum (the estimate only grows within a month).
 * `set_timestamp: false`: samples carry the scrape's time, not CloudWatch's hours-old one, which Prometheus would drop
 * as out of bounds or show as absent after its 5-minute lookback.
 */
export function renderCloudwatchExporterConfig(): string {
    return stringify({
        region: BILLING_METRIC.region,
        metrics: [
            {
                aws_namespace: BILLING_METRIC.namespace,
                aws_metric_name: BILLING_METRIC.name,
                aws_dimensions: ["Currency"],
                aws_dimension_select: { Currency: [BILLING_METRIC.currency] },
                aws_statistics: ["Maximum"],
                period_seconds: BILLING_PERIOD_SECONDS,
                range_seconds: BILLING_RANGE_SECONDS,
                set_timestamp: false,
            },
        ],
    });
}

/**
 * The exporter's permissions: exactly the actions it calls, on every resource. CloudWatch's metric reads support no
 * resource-level permissions, so `*` is the only resource they accept:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 */
export function renderCloudWatchReaderPolicy(): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: [...CLOUDWATCH_EXPORTER_ACTIONS], Resource: "*" }] });
}

export interface AwsCloudWatchReaderArgs {
    /** Prefix of resource names, e.g. `genai-prod`. */
    readonly prefix: string;
    /** Name of the EKS cluster. */
    readonly clusterName: pulumi.Input<string>;
    /** ARN of the EKS cluster, which the role trusts alone. */
    readonly clusterArn: pulumi.Input<string>;
    /** The stack's AWS account. */
    readonly account: pulumi.Input<string>;
    /** Namespace of the exporter's service account. */
    readonly namespace: string;
    /** The exporter's service account, which the role is bound to. @default CLOUDWATCH_EXPORTER_SERVICE_ACCOUNT */
    readonly serviceAccount?: string;
    /** Tags of every taggable resource of the component. */
    readonly tags: Tags;
}

/**
 * A CloudWatch exporter's AWS identity: a role that may read CloudWatch metrics and nothing else, bound to the
 * exporter's service account through EKS Pod Identity. No static credentials. One per exporter: the account's spend
 * (us-east-1's billing metric) and the ALB's per-route metrics (the stack's region) run as two.
 */
export class AwsCloudWatchReader extends pulumi.ComponentResource {
    /** Binds the role to the exporter's service account; the exporter must start after it. */
    public readonly association: pulumi.Resource;

    constructor(name: string, args: AwsCloudWatchReaderArgs, opts?: pulumi.ComponentResourceOptions) {
        // The account spend reader's first type name: renamed without replacing its role.
        super("genai:observability:CloudWatchReader", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "genai:observability:AccountSpendReader" }] });
        const serviceAccount = args.serviceAccount ?? CLOUDWATCH_EXPORTER_SERVICE_ACCOUNT;
        const reader = podIdentityRole(
            name,
            {
                clusterName: args.clusterName,
                clusterArn: args.clusterArn,
                account: args.account,
                namespace: args.namespace,
                serviceAccount,
                policy: renderCloudWatchReaderPolicy(),
                tags: named(args.tags, `${args.prefix}-${serviceAccount}`),
                associate: true,
            },
            this,
        );
        this.association = reader.association!;
        this.registerOutputs({ roleArn: reader.role.arn });
    }
}
