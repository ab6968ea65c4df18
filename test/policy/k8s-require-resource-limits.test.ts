import { expect } from "chai";
import { k8sRequireResourceLimits as policy } from "../../policy/policies/k8s-require-resource-limits";
import { deployment } from "./fixtures";
import { violations } from "./harness";

describe("policy k8s-require-resource-limits", () => {
    it("passes containers with cpu and memory limits, and ephemeral containers without", async () => {
        expect(await violations(policy, deployment({ ephemeralContainers: [{ name: "debug", image: "busybox:1.36" }] }))).to.deep.equal([]);
    });

    it("fails a container without limits, naming what is missing", async () => {
        expect(await violations(policy, deployment({}, { resources: { limits: { memory: "1Gi" } } }))).to.deep.equal([
            "containers[0] (server) sets no cpu limit (CKV_K8S_11, CKV_K8S_13).",
        ]);
        expect(await violations(policy, deployment({}, { resources: { requests: { cpu: "1" } } }))).to.deep.equal([
            "containers[0] (server) sets no cpu or memory limit (CKV_K8S_11, CKV_K8S_13).",
        ]);
    });
});
