import { expect } from "chai";
import { eksEndpointNotPublic } from "../../policy/policies/eks-endpoint-not-public";
import { eksCluster } from "./fixtures";
import { violations } from "./harness";

describe("policy eks-endpoint-not-public", () => {
    it("passes a public endpoint limited to listed networks, and a private-only endpoint", async () => {
        expect(await violations(eksEndpointNotPublic, eksCluster())).to.deep.equal([]);
        expect(await violations(eksEndpointNotPublic, eksCluster({ vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false } }))).to.deep.equal([]);
    });

    it("fails a public endpoint open to 0.0.0.0/0", async () => {
        const cluster = eksCluster({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } });
        expect(await violations(eksEndpointNotPublic, cluster)).to.deep.equal([
            "the public API endpoint is open to 0.0.0.0/0 (CKV_AWS_39, CKV_AWS_38, EKS.1).",
        ]);
    });

    it("fails the AWS default: public, with no CIDR list", async () => {
        expect(await violations(eksEndpointNotPublic, eksCluster({ vpcConfig: { subnetIds: ["a"] } }))).to.deep.equal([
            "the public API endpoint is open to 0.0.0.0/0 (the default) (CKV_AWS_39, CKV_AWS_38, EKS.1).",
        ]);
    });
});
