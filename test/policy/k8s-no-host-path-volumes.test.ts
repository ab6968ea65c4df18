import { expect } from "chai";
import { k8sNoHostPathVolumes as policy } from "../../policy/policies/k8s-no-host-path-volumes";
import { deployment } from "./fixtures";
import { violations } from "./harness";

describe("policy k8s-no-host-path-volumes", () => {
    it("passes emptyDir and claim volumes", async () => {
        expect(await violations(policy, deployment({ volumes: [{ name: "shm", emptyDir: { medium: "Memory" } }, { name: "w", persistentVolumeClaim: { claimName: "w" } }] }))).to.deep.equal([]);
    });

    it("fails a hostPath volume", async () => {
        expect(await violations(policy, deployment({ volumes: [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }] }))).to.deep.equal([
            "volume docker mounts the node's /var/run/docker.sock (hostPath, PSS baseline).",
        ]);
    });
});
