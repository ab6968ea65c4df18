import { expect } from "chai";
import { iamForbidAdminWildcards as policy } from "../../policy/policies/iam-forbid-admin-wildcards";
import { violations } from "./harness";

const SCOPED = {
    Version: "2012-10-17",
    Statement: [
        { Effect: "Allow", Action: ["ec2:DescribeInstances", "elasticloadbalancing:Describe*"], Resource: "*" },
        { Effect: "Allow", Action: "sns:Publish", Resource: "arn:aws:sns:us-east-1:123456789012:alerts" },
    ],
};
const ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess";

const rolePolicy = (policy: unknown) => ({ type: "aws:iam/rolePolicy:RolePolicy", name: "addons-lb-controller", props: { role: "lb-controller", policy } });
const managedPolicy = (policy: unknown) => ({ type: "aws:iam/policy:Policy", name: "deployer", props: { policy } });
const attachment = (policyArn: string, type = "aws:iam/rolePolicyAttachment:RolePolicyAttachment") => ({ type, name: "nodes", props: { role: "nodes", policyArn } });
const role = (props: Record<string, unknown>) => ({ type: "aws:iam/role:Role", name: "nodes", props: { assumeRolePolicy: "{}", ...props } });

describe("policy iam-forbid-admin-wildcards", () => {
    it("passes scoped policies given as JSON strings or objects, a Deny of everything, and narrower managed policies", async () => {
        expect(await violations(policy, rolePolicy(JSON.stringify(SCOPED)))).to.deep.equal([]);
        expect(await violations(policy, managedPolicy(SCOPED))).to.deep.equal([]);
        expect(await violations(policy, managedPolicy({ Version: "2012-10-17", Statement: { Effect: "Deny", Action: "*", Resource: "*" } }))).to.deep.equal([]);
        expect(await violations(policy, attachment("arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"))).to.deep.equal([]);
        expect(await violations(policy, role({ managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"], inlinePolicies: [{ name: "s", policy: JSON.stringify(SCOPED) }] }))).to.deep.equal([]);
    });

    it("fails a policy document that allows \"*\" on \"*\", as a string, an object, a single statement or *:*", async () => {
        const admin = { Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" };
        expect(await violations(policy, rolePolicy(JSON.stringify({ Version: "2012-10-17", Statement: [...SCOPED.Statement, admin] })))).to.deep.equal([
            'policy statement 2 (Everything) allows every action ("*") on every resource ("*"): full administrator access (CKV_AWS_62, CKV_AWS_63, IAM.1).',
        ]);
        expect(await violations(policy, managedPolicy({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: ["s3:GetObject", "*:*"], Resource: ["*"] } }))).to.deep.equal([
            'policy statement 0 allows every action ("*") on every resource ("*"): full administrator access (CKV_AWS_62, CKV_AWS_63, IAM.1).',
        ]);
    });

    it("fails a role's inline policy that allows \"*\" on \"*\"", async () => {
        const inline = [{ name: "admin", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) }];
        expect(await violations(policy, role({ inlinePolicies: inline }))).to.deep.equal([
            'inlinePolicies[0] (admin) statement 0 allows every action ("*") on every resource ("*"): full administrator access (CKV_AWS_62, CKV_AWS_63, IAM.1).',
        ]);
    });

    it("fails a policy document that is not JSON, since it cannot be checked", async () => {
        expect(await violations(policy, rolePolicy("{not json"))).to.deep.equal([
            'policy is not valid JSON, so it cannot be checked for "*" actions on "*" resources (CKV_AWS_62, CKV_AWS_63, IAM.1).',
        ]);
    });

    it("fails attaching AdministratorAccess, by any attachment type, in any partition, or through managedPolicyArns", async () => {
        expect(await violations(policy, attachment(ADMIN_ARN))).to.deep.equal([
            `the attachment attaches ${ADMIN_ARN}, the AWS managed policy that allows every action on every resource (CKV_AWS_274).`,
        ]);
        const govCloud = "arn:aws-us-gov:iam::aws:policy/AdministratorAccess";
        expect(await violations(policy, attachment(govCloud, "aws:iam/userPolicyAttachment:UserPolicyAttachment"))).to.deep.equal([
            `the attachment attaches ${govCloud}, the AWS managed policy that allows every action on every resource (CKV_AWS_274).`,
        ]);
        expect(await violations(policy, role({ managedPolicyArns: [ADMIN_ARN] }))).to.deep.equal([
            `managedPolicyArns attaches ${ADMIN_ARN}, the AWS managed policy that allows every action on every resource (CKV_AWS_274).`,
        ]);
    });
});
