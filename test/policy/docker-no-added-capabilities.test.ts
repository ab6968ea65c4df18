import { expect } from "chai";
import { dockerNoAddedCapabilities as policy } from "../../policy/policies/docker-no-added-capabilities";
import { dockerContainer } from "./fixtures";
import { violations } from "./harness";

describe("policy docker-no-added-capabilities", () => {
    it("passes containers that add nothing, and capabilities the stack allows, however spelled", async () => {
        expect(await violations(policy, dockerContainer())).to.deep.equal([]);
        expect(await violations(policy, dockerContainer({ capabilities: { drops: ["ALL"] } }))).to.deep.equal([]);
        expect(await violations(policy, dockerContainer({ capabilities: { adds: ["CAP_NET_BIND_SERVICE"], drops: ["ALL"] } }), { allowedCapabilities: ["net_bind_service"] })).to.deep.equal([]);
    });

    it("fails any added capability by default", async () => {
        expect(await violations(policy, dockerContainer({ capabilities: { adds: ["SYS_ADMIN", "NET_RAW"], drops: ["ALL"] } }))).to.deep.equal([
            "capabilities.adds SYS_ADMIN, NET_RAW: this stack allows none (CIS Docker 5.3).",
        ]);
    });

    it("fails a capability outside the stack's allowlist", async () => {
        const config = { allowedCapabilities: ["NET_BIND_SERVICE"] };
        expect(await violations(policy, dockerContainer({ capabilities: { adds: ["NET_BIND_SERVICE", "CAP_NET_ADMIN"] } }), config)).to.deep.equal([
            "capabilities.adds CAP_NET_ADMIN: only NET_BIND_SERVICE may be added (CIS Docker 5.3).",
        ]);
    });
});
