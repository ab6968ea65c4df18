import { expect } from "chai";
import { GPU_INSTANCE_TYPE_NAMES, GPU_INSTANCE_TYPES, GpuModel, isGpuInstanceType, podAllocatable } from "../../catalog/gpu";

/** The GPU model each EC2 family carries. */
const FAMILY_GPU: Readonly<Record<string, GpuModel>> = { g4dn: "T4", g5: "A10G", g6: "L4", g6e: "L40S", p4d: "A100", p5: "H100" };
const SIZE_ORDER = ["xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge", "48xlarge"];

const rows = () => Object.entries(GPU_INSTANCE_TYPES);

describe("catalog GPU instance types", () => {
    it("gives every type a shape and a price read from its evidence", () => {
        for (const [type, t] of rows()) {
            expect(Number.isInteger(t.gpus) && t.gpus >= 1, `${type} gpus`).to.equal(true);
            expect(t.gpuMemoryGb, `${type} gpuMemoryGb`).to.be.greaterThan(0);
            expect(Number.isInteger(t.vcpus) && t.vcpus > 1, `${type} vcpus`).to.equal(true);
            expect(t.memoryGib, `${type} memoryGib`).to.be.greaterThan(2);
            expect(t.usdPerHour, `${type} usdPerHour`).to.be.greaterThan(0);
            expect(t.priceAsOf, `${type} priceAsOf`).to.match(/^\d{4}-\d{2}$/);
            expect(t.evidence.some((e) => e.url.includes(type)), `${type} has evidence of its own price`).to.equal(true);
        }
    });

    it("lists the names in table order", () => {
        expect(GPU_INSTANCE_TYPE_NAMES).to.deep.equal(Object.keys(GPU_INSTANCE_TYPES));
        expect(GPU_INSTANCE_TYPE_NAMES.length).to.be.greaterThan(0);
    });

    it("gives each family its one GPU model, with that model's memory", () => {
        const memory: Partial<Record<GpuModel, number>> = {};
        for (const [type, t] of rows()) {
            const family = type.split(".")[0];
            expect(FAMILY_GPU[family], `${type}: family ${family} is known`).to.be.a("string");
            expect(t.gpu, type).to.equal(FAMILY_GPU[family]);
            memory[t.gpu] ??= t.gpuMemoryGb;
            expect(t.gpuMemoryGb, `${type}: every ${t.gpu} has the same memory`).to.equal(memory[t.gpu]);
        }
        expect(memory).to.deep.include({ T4: 16, A10G: 24, L4: 24 });
    });

    it("prices a larger size of a family higher, with at least as many vCPUs, memory and GPUs", () => {
        const byFamily = new Map<string, [string, (typeof GPU_INSTANCE_TYPES)[string]][]>();
        for (const row of rows()) {
            const family = row[0].split(".")[0];
            byFamily.set(family, [...(byFamily.get(family) ?? []), row]);
        }
        for (const members of byFamily.values()) {
            const sorted = [...members].sort((a, b) => SIZE_ORDER.indexOf(a[0].split(".")[1]) - SIZE_ORDER.indexOf(b[0].split(".")[1]));
            for (let i = 1; i < sorted.length; i++) {
                const [smallName, small] = sorted[i - 1];
                const [largeName, large] = sorted[i];
                expect(large.usdPerHour, `${largeName} vs ${smallName}`).to.be.greaterThan(small.usdPerHour);
                expect(large.vcpus, `${largeName} vs ${smallName}`).to.be.greaterThan(small.vcpus);
                expect(large.memoryGib, `${largeName} vs ${smallName}`).to.be.at.least(small.memoryGib);
                expect(large.gpus, `${largeName} vs ${smallName}`).to.be.at.least(small.gpus);
            }
        }
    });

    describe("isGpuInstanceType", () => {
        it("recognises every type of the table", () => {
            for (const type of GPU_INSTANCE_TYPE_NAMES) expect(isGpuInstanceType(type), type).to.equal(true);
        });

        it("recognises GPU families the table does not know", () => {
            for (const type of ["g4ad.xlarge", "g5g.2xlarge", "gr6.4xlarge", "p3.2xlarge", "p4de.24xlarge", "g7e.12xlarge"]) {
                expect(isGpuInstanceType(type), type).to.equal(true);
            }
        });

        it("refuses CPU and non-NVIDIA accelerator types", () => {
            for (const type of ["m6i.large", "c7g.xlarge", "t3.micro", "r6g.2xlarge", "inf2.xlarge", "trn1.2xlarge", "mg5.xlarge", "g5", ""]) {
                expect(isGpuInstanceType(type), type).to.equal(false);
            }
        });
    });

    describe("podAllocatable", () => {
        it("keeps back one vCPU and a tenth of the memory plus 2 GiB", () => {
            expect(podAllocatable(GPU_INSTANCE_TYPES["g5.2xlarge"])).to.deep.equal({ cpus: 7, memoryMb: Math.floor((32 * 0.9 - 2) * 1024), gpus: 1 });
            expect(podAllocatable({ vcpus: 4, memoryGib: 16, gpus: 1 })).to.deep.equal({ cpus: 3, memoryMb: 12697, gpus: 1 });
        });

        it("leaves every GPU to the pod, and less CPU and memory than the node has", () => {
            for (const [type, t] of rows()) {
                const fits = podAllocatable(t);
                expect(fits.gpus, type).to.equal(t.gpus);
                expect(fits.cpus, type).to.equal(t.vcpus - 1);
                expect(fits.memoryMb, type).to.be.greaterThan(0);
                expect(fits.memoryMb, type).to.be.lessThan(t.memoryGib * 1024 * 0.9);
                expect(Number.isInteger(fits.memoryMb), type).to.equal(true);
            }
        });
    });
});
