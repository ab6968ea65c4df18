import { StackValidationPolicy } from "@pulumi/policy";
import { asObject, asString, readIfKnown } from "../lib/props";
import { AWS, DEPLOYER_PATH_TAG } from "../lib/types";

/**
 * A cluster whose API endpoint is private (FSBP EKS.1, Checkov CKV_AWS_39) can only be deployed to
 * from inside its VPC: the stack must hold that way in, a resource tagged genai:role=deployer-path
 * (for example a CodeBuild project or self-hosted CI runners in the private subnets). Only a disabled
 * public endpoint counts as private: a public endpoint with no publicAccessCidrs is open to 0.0.0.0/0
 * (the AWS default), which eks-endpoint-not-public refuses.
 */
export const eksPrivateEndpointHasDeployerPath: StackValidationPolicy = {
    name: "eks-private-endpoint-has-deployer-path",
    description:
        "A stack whose EKS API endpoint is private (FSBP EKS.1, Checkov CKV_AWS_39) holds a deployer path into the VPC, " +
        "a resource tagged genai:role=deployer-path, or CI cannot deploy the cluster's Kubernetes resources.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Add the deployer path (e.g. an aws.codebuild.Project or self-hosted runners in the private subnets, allowed by the cluster's " +
        "security group and an EKS access entry) and tag it genai:role=deployer-path; or, for now, keep the endpoint public to " +
        "genai-platform:eksPublicAccessCidrs listing the CI runners' ranges.",
    validateStack: (args, reportViolation) => {
        const privateClusters = args.resources.filter((r) => r.type === AWS.eksCluster && asObject(r.props.vpcConfig)?.endpointPublicAccess === false);
        if (privateClusters.length === 0) return;
        const hasPath = args.resources.some((r) => readIfKnown(r.props, "tags", DEPLOYER_PATH_TAG.key) === DEPLOYER_PATH_TAG.value);
        if (hasPath) return;
        for (const cluster of privateClusters) {
            reportViolation(
                `cluster ${asString(cluster.props.name) ?? cluster.name} has a private API endpoint (vpcConfig.endpointPublicAccess: false) ` +
                    `and no resource of the stack is tagged ${DEPLOYER_PATH_TAG.key}=${DEPLOYER_PATH_TAG.value}: CI outside the VPC cannot deploy its Kubernetes resources (EKS.1).`,
                cluster.urn,
            );
        }
    },
};
