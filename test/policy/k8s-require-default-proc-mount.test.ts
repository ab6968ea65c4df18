import { expect } from "chai";
import { k8sRequireDefaultProcMount as policy } from "../../policy/policies/k8s-require-default-proc-mount";
import { deployment } from "./fixtures";
import { violations } from "./harness";

describe("policy k8s-require-default-proc-mount", () => {
    it("passes containers with procMount unset or Default", async () => {
        expect(await violations(policy, deployment())).to.deep.equal([]);
        expect(await violations(policy, deployment({}, { securityContext: { procMount: "Default" } }))).to.deep.equal([]);
    });

    it("fails a container that unmasks /proc", async () => {
        expect(await violations(policy, deployment({ initContainers: [{ name: "init", securityContext: { procMount: "Unmasked" } }] }))).to.deep.equal([
            "initContainers[0] (init) sets procMount: Unmasked; only Default is allowed (PSS baseline).",
        ]);
    });
});
