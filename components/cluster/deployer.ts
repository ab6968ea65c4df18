import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CODEBUILD_RUNNER } from "../../catalog/aws";
import { serviceTrustPolicy, sourceConditions } from "../shared/iam";
import { named, Tags } from "../shared/tags";

export interface DeployRunnerArgs {
    /** Prefix of resource names, e.g. `genai-prod`; the project is `<prefix>-deployer`. */
    readonly prefix: string;
    /** VPC of the stack. */
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets (with NAT) the runners start in. */
    readonly privateSubnetIds: pulumi.Input<string>[];
    /** GitHub repository whose workflow jobs the runners take, `owner/name`. */
    readonly repository: string;
    /** ARN of the CodeConnections connection to GitHub. */
    readonly connectionArn: string;
    /** The stack's AWS account and region. */
    readonly account: pulumi.Input<string>;
    readonly region: string;
    /** Days the runners' logs are kept. */
    readonly logRetentionDays: number;
    /** Tags of every taggable resource of the component. */
    readonly tags: Tags;
}

/** The tag a stack policy looks for on the way CI reaches a private API endpoint. */
export const DEPLOYER_PATH_TAG = { key: "genai:role", value: "deployer-path" } as const;

/** The workflows (their `name:`) whose jobs may start a runner: the deploy and the pull-request previews. */
export const RUNNER_WORKFLOWS = ["Deploy", "Pull request"] as const;

/** Minutes a runner may run one job: a `pulumi up` that waits up to 40 minutes for a rollout, with room. */
export const RUNNER_TIMEOUT_MINUTES = 120;

/** The CodeBuild project of a stack's runners; workflows name it in `runs-on`. */
export function deployRunnerProject(prefix: string): string {
    return `${prefix}-deployer`;
}

/**
 * What the runners' service role may do: write their own logs, place their network interfaces in the
 * private subnets (as CodeBuild's VPC support documents), and fetch the GitHub token of the connection.
 * Nothing else: a job deploys with the role it assumes through GitHub's OIDC, not with this one.
 */
export function deployRunnerPolicy(spec: { account: string; region: string; logGroupArn: string; subnetIds: readonly string[]; connectionArn: string }): string {
    const connectionService = spec.connectionArn.split(":")[2];
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "OwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${spec.logGroupArn}:*` },
            {
                Sid: "VpcNetworkInterfaces",
                Effect: "Allow",
                Action: [
                    "ec2:CreateNetworkInterface",
                    "ec2:DeleteNetworkInterface",
                    "ec2:DescribeDhcpOptions",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeVpcs",
                ],
                Resource: "*",
            },
            {
                Sid: "NetworkInterfacesInPrivateSubnets",
                Effect: "Allow",
                Action: "ec2:CreateNetworkInterfacePermission",
                Resource: `arn:aws:ec2:${spec.region}:${spec.account}:network-interface/*`,
                Condition: {
                    StringEquals: { "ec2:AuthorizedService": "codebuild.amazonaws.com" },
                    ArnEquals: { "ec2:Subnet": spec.subnetIds.map((id) => `arn:aws:ec2:${spec.region}:${spec.account}:subnet/${id}`) },
                },
            },
            {
                Sid: "GitHubConnection",
                Effect: "Allow",
                Action: [`${connectionService}:GetConnectionToken`, `${connectionService}:GetConnection`],
                Resource: spec.connectionArn,
            },
        ],
    });
}

/**
 * The deploy path into a private cluster: GitHub Actions runners hosted by AWS CodeBuild in the VPC's
 * private subnets. A webhook on queued workflow jobs of the deploy and pull-request workflows starts a
 * runner for each job whose `runs-on` names the project; its security group is the one the cluster
 * admits on 443. Tagged `genai:role=deployer-path`.
 */
export class DeployRunner extends pulumi.ComponentResource {
    public readonly project: aws.codebuild.Project;
    public readonly securityGroup: aws.ec2.SecurityGroup;

    constructor(name: string, args: DeployRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:cluster:DeployRunner", name, {}, opts);
        const parent = { parent: this };
        const projectName = deployRunnerProject(args.prefix);
        const tags = named(args.tags, projectName, { [DEPLOYER_PATH_TAG.key]: DEPLOYER_PATH_TAG.value });

        this.securityGroup = new aws.ec2.SecurityGroup(
            `${name}`,
            { vpcId: args.vpcId, description: "Deploy runners: HTTPS out to GitHub, registries, AWS APIs and the cluster's API", tags: { ...tags, "genai:tier": "deployer" } },
            parent,
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-https`,
            { securityGroupId: this.securityGroup.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "deployer: HTTPS through NAT and to the API endpoint", tags },
            parent,
        );

        const logGroup = new aws.cloudwatch.LogGroup(`${name}`, { name: `/aws/codebuild/${projectName}`, retentionInDays: args.logRetentionDays, tags }, parent);
        const role = new aws.iam.Role(
            `${name}`,
            {
                assumeRolePolicy: pulumi
                    .output(args.account)
                    .apply((account) => serviceTrustPolicy("codebuild.amazonaws.com", sourceConditions(account, `arn:aws:codebuild:${args.region}:${account}:project/${projectName}`))),
                tags,
            },
            parent,
        );
        const policy = new aws.iam.RolePolicy(
            `${name}`,
            {
                role: role.id,
                policy: pulumi
                    .all([args.account, logGroup.arn, pulumi.all(args.privateSubnetIds)])
                    .apply(([account, logGroupArn, subnetIds]) => deployRunnerPolicy({ account, region: args.region, logGroupArn, subnetIds, connectionArn: args.connectionArn })),
            },
            parent,
        );

        this.project = new aws.codebuild.Project(
            `${name}`,
            {
                name: projectName,
                description: `GitHub Actions runners of ${args.repository} in the ${args.prefix} VPC`,
                serviceRole: role.arn,
                source: {
                    type: "GITHUB",
                    location: `https://github.com/${args.repository}.git`,
                    gitCloneDepth: 1,
                    auth: { type: "CODECONNECTIONS", resource: args.connectionArn },
                },
                artifacts: { type: "NO_ARTIFACTS" },
                environment: { type: "LINUX_CONTAINER", computeType: CODEBUILD_RUNNER.computeType, image: CODEBUILD_RUNNER.image, imagePullCredentialsType: "CODEBUILD" },
                vpcConfig: { vpcId: args.vpcId, subnets: args.privateSubnetIds, securityGroupIds: [this.securityGroup.id] },
                logsConfig: { cloudwatchLogs: { status: "ENABLED", groupName: logGroup.name }, s3Logs: { status: "DISABLED" } },
                buildTimeout: RUNNER_TIMEOUT_MINUTES,
                tags,
            },
            // CodeBuild checks at creation that its role may place network interfaces in the subnets.
            { parent: this, dependsOn: [policy] },
        );
        new aws.codebuild.Webhook(
            `${name}`,
            {
                projectName: this.project.name,
                buildType: "BUILD",
                filterGroups: [
                    {
                        filters: [
                            { type: "EVENT", pattern: CODEBUILD_RUNNER.event },
                            { type: "WORKFLOW_NAME", pattern: `^(${RUNNER_WORKFLOWS.join("|")})$` },
                        ],
                    },
                ],
            },
            parent,
        );
        this.registerOutputs({ project: this.project.name, securityGroupId: this.securityGroup.id });
    }
}
