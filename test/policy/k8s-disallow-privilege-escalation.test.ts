import { expect } from "chai";
import { k8sDisallowPrivilegeEscalation as policy } from "../../policy/policies/k8s-disallow-privilege-escalation";
import { deployment } from "./fixtures";
import { violations } from "./harness";

describe("policy k8s-disallow-privilege-escalation", () => {
    it("passes containers that set allowPrivilegeEscalation: false", async () => {
        expect(await violations(policy, deployment())).to.deep.equal([]);
    });

    it("fails a container that leaves it unset (the default allows escalation) or true", async () => {
        const message = "containers[0] (server) does not set securityContext.allowPrivilegeEscalation: false (CKV_K8S_20).";
        expect(await violations(policy, deployment({}, { securityContext: undefined }))).to.deep.equal([message]);
        expect(await violations(policy, deployment({}, { securityContext: { allowPrivilegeEscalation: true } }))).to.deep.equal([message]);
    });
});
