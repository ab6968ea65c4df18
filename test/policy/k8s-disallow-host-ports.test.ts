import { expect } from "chai";
import { k8sDisallowHostPorts as policy } from "../../policy/policies/k8s-disallow-host-ports";
import { deployment } from "./fixtures";
import { violations } from "./harness";

describe("policy k8s-disallow-host-ports", () => {
    it("passes container ports without hostPort (or hostPort 0), and listed host ports", async () => {
        expect(await violations(policy, deployment({}, { ports: [{ name: "http", containerPort: 8000 }, { containerPort: 9090, hostPort: 0 }] }))).to.deep.equal([]);
        expect(await violations(policy, deployment({}, { ports: [{ containerPort: 9100, hostPort: 9100 }] }), { allowedHostPorts: [9100] })).to.deep.equal([]);
    });

    it("fails a container or init container binding a port of the node", async () => {
        const pod = deployment({ initContainers: [{ name: "probe", ports: [{ containerPort: 53, hostPort: 53 }] }] }, { ports: [{ containerPort: 8000, hostPort: 8000 }] });
        expect(await violations(policy, pod, { allowedHostPorts: [9100] })).to.deep.equal([
            "containers[0] (server) binds port 8000 of the node (hostPort for containerPort 8000) (PSS baseline, CKV_K8S_26).",
            "initContainers[0] (probe) binds port 53 of the node (hostPort for containerPort 53) (PSS baseline, CKV_K8S_26).",
        ]);
    });
});
