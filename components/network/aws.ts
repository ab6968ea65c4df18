import * as aws from "@pulumi/aws";
import { RDS_POSTGRES_PORT } from "../data/postgres-rds";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrustPolicy, sourceConditions } from "../shared/iam";
import { named, Tags } from "../shared/tags";

export interface AwsNetworkArgs {
    /** Prefix of resource names, e.g. `genai-prod`. */
    readonly prefix: string;
    /** CIDR of the VPC, a /16. */
    readonly cidr: string;
    /** Availability zones to span, 2 or 3: the first, by zone ID, that offer every instance type. */
    readonly availabilityZones: number;
    /** Instance types of every node group: the subnets go only to zones that offer all of them. */
    readonly instanceTypes: readonly string[];
    /** The stack's AWS account and region, which the flow logs' role is tied to. */
    readonly account: pulumi.Input<string>;
    readonly region: string;
    /** One NAT gateway for the VPC, or one per availability zone. */
    readonly natGatewayMode: "single" | "perAz";
    /** Send VPC flow logs to CloudWatch Logs. */
    readonly flowLogs: boolean;
    /** Days flow logs are kept. */
    readonly flowLogRetentionDays: number;
    /** CIDRs allowed to reach the load balancer. */
    readonly albIngressCidrs: readonly string[];
    /** Ports the model servers listen on; the load balancer reaches the nodes on these only. */
    readonly servicePorts: readonly number[];
    /** Tags of every taggable resource of the component. */
    readonly tags: Tags;
}

/** Subnet CIDRs: /20 blocks, public first, then private, carved from a /16. */
export function subnetCidrs(vpcCidr: string, zones: number): { public: string[]; private: string[] } {
    const [a, b] = vpcCidr.split("/")[0].split(".").map(Number);
    const block = (i: number) => `${a}.${b}.${i * 16}.0/20`;
    return {
        public: Array.from({ length: zones }, (_, i) => block(i)),
        private: Array.from({ length: zones }, (_, i) => block(i + 4)),
    };
}

/** One instance type offered in one zone. */
export interface ZoneOffering {
    readonly zoneId: string;
    readonly instanceType: string;
}

/**
 * The first `count` zones (in the region's order, by zone ID, which names the same zone in every
 * account) that offer every one of the instance types; throws when the region has too few.
 */
export function zonesOffering(zoneIds: readonly string[], offerings: readonly ZoneOffering[], instanceTypes: readonly string[], count: number): string[] {
    const offers = (zoneId: string, type: string) => offerings.some((o) => o.zoneId === zoneId && o.instanceType === type);
    const fit = zoneIds.filter((zoneId) => instanceTypes.every((type) => offers(zoneId, type)));
    if (fit.length < count) {
        throw new Error(
            `only ${fit.length} zone(s) of the region offer every node group's instance type (${instanceTypes.join(", ")}): ${fit.join(", ") || "none"}; availabilityZones asks for ${count}`,
        );
    }
    return fit.slice(0, count);
}

/** A security group ingress rule from a CIDR or another group, always as its own resource. */
function ingress(
    name: string,
    group: aws.ec2.SecurityGroup,
    rule: { port: number; toPort?: number; cidr?: string; from?: aws.ec2.SecurityGroup; description: string },
    tags: Record<string, string>,
    parent: pulumi.Resource,
): aws.vpc.SecurityGroupIngressRule {
    return new aws.vpc.SecurityGroupIngressRule(
        name,
        {
            securityGroupId: group.id,
            ipProtocol: "tcp",
            fromPort: rule.port,
            toPort: rule.toPort ?? rule.port,
            cidrIpv4: rule.cidr,
            referencedSecurityGroupId: rule.from?.id,
            description: rule.description,
            tags,
        },
        { parent },
    );
}

/**
 * The VPC of a cloud stack: public subnets for the load balancer only, private subnets for nodes and
 * data services, NAT for egress, flow logs when asked, and one security group per tier that admits
 * only what the tier needs: the ALB 443/80 from the configured CIDRs, the nodes from the ALB on the
 * service ports, Postgres and Redis from the nodes only.
 */
export class AwsNetwork extends pulumi.ComponentResource {
    public readonly vpc: aws.ec2.Vpc;
    public readonly publicSubnetIds: pulumi.Output<string>[];
    public readonly privateSubnetIds: pulumi.Output<string>[];
    public readonly albSecurityGroup: aws.ec2.SecurityGroup;
    public readonly nodeSecurityGroup: aws.ec2.SecurityGroup;
    public readonly databaseSecurityGroup: aws.ec2.SecurityGroup;
    public readonly cacheSecurityGroup: aws.ec2.SecurityGroup;
    public readonly fileSystemSecurityGroup: aws.ec2.SecurityGroup;

    constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:network:Vpc", name, {}, opts);
        const parent = { parent: this };
        const t = (n: string, extra?: Record<string, string>) => named(args.tags, `${args.prefix}-${n}`, extra);
        const types = [...new Set(args.instanceTypes)].sort();
        const available = aws.getAvailabilityZonesOutput({ state: "available" }, parent);
        const offered = aws.ec2.getInstanceTypeOfferingsOutput({ locationType: "availability-zone-id", filters: [{ name: "instance-type", values: types }] }, parent);
        const zoneIds = pulumi.all([available.zoneIds, offered.locations, offered.instanceTypes]).apply(([ids, locations, offeredTypes]) =>
            zonesOffering(
                ids,
                locations.map((zoneId, i) => ({ zoneId, instanceType: offeredTypes[i] })),
                types,
                args.availabilityZones,
            ),
        );
        const zone = (i: number) => zoneIds.apply((ids) => ids[i]);
        const cidrs = subnetCidrs(args.cidr, args.availabilityZones);

        this.vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: t("vpc") }, parent);
        // The default security group of a VPC allows all traffic between its members: strip it of every rule.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: this.vpc.id, ingress: [], egress: [], tags: t("default-closed") }, parent);
        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: this.vpc.id, tags: t("igw") }, parent);

        const publicTable = new aws.ec2.RouteTable(`${name}-public`, { vpcId: this.vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: t("public") }, parent);
        const publicSubnets = cidrs.public.map(
            (cidr, i) =>
                new aws.ec2.Subnet(
                    `${name}-public-${i}`,
                    {
                        vpcId: this.vpc.id,
                        cidrBlock: cidr,
                        availabilityZoneId: zone(i),
                        mapPublicIpOnLaunch: false,
                        tags: t(`public-${i}`, { "kubernetes.io/role/elb": "1", tier: "public" }),
                    },
                    parent,
                ),
        );
        publicSubnets.forEach((subnet, i) => new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: subnet.id, routeTableId: publicTable.id }, parent));

        const natCount = args.natGatewayMode === "perAz" ? args.availabilityZones : 1;
        const nats = Array.from({ length: natCount }, (_, i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: t(`nat-${i}`) }, parent);
            return new aws.ec2.NatGateway(`${name}-nat-${i}`, { allocationId: eip.id, subnetId: publicSubnets[i].id, tags: t(`nat-${i}`) }, { parent: this, dependsOn: [igw] });
        });
        const privateSubnets = cidrs.private.map((cidr, i) => {
            const subnet = new aws.ec2.Subnet(
                `${name}-private-${i}`,
                { vpcId: this.vpc.id, cidrBlock: cidr, availabilityZoneId: zone(i), tags: t(`private-${i}`, { "kubernetes.io/role/internal-elb": "1", tier: "private" }) },
                parent,
            );
            const table = new aws.ec2.RouteTable(
                `${name}-private-${i}`,
                { vpcId: this.vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[i % natCount].id }], tags: t(`private-${i}`) },
                parent,
            );
            new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: table.id }, parent);
            return subnet;
        });
        this.publicSubnetIds = publicSubnets.map((s) => s.id);
        this.privateSubnetIds = privateSubnets.map((s) => s.id);

        if (args.flowLogs) this.createFlowLogs(name, args, t);

        const group = (tier: string, description: string) =>
            new aws.ec2.SecurityGroup(`${name}-${tier}`, { vpcId: this.vpc.id, description, tags: t(tier, { "genai:tier": tier }) }, parent);
        this.albSecurityGroup = group("alb", "Load balancer: HTTPS from the configured CIDRs, HTTP only to redirect");
        this.nodeSecurityGroup = group("nodes", "EKS nodes and pods: service ports from the load balancer");
        this.databaseSecurityGroup = group("database", `Postgres: ${RDS_POSTGRES_PORT} from the nodes only`);
        this.cacheSecurityGroup = group("cache", "Redis: 6379 from the nodes only");
        this.fileSystemSecurityGroup = group("filesystem", "Model-weights cache (EFS): NFS from the nodes only");

        const albRuleTags = t("alb-ingress", { "genai:tier": "alb" });
        args.albIngressCidrs.forEach((cidr, i) => {
            ingress(`${name}-alb-https-${i}`, this.albSecurityGroup, { port: 443, cidr, description: "alb: HTTPS from clients" }, albRuleTags, this);
            ingress(`${name}-alb-http-${i}`, this.albSecurityGroup, { port: 80, cidr, description: "alb: HTTP, redirected to HTTPS" }, albRuleTags, this);
        });
        const ports = [...new Set(args.servicePorts)].sort((a, b) => a - b);
        ports.forEach((port) => {
            ingress(`${name}-nodes-from-alb-${port}`, this.nodeSecurityGroup, { port, from: this.albSecurityGroup, description: "nodes: model port from the load balancer" }, t("nodes-from-alb"), this);
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-alb-to-nodes-${port}`,
                { securityGroupId: this.albSecurityGroup.id, ipProtocol: "tcp", fromPort: port, toPort: port, referencedSecurityGroupId: this.nodeSecurityGroup.id, description: "alb: to the model pods", tags: t("alb-to-nodes") },
                parent,
            );
        });
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-nodes-from-nodes`,
            { securityGroupId: this.nodeSecurityGroup.id, ipProtocol: "-1", referencedSecurityGroupId: this.nodeSecurityGroup.id, description: "nodes: pod and node traffic inside the cluster", tags: t("nodes-from-nodes") },
            parent,
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-nodes-egress`,
            { securityGroupId: this.nodeSecurityGroup.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "nodes: image pulls, weights downloads and AWS APIs through NAT", tags: t("nodes-egress") },
            parent,
        );
        ingress(`${name}-database-from-nodes`, this.databaseSecurityGroup, { port: RDS_POSTGRES_PORT, from: this.nodeSecurityGroup, description: "database: Postgres from the nodes" }, t("database-from-nodes"), this);
        ingress(`${name}-cache-from-nodes`, this.cacheSecurityGroup, { port: 6379, from: this.nodeSecurityGroup, description: "cache: Redis from the nodes" }, t("cache-from-nodes"), this);
        ingress(`${name}-filesystem-from-nodes`, this.fileSystemSecurityGroup, { port: 2049, from: this.nodeSecurityGroup, description: "filesystem: NFS from the nodes" }, t("filesystem-from-nodes"), this);

        this.registerOutputs({ vpcId: this.vpc.id, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds });
    }

    private createFlowLogs(name: string, args: AwsNetworkArgs, t: (n: string) => Record<string, string>): void {
        const parent = { parent: this };
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, { name: `/genai/${args.prefix}/vpc-flow-logs`, retentionInDays: args.flowLogRetentionDays, tags: t("flow-logs") }, parent);
        const role = new aws.iam.Role(
            `${name}-flow-logs`,
            {
                assumeRolePolicy: pulumi
                    .output(args.account)
                    .apply((account) => serviceTrustPolicy("vpc-flow-logs.amazonaws.com", sourceConditions(account, `arn:aws:ec2:${args.region}:${account}:vpc-flow-log/*`))),
                tags: t("flow-logs"),
            },
            parent,
        );
        const delivery = new aws.iam.RolePolicy(
            `${name}-flow-logs`,
            {
                role: role.id,
                policy: logGroup.arn.apply((arn) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: `${arn}:*` }],
                    }),
                ),
            },
            parent,
        );
        new aws.ec2.FlowLog(
            `${name}-flow-logs`,
            { vpcId: this.vpc.id, trafficType: "ALL", logDestination: logGroup.arn, iamRoleArn: role.arn, tags: t("flow-logs") },
            { parent: this, dependsOn: [delivery] },
        );
    }
}
