import { expect } from "chai";
import { eksControlPlaneLogging } from "../../policy/policies/eks-control-plane-logging";
import { eksCluster } from "./fixtures";
import { violations } from "./harness";

describe("policy eks-control-plane-logging", () => {
    it("passes a cluster logging api, audit and authenticator", async () => {
        expect(await violations(eksControlPlaneLogging, eksCluster({ enabledClusterLogTypes: ["api", "audit", "authenticator"] }))).to.deep.equal([]);
    });

    it("fails a cluster missing log types, naming them", async () => {
        expect(await violations(eksControlPlaneLogging, eksCluster({ enabledClusterLogTypes: ["api"] }))).to.deep.equal([
            "enabledClusterLogTypes lacks audit, authenticator (CKV_AWS_37, EKS.8).",
        ]);
        expect(await violations(eksControlPlaneLogging, eksCluster({ enabledClusterLogTypes: undefined }))).to.deep.equal([
            "enabledClusterLogTypes lacks api, audit, authenticator (CKV_AWS_37, EKS.8).",
        ]);
    });
});
