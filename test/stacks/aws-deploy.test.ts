/**
 * How CI reaches the cloud stacks' Kubernetes API: CodeBuild-hosted runners in the VPC admitted by the
 * cluster's security group, the workflows that run on them, the access entries that authorise the
 * roles CI and operators use, and the bootstrap of an empty account that leaves no endpoint open.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { CODEBUILD_RUNNER, EKS_ACCESS_POLICIES } from "../../catalog/aws";
import { deployRunnerProject, RUNNER_WORKFLOWS } from "../../components/cluster/deployer";
import { PROJECT_DIR } from "../../scripts/offline/stack-files";
import { loadStackConfig } from "../../stacks/config";
import { ConfigError } from "../../stacks/config-reader";
import { ProgramRun, stackConfig } from "../harness";
import { evaluatedStack, evaluatedWith } from "../support/stacks";

const T = {
    project: "aws:codebuild/project:Project",
    webhook: "aws:codebuild/webhook:Webhook",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    cluster: "aws:eks/cluster:Cluster",
    entry: "aws:eks/accessEntry:AccessEntry",
    association: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    provider: "pulumi:providers:kubernetes",
};

const workflow = (file: string) => parse(fs.readFileSync(path.join(PROJECT_DIR, ".github/workflows", file), "utf8"));

/** The stack's config as the program reads it, with overrides (raw values) and keys removed. */
function configOf(stack: "staging" | "prod", overrides: Record<string, unknown> = {}, remove: string[] = []) {
    const resolved = stackConfig(stack, { overrides, remove });
    return loadStackConfig({ project: resolved.project, stack, get: (key) => resolved.values[key.includes(":") ? key : `${resolved.project}:${key}`] });
}

function configError(stack: "staging" | "prod", overrides: Record<string, unknown>, remove: string[] = []): string {
    try {
        configOf(stack, overrides, remove);
    } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        const message = (error as ConfigError).message;
        expect(message.split("\n"), message).to.have.length(1);
        return message;
    }
    throw new Error("expected a ConfigError");
}

for (const stack of ["staging", "prod"] as const) {
    describe(`${stack} deploy path (AWS)`, () => {
        let run: ProgramRun;
        const cfg = configOf(stack);
        const projectName = deployRunnerProject(`genai-${stack}`);
        before(async () => {
            run = await evaluatedStack(stack);
        });

        describe("CodeBuild-hosted runners in the VPC", () => {
            it("runs GitHub Actions jobs of the configured repository through the configured connection, in the private subnets", () => {
                const project = run.one(T.project, "deployer").inputs;
                expect(project.name).to.equal(projectName);
                expect(project.source).to.deep.include({ type: "GITHUB", location: `https://github.com/${cfg.aws.deployRunner!.repository}.git` });
                expect(project.source.auth).to.deep.equal({ type: "CODECONNECTIONS", resource: cfg.aws.deployRunner!.connectionArn });
                expect(project.vpcConfig).to.deep.equal({
                    vpcId: "network-vpc-id",
                    subnets: cfg.aws.availabilityZones === 3 ? ["network-private-0-id", "network-private-1-id", "network-private-2-id"] : ["network-private-0-id", "network-private-1-id"],
                    securityGroupIds: ["deployer-id"],
                });
                expect(project.environment).to.include({ image: CODEBUILD_RUNNER.image, computeType: CODEBUILD_RUNNER.computeType, type: "LINUX_CONTAINER" });
                expect(project.buildTimeout, "a pulumi up waits up to 40 minutes for a rollout").to.be.at.least(60);
                expect(project.logsConfig.cloudwatchLogs).to.deep.equal({ status: "ENABLED", groupName: `/aws/codebuild/${projectName}` });
            });

            it("starts a runner for the queued jobs of the deploy and pull-request workflows only", () => {
                const hook = run.one(T.webhook, "deployer").inputs;
                expect(hook.projectName).to.equal(projectName);
                const [group] = hook.filterGroups;
                expect(group.filters).to.deep.include({ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" });
                const names = new RegExp(group.filters.find((f: any) => f.type === "WORKFLOW_NAME").pattern);
                for (const file of ["deploy.yml", "pull-request.yml"]) expect(workflow(file).name).to.match(names);
                expect("Deploy-evil").to.not.match(names);
                expect([...RUNNER_WORKFLOWS].sort()).to.deep.equal([workflow("deploy.yml").name, workflow("pull-request.yml").name].sort());
            });

            it("tags the project and its security group genai:role=deployer-path", () => {
                expect(run.one(T.project, "deployer").inputs.tags).to.include({ "genai:role": "deployer-path" });
                expect(run.one(T.sg, "deployer").inputs.tags).to.include({ "genai:role": "deployer-path" });
            });

            it("lets the runners out on 443 only, and lets nothing in", () => {
                const out = run.ofType(T.egress).filter((r) => r.inputs.securityGroupId === "deployer-id");
                expect(out.map((r) => r.inputs)).to.deep.equal([
                    { securityGroupId: "deployer-id", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: out[0].inputs.description, tags: out[0].inputs.tags },
                ]);
                expect(run.ofType(T.ingress).filter((r) => r.inputs.securityGroupId === "deployer-id")).to.deep.equal([]);
            });

            it("admits the runners, and only them, to the cluster's API on 443", () => {
                const clusterGroup = "sg-cluster-cluster";
                const rules = run.ofType(T.ingress).filter((r) => r.inputs.securityGroupId === clusterGroup);
                expect(rules).to.have.length(1);
                expect(rules[0].inputs).to.include({ ipProtocol: "tcp", fromPort: 443, toPort: 443, referencedSecurityGroupId: "deployer-id" });
                expect(rules[0].inputs.cidrIpv4).to.equal(undefined);
            });

            it("gives the runners' service role nothing but its logs, its network interfaces and the GitHub connection", () => {
                const trust = JSON.parse(run.one(T.role, "deployer").inputs.assumeRolePolicy).Statement[0];
                expect(trust.Principal).to.deep.equal({ Service: "codebuild.amazonaws.com" });
                expect(trust.Condition).to.deep.equal({
                    StringEquals: { "aws:SourceAccount": "123456789012" },
                    ArnLike: { "aws:SourceArn": `arn:aws:codebuild:us-east-1:123456789012:project/${projectName}` },
                });
                const statements = JSON.parse(run.one(T.rolePolicy, "deployer").inputs.policy).Statement;
                const bySid = Object.fromEntries(statements.map((s: any) => [s.Sid, s]));
                expect(Object.keys(bySid).sort()).to.deep.equal(["GitHubConnection", "NetworkInterfacesInPrivateSubnets", "OwnLogs", "VpcNetworkInterfaces"]);
                // The runners' own log group (its ARN as the mock engine makes it up), and its streams only.
                expect(bySid.OwnLogs.Resource).to.equal("arn:aws:cloudwatch:us-east-1:123456789012:deployer:*");
                expect(bySid.GitHubConnection).to.deep.include({ Action: ["codeconnections:GetConnectionToken", "codeconnections:GetConnection"], Resource: cfg.aws.deployRunner!.connectionArn });
                expect(bySid.NetworkInterfacesInPrivateSubnets.Condition.StringEquals).to.deep.equal({ "ec2:AuthorizedService": "codebuild.amazonaws.com" });
                expect(bySid.NetworkInterfacesInPrivateSubnets.Condition.ArnEquals["ec2:Subnet"]).to.have.length(cfg.aws.availabilityZones);
                const actions = statements.flatMap((s: any) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
                for (const action of actions) expect(action, "no deploy permission: jobs assume the deploy role through OIDC").to.match(/^(logs|ec2|codeconnections):[A-Za-z]+$/);
            });
        });

        describe("access entries", () => {
            it("grants the deploy and break-glass roles cluster admin and the preview role view, and nothing to the cluster's creator", () => {
                const cluster = run.one(T.cluster, "cluster-cluster").inputs;
                expect(cluster.accessConfig).to.deep.equal({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
                const access = cfg.aws.clusterAccess;
                expect(run.ofType(T.entry).map((e) => [e.inputs.principalArn, e.inputs.type])).to.have.deep.members([
                    [access.deployRoleArn, "STANDARD"],
                    [access.breakGlassRoleArn, "STANDARD"],
                    [access.previewRoleArn, "STANDARD"],
                ]);
                expect(run.ofType(T.association).map((a) => [a.inputs.principalArn, a.inputs.policyArn, a.inputs.accessScope.type])).to.have.deep.members([
                    [access.deployRoleArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "cluster"],
                    [access.breakGlassRoleArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "cluster"],
                    [access.previewRoleArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", "cluster"],
                ]);
                expect(EKS_ACCESS_POLICIES.view).to.equal("arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy");
                for (const a of run.ofType(T.association)) expect(a.dependsOn, a.name).to.include(`${T.entry}::${a.name}`);
            });

            it("makes no Kubernetes call before the access entries and the runners' way in exist", () => {
                const provider = run.one(T.provider, "cluster-k8s");
                for (const a of run.ofType(T.association)) expect(provider.dependsOn).to.include(`${T.association}::${a.name}`);
                expect(provider.dependsOn).to.include(`${T.ingress}::cluster-api-client-0`);
            });
        });

        describe("workflows", () => {
            const label = CODEBUILD_RUNNER.label(projectName);

            it("deploys the stack from its runners, in its GitHub environment, with the deploy role", () => {
                const job = workflow("deploy.yml").jobs[stack];
                expect(job["runs-on"]).to.equal(label);
                expect(job.environment).to.equal(stack);
                const credentials = job.steps.find((s: any) => String(s.uses).startsWith("aws-actions/configure-aws-credentials"));
                expect(credentials.with["role-to-assume"]).to.equal("${{ secrets.AWS_DEPLOY_ROLE_ARN }}");
            });

            it("previews the stack from its runners, in its preview environment, with the preview role", () => {
                const job = workflow("pull-request.yml").jobs.preview;
                expect(job.environment).to.equal("preview-${{ matrix.stack }}");
                // The runs-on expression, evaluated for the stack: a CodeBuild label for staging and prod, a hosted runner for dev.
                const runsOn = job["runs-on"] as string;
                const evaluate = (matrixStack: string) =>
                    matrixStack === "dev" ? "ubuntu-latest" : `codebuild-genai-${matrixStack}-deployer-\${{ github.run_id }}-\${{ github.run_attempt }}`;
                expect(runsOn).to.equal("${{ matrix.stack == 'dev' && 'ubuntu-latest' || format('codebuild-genai-{0}-deployer-{1}-{2}', matrix.stack, github.run_id, github.run_attempt) }}");
                expect(evaluate(stack)).to.equal(label);
                expect(job.strategy.matrix.stack).to.include(stack);
            });
        });
    });
}

describe("cloud endpoint access and bootstrap (configuration)", () => {
    it("refuses a public API endpoint on a stack that protects its data", () =>
        expect(configError("prod", { eksPublicAccessCidrs: ["198.51.100.0/24"] })).to.match(
            /genai-platform:eksPublicAccessCidrs = \["198\.51\.100\.0\/24"\]; allowed: \[\] on a stack with protectData: its API endpoint stays private and CI deploys through the runner/,
        ));
    it("requires the runner where the endpoint is private", () =>
        expect(configError("prod", {}, ["deployRunnerConnectionArn", "deployRunnerRepository"])).to.match(
            /genai-platform:deployRunnerConnectionArn = \(not set\); allowed: a CodeConnections connection ARN \(and deployRunnerRepository\): the API endpoint is private/,
        ));
    it("opens the endpoint for the bootstrap to single addresses only", () =>
        expect(configError("prod", { eksBootstrapAccessCidrs: ["198.51.100.0/24"] })).to.match(/eksBootstrapAccessCidrs\[0\] = "198\.51\.100\.0\/24"; allowed: single IPv4 addresses written as \/32/));
    it("refuses the bootstrap addresses where no runner would take over", () =>
        expect(configError("staging", { eksBootstrapAccessCidrs: ["198.51.100.7/32"] }, ["deployRunnerConnectionArn", "deployRunnerRepository"])).to.match(
            /eksBootstrapAccessCidrs = \["198\.51\.100\.7\/32"\]; allowed: \[\] unless the deploy runner is configured/,
        ));
    it("refuses a connection that is not a CodeConnections ARN, and a repository that is not owner/name", () => {
        expect(configError("staging", { deployRunnerConnectionArn: "arn:aws:iam::111122223333:role/github" })).to.match(/deployRunnerConnectionArn = "arn:aws:iam::111122223333:role\/github"; allowed: the ARN of a CodeConnections connection/);
        expect(configError("staging", { deployRunnerRepository: "https://github.com/example-org/genai-platform" })).to.match(/deployRunnerRepository = .*; allowed: the GitHub repository whose workflow jobs the runner takes, as owner\/name/);
    });
    it("requires the deploy, preview and break-glass roles as IAM role ARNs, one role each", () => {
        expect(configError("staging", {}, ["previewRoleArn"])).to.match(/genai-platform:previewRoleArn = \(not set\); allowed: the ARN of the CI preview role, an IAM role/);
        expect(configError("staging", { breakGlassRoleArn: "arn:aws:iam::111122223333:user/ops" })).to.match(/breakGlassRoleArn = "arn:aws:iam::111122223333:user\/ops"; allowed: the ARN of the operators' break-glass role/);
        expect(configError("staging", { previewRoleArn: "arn:aws:iam::111122223333:role/genai-staging-deploy" })).to.match(/breakGlassRoleArn = .*; allowed: a role other than deployRoleArn and previewRoleArn/);
    });
    it("commits no bootstrap address in any stack file: CI's next up closes the endpoint", () => {
        for (const file of fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\.[a-z]+\.yaml$/.test(f))) {
            const config = parse(fs.readFileSync(path.join(PROJECT_DIR, file), "utf8")).config ?? {};
            expect(config, file).to.not.have.property("genai-platform:eksBootstrapAccessCidrs");
        }
    });

    it("opens a private endpoint to the operator's address during the bootstrap, and only then", async () => {
        const bootstrap = await evaluatedWith("prod", { eksBootstrapAccessCidrs: ["198.51.100.7/32"] });
        expect(bootstrap.one(T.cluster, "cluster-cluster").inputs.vpcConfig).to.deep.include({ endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.7/32"] });
        // The runner is declared in the same up, so the next up (through it, without the address) can close the endpoint.
        expect(bootstrap.one(T.project, "deployer").inputs.name).to.equal("genai-prod-deployer");
        const committed = await evaluatedStack("prod");
        expect(committed.one(T.cluster, "cluster-cluster").inputs.vpcConfig).to.deep.include({ endpointPrivateAccess: true, endpointPublicAccess: false });
    });
});
