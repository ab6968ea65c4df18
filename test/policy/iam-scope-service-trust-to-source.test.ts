import { expect } from "chai";
import { iamScopeServiceTrustToSource as policy } from "../../policy/policies/iam-scope-service-trust-to-source";
import { violations } from "./harness";

const role = (statement: Record<string, unknown> | Record<string, unknown>[], asString = true) => {
    const document = { Version: "2012-10-17", Statement: statement };
    return { type: "aws:iam/role:Role", name: "cluster", props: { assumeRolePolicy: asString ? JSON.stringify(document) : document } };
};
const trust = (service: string | string[], condition?: Record<string, unknown>) => ({
    Effect: "Allow",
    Principal: { Service: service },
    Action: ["sts:AssumeRole", "sts:TagSession"],
    ...(condition ? { Condition: condition } : {}),
});
const ACCOUNT = { StringEquals: { "aws:SourceAccount": "123456789012" } };
const RULE = "confused deputy, AWS IAM User Guide";

describe("policy iam-scope-service-trust-to-source", () => {
    it("passes service trust with aws:SourceAccount or aws:SourceArn (any operator, any case, IfExists), as a string or an object", async () => {
        expect(await violations(policy, role(trust("eks.amazonaws.com", ACCOUNT)))).to.deep.equal([]);
        expect(await violations(policy, role([trust("vpc-flow-logs.amazonaws.com", { ArnLike: { "aws:SourceArn": "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*" } })], false))).to.deep.equal([]);
        expect(await violations(policy, role(trust("ec2.amazonaws.com", { StringEqualsIfExists: { "AWS:SourceAccount": "123456789012" } })))).to.deep.equal([]);
    });

    it("passes trust of other principals (accounts, federated identities), and services the stack exempts", async () => {
        expect(await violations(policy, role({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" }))).to.deep.equal([]);
        expect(await violations(policy, role({ Effect: "Allow", Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }, Action: "sts:AssumeRoleWithWebIdentity" }))).to.deep.equal([]);
        expect(await violations(policy, role(trust("ec2.amazonaws.com")), { exemptServicePrincipals: ["ec2.amazonaws.com"] })).to.deep.equal([]);
        expect(await violations(policy, role({ ...trust("eks.amazonaws.com"), Effect: "Deny" }))).to.deep.equal([]);
    });

    it("fails a service principal trusted without a source condition, naming every service of the statement", async () => {
        expect(await violations(policy, role([trust("eks.amazonaws.com", ACCOUNT), { ...trust(["ec2.amazonaws.com", "ssm.amazonaws.com"]), Sid: "Nodes" }]))).to.deep.equal([
            `assumeRolePolicy statement 1 (Nodes) lets ec2.amazonaws.com, ssm.amazonaws.com assume the role without an aws:SourceAccount or aws:SourceArn condition: the service could be made to use it for another account's resource (${RULE}).`,
        ]);
    });

    it("fails a condition on other keys only (Pod Identity's session tags do not name the account)", async () => {
        const tagsOnly = { StringEquals: { "aws:RequestTag/kubernetes-namespace": "kube-system", "aws:RequestTag/kubernetes-service-account": "ebs-csi" } };
        expect(await violations(policy, role(trust("pods.eks.amazonaws.com", tagsOnly), false))).to.deep.equal([
            `assumeRolePolicy statement 0 lets pods.eks.amazonaws.com assume the role without an aws:SourceAccount or aws:SourceArn condition: the service could be made to use it for another account's resource (${RULE}).`,
        ]);
    });

    it("fails a trust policy that is not JSON", async () => {
        expect(await violations(policy, { type: "aws:iam/role:Role", name: "x", props: { assumeRolePolicy: "Statement: []" } })).to.deep.equal([
            `assumeRolePolicy is not valid JSON, so its service principals cannot be checked for a source condition (${RULE}).`,
        ]);
    });
});
