import { expect } from "chai";
import { k8sSeccompRuntimeDefault as policy } from "../../policy/policies/k8s-seccomp-runtime-default";
import { deployment } from "./fixtures";
import { violations } from "./harness";

const NON_ROOT = { runAsNonRoot: true, runAsUser: 2000 };

describe("policy k8s-seccomp-runtime-default", () => {
    it("passes RuntimeDefault on the pod, and RuntimeDefault or Localhost on every container without a pod profile", async () => {
        expect(await violations(policy, deployment({ initContainers: [{ name: "fetch", image: "curlimages/curl:8.21.0" }] }))).to.deep.equal([]);
        const perContainer = deployment(
            { securityContext: NON_ROOT, initContainers: [{ name: "fetch", securityContext: { seccompProfile: { type: "RuntimeDefault" } } }] },
            { securityContext: { seccompProfile: { type: "Localhost", localhostProfile: "profiles/vllm.json" } } },
        );
        expect(await violations(policy, perContainer)).to.deep.equal([]);
    });

    it("fails containers without a profile when the pod has none, init containers included", async () => {
        expect(await violations(policy, deployment({ securityContext: NON_ROOT, initContainers: [{ name: "fetch" }] }))).to.deep.equal([
            "containers[0] (server) runs without a seccomp profile: neither its securityContext nor the pod's sets seccompProfile (PSS restricted, CKV_K8S_31).",
            "initContainers[0] (fetch) runs without a seccomp profile: neither its securityContext nor the pod's sets seccompProfile (PSS restricted, CKV_K8S_31).",
        ]);
    });

    it("fails Unconfined on the pod", async () => {
        expect(await violations(policy, deployment({ securityContext: { ...NON_ROOT, seccompProfile: { type: "Unconfined" } } }))).to.deep.equal([
            "the pod's securityContext.seccompProfile.type is Unconfined; only RuntimeDefault or Localhost is allowed (PSS restricted, CKV_K8S_31).",
        ]);
    });

    it("fails Unconfined on a container, overriding the pod's RuntimeDefault", async () => {
        expect(await violations(policy, deployment({}, { securityContext: { seccompProfile: { type: "Unconfined" } } }))).to.deep.equal([
            "containers[0] (server) sets seccompProfile.type Unconfined; only RuntimeDefault or Localhost is allowed (PSS restricted, CKV_K8S_31).",
        ]);
    });
});
