import { expect } from "chai";
import { albListenerTlsPolicy } from "../../policy/policies/alb-listener-tls-policy";
import { httpRedirectListener, listener } from "./fixtures";
import { violations } from "./harness";

describe("policy alb-listener-tls-policy", () => {
    it("passes an HTTPS listener with a TLS 1.2+ policy, and ignores HTTP listeners", async () => {
        expect(await violations(albListenerTlsPolicy, listener())).to.deep.equal([]);
        expect(await violations(albListenerTlsPolicy, listener({ sslPolicy: "ELBSecurityPolicy-FS-1-2-Res-2020-10" }))).to.deep.equal([]);
        expect(await violations(albListenerTlsPolicy, httpRedirectListener())).to.deep.equal([]);
    });

    it("fails a policy that still accepts TLS 1.0, set or defaulted", async () => {
        expect(await violations(albListenerTlsPolicy, listener({ sslPolicy: "ELBSecurityPolicy-2016-08" }))).to.deep.equal([
            "HTTPS listener uses SSL policy ELBSecurityPolicy-2016-08, which is not a TLS 1.2+ policy of the allowlist (CKV_AWS_103, ELB.17).",
        ]);
        expect(await violations(albListenerTlsPolicy, listener({ protocol: "TLS", sslPolicy: undefined }))).to.deep.equal([
            "TLS listener uses SSL policy ELBSecurityPolicy-2016-08 (the default), which is not a TLS 1.2+ policy of the allowlist (CKV_AWS_103, ELB.17).",
        ]);
    });

    it("takes the allowlist from the policy config", async () => {
        const config = { allowedSslPolicies: ["ELBSecurityPolicy-TLS13-1-3-2021-06"] };
        expect(await violations(albListenerTlsPolicy, listener(), config)).to.have.length(1);
    });
});
