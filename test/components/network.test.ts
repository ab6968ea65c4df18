import { expect } from "chai";
import { subnetCidrs } from "../../components/network/aws";
import { stackConfigOf } from "../support/dev-stack";

/** First and last address of an IPv4 CIDR, as 32-bit numbers. */
function range(cidr: string): [number, number] {
    const [address, bits] = cidr.split("/");
    const start = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    const size = 2 ** (32 - Number(bits));
    expect(start % size, `${cidr} starts on its boundary`).to.equal(0);
    return [start, start + size - 1];
}

const overlaps = (a: string, b: string) => {
    const [as, ae] = range(a);
    const [bs, be] = range(b);
    return as <= be && bs <= ae;
};

describe("network: AWS subnet layout", () => {
    it("carves /20 public subnets from the start of the /16 and private ones from its second quarter", () => {
        expect(subnetCidrs("10.30.0.0/16", 2)).to.deep.equal({ public: ["10.30.0.0/20", "10.30.16.0/20"], private: ["10.30.64.0/20", "10.30.80.0/20"] });
        expect(subnetCidrs("10.20.0.0/16", 3)).to.deep.equal({
            public: ["10.20.0.0/20", "10.20.16.0/20", "10.20.32.0/20"],
            private: ["10.20.64.0/20", "10.20.80.0/20", "10.20.96.0/20"],
        });
    });

    it("gives one public and one private subnet per zone, none overlapping, all inside the VPC", () => {
        for (const zones of [2, 3]) {
            const cidrs = subnetCidrs("172.16.0.0/16", zones);
            expect(cidrs.public).to.have.length(zones);
            expect(cidrs.private).to.have.length(zones);
            const all = [...cidrs.public, ...cidrs.private];
            all.forEach((a, i) => all.slice(i + 1).forEach((b) => expect(overlaps(a, b), `${a} and ${b}`).to.equal(false)));
            for (const cidr of all) {
                const [start, end] = range(cidr);
                const [vpcStart, vpcEnd] = range("172.16.0.0/16");
                expect(start >= vpcStart && end <= vpcEnd, cidr).to.equal(true);
            }
        }
    });

    it("fits inside the VPC of every cloud stack", () => {
        for (const stack of ["staging", "prod"] as const) {
            const aws = stackConfigOf(stack).aws!;
            const [vpcStart, vpcEnd] = range(aws.vpcCidr);
            const cidrs = subnetCidrs(aws.vpcCidr, aws.availabilityZones);
            for (const cidr of [...cidrs.public, ...cidrs.private]) {
                const [start, end] = range(cidr);
                expect(start >= vpcStart && end <= vpcEnd, `${stack} ${cidr} in ${aws.vpcCidr}`).to.equal(true);
            }
        }
    });
});
