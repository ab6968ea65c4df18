import { expect } from "chai";
import { clusterAutoscalerPolicy, GP3_STORAGE_CLASS, loadBalancerControllerPolicy, WEIGHTS_STORAGE_CLASS } from "../../components/cluster/addons";
import { CONTROL_PLANE_LOGS, GPU_CLASS_LABEL, GPU_PRESENT_LABEL, GPU_TAINT, GPU_TOLERATION, NODE_ROLE_LABEL, renderKubeconfig, SYSTEM_NODES } from "../../components/cluster/eks";

interface Statement {
    Effect: string;
    Action: string[] | string;
    Resource: string | string[];
    Condition?: Record<string, Record<string, string>>;
}

function statements(policy: string): Statement[] {
    const doc = JSON.parse(policy);
    expect(doc.Version).to.equal("2012-10-17");
    return doc.Statement;
}

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const READ_ONLY = /^[a-z0-9-]+:(Describe|Get|List)[A-Za-z*]*$/;

describe("cluster", () => {
    describe("kubeconfig", () => {
        const config = JSON.parse(renderKubeconfig("genai-staging-eks", "https://ABC.gr7.us-east-1.eks.amazonaws.com", "Q0FEQVRB", "us-east-1"));

        it("points at the cluster's endpoint and certificate authority", () => {
            expect(config.clusters).to.deep.equal([
                { name: "genai-staging-eks", cluster: { server: "https://ABC.gr7.us-east-1.eks.amazonaws.com", "certificate-authority-data": "Q0FEQVRB" } },
            ]);
        });

        it("selects the one context, which binds the cluster to its user", () => {
            expect(config["current-context"]).to.equal("genai-staging-eks");
            expect(config.contexts).to.deep.equal([{ name: "genai-staging-eks", context: { cluster: "genai-staging-eks", user: "genai-staging-eks" } }]);
        });

        it("authenticates with a token from `aws eks get-token` for the cluster and its region, holding no credential", () => {
            const [user] = config.users;
            expect(user.name).to.equal("genai-staging-eks");
            expect(user.user).to.have.all.keys("exec");
            expect(user.user.exec).to.deep.equal({
                apiVersion: "client.authentication.k8s.io/v1beta1",
                command: "aws",
                args: ["eks", "get-token", "--cluster-name", "genai-staging-eks", "--region", "us-east-1"],
            });
        });
    });

    describe("cluster autoscaler policy", () => {
        const policy = statements(clusterAutoscalerPolicy("genai-prod-eks"));

        it("resizes and terminates only in the node groups tagged as owned by this cluster", () => {
            const writes = policy.filter((s) => actionsOf(s).some((a) => !READ_ONLY.test(a)));
            expect(writes).to.have.length(1);
            expect(actionsOf(writes[0])).to.have.members(["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]);
            expect(writes[0].Condition).to.deep.equal({ StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/genai-prod-eks": "owned" } });
        });

        it("reads node groups, instance types and launch templates without condition", () => {
            const reads = policy.filter((s) => actionsOf(s).every((a) => READ_ONLY.test(a)));
            const actions = reads.flatMap(actionsOf);
            expect(actions).to.include.members(["autoscaling:DescribeAutoScalingGroups", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplateVersions", "eks:DescribeNodegroup"]);
        });

        it("allows nothing but Allow statements and no wildcard action", () => {
            for (const s of policy) {
                expect(s.Effect).to.equal("Allow");
                for (const a of actionsOf(s)) expect(a).to.not.match(/:\*$|^\*$/);
            }
        });
    });

    describe("load balancer controller policy", () => {
        const groups = [
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/s-20261202/0a1b2c3d4e5f6a7b",
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/c-20261202/7b6a5f4e3d2c1b0a",
        ];
        const policy = statements(loadBalancerControllerPolicy(groups));

        it("registers and deregisters targets only in the target groups it is given", () => {
            const writes = policy.filter((s) => actionsOf(s).some((a) => !READ_ONLY.test(a)));
            expect(writes).to.have.length(1);
            expect(actionsOf(writes[0])).to.have.members(["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"]);
            expect(writes[0].Resource).to.deep.equal(groups);
        });

        it("cannot create, change or delete load balancers, listeners or security groups", () => {
            const actions = policy.flatMap(actionsOf);
            for (const a of actions) expect(a).to.not.match(/Create|Delete|Modify|Authorize|Revoke|Add|Remove|Set/);
        });
    });

    describe("constants", () => {
        it("spells the GPU taint for the EKS API and the toleration for Kubernetes, on the same key and effect", () => {
            expect(GPU_TAINT).to.deep.equal({ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" });
            expect(GPU_TOLERATION).to.deep.equal({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
            const kubernetesEffect = GPU_TAINT.effect
                .toLowerCase()
                .split("_")
                .map((w) => w[0].toUpperCase() + w.slice(1))
                .join("");
            expect(GPU_TOLERATION.effect).to.equal(kubernetesEffect);
            expect(GPU_TOLERATION.key).to.equal(GPU_TAINT.key);
        });

        it("labels nodes under the platform's domain, and system nodes by role", () => {
            expect(GPU_CLASS_LABEL).to.equal("genai.io/gpu-class");
            expect(NODE_ROLE_LABEL).to.equal("genai.io/role");
            expect(SYSTEM_NODES).to.deep.equal({ "genai.io/role": "system" });
            expect(GPU_PRESENT_LABEL).to.equal("nvidia.com/gpu.present");
        });

        it("sends every control-plane log type to CloudWatch", () => {
            expect(CONTROL_PLANE_LOGS).to.have.members(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
        });

        it("names the volume and weights storage classes apart", () => {
            expect(GP3_STORAGE_CLASS).to.not.equal(WEIGHTS_STORAGE_CLASS);
            for (const name of [GP3_STORAGE_CLASS, WEIGHTS_STORAGE_CLASS]) expect(name).to.match(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        });
    });
});
