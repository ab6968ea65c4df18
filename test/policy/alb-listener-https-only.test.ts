import { expect } from "chai";
import { albListenerHttpsOnly } from "../../policy/policies/alb-listener-https-only";
import { httpRedirectListener, listener } from "./fixtures";
import { violations } from "./harness";

describe("policy alb-listener-https-only", () => {
    it("passes an HTTPS listener and an HTTP listener that only redirects to HTTPS", async () => {
        expect(await violations(albListenerHttpsOnly, listener())).to.deep.equal([]);
        expect(await violations(albListenerHttpsOnly, httpRedirectListener())).to.deep.equal([]);
        expect(await violations(albListenerHttpsOnly, { ...httpRedirectListener(), type: "aws:alb/listener:Listener" })).to.deep.equal([]);
    });

    it("fails an HTTP listener that forwards traffic", async () => {
        const forwarding = httpRedirectListener({ defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] });
        expect(await violations(albListenerHttpsOnly, forwarding)).to.deep.equal([
            "HTTP listener serves traffic (default actions: forward) instead of a single redirect to HTTPS (CKV_AWS_2, CKV2_AWS_20, ELB.1).",
        ]);
    });

    it("fails a listener without a protocol (HTTP) and a redirect to plain HTTP", async () => {
        expect(await violations(albListenerHttpsOnly, httpRedirectListener({ protocol: undefined, defaultActions: [] }))).to.deep.equal([
            "HTTP listener serves traffic (default actions: none) instead of a single redirect to HTTPS (CKV_AWS_2, CKV2_AWS_20, ELB.1).",
        ]);
        const toHttp = httpRedirectListener({ defaultActions: [{ type: "redirect", redirect: { protocol: "HTTP", port: "8080", statusCode: "HTTP_301" } }] });
        expect(await violations(albListenerHttpsOnly, toHttp)).to.have.length(1);
    });
});
