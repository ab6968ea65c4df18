import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { named, Tags } from "../shared/tags";
import { RateLimits } from "./upstreams";
import { TrafficSplit } from "./split";

/** One model behind the ALB. */
export interface AlbModelRoute {
    readonly split: TrafficSplit;
    /** Port of the model's pods. */
    readonly port: number;
    readonly healthPath: string;
}

export interface AwsLoadBalancerArgs {
    /** Prefix of resource names, e.g. `genai-prod`. */
    readonly prefix: string;
    /** VPC of the stack. */
    readonly vpcId: pulumi.Input<string>;
    /** Public subnets the ALB is placed in. */
    readonly publicSubnetIds: pulumi.Input<string>[];
    /** Security group of the service (its tier). */
    readonly securityGroupId: pulumi.Input<string>;
    /** ACM certificate of the HTTPS listener. */
    readonly certificateArn: string;
    /** The models behind the ALB, with their splits, ports and health paths. */
    readonly routes: readonly AlbModelRoute[];
    /** Grafana, served under `/grafana/` (it serves from that sub-path itself). */
    readonly grafana?: { port: number; healthPath: string };
    /** Per-client rate limits, enforced by an AWS WAF web ACL on the ALB; over the limit answers 429. */
    readonly rateLimits: RateLimits;
    /** Seconds a client sticks to a version; 0 turns stickiness off. */
    readonly stickinessSeconds: number;
    /** Bucket and prefix of the access logs. */
    readonly accessLogs: { bucket: pulumi.Input<string>; prefix: string };
    /** Refuse deletion of the ALB (prod). */
    readonly deletionProtection: boolean;
    /** Tags of every taggable resource of the component. */
    readonly tags: Tags;
    /** Resources that must exist first. */
    readonly dependsOn?: pulumi.Resource[];
}

/** TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** Priority of the first model's listener rule. */
const FIRST_RULE_PRIORITY = 100;

/** Seconds of the WAF rate-limit window. */
export const WAF_WINDOW_SECONDS = 60;

/**
 * WAF rate-based rules, per client IP over a 60 s window: the per-minute model limit on `/models/`,
 * the API limit on everything, the login limit on Grafana's login. The same `RateLimits` feed HAProxy in dev.
 */
export function wafRateRules(limits: RateLimits): aws.types.input.wafv2.WebAclRule[] {
    const rule = (name: string, priority: number, limit: number, pathPrefix?: string): aws.types.input.wafv2.WebAclRule => ({
        name,
        priority,
        action: { block: { customResponse: { responseCode: 429 } } },
        statement: {
            rateBasedStatement: {
                limit: Math.max(10, limit),
                evaluationWindowSec: WAF_WINDOW_SECONDS,
                aggregateKeyType: "IP",
                scopeDownStatement: pathPrefix
                    ? { byteMatchStatement: { positionalConstraint: "STARTS_WITH", searchString: pathPrefix, fieldToMatch: { uriPath: {} }, textTransformations: [{ priority: 0, type: "NONE" }] } }
                    : undefined,
            },
        },
        visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
    });
    return [
        rule("models-per-client-minute", 1, limits.perMinute, "/models/"),
        rule("api-per-client", 2, limits.apiPerSecond * WAF_WINDOW_SECONDS),
        rule("login-per-client", 3, limits.authPerSecond * WAF_WINDOW_SECONDS, "/grafana/login"),
    ];
}

/** The forward action of one model's listener rule: the split as ALB target-group weights. */
export function weightedForward(
    split: TrafficSplit,
    stableArn: pulumi.Input<string>,
    canaryArn: pulumi.Input<string>,
    stickinessSeconds: number,
): aws.types.input.lb.ListenerRuleAction {
    return {
        type: "forward",
        forward: {
            targetGroups: [
                { arn: stableArn, weight: split.stable },
                { arn: canaryArn, weight: split.canary },
            ],
            stickiness: stickinessSeconds > 0 ? { enabled: true, duration: stickinessSeconds } : { enabled: false, duration: 1 },
        },
    };
}

/**
 * The internet-facing ALB: HTTPS with a TLS 1.2+ policy, HTTP that only redirects, invalid headers
 * dropped, access logs to S3, and per model a stable and a canary target group (IP targets, health
 * checked on the model's health path) behind a listener rule that splits traffic by the weights.
 * Weight 0 or 100 is the blue/green switch.
 */
export class AwsLoadBalancer extends pulumi.ComponentResource {
    public readonly loadBalancer: aws.lb.LoadBalancer;
    public readonly httpsListener: aws.lb.Listener;
    /** Target groups by model, then track. */
    public readonly targetGroups: Record<string, { stable: aws.lb.TargetGroup; canary: aws.lb.TargetGroup }> = {};
    public readonly grafanaTargetGroup?: aws.lb.TargetGroup;
    public readonly dnsName: pulumi.Output<string>;

    constructor(name: string, args: AwsLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:traffic:LoadBalancer", name, {}, opts);
        const parent = { parent: this };
        const t = (n: string) => named(args.tags, `${args.prefix}-${n}`);

        this.loadBalancer = new aws.lb.LoadBalancer(
            `${name}`,
            {
                namePrefix: "genai-",
                loadBalancerType: "application",
                internal: false,
                securityGroups: [args.securityGroupId],
                subnets: args.publicSubnetIds,
                dropInvalidHeaderFields: true,
                enableDeletionProtection: args.deletionProtection,
                idleTimeout: 300,
                accessLogs: { bucket: args.accessLogs.bucket, prefix: args.accessLogs.prefix, enabled: true },
                tags: t("alb"),
            },
            { parent: this, dependsOn: args.dependsOn },
        );
        this.httpsListener = new aws.lb.Listener(
            `${name}-https`,
            {
                loadBalancerArn: this.loadBalancer.arn,
                port: 443,
                protocol: "HTTPS",
                sslPolicy: TLS_POLICY,
                certificateArn: args.certificateArn,
                defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "not found" } }],
                tags: t("https"),
            },
            parent,
        );
        new aws.lb.Listener(
            `${name}-http`,
            {
                loadBalancerArn: this.loadBalancer.arn,
                port: 80,
                protocol: "HTTP",
                defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
                tags: t("http-redirect"),
            },
            parent,
        );

        args.routes.forEach((route, i) => {
            const model = route.split.model;
            const targetGroup = (track: "stable" | "canary") =>
                new aws.lb.TargetGroup(
                    `${name}-${model}-${track}`,
                    {
                        namePrefix: `${track === "stable" ? "s" : "c"}-`,
                        port: route.port,
                        protocol: "HTTP",
                        targetType: "ip",
                        vpcId: args.vpcId,
                        deregistrationDelay: 30,
                        healthCheck: { path: route.healthPath, matcher: "200", interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 },
                        tags: { ...t(`${model}-${track}`), "genai:model": model, "genai:track": track },
                    },
                    parent,
                );
            const groups = { stable: targetGroup("stable"), canary: targetGroup("canary") };
            this.targetGroups[model] = groups;
            new aws.lb.ListenerRule(
                `${name}-${model}`,
                {
                    listenerArn: this.httpsListener.arn,
                    priority: FIRST_RULE_PRIORITY + i,
                    conditions: [{ pathPattern: { values: [`/models/${model}/*`] } }],
                    transforms: [{ type: "url-rewrite", urlRewriteConfig: { rewrite: { regex: `^/models/${model}/(.*)$`, replace: "/$1" } } }],
                    actions: [weightedForward(route.split, groups.stable.arn, groups.canary.arn, args.stickinessSeconds)],
                    tags: t(`${model}-rule`),
                },
                parent,
            );
        });
        if (args.grafana) {
            this.grafanaTargetGroup = new aws.lb.TargetGroup(
                `${name}-grafana`,
                {
                    namePrefix: "g-",
                    port: args.grafana.port,
                    protocol: "HTTP",
                    targetType: "ip",
                    vpcId: args.vpcId,
                    deregistrationDelay: 30,
                    healthCheck: { path: args.grafana.healthPath, matcher: "200", interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 },
                    tags: t("grafana"),
                },
                parent,
            );
            new aws.lb.ListenerRule(
                `${name}-grafana`,
                {
                    listenerArn: this.httpsListener.arn,
                    priority: FIRST_RULE_PRIORITY - 1,
                    conditions: [{ pathPattern: { values: ["/grafana", "/grafana/*"] } }],
                    actions: [{ type: "forward", targetGroupArn: this.grafanaTargetGroup.arn }],
                    tags: t("grafana-rule"),
                },
                parent,
            );
        }
        const acl = new aws.wafv2.WebAcl(
            `${name}-rate-limits`,
            {
                namePrefix: `${args.prefix}-`,
                scope: "REGIONAL",
                defaultAction: { allow: {} },
                rules: wafRateRules(args.rateLimits),
                visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: `${args.prefix}-alb`, sampledRequestsEnabled: true },
                tags: t("waf"),
            },
            parent,
        );
        new aws.wafv2.WebAclAssociation(`${name}-rate-limits`, { resourceArn: this.loadBalancer.arn, webAclArn: acl.arn }, parent);
        this.dnsName = this.loadBalancer.dnsName;
        this.registerOutputs({ dnsName: this.dnsName });
    }
}
