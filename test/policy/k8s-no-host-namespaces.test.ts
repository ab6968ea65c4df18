import { expect } from "chai";
import { k8sNoHostNamespaces as policy } from "../../policy/policies/k8s-no-host-namespaces";
import { deployment } from "./fixtures";
import { violations } from "./harness";

describe("policy k8s-no-host-namespaces", () => {
    it("passes a pod in its own namespaces", async () => {
        expect(await violations(policy, deployment({ hostNetwork: false }))).to.deep.equal([]);
    });

    it("fails hostNetwork, hostPID and hostIPC, each with its rule", async () => {
        expect(await violations(policy, deployment({ hostNetwork: true, hostPID: true, hostIPC: true }))).to.deep.equal([
            "the pod spec sets hostNetwork: true (PSS baseline, CKV_K8S_19).",
            "the pod spec sets hostPID: true (PSS baseline, CKV_K8S_17).",
            "the pod spec sets hostIPC: true (PSS baseline, CKV_K8S_18).",
        ]);
    });
});
