import { ResourceValidationPolicy } from "@pulumi/policy";
import { describeRange, IngressRange, isOnlyTcpPortIn, WORLD_CIDRS, worldOpenRuleIds } from "../lib/network";
import { policyConfig, validateTypes } from "../lib/policy";
import { asList, asNumber, asObject, asString, asStrings, Props } from "../lib/props";
import { ALB_TIER_TAG, AWS } from "../lib/types";

interface Config {
    /** TCP ports the load balancer's security group may open to the world. */
    readonly allowedWorldPorts: readonly number[];
}

const DEFAULTS: Config = { allowedWorldPorts: [80, 443] };

/** One ingress rule open to the world, whichever of the three forms declares it. */
interface WorldIngress {
    readonly range: IngressRange;
    readonly cidrs: string[];
    /** Whether the rule belongs to the load balancer's security group. */
    readonly forLoadBalancer: boolean;
}

const world = (cidrs: string[]): string[] => cidrs.filter((c) => WORLD_CIDRS.has(c));
const hasAlbTag = (props: Props): boolean => asObject(props.tags)?.[ALB_TIER_TAG.key] === ALB_TIER_TAG.value;
const hasAlbDescription = (props: Props): boolean => /^alb/i.test(asString(props.description) ?? "");

function range(protocol: unknown, fromPort: unknown, toPort: unknown): IngressRange {
    return { protocol: asString(protocol) ?? String(asNumber(protocol) ?? "-1"), fromPort: asNumber(fromPort), toPort: asNumber(toPort) };
}

/**
 * World-open ingress of a security group (inline `ingress`), a SecurityGroupRule or a
 * SecurityGroupIngressRule. A group is the load balancer's when it carries the tag
 * `genai:tier: alb`; a rule resource, which cannot see its group's tags, when it carries that
 * tag itself (SecurityGroupIngressRule) or its description starts with "alb".
 */
function worldIngress(type: string, props: Props): WorldIngress[] {
    switch (type) {
        case AWS.securityGroup:
            return asList(props.ingress).flatMap((item) => {
                const rule = asObject(item) ?? {};
                const cidrs = world([...asStrings(rule.cidrBlocks), ...asStrings(rule.ipv6CidrBlocks)]);
                return cidrs.length === 0 ? [] : [{ range: range(rule.protocol, rule.fromPort, rule.toPort), cidrs, forLoadBalancer: hasAlbTag(props) }];
            });
        case AWS.securityGroupRule: {
            const cidrs = world([...asStrings(props.cidrBlocks), ...asStrings(props.ipv6CidrBlocks)]);
            if (props.type !== "ingress" || cidrs.length === 0) return [];
            return [{ range: range(props.protocol, props.fromPort, props.toPort), cidrs, forLoadBalancer: hasAlbDescription(props) }];
        }
        default: {
            const cidrs = world(asStrings([props.cidrIpv4, props.cidrIpv6]));
            if (cidrs.length === 0) return [];
            const forLoadBalancer = hasAlbTag(props) || hasAlbDescription(props);
            return [{ range: range(props.ipProtocol, props.fromPort, props.toPort), cidrs, forLoadBalancer }];
        }
    }
}

/**
 * Only the load balancer's security group accepts traffic from anywhere, and only on 80/443
 * (Checkov CKV_AWS_24, CKV_AWS_25, CKV_AWS_260, CKV_AWS_277; FSBP EC2.18, EC2.19).
 */
export const securityGroupIngressRestricted: ResourceValidationPolicy = {
    name: "security-group-ingress-restricted",
    description:
        "Ingress from 0.0.0.0/0 or ::/0 is allowed only on TCP 80/443 of the load balancer's security group " +
        "(Checkov CKV_AWS_24, CKV_AWS_25, CKV_AWS_260, CKV_AWS_277; FSBP EC2.18, EC2.19).",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Open other ports to the VPC CIDR or to a source security group. Mark the ALB's security group with the tag " +
        "genai:tier=alb (a SecurityGroupIngressRule with that tag, or a SecurityGroupRule whose description starts with \"alb\").",
    configSchema: {
        properties: {
            allowedWorldPorts: {
                type: "array",
                items: { type: "integer", minimum: 0, maximum: 65535 },
                default: [...DEFAULTS.allowedWorldPorts],
                description: "TCP ports the load balancer's security group may open to the world",
            },
        },
    },
    validateResource: validateTypes(
        [AWS.securityGroup, AWS.securityGroupRule, AWS.securityGroupIngressRule],
        (props, args, reportViolation) => {
            const { allowedWorldPorts } = policyConfig(args, DEFAULTS);
            for (const rule of worldIngress(args.type, props)) {
                if (rule.forLoadBalancer && isOnlyTcpPortIn(rule.range, allowedWorldPorts)) continue;
                const why = rule.forLoadBalancer
                    ? `only TCP ${allowedWorldPorts.join("/")} may be open to the world`
                    : "it is not the load balancer's security group (tag genai:tier=alb)";
                const ids = [...worldOpenRuleIds(rule.range), "EC2.18", "EC2.19"];
                reportViolation(`ingress ${describeRange(rule.range)} from ${rule.cidrs.join(", ")} is not allowed: ${why} (${ids.join(", ")}).`);
            }
        },
    ),
};
