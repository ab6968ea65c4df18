import { expect } from "chai";
import { dockerNoHostNamespaces as policy } from "../../policy/policies/docker-no-host-namespaces";
import { dockerContainer } from "./fixtures";
import { violations } from "./harness";

describe("policy docker-no-host-namespaces", () => {
    it("passes a container on the platform's networks", async () => {
        expect(await violations(policy, dockerContainer({ networkMode: "bridge" }))).to.deep.equal([]);
    });

    it("fails host network, PID and IPC modes", async () => {
        expect(await violations(policy, dockerContainer({ networkMode: "host", pidMode: "host", ipcMode: "host" }))).to.deep.equal([
            "networkMode is \"host\": the container shares the host's network namespace (CIS Docker 5).",
            "pidMode is \"host\": the container shares the host's process namespace (CIS Docker 5).",
            "ipcMode is \"host\": the container shares the host's IPC namespace (CIS Docker 5).",
        ]);
    });
});
