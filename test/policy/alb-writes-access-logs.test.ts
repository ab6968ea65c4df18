import { expect } from "chai";
import { albWritesAccessLogs as policy } from "../../policy/policies/alb-writes-access-logs";
import { loadBalancer } from "./fixtures";
import { violations } from "./harness";

describe("policy alb-writes-access-logs", () => {
    it("passes an ALB logging to a bucket, and network load balancers", async () => {
        expect(await violations(policy, loadBalancer())).to.deep.equal([]);
        expect(await violations(policy, loadBalancer({ loadBalancerType: "network", accessLogs: undefined }))).to.deep.equal([]);
    });

    it("fails an ALB (by either token) whose access logs are off or not configured", async () => {
        const expected = ["accessLogs.enabled is not true: no record of the requests the load balancer served (CKV_AWS_91, ELB.5)."];
        expect(await violations(policy, loadBalancer({ accessLogs: { enabled: false, bucket: "genai-prod-bucket" } }))).to.deep.equal(expected);
        const alb = { ...loadBalancer({ loadBalancerType: undefined, accessLogs: undefined }), type: "aws:alb/loadBalancer:LoadBalancer" };
        expect(await violations(policy, alb)).to.deep.equal(expected);
    });

    it("fails access logs enabled without a bucket", async () => {
        expect(await violations(policy, loadBalancer({ accessLogs: { enabled: true, bucket: "" } }))).to.deep.equal([
            "accessLogs.enabled is true but accessLogs.bucket names no bucket: the logs have nowhere to go (CKV_AWS_91, ELB.5).",
        ]);
    });
});
