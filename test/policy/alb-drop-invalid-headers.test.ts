import { expect } from "chai";
import { albDropInvalidHeaders } from "../../policy/policies/alb-drop-invalid-headers";
import { loadBalancer } from "./fixtures";
import { violations } from "./harness";

describe("policy alb-drop-invalid-headers", () => {
    it("passes an ALB that drops invalid headers, and network load balancers", async () => {
        expect(await violations(albDropInvalidHeaders, loadBalancer())).to.deep.equal([]);
        expect(await violations(albDropInvalidHeaders, loadBalancer({ loadBalancerType: "network", dropInvalidHeaderFields: undefined }))).to.deep.equal([]);
    });

    it("fails an ALB (by either token) that forwards invalid headers", async () => {
        const expected = ["dropInvalidHeaderFields is not true: invalid headers reach the targets (CKV_AWS_131, ELB.4)."];
        expect(await violations(albDropInvalidHeaders, loadBalancer({ dropInvalidHeaderFields: false }))).to.deep.equal(expected);
        const alb = { ...loadBalancer({ loadBalancerType: undefined, dropInvalidHeaderFields: undefined }), type: "aws:alb/loadBalancer:LoadBalancer" };
        expect(await violations(albDropInvalidHeaders, alb)).to.deep.equal(expected);
    });
});
