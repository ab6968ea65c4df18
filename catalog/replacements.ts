/**
 * Which input changes make the provider replace a resource (delete and create it again) instead of
 * updating it in place, for the resource types the stacks declare: the offline diff of
 * `npm run check -- <stack> --diff <export.json>` marks a change of one of these inputs as `replace`.
 * Paths are Pulumi input paths (camelCase, dot for a field, `[*]` for any element of a list); a change
 * at, inside or above a listed path forces the replacement. The AWS and random entries are the
 * Terraform providers' `ForceNew` / `RequiresReplace` attributes, which the Pulumi bridge turns into
 * replacements; Docker's are the kreuzwerker provider's; Kubernetes' are pulumi-kubernetes's own table.
 * A type missing here is reported as an update, with a note that its replacements are not catalogued.
 */
import { Evidence, readOn } from "./evidence";

export interface ReplacementRule {
    /** Input paths whose change forces a replacement. */
    readonly replaceOn: readonly string[];
    readonly evidence: readonly Evidence[];
}

const TF_AWS = "https://github.com/hashicorp/terraform-provider-aws/blob";
const TF_AWS_DOCS = "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources";
const DOCKER = "https://github.com/kreuzwerker/terraform-provider-docker/blob/83c00e0bf3cec8f00bab77a9315ab69a58dcda32/internal/provider";
const K8S_DIFF = readOn(
    "https://github.com/pulumi/pulumi-kubernetes/blob/00302beb58ae08591f0c8b0b065871c50ba35250/provider/pkg/provider/diff.go",
    "forceNewProperties: .metadata.name and .metadata.namespace for every kind, plus the per-kind table (Deployment .spec.selector, Job .spec.template, ...)",
);
const K8S_METADATA = ["metadata.name", "metadata.namespace"];

/** Kubernetes kinds the stacks declare that have no immutable field beyond their name and namespace. */
const K8S_NAME_ONLY = [
    "kubernetes:core/v1:Namespace",
    "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding",
    "kubernetes:keda.sh/v1alpha1:ScaledObject",
    "kubernetes:monitoring.coreos.com/v1:PodMonitor",
    "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
] as const;

const DOCKER_CONTAINER_FORCE_NEW = [
    "capabilities", "cgroupParent", "cgroupnsMode", "command", "cpus", "deviceRequests", "devices", "dns", "dnsOpts", "dnsSearches",
    "domainname", "entrypoints", "envs", "gpus", "groupAdds", "hostname", "hosts", "image", "ipcMode", "labels", "logDriver", "logOpts",
    "mounts", "name", "networkMode", "networksAdvanced", "pidMode", "platform", "ports", "privileged", "publishAllPorts", "readOnly",
    "runtime", "securityOpts", "shmSize", "stdinOpen", "stopSignal", "stopTimeout", "storageOpts", "sysctls", "tty", "ulimits",
    "uploads", "user", "usernsMode", "volumes", "workingDir",
];

/** Type token -> the inputs that force its replacement. */
export const REPLACEMENTS: Readonly<Record<string, ReplacementRule>> = {
    "aws:ec2/vpc:Vpc": {
        replaceOn: ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"],
        evidence: [readOn(`${TF_AWS}/00081ce41cc691433ac19bf42227cdabffd0454d/internal/service/ec2/vpc_.go`, "cidr_block, ipv4_ipam_pool_id, ipv4_netmask_length are ForceNew")],
    },
    "aws:ec2/subnet:Subnet": {
        replaceOn: ["availabilityZone", "availabilityZoneId", "cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength", "ipv6IpamPoolId", "ipv6Native", "ipv6NetmaskLength", "outpostArn", "vpcId"],
        evidence: [readOn(`${TF_AWS}/00cda125a19d31754cb0d073cf551264c57955cb/internal/service/ec2/vpc_subnet.go`, "availability_zone(_id), cidr_block, vpc_id and the IPAM/IPv6 sizing attributes are ForceNew")],
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        replaceOn: ["description", "name", "namePrefix", "vpcId"],
        evidence: [readOn(`${TF_AWS_DOCS}/security_group`, "description, name, name_prefix and vpc_id: \"Forces new resource\" (GroupDescription has no update API)")],
    },
    "aws:ec2/natGateway:NatGateway": {
        replaceOn: ["allocationId", "connectivityType", "privateIp", "secondaryPrivateIpAddressCount", "subnetId"],
        evidence: [readOn(`${TF_AWS}/04088eaa54948421bf1ef7494ae2b2c01d9243e3/internal/service/ec2/vpc_nat_gateway.go`, "allocation_id, connectivity_type, private_ip, secondary_private_ip_address_count, subnet_id are ForceNew")],
    },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {
        replaceOn: ["gatewayId", "subnetId"],
        evidence: [readOn(`${TF_AWS}/main/internal/service/ec2/vpc_route_table_association.go`, "gateway_id and subnet_id are ForceNew; route_table_id is updated in place (ReplaceRouteTableAssociation)")],
    },
    "aws:efs/mountTarget:MountTarget": {
        replaceOn: ["fileSystemId", "ipAddress", "subnetId"],
        evidence: [readOn(`${TF_AWS}/0593466d96e383de3f75587805537f6e590ebf4e/internal/service/efs/mount_target.go`, "file_system_id, ip_address, subnet_id are ForceNew; security_groups update in place")],
    },
    "aws:eks/nodeGroup:NodeGroup": {
        replaceOn: [
            "amiType", "capacityType", "clusterName", "diskSize", "instanceTypes", "launchTemplate.id", "launchTemplate.name", "nodeGroupName",
            "nodeGroupNamePrefix", "nodeRoleArn", "remoteAccess", "subnetIds",
        ],
        evidence: [
            readOn(
                `${TF_AWS}/012e0a32f0686212f447447fd3d81c3d0ce256ad/internal/service/eks/node_group.go`,
                "ForceNew: ami_type, capacity_type, cluster_name, disk_size, instance_types, launch_template id/name, node_group_name(_prefix), node_role_arn, remote_access, subnet_ids; " +
                    "scaling_config, labels, taints, version and the launch template's version update in place",
            ),
        ],
    },
    "aws:rds/instance:Instance": {
        replaceOn: [
            "availabilityZone", "characterSetName", "customIamInstanceProfile", "dbName", "engine", "identifier", "identifierPrefix", "kmsKeyId",
            "name", "ncharCharacterSetName", "restoreToPointInTime", "s3Import", "snapshotIdentifier", "storageEncrypted", "timezone", "username",
        ],
        evidence: [
            readOn(
                `${TF_AWS}/00e4b23838859616dd0ebc9d1fd9364c0f6bff22/internal/service/rds/instance.go`,
                "ForceNew: availability_zone, character_set_name, db_name, engine, identifier(_prefix), kms_key_id, storage_encrypted, timezone, username, ...; " +
                    "instance_class, db_subnet_group_name, multi_az, allocated_storage and engine_version are updated in place",
            ),
        ],
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        replaceOn: [
            "atRestEncryptionEnabled", "dataTieringEnabled", "engine", "globalReplicationGroupId", "kmsKeyId", "port",
            "replicationGroupId", "securityGroupNames", "snapshotArns", "snapshotName", "subnetGroupName", "transitEncryptionEnabled",
        ],
        evidence: [
            readOn(
                `${TF_AWS}/16a38e655493c96cc41e2178dbd58540f6c06722/internal/service/elasticache/replication_group.go`,
                "ForceNew: engine, kms_key_id, port, replication_group_id, subnet_group_name, snapshot_*, transit_encryption_enabled, data_tiering_enabled, " +
                    "global_replication_group_id, at_rest_encryption_enabled; node_type and num_cache_clusters update in place",
            ),
        ],
    },
    "aws:efs/fileSystem:FileSystem": {
        replaceOn: ["availabilityZoneName", "creationToken", "encrypted", "kmsKeyId", "performanceMode"],
        evidence: [readOn(`${TF_AWS}/0389f4671dd9086cbe548d8eeabf0df30d1c38d9/internal/service/efs/file_system.go`, "availability_zone_name, creation_token, encrypted, kms_key_id, performance_mode are ForceNew")],
    },
    "aws:s3/bucket:Bucket": {
        replaceOn: ["bucket", "bucketPrefix", "objectLockEnabled"],
        evidence: [readOn(`${TF_AWS_DOCS}/s3_bucket`, "bucket, bucket_prefix, object_lock_enabled: \"Optional, Forces new resource\"")],
    },
    "aws:kms/key:Key": {
        replaceOn: ["customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"],
        evidence: [readOn(`${TF_AWS}/00a35305dc1b297a6fcdecdfbba33f1e63c3da39/internal/service/kms/key.go`, "custom_key_store_id, customer_master_key_spec, key_usage, multi_region, xks_key_id are ForceNew")],
    },
    "aws:eks/cluster:Cluster": {
        replaceOn: [
            "accessConfig.bootstrapClusterCreatorAdminPermissions", "bootstrapSelfManagedAddons", "kubernetesNetworkConfig.ipFamily",
            "kubernetesNetworkConfig.serviceIpv4Cidr", "name", "outpostConfig", "remoteNetworkConfig", "roleArn",
        ],
        evidence: [
            readOn(
                `${TF_AWS}/00555dc5b38f92abbfa230badea0ed0754cea81e/internal/service/eks/cluster.go`,
                "ForceNew: name, role_arn, bootstrap_self_managed_addons, access_config.bootstrap_cluster_creator_admin_permissions, kubernetes_network_config ip_family and " +
                    "service_ipv4_cidr, remote_network_config, outpost_config; vpc_config (subnets, endpoint access), version and encryption_config update in place",
            ),
        ],
    },
    "docker:index/container:Container": {
        replaceOn: DOCKER_CONTAINER_FORCE_NEW,
        evidence: [
            readOn(
                `${DOCKER}/resource_docker_container.go`,
                "every argument is ForceNew except restart, memory, memory_swap, cpu_shares, cpu_set, cpu_period, cpu_quota, healthcheck, tmpfs, init, " +
                    "must_run, start and the other run-time settings the provider's Update applies with docker update",
            ),
        ],
    },
    "docker:index/volume:Volume": {
        replaceOn: ["driver", "driverOpts", "labels", "name"],
        evidence: [readOn(`${DOCKER}/resource_docker_volume.go`, "name, labels, driver, driver_opts are ForceNew")],
    },
    "docker:index/network:Network": {
        replaceOn: ["attachable", "driver", "ingress", "internal", "ipamConfigs", "ipamDriver", "ipamOptions", "ipv6", "labels", "name", "options"],
        evidence: [readOn(`${DOCKER}/resource_docker_network.go`, "every argument is ForceNew (the resource has no Update)")],
    },
    "docker:index/remoteImage:RemoteImage": {
        replaceOn: ["build", "name", "platform", "pullTriggers", "triggers"],
        evidence: [readOn(`${DOCKER}/resource_docker_image.go`, "name, pull_triggers, triggers, platform are ForceNew, and the build block's attributes")],
    },
    "random:index/randomPassword:RandomPassword": {
        replaceOn: ["keepers", "length", "lower", "minLower", "minNumeric", "minSpecial", "minUpper", "number", "numeric", "overrideSpecial", "special", "upper"],
        evidence: [
            readOn(
                "https://github.com/hashicorp/terraform-provider-random/blob/c054b4769837f07ce6dcff3eeaea47f16f1000b6/internal/provider/resource_password.go",
                "passwordSchemaV3: every argument carries a RequiresReplace plan modifier (keepers only when its values are not null)",
            ),
        ],
    },
    "random:index/randomId:RandomId": {
        replaceOn: ["byteLength", "keepers", "prefix"],
        evidence: [readOn("https://github.com/hashicorp/terraform-provider-random/blob/04572027ebbaca354b5018c9fc62ea23c4f688cf/internal/provider/resource_id.go", "keepers, byte_length, prefix RequiresReplace")],
    },
    "kubernetes:apps/v1:Deployment": { replaceOn: [...K8S_METADATA, "spec.selector"], evidence: [K8S_DIFF] },
    "kubernetes:batch/v1:Job": { replaceOn: [...K8S_METADATA, "spec.completions", "spec.parallelism", "spec.selector", "spec.template"], evidence: [K8S_DIFF] },
    "kubernetes:core/v1:ConfigMap": { replaceOn: [...K8S_METADATA, "binaryData", "data"], evidence: [K8S_DIFF] },
    "kubernetes:core/v1:Secret": { replaceOn: [...K8S_METADATA, "data", "stringData", "type"], evidence: [K8S_DIFF] },
    "kubernetes:core/v1:Service": { replaceOn: [...K8S_METADATA, "spec.clusterIP"], evidence: [K8S_DIFF] },
    "kubernetes:core/v1:PersistentVolumeClaim": { replaceOn: [...K8S_METADATA, "spec"], evidence: [K8S_DIFF] },
    "kubernetes:policy/v1:PodDisruptionBudget": { replaceOn: [...K8S_METADATA], evidence: [K8S_DIFF] },
    "kubernetes:storage.k8s.io/v1:StorageClass": { replaceOn: [...K8S_METADATA, "parameters", "provisioner"], evidence: [K8S_DIFF] },
    ...Object.fromEntries(K8S_NAME_ONLY.map((type) => [type, { replaceOn: K8S_METADATA, evidence: [K8S_DIFF] }])),
};

/**
 * Types whose replacement or deletion loses what they hold, and what that is: the diff warns when one
 * of them (or any protected resource) would be replaced or deleted.
 */
export const DATA_HOLDING_TYPES: Readonly<Record<string, string>> = {
    "aws:rds/instance:Instance": "the database",
    "aws:elasticache/replicationGroup:ReplicationGroup": "the cache and its snapshots",
    "aws:efs/fileSystem:FileSystem": "the files (model weights)",
    "aws:s3/bucket:Bucket": "the objects",
    "aws:kms/key:Key": "the key: data encrypted with it can no longer be decrypted",
    "aws:secretsmanager/secret:Secret": "the secret",
    "aws:secretsmanager/secretVersion:SecretVersion": "the secret's value",
    "docker:index/volume:Volume": "the volume's data",
    "kubernetes:core/v1:PersistentVolumeClaim": "the volume's data",
    "kubernetes:core/v1:Secret": "the secret",
    "random:index/randomPassword:RandomPassword": "the password: a new one is generated",
};

/** The replacement rule of a type, if the catalog has one. */
export function replacementRule(type: string): ReplacementRule | undefined {
    return REPLACEMENTS[type];
}
