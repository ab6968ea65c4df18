import { expect } from "chai";
import { k8sDisallowHostProcess as policy } from "../../policy/policies/k8s-disallow-host-process";
import { deployment } from "./fixtures";
import { violations } from "./harness";

describe("policy k8s-disallow-host-process", () => {
    it("passes pods and containers that are not HostProcess", async () => {
        expect(await violations(policy, deployment())).to.deep.equal([]);
        expect(await violations(policy, deployment({}, { securityContext: { windowsOptions: { hostProcess: false } } }))).to.deep.equal([]);
    });

    it("fails hostProcess on the pod", async () => {
        expect(await violations(policy, deployment({ securityContext: { runAsNonRoot: true, windowsOptions: { hostProcess: true } } }))).to.deep.equal([
            "the pod's securityContext sets windowsOptions.hostProcess: true: it runs on the node as a host process (PSS baseline).",
        ]);
    });

    it("fails hostProcess on a container", async () => {
        expect(await violations(policy, deployment({}, { securityContext: { windowsOptions: { hostProcess: true } } }))).to.deep.equal([
            "containers[0] (server) sets windowsOptions.hostProcess: true: it runs on the node as a host process (PSS baseline).",
        ]);
    });
});
