import { expect } from "chai";
import { eksPrivateEndpointHasDeployerPath as policy } from "../../policy/policies/eks-private-endpoint-has-deployer-path";
import { eksCluster } from "./fixtures";
import { stackViolations, urnOf } from "./harness";

const privateCluster = eksCluster({ name: "genai-prod-eks", vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false, subnetIds: ["a", "b"] } });
const deployer = { type: "aws:codebuild/project:Project", name: "deployer", props: { name: "genai-prod-deployer", tags: { "genai:role": "deployer-path", environment: "prod" } } };

describe("policy eks-private-endpoint-has-deployer-path", () => {
    it("passes a private endpoint with a resource tagged genai:role=deployer-path", async () => {
        expect(await stackViolations(policy, [privateCluster, deployer])).to.deep.equal([]);
    });

    it("passes public endpoints without a deployer path, CIDR-restricted or not (eks-endpoint-not-public judges those)", async () => {
        expect(await stackViolations(policy, [eksCluster()])).to.deep.equal([]);
        expect(await stackViolations(policy, [eksCluster({ vpcConfig: { endpointPrivateAccess: true, publicAccessCidrs: [] } })])).to.deep.equal([]);
    });

    it("fails a private endpoint when no resource carries the tag (other roles, or other tags, do not count)", async () => {
        const other = { type: "aws:ec2/securityGroup:SecurityGroup", name: "nodes", props: { tags: { "genai:role": "nodes", "genai:tier": "deployer-path" } } };
        expect(await stackViolations(policy, [privateCluster, other])).to.deep.equal([
            {
                message:
                    "cluster genai-prod-eks has a private API endpoint (vpcConfig.endpointPublicAccess: false) and no resource of the stack is tagged " +
                    "genai:role=deployer-path: CI outside the VPC cannot deploy its Kubernetes resources (EKS.1).",
                urn: urnOf(privateCluster),
            },
        ]);
    });
});
