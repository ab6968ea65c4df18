import { expect } from "chai";
import { k8sAllowOnlySafeSysctls as policy, SAFE_SYSCTLS } from "../../policy/policies/k8s-allow-only-safe-sysctls";
import { deployment } from "./fixtures";
import { violations } from "./harness";

const withSysctls = (names: readonly string[]) =>
    deployment({ securityContext: { runAsNonRoot: true, sysctls: names.map((name) => ({ name, value: "1" })) } });

describe("policy k8s-allow-only-safe-sysctls", () => {
    it("passes no sysctls, and every safe one", async () => {
        expect(await violations(policy, deployment())).to.deep.equal([]);
        expect(await violations(policy, withSysctls(SAFE_SYSCTLS))).to.deep.equal([]);
    });

    it("fails sysctls outside the safe set, naming them", async () => {
        expect(await violations(policy, withSysctls(["net.ipv4.tcp_syncookies", "kernel.msgmax", "net.core.somaxconn"]))).to.deep.equal([
            "the pod sets the sysctls kernel.msgmax, net.core.somaxconn, which are not in the safe set: they can affect the node or other pods (PSS baseline).",
        ]);
    });
});
