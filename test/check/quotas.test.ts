import { expect } from "chai";
import { G_AND_VT_FAMILY, GPU_VCPU_QUOTAS } from "../../catalog/aws";
import { GPU_INSTANCE_TYPES } from "../../catalog/gpu";
import { gpuQuotaNeeds, quotaLine } from "../../scripts/check/quotas";
import { stackConfigOf } from "../support/dev-stack";

const vcpus = (needs: ReturnType<typeof gpuQuotaNeeds>) => Object.fromEntries(needs.map((n) => [n.code, n.vcpus]));

describe("check: GPU vCPU quotas", () => {
    it("counts each node group at its maximum on its largest instance type, by capacity type", () => {
        // staging: spot, at most 11 nodes of up to a g5.4xlarge (16 vCPUs).
        expect(vcpus(gpuQuotaNeeds(stackConfigOf("staging").aws.gpuNodeGroups))).to.deep.equal({ "L-DB2E81BA": 0, "L-3819A6DF": 176 });
        // prod: on-demand, at most 12 g5.2xlarge (8 vCPUs).
        expect(vcpus(gpuQuotaNeeds(stackConfigOf("prod").aws.gpuNodeGroups))).to.deep.equal({ "L-DB2E81BA": 96, "L-3819A6DF": 0 });
    });

    it("adds up the groups of each capacity type and leaves Capacity Blocks and P instances out", () => {
        const needs = gpuQuotaNeeds([
            { instanceTypes: ["g6.xlarge", "g6.2xlarge"], capacityType: "ON_DEMAND", maxSize: 3 },
            { instanceTypes: ["g5.xlarge"], capacityType: "ON_DEMAND", maxSize: 2 },
            { instanceTypes: ["g4dn.xlarge"], capacityType: "SPOT", maxSize: 5 },
            { instanceTypes: ["g6e.xlarge"], capacityType: "CAPACITY_BLOCK", maxSize: 4 },
            { instanceTypes: ["p4d.24xlarge"], capacityType: "ON_DEMAND", maxSize: 1 },
        ]);
        expect(vcpus(needs)).to.deep.equal({ "L-DB2E81BA": 3 * 8 + 2 * 4, "L-3819A6DF": 5 * 4 });
        expect(needs.map((n) => n.name)).to.deep.equal([GPU_VCPU_QUOTAS.onDemand.name, GPU_VCPU_QUOTAS.spot.name]);
    });

    it("knows the vCPUs of every G type of the catalog, and no P type as G", () => {
        for (const [type, shape] of Object.entries(GPU_INSTANCE_TYPES)) {
            expect(G_AND_VT_FAMILY.test(type), type).to.equal(type.startsWith("g"));
            expect(shape.vcpus, type).to.be.greaterThan(0);
        }
    });

    it("says it in one line with the quota codes", () => {
        expect(quotaLine(gpuQuotaNeeds(stackConfigOf("staging").aws.gpuNodeGroups))).to.equal(
            "EC2 vCPU quotas the GPU node groups need at their maxima: Running On-Demand G and VT instances 0 (L-DB2E81BA), All G and VT Spot Instance Requests 176 (L-3819A6DF)",
        );
    });
});
