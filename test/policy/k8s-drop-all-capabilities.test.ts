import { expect } from "chai";
import { k8sDropAllCapabilities as policy } from "../../policy/policies/k8s-drop-all-capabilities";
import { deployment } from "./fixtures";
import { violations } from "./harness";

const sc = (capabilities: Record<string, unknown>) => ({ securityContext: { allowPrivilegeEscalation: false, capabilities } });

describe("policy k8s-drop-all-capabilities", () => {
    it("passes containers that drop ALL, adding back at most NET_BIND_SERVICE", async () => {
        expect(await violations(policy, deployment({ initContainers: [{ name: "fetch", ...sc({ drop: ["ALL"] }) }] }))).to.deep.equal([]);
        expect(await violations(policy, deployment({}, sc({ drop: ["ALL"], add: ["NET_BIND_SERVICE"] })))).to.deep.equal([]);
    });

    it("fails containers that do not drop ALL (dropping some, none, or no securityContext at all), init containers included", async () => {
        expect(await violations(policy, deployment({ initContainers: [{ name: "fetch" }] }, sc({ drop: ["NET_RAW"] })))).to.deep.equal([
            "containers[0] (server) does not drop ALL capabilities (securityContext.capabilities.drop) (PSS restricted, CKV_K8S_37, CKV_K8S_28).",
            "initContainers[0] (fetch) does not drop ALL capabilities (securityContext.capabilities.drop) (PSS restricted, CKV_K8S_37, CKV_K8S_28).",
        ]);
    });

    it("fails any capability added besides NET_BIND_SERVICE", async () => {
        expect(await violations(policy, deployment({}, sc({ drop: ["ALL"], add: ["NET_BIND_SERVICE", "SYS_ADMIN", "NET_RAW"] })))).to.deep.equal([
            "containers[0] (server) adds SYS_ADMIN, NET_RAW; only NET_BIND_SERVICE may be added (PSS restricted, CKV_K8S_25).",
        ]);
    });
});
