/**
 * Resource type tokens the policies and the cost estimate look at, defined once. The pack never
 * imports the provider SDKs (loading @pulumi/aws alone takes seconds): it matches type tokens.
 * Where aws v7 keeps a deprecated alias type (`aws:alb/...`, `...V2`), both tokens are listed.
 */
export const AWS = {
    rdsInstance: "aws:rds/instance:Instance",
    rdsCluster: "aws:rds/cluster:Cluster",
    elasticacheReplicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
    elasticacheCluster: "aws:elasticache/cluster:Cluster",
    eksCluster: "aws:eks/cluster:Cluster",
    eksNodeGroup: "aws:eks/nodeGroup:NodeGroup",
    ec2Instance: "aws:ec2/instance:Instance",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    loadBalancers: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
    listeners: ["aws:lb/listener:Listener", "aws:alb/listener:Listener"],
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    securityGroupIngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    s3Buckets: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    s3PublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    s3Encryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    s3Versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    secretsManagerSecret: "aws:secretsmanager/secret:Secret",
    natGateway: "aws:ec2/natGateway:NatGateway",
    eip: "aws:ec2/eip:Eip",
    ebsVolume: "aws:ebs/volume:Volume",
    kmsKey: "aws:kms/key:Key",
    efsFileSystem: "aws:efs/fileSystem:FileSystem",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    iamRole: "aws:iam/role:Role",
    /** Policy documents written inline: a managed policy of the account, and inline policies of a role, user or group. */
    iamPolicyDocuments: [
        "aws:iam/policy:Policy",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/groupPolicy:GroupPolicy",
    ],
    /** Attachments of a managed policy by ARN (`policyArn`). */
    iamPolicyAttachments: [
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
    ],
} as const;

/** Kubernetes workloads whose pod template the policies inspect, with the path to the pod spec. */
export const K8S_POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
    "kubernetes:core/v1:Pod": ["spec"],
    "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
    "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** Kubernetes workload types, in the order of K8S_POD_SPEC_PATHS. */
export const K8S_WORKLOADS: readonly string[] = Object.keys(K8S_POD_SPEC_PATHS);

export const K8S = {
    deployment: "kubernetes:apps/v1:Deployment",
    scaledObject: "kubernetes:keda.sh/v1alpha1:ScaledObject",
} as const;

export const DOCKER = {
    container: "docker:index/container:Container",
    remoteImage: "docker:index/remoteImage:RemoteImage",
    volume: "docker:index/volume:Volume",
} as const;

/** Label of a dev container naming its role (catalog/images.ts HOST_ACCESS grants host paths per role). */
export const DOCKER_ROLE_LABEL = "genai.component";

/** Tag (key and value) that marks a resource of the deployer path: CI's way into a cluster whose API endpoint is private. */
export const DEPLOYER_PATH_TAG = { key: "genai:role", value: "deployer-path" } as const;

/** Tag (key and value) that marks the load balancer's security group, the only one open to the world. */
export const ALB_TIER_TAG = { key: "genai:tier", value: "alb" } as const;
