import { expect } from "chai";
import { DEFAULT_PRICING, estimateMonthlyCost, missingPriceRows, priceResource, PricedInput, PricingOptions } from "../../policy/cost/estimate";
import { EC2_HOURLY, ELASTICACHE_HOURLY, RDS_POSTGRES_HOURLY } from "../../catalog/prices";
import { UNKNOWN } from "../../policy/lib/props";
import { unknownCheckingProxy } from "./harness";

const NO_TRAFFIC: PricingOptions = { ...DEFAULT_PRICING, natProcessedGbPerMonth: 0 };
const urn = (type: string, name: string): string => `urn:pulumi:prod::genai-platform::${type}::${name}`;
const resource = (type: string, name: string, props: Record<string, unknown>): PricedInput => ({ type, urn: urn(type, name), props });
const nodeGroup = (props: Record<string, unknown>) =>
    resource("aws:eks/nodeGroup:NodeGroup", "gpu", { instanceTypes: ["g5.xlarge"], scalingConfig: { desiredSize: 2, minSize: 1, maxSize: 4 }, diskSize: 100, ...props });
const monthly = (r: PricedInput, options: PricingOptions = DEFAULT_PRICING): number => {
    const price = priceResource(r, options);
    if (price.kind !== "priced") throw new Error(`${r.type} is ${price.kind}: ${JSON.stringify(price)}`);
    return price.monthlyUsd;
};

describe("cost estimate", () => {
    describe("EKS node groups (desired size x hourly x 730, plus the root disk)", () => {
        it("prices 2 on-demand g5.xlarge: 2 x 1.006 x 730 = 1468.76, plus 2 x 100 GB gp3 x 0.08 = 16", () => {
            expect(monthly(nodeGroup({ capacityType: "ON_DEMAND" }))).to.equal(1484.76);
        });

        it("prices spot at the configured discount: 1468.76 x (1 - 0.6) = 587.50, plus 16", () => {
            expect(monthly(nodeGroup({ capacityType: "SPOT" }))).to.equal(603.5);
            expect(monthly(nodeGroup({ capacityType: "SPOT" }), { ...DEFAULT_PRICING, spotDiscount: 0.5 })).to.equal(750.38);
        });

        it("prices the dearest of several instance types, and ignores min and max", () => {
            const mixed = nodeGroup({ instanceTypes: ["g6.xlarge", "g5.2xlarge"], scalingConfig: { desiredSize: 1, minSize: 0, maxSize: 9 } });
            expect(monthly(mixed)).to.equal(Math.round((1.212 * 730 + 100 * 0.08) * 100) / 100);
        });

        it("takes the root disk from the launch template the node group names (200 GB gp3)", () => {
            const template = resource("aws:ec2/launchTemplate:LaunchTemplate", "gpu", {
                id: "gpu-id",
                blockDeviceMappings: [{ ebs: { volumeSize: 200, volumeType: "gp3" } }],
            });
            const group = nodeGroup({ capacityType: "SPOT", diskSize: undefined, launchTemplate: { id: "gpu-id", version: "1" } });
            const estimate = estimateMonthlyCost([template, group], DEFAULT_PRICING);
            expect(estimate.items.find((i) => i.urn === group.urn)?.monthlyUsd).to.equal(Math.round((587.504 + 2 * 200 * 0.08) * 100) / 100);
        });

        it("uses the EKS defaults (t3.medium, 20 GB) for a node group that names neither", () => {
            const bare = resource("aws:eks/nodeGroup:NodeGroup", "bare", { scalingConfig: { desiredSize: 1, minSize: 1, maxSize: 1 } });
            expect(monthly(bare)).to.equal(Math.round((0.0416 * 730 + 20 * 0.08) * 100) / 100);
        });

        it("reports an instance type missing from the table as unpriced, never as 0", () => {
            expect(priceResource(nodeGroup({ instanceTypes: ["g7.xlarge"] }), DEFAULT_PRICING)).to.deep.equal({
                kind: "unpriced",
                reason: "instance type g7.xlarge is not in the price table",
            });
        });
    });

    it("prices RDS by class, Multi-AZ and storage: 0.45 x 730 + 100 GB x 0.23 = 351.50", () => {
        const rds = resource("aws:rds/instance:Instance", "postgres", { engine: "postgres", instanceClass: "db.r6g.large", multiAz: true, allocatedStorage: 100, storageType: "gp3" });
        expect(monthly(rds)).to.equal(351.5);
        const single = resource("aws:rds/instance:Instance", "postgres", { instanceClass: "db.t4g.medium", allocatedStorage: 50, storageType: "gp3" });
        expect(monthly(single)).to.equal(53.2);
    });

    it("prices ElastiCache by node type and node count: 2 x 0.206 x 730 = 300.76", () => {
        expect(monthly(resource("aws:elasticache/replicationGroup:ReplicationGroup", "redis", { nodeType: "cache.r6g.large", numCacheClusters: 2 }))).to.equal(300.76);
        const sharded = resource("aws:elasticache/replicationGroup:ReplicationGroup", "redis", { nodeType: "cache.m6g.large", numNodeGroups: 2, replicasPerNodeGroup: 1 });
        expect(monthly(sharded)).to.equal(Math.round(4 * 0.149 * 730 * 100) / 100);
    });

    it("prices the flat-rate services", () => {
        expect(monthly(resource("aws:ec2/natGateway:NatGateway", "nat", {}), NO_TRAFFIC)).to.equal(32.85);
        expect(monthly(resource("aws:ec2/natGateway:NatGateway", "nat", {}))).to.equal(32.85 + 4.5);
        expect(monthly(resource("aws:lb/loadBalancer:LoadBalancer", "lb", {}))).to.equal(22.27); // (0.0225 + 1 LCU x 0.008) x 730 = 22.265
        expect(monthly(resource("aws:eks/cluster:Cluster", "eks", {}))).to.equal(73);
        expect(monthly(resource("aws:kms/key:Key", "key", {}))).to.equal(1);
        expect(monthly(resource("aws:secretsmanager/secret:Secret", "secret", {}))).to.equal(0.4);
        expect(monthly(resource("aws:ebs/volume:Volume", "vol", { size: 100, type: "gp3" }))).to.equal(8);
        expect(monthly(resource("aws:s3/bucket:Bucket", "bucket", {}), { ...DEFAULT_PRICING, s3ExpectedGbPerBucket: 500 })).to.equal(11.5);
    });

    it("prices Docker, Kubernetes and glue resources at 0", () => {
        for (const type of ["docker:index/container:Container", "kubernetes:apps/v1:Deployment", "aws:iam/role:Role", "random:index/randomPassword:RandomPassword"]) {
            expect(priceResource(resource(type, "x", {}), DEFAULT_PRICING).kind, type).to.equal("free");
        }
    });

    it("sums a stack, and lists what it could not price", () => {
        const estimate = estimateMonthlyCost(
            [
                resource("aws:eks/cluster:Cluster", "eks", {}),
                resource("aws:kms/key:Key", "key", {}),
                resource("docker:index/container:Container", "lb", {}),
                resource("aws:rds/instance:Instance", "db", { instanceClass: "db.x2g.large", allocatedStorage: 10 }),
            ],
            DEFAULT_PRICING,
        );
        expect(estimate.total).to.equal(74);
        expect(estimate.items.map((i) => i.monthlyUsd)).to.deep.equal([73, 1, 0]);
        expect(estimate.unpriced).to.deep.equal([
            { urn: urn("aws:rds/instance:Instance", "db"), type: "aws:rds/instance:Instance", reason: "RDS instance class db.x2g.large is not in the price table" },
        ]);
    });

    it("reports a field unknown during preview, through the pack's proxy or as a raw sentinel", () => {
        const expected = { kind: "unknown", reason: "scalingConfig.desiredSize is unknown until apply" };
        const proxied = nodeGroup({ scalingConfig: { desiredSize: UNKNOWN, minSize: 1, maxSize: 2 } });
        expect(priceResource({ ...proxied, props: unknownCheckingProxy(proxied.props) }, DEFAULT_PRICING)).to.deep.equal(expected);
        expect(priceResource(proxied, DEFAULT_PRICING)).to.deep.equal(expected);
        const unknownType = nodeGroup({ instanceTypes: ["g5.xlarge", UNKNOWN] });
        expect(priceResource({ ...unknownType, props: unknownCheckingProxy(unknownType.props) }, DEFAULT_PRICING)).to.deep.equal({
            kind: "unknown",
            reason: "instanceTypes[1] is unknown until apply",
        });
    });

    it("names the instance types, classes and node types the table lacks", () => {
        expect(missingPriceRows("aws:eks/nodeGroup:NodeGroup", { instanceTypes: ["g5.xlarge", "g7.xlarge"] })).to.deep.equal(["instance type g7.xlarge"]);
        expect(missingPriceRows("aws:rds/instance:Instance", { instanceClass: "db.x2g.large" })).to.deep.equal(["RDS instance class db.x2g.large"]);
        expect(missingPriceRows("aws:elasticache/replicationGroup:ReplicationGroup", { nodeType: "cache.r7g.large" })).to.deep.equal([
            "ElastiCache node type cache.r7g.large",
        ]);
    });

    it("carries a source and date on every price row", () => {
        for (const row of [...Object.values(EC2_HOURLY), ...Object.values(RDS_POSTGRES_HOURLY), ...Object.values(ELASTICACHE_HOURLY)]) {
            expect(row.source).to.be.a("string").and.not.equal("");
            expect(row.asOf).to.match(/^\d{4}-\d{2}$/);
        }
    });
});
