import { expect } from "chai";
import { k8sRestrictSelinuxOptions as policy } from "../../policy/policies/k8s-restrict-selinux-options";
import { deployment } from "./fixtures";
import { violations } from "./harness";

const RULE = "only a type of container_t, container_init_t, container_kvm_t, container_engine_t (and a level) may be set (PSS baseline).";

describe("policy k8s-restrict-selinux-options", () => {
    it("passes no seLinuxOptions, or only an allowed type and a level", async () => {
        expect(await violations(policy, deployment())).to.deep.equal([]);
        const allowed = deployment(
            { securityContext: { runAsNonRoot: true, seLinuxOptions: { type: "container_t", level: "s0:c123,c456" } } },
            { securityContext: { seLinuxOptions: { type: "container_init_t", user: "" } } },
        );
        expect(await violations(policy, allowed)).to.deep.equal([]);
    });

    it("fails a custom type on the pod", async () => {
        expect(await violations(policy, deployment({ securityContext: { runAsNonRoot: true, seLinuxOptions: { type: "spc_t" } } }))).to.deep.equal([
            `the pod's securityContext sets seLinuxOptions.type spc_t; ${RULE}`,
        ]);
    });

    it("fails a custom user or role on a container", async () => {
        expect(await violations(policy, deployment({}, { securityContext: { seLinuxOptions: { user: "system_u", role: "system_r" } } }))).to.deep.equal([
            `containers[0] (server) sets seLinuxOptions.user system_u, seLinuxOptions.role system_r; ${RULE}`,
        ]);
    });
});
