import { expect } from "chai";
import { securityGroupIngressRestricted as policy } from "../../policy/policies/security-group-ingress-restricted";
import { violations } from "./harness";

const ALB_TAGS = { "genai:tier": "alb", Name: "genai-prod-alb" };
const ingressRule = (props: Record<string, unknown>) => ({ type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", props });
const groupRule = (props: Record<string, unknown>) => ({ type: "aws:ec2/securityGroupRule:SecurityGroupRule", props: { type: "ingress", ...props } });
const group = (ingress: Record<string, unknown>[], tags?: Record<string, string>) => ({ type: "aws:ec2/securityGroup:SecurityGroup", props: { ingress, tags } });

describe("policy security-group-ingress-restricted", () => {
    it("passes 80 and 443 from anywhere on the ALB's group, in all three forms", async () => {
        expect(await violations(policy, ingressRule({ cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443, tags: ALB_TAGS }))).to.deep.equal([]);
        expect(await violations(policy, ingressRule({ cidrIpv6: "::/0", ipProtocol: "tcp", fromPort: 80, toPort: 80, description: "alb: HTTP" }))).to.deep.equal([]);
        expect(await violations(policy, groupRule({ cidrBlocks: ["0.0.0.0/0"], protocol: "tcp", fromPort: 443, toPort: 443, description: "ALB HTTPS" }))).to.deep.equal([]);
        expect(await violations(policy, group([{ cidrBlocks: ["0.0.0.0/0"], protocol: "tcp", fromPort: 443, toPort: 443 }], ALB_TAGS))).to.deep.equal([]);
    });

    it("passes private sources on any port, and egress rules", async () => {
        expect(await violations(policy, ingressRule({ cidrIpv4: "10.0.0.0/16", ipProtocol: "tcp", fromPort: 5432, toPort: 5432 }))).to.deep.equal([]);
        expect(await violations(policy, ingressRule({ referencedSecurityGroupId: "sg-alb", ipProtocol: "-1" }))).to.deep.equal([]);
        expect(await violations(policy, groupRule({ type: "egress", cidrBlocks: ["0.0.0.0/0"], protocol: "-1", fromPort: 0, toPort: 0 }))).to.deep.equal([]);
    });

    it("fails 443 from anywhere on a group that is not the ALB's", async () => {
        expect(await violations(policy, ingressRule({ cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443 }))).to.deep.equal([
            "ingress tcp 443 from 0.0.0.0/0 is not allowed: it is not the load balancer's security group (tag genai:tier=alb) (EC2.18, EC2.19).",
        ]);
    });

    it("fails SSH, RDP and all traffic from anywhere, even on the ALB's group, citing the Checkov rule", async () => {
        expect(await violations(policy, group([{ cidrBlocks: ["0.0.0.0/0"], protocol: "tcp", fromPort: 22, toPort: 22 }], ALB_TAGS))).to.deep.equal([
            "ingress tcp 22 from 0.0.0.0/0 is not allowed: only TCP 80/443 may be open to the world (CKV_AWS_24, EC2.18, EC2.19).",
        ]);
        expect(await violations(policy, groupRule({ ipv6CidrBlocks: ["::/0"], protocol: "tcp", fromPort: 3389, toPort: 3389 }))).to.deep.equal([
            "ingress tcp 3389 from ::/0 is not allowed: it is not the load balancer's security group (tag genai:tier=alb) (CKV_AWS_25, EC2.18, EC2.19).",
        ]);
        expect(await violations(policy, ingressRule({ cidrIpv4: "0.0.0.0/0", ipProtocol: "-1", tags: ALB_TAGS }))).to.deep.equal([
            "ingress all traffic from 0.0.0.0/0 is not allowed: only TCP 80/443 may be open to the world (CKV_AWS_277, EC2.18, EC2.19).",
        ]);
    });

    it("fails a port range that merely includes 80 (CKV_AWS_260), citing every high-risk port inside it", async () => {
        expect(await violations(policy, ingressRule({ cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 80, toPort: 90, tags: ALB_TAGS }))).to.deep.equal([
            "ingress tcp 80-90 from 0.0.0.0/0 is not allowed: only TCP 80/443 may be open to the world (CKV_AWS_260, EC2.18, EC2.19).",
        ]);
        expect(await violations(policy, ingressRule({ cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 1, toPort: 8080 }))).to.deep.equal([
            "ingress tcp 1-8080 from 0.0.0.0/0 is not allowed: it is not the load balancer's security group (tag genai:tier=alb) (CKV_AWS_24, CKV_AWS_25, CKV_AWS_260, EC2.18, EC2.19).",
        ]);
    });
});
