import { expect } from "chai";
import { dockerNoPrivilegedContainers as policy } from "../../policy/policies/docker-no-privileged-containers";
import { dockerContainer } from "./fixtures";
import { violations } from "./harness";

describe("policy docker-no-privileged-containers", () => {
    it("passes an unprivileged container", async () => {
        expect(await violations(policy, dockerContainer())).to.deep.equal([]);
    });

    it("fails a privileged container", async () => {
        expect(await violations(policy, dockerContainer({ privileged: true }))).to.deep.equal([
            "the container runs privileged: it has every capability and all host devices (CIS Docker 5.4).",
        ]);
    });
});
