/**
 * The AWS engine versions the cloud stacks create, each with its support dates and evidence.
 */
import { Evidence, readOn } from "./evidence";

export interface EksVersion {
    readonly version: string;
    /** Last day of standard support, `YYYY-MM-DD`; extended support (at a higher price) follows. */
    readonly standardSupportEnd: string;
    readonly extendedSupportEnd: string;
    readonly evidence: readonly Evidence[];
}

const EKS_CALENDAR = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html";

/** EKS Kubernetes versions the stacks may pin. */
export const EKS_VERSIONS: readonly EksVersion[] = [
    {
        version: "1.35",
        standardSupportEnd: "2027-03-27",
        extendedSupportEnd: "2028-03-27",
        evidence: [
            readOn(EKS_CALENDAR, "standard support lasts 14 months after the EKS release, extended support 12 more"),
            readOn("https://endoflife.date/amazon-eks", "1.35 released on EKS 2026-01-27, end of standard support 2027-03-27 (third-party; the stored AWS page predates the 1.35 row)"),
        ],
    },
    {
        version: "1.36",
        standardSupportEnd: "2027-08-02",
        extendedSupportEnd: "2028-08-02",
        evidence: [
            readOn("https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html", "Kubernetes 1.36 is available in Amazon EKS"),
            readOn("https://devopsdreams.blogspot.com/2026/08/kubernetes-136-on-amazon-eks-upgrade.html", "released on EKS 2026-06-02, standard support to 2027-08-02 (third-party)"),
        ],
    },
];

/**
 * The upgrade policy every cluster gets: EXTENDED keeps a cluster on its pinned version after standard
 * support ends (billed at the extended-support rate) instead of letting AWS upgrade it under the
 * program, as STANDARD would; the check warns well before the date.
 */
export const EKS_SUPPORT_TYPE = "EXTENDED";
export const EKS_UPGRADE_POLICY_EVIDENCE = readOn(
    "https://docs.aws.amazon.com/eks/latest/userguide/view-upgrade-policy.html",
    "STANDARD: upgraded automatically at the end of standard support; EXTENDED: stays, billed for extended support",
);

export interface DataEngine {
    readonly engine: string;
    /** The version passed to the API; a major alias lets AWS pick the default minor, which is always creatable. */
    readonly engineVersion: string;
    /** Parameter group family. */
    readonly family: string;
    /** Oldest minor that can still be created, where AWS has retired older ones. */
    readonly oldestCreatableMinor?: string;
    readonly evidence: readonly Evidence[];
}

export const RDS_POSTGRES: DataEngine = {
    engine: "postgres",
    engineVersion: "15",
    family: "postgres15",
    oldestCreatableMinor: "15.13",
    evidence: [
        readOn("https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html", "RDS PostgreSQL 15 minor versions and their end of standard support"),
        readOn(
            "https://lucaberton.com/blog/aws-rds-postgresql-minor-version-deprecation-may-2026/",
            "AWS Health notice: 15.9-15.12 cannot be created from 2026-05-01 and are upgraded to 15.15+ after 2026-05-31 (third-party copy)",
        ),
    ],
};

export const ELASTICACHE_REDIS: DataEngine = {
    engine: "redis",
    engineVersion: "7.1",
    family: "redis7",
    evidence: [
        readOn("https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/engine-versions.html", "Redis OSS 7.1 supported for node-based clusters"),
        readOn("https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/ParameterGroups.Redis.html", "parameter group family redis7"),
    ],
};

/** The EKS version entry of a pinned version, or undefined when the catalog does not know it. */
export function eksVersion(version: string): EksVersion | undefined {
    return EKS_VERSIONS.find((v) => v.version === version);
}

/** The EKS access policies the access entries associate, by what they grant. */
export const EKS_ACCESS_POLICIES = {
    clusterAdmin: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
    view: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
} as const;
export const EKS_ACCESS_POLICIES_EVIDENCE = readOn(
    "https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html",
    "AmazonEKSClusterAdminPolicy (cluster-admin) and AmazonEKSViewPolicy (view, without Secrets), ARN prefix arn:aws:eks::aws:cluster-access-policy/",
);

/**
 * The node label that tells the cluster autoscaler a node carries GPUs before the device plugin
 * advertises them, so it does not add nodes for pods that already have one coming.
 */
export const CLUSTER_AUTOSCALER_GPU_LABEL = "k8s.amazonaws.com/accelerator";
export const CLUSTER_AUTOSCALER_GPU_LABEL_EVIDENCE = [
    readOn(
        "https://github.com/kubernetes/autoscaler/blob/cluster-autoscaler-chart-9.59.0/cluster-autoscaler/cloudprovider/aws/README.md#special-note-on-gpu-instances",
        "label GPU nodes k8s.amazonaws.com/accelerator=<gpu-type> (Cluster Autoscaler >= 1.15), or it scales out several times while the device plugin starts",
    ),
    readOn("https://github.com/kubernetes/autoscaler/blob/cluster-autoscaler-chart-9.59.0/cluster-autoscaler/cloudprovider/aws/aws_cloud_provider.go#L50", "GPULabel"),
];

/** The value of the GPU label for a GPU model, in the autoscaler README's spelling (`nvidia-tesla-k80` there). */
export function acceleratorLabel(gpuModel: string): string {
    return `nvidia-${gpuModel.toLowerCase()}`;
}

/** The retention periods CloudWatch Logs accepts, in days. */
export const CLOUDWATCH_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
export const CLOUDWATCH_RETENTION_EVIDENCE = readOn(
    "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
    "retentionInDays valid values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
);

/** The certificate authorities that sign RDS server certificates: the instance's CA and the bundle a client verifies it with. */
export const RDS_CA = {
    /** The CA of the instance's server certificate. */
    certIdentifier: "rds-ca-rsa2048-g1",
    /** Every RDS CA of every region, which a client trusts to verify the server (sslmode=verify-full). */
    globalBundleUrl: "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem",
    evidence: [
        readOn("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html", "certificate bundles for all AWS Regions: https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"),
        readOn("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL-certificate-rotation.html", "rds-ca-rsa2048-g1, valid until 2061"),
        readOn("https://www.postgresql.org/docs/15/libpq-envars.html", "PGSSLMODE, PGSSLROOTCERT"),
    ],
} as const;

/**
 * GitHub Actions runners hosted by AWS CodeBuild: a project with a GitHub source and a webhook on
 * queued workflow jobs runs every job whose `runs-on` names it, in the project's VPC.
 */
export const CODEBUILD_RUNNER = {
    /** The webhook event that starts a runner. */
    event: "WORKFLOW_JOB_QUEUED",
    /** The `runs-on` label of a job, for a project. */
    label: (project: string) => `codebuild-${project}-\${{ github.run_id }}-\${{ github.run_attempt }}`,
    /** Curated image: Amazon Linux 2023 with the AWS CLI (the kubeconfig's token command) and Node.js. */
    image: "aws/codebuild/amazonlinux-x86_64-standard:5.0",
    /** 4 vCPUs and 7 GB: the program, the policy pack and Helm in one `pulumi up`. */
    computeType: "BUILD_GENERAL1_MEDIUM",
    evidence: [
        readOn("https://docs.aws.amazon.com/codebuild/latest/userguide/action-runner.html", "runs-on: codebuild-<project-name>-${{ github.run_id }}-${{ github.run_attempt }}; webhook filter EVENT WORKFLOW_JOB_QUEUED"),
        readOn("https://docs.aws.amazon.com/codebuild/latest/userguide/action-runner-questions.html", "jobs whose labels do not name the project start no build"),
        readOn("https://www.pulumi.com/registry/packages/aws/api-docs/codebuild/webhook/", "filter types include WORKFLOW_NAME (pulumi-aws 7.48 sdk/nodejs types)"),
        readOn("https://docs.aws.amazon.com/codebuild/latest/userguide/enabling-vpc-access-in-projects.html", "subnets: private subnets with NAT; the service role creates the network interfaces"),
        readOn(
            "https://docs.aws.amazon.com/codebuild/latest/userguide/auth-and-access-control-iam-identity-based-access-control.html#customer-managed-policies-example-create-vpc-network-interface",
            "ec2:CreateNetworkInterface, DescribeDhcpOptions, DescribeNetworkInterfaces, DeleteNetworkInterface, DescribeSubnets, DescribeSecurityGroups, DescribeVpcs; CreateNetworkInterfacePermission with ec2:Subnet and ec2:AuthorizedService",
        ),
        readOn("https://docs.aws.amazon.com/codebuild/latest/userguide/connections-github-app.html", "source auth type CODECONNECTIONS; the service role needs codeconnections:GetConnectionToken and GetConnection"),
        readOn("https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-available.html", "aws/codebuild/amazonlinux-x86_64-standard:5.0, Amazon Linux 2023 (name seen in public code; the page itself not read here)"),
    ],
} as const;

/** The EC2 quotas, in vCPUs, that running GPU instances of the G and VT families count against, per Region. */
export const GPU_VCPU_QUOTAS = {
    onDemand: { code: "L-DB2E81BA", name: "Running On-Demand G and VT instances" },
    spot: { code: "L-3819A6DF", name: "All G and VT Spot Instance Requests" },
} as const;
/** The instance families these quotas cover (P instances have quotas of their own). */
export const G_AND_VT_FAMILY = /^(?:g|vt)\d+[a-z]*\./;
export const GPU_VCPU_QUOTAS_EVIDENCE = [
    readOn("https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html", "On-Demand quotas in vCPUs per instance family group; G and VT together"),
    readOn("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-spot-limits.html", "Spot quotas in vCPUs; All G and VT Spot Instance Requests, default 0 in new accounts"),
    readOn(
        "https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_RequestServiceQuotaIncrease.html",
        "quota codes L-DB2E81BA and L-3819A6DF of service ec2 as public code uses them (third-party; confirm with aws service-quotas get-service-quota --service-code ec2 --quota-code <code>)",
    ),
];

/** Condition keys a service sets when it assumes a role for one of this account's resources (confused deputy). */
export const SOURCE_CONDITION_EVIDENCE = [
    readOn("https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html", "aws:SourceArn and aws:SourceAccount in trust policies of service roles"),
    readOn("https://docs.aws.amazon.com/eks/latest/userguide/cross-service-confused-deputy-prevention.html", "EKS cluster role: ArnLike aws:SourceArn arn:aws:eks:<region>:<account>:cluster/<name>, StringEquals aws:SourceAccount"),
    readOn("https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html#pod-id-abac-tags", "Pod Identity session tags eks-cluster-arn, kubernetes-namespace, kubernetes-service-account"),
    readOn("https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html", "flow logs role: aws:SourceAccount, aws:SourceArn arn:aws:ec2:<region>:<account>:vpc-flow-log/*"),
    readOn("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html", "enhanced monitoring role: aws:SourceArn arn:aws:rds:<region>:<account>:db:<identifier>, aws:SourceAccount"),
    readOn("https://docs.aws.amazon.com/codebuild/latest/userguide/cross-service-confused-deputy-prevention.html", "CodeBuild service role: aws:SourceAccount, aws:SourceArn arn:aws:codebuild:<region>:<account>:project/<name>"),
];

/** KMS keys: who administers them (the account, through IAM) and how services use them (kms:ViaService). */
export const KMS_KEY_POLICY_EVIDENCE = [
    readOn("https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html", "the account principal delegates to IAM; key administrators' actions"),
    readOn("https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service", "kms:ViaService <service>.<region>.amazonaws.com, kms:CallerAccount"),
    readOn("https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html", "the principal that calls CreateCluster needs kms:DescribeKey and kms:CreateGrant; EKS uses grants"),
];

/** The account that delivers an ALB's access logs comes from aws.elb.getServiceAccount for the region. */
export const ELB_LOG_DELIVERY_EVIDENCE = readOn(
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
    "bucket policy: the Region's Elastic Load Balancing account (regions before August 2022) may PutObject under the prefix",
);

/**
 * What AWS Backup tells an SNS topic of a vault's jobs: the events the platform subscribes to, and the message
 * attribute that says how a completed job ended. A BACKUP_JOB_COMPLETED notification stands for a successful, failed
 * or expired job; its `State` attribute says which, `COMPLETED` for a success.
 */
export const AWS_BACKUP_NOTIFICATIONS = {
    /** Every completed backup job, and every failed copy. */
    events: ["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED"],
    stateAttribute: "State",
    successState: "COMPLETED",
    publisher: "backup.amazonaws.com",
    evidence: [
        readOn(
            "https://docs.aws.amazon.com/aws-backup/latest/devguide/sns-notifications.html",
            "events BACKUP_JOB_STARTED | BACKUP_JOB_COMPLETED, COPY_JOB_STARTED | COPY_JOB_SUCCESSFUL | COPY_JOB_FAILED, ...; subscribing to Completed events is " +
                "equivalent to Successful, Failed or Expired; the notification's MessageAttributes carry State (COMPLETED in the example) and EventType",
        ),
        readOn(
            "https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-notifications.html",
            "own account and topic only (no cross-account notifications); standard topics only, not FIFO",
        ),
        readOn(
            "https://www.pulumi.com/registry/packages/aws/api-docs/backup/vaultnotifications/",
            "aws.backup.VaultNotifications(backupVaultName, snsTopicArn, backupVaultEvents); the topic policy lets the service principal backup.amazonaws.com SNS:Publish",
        ),
        readOn(
            "https://docs.amazonaws.cn/en_us/gamelift/latest/flexmatchguide/queue-notification-sns-sse.html",
            "a service publishing to an SSE topic needs kms:Decrypt and kms:GenerateDataKey in the key policy, scoped by kms:EncryptionContext:aws:sns:topicArn " +
                "(shown for GameLift; not documented for AWS Backup, see the README's unverified list)",
        ),
    ],
} as const;
