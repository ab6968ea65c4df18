import { expect } from "chai";
import { k8sRunAsNonRoot as policy } from "../../policy/policies/k8s-run-as-non-root";
import { deployment } from "./fixtures";
import { violations } from "./harness";

const FETCH = { name: "fetch", image: "curlimages/curl:8.21.0", securityContext: { runAsNonRoot: true, runAsUser: 65534 } };

describe("policy k8s-run-as-non-root", () => {
    it("passes runAsNonRoot on the pod, or on every container without the pod, init containers included", async () => {
        expect(await violations(policy, deployment({ initContainers: [FETCH] }))).to.deep.equal([]);
        const perContainer = deployment(
            { securityContext: { seccompProfile: { type: "RuntimeDefault" } }, initContainers: [FETCH] },
            { securityContext: { runAsNonRoot: true, runAsUser: 2000 } },
        );
        expect(await violations(policy, perContainer)).to.deep.equal([]);
    });

    it("fails a container that may run as root: runAsNonRoot on neither it nor the pod (an init container too)", async () => {
        const unset = deployment({ securityContext: { runAsUser: 2000 }, initContainers: [{ name: "fetch", image: "curlimages/curl:8.21.0" }] });
        expect(await violations(policy, unset)).to.deep.equal([
            "containers[0] (server) may run as root: neither its securityContext nor the pod's sets runAsNonRoot: true (PSS restricted, CKV_K8S_23).",
            "initContainers[0] (fetch) may run as root: neither its securityContext nor the pod's sets runAsNonRoot: true (PSS restricted, CKV_K8S_23).",
        ]);
    });

    it("fails a container that overrides the pod's runAsNonRoot with false", async () => {
        expect(await violations(policy, deployment({}, { securityContext: { runAsNonRoot: false } }))).to.deep.equal([
            "containers[0] (server) sets runAsNonRoot: false (PSS restricted, CKV_K8S_23).",
        ]);
    });

    it("fails runAsUser 0 on the pod or on a container, even with runAsNonRoot", async () => {
        expect(await violations(policy, deployment({ securityContext: { runAsNonRoot: true, runAsUser: 0 } }))).to.deep.equal([
            "the pod's securityContext sets runAsUser: 0, root (PSS restricted, CKV_K8S_23, CKV_K8S_40).",
        ]);
        expect(await violations(policy, deployment({}, { securityContext: { runAsUser: 0 } }))).to.deep.equal([
            "containers[0] (server) sets runAsUser: 0, root (PSS restricted, CKV_K8S_23, CKV_K8S_40).",
        ]);
    });
});
