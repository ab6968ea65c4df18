import { expect } from "chai";
import { albEnablesDeletionProtection as policy } from "../../policy/policies/alb-enables-deletion-protection";
import { loadBalancer } from "./fixtures";
import { violations } from "./harness";

const REQUIRED = { requireDeletionProtection: true };

describe("policy alb-enables-deletion-protection", () => {
    it("passes a protected ALB, any ALB where the stack protects no data, and network load balancers", async () => {
        expect(await violations(policy, loadBalancer(), REQUIRED)).to.deep.equal([]);
        expect(await violations(policy, loadBalancer({ enableDeletionProtection: false }))).to.deep.equal([]);
        expect(await violations(policy, loadBalancer({ enableDeletionProtection: false }), { requireDeletionProtection: false })).to.deep.equal([]);
        expect(await violations(policy, loadBalancer({ loadBalancerType: "network", enableDeletionProtection: false }), REQUIRED)).to.deep.equal([]);
    });

    it("fails an ALB without deletion protection (off or unset) where the stack requires it", async () => {
        const expected = ["enableDeletionProtection is not true: one API call or a replacement deletes the load balancer and its listeners (CKV_AWS_150, ELB.6)."];
        expect(await violations(policy, loadBalancer({ enableDeletionProtection: false }), REQUIRED)).to.deep.equal(expected);
        expect(await violations(policy, loadBalancer({ enableDeletionProtection: undefined }), REQUIRED)).to.deep.equal(expected);
    });
});
