import * as aws from "@pulumi/aws";
import { DataStoreExporters } from "../components/observability/data-store-exporters-k8s";
import { alertInputsOf, appNamespaceName } from "./alert-inputs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ElastiCacheRedis } from "../components/cache/elasticache";
import { ClusterAddons, GP3_STORAGE_CLASS, WEIGHTS_STORAGE_CLASS } from "../components/cluster/addons";
import { DeployRunner } from "../components/cluster/deployer";
import { EksCluster } from "../components/cluster/eks";
import { AwsBackupPlan, BACKUP_SELECTION_TAG } from "../components/data/backup-aws";
import { PlatformBucket } from "../components/data/bucket";
import { RDS_POSTGRES_PORT, RdsPostgres } from "../components/data/postgres-rds";
import { KubernetesModelService, SecretKeyRef, trackWorkloadName } from "../components/inference/model-k8s";
import { AwsNetwork } from "../components/network/aws";
import { ALB_SIGNALS } from "../catalog/alb-metrics";
import { modelVersions } from "../components/inference/model";
import { IMAGES } from "../catalog/images";
import { readsLoadBalancerSignals } from "../components/observability/signals";
import { platformAlertRules } from "../components/observability/alerts";
import { grafanaPath } from "../components/observability/grafana";
import { inferencePanels } from "../components/observability/grafana";
import { AwsCloudWatchReader, CLOUDWATCH_EXPORTER_SERVICE_ACCOUNT } from "../components/observability/account-spend";
import { ALB_METRICS_SERVICE_ACCOUNT } from "../components/observability/alb-metrics";
import { AwsAlertTopic } from "../components/observability/alert-topic";
import { AwsBudgets } from "../components/observability/budget";
import { renderAlertmanagerConfig } from "../components/observability/config-files";
import { ALERTMANAGER_SERVICE_ACCOUNT, ALWAYS_FIRING_ALERTS, GRAFANA_SERVICE, KubernetesObservability, MONITORING_NAMESPACE, prometheusUrl, PUSHGATEWAY_SERVICE } from "../components/observability/k8s";
import { AwsSecretStore, SECRET_KEYS } from "../components/secrets/aws";
import { GeneratedSecrets } from "../components/secrets/generated";
import { platformTags } from "../components/shared/tags";
import { AwsLoadBalancer } from "../components/traffic/alb";
import { trafficSplit } from "../components/traffic/split";
import { StackConfig } from "./config";
import { PlatformOutputs } from "./docker";

/** Days ALB access logs are kept. */
const ALB_LOG_DAYS = 7;
/** Days generated outputs (images) are kept under the bucket's `outputs/` prefix: as long as the seeds keep backups. */
const GENERATED_OUTPUT_DAYS = 30;
/** Days after which a stored secret is due for rotation. */
export const SECRET_ROTATION_DAYS = 90;
const APP_SECRET = "platform-secrets";
const GRAFANA_SECRET = "grafana-admin";

/**
 * The platform on AWS: VPC, EKS with GPU node groups, the model workloads and the weighted ALB,
 * RDS Postgres, ElastiCache Redis, secrets in Secrets Manager, observability, backups and budgets.
 */
export function buildAwsPlatform(cfg: StackConfig): PlatformOutputs {
    const prefix = `genai-${cfg.stack}`;
    const tags = platformTags(cfg.stack, cfg.project, cfg.costCenter);
    const a = cfg.aws;
    const account = aws.getCallerIdentityOutput().accountId;

    const network = new AwsNetwork("network", {
        prefix,
        cidr: a.vpcCidr,
        availabilityZones: a.availabilityZones,
        instanceTypes: [a.systemNodeInstanceType, ...a.gpuNodeGroups.flatMap((g) => g.instanceTypes)],
        account,
        region: a.region,
        natGatewayMode: a.natGatewayMode,
        flowLogs: a.vpcFlowLogs,
        flowLogRetentionDays: a.logArchiveRetentionDays,
        albIngressCidrs: a.albIngressCidrs,
        servicePorts: [...cfg.models.map((m) => m.engine.port), GRAFANA_SERVICE.containerPort],
        tags,
    });

    // The way CI reaches the API endpoint from inside the VPC.
    const runner = a.deployRunner
        ? new DeployRunner("deployer", {
              prefix,
              vpcId: network.vpc.id,
              privateSubnetIds: network.privateSubnetIds,
              repository: a.deployRunner.repository,
              connectionArn: a.deployRunner.connectionArn,
              account,
              region: a.region,
              logRetentionDays: a.logArchiveRetentionDays,
              tags,
          })
        : undefined;

    const cluster = new EksCluster("cluster", {
        prefix,
        version: a.eksVersion,
        privateSubnetIds: network.privateSubnetIds,
        nodeSecurityGroupId: network.nodeSecurityGroup.id,
        publicAccessCidrs: [...a.eksPublicAccessCidrs, ...a.eksBootstrapAccessCidrs],
        apiClientSecurityGroupIds: runner ? [runner.securityGroup.id] : [],
        access: { admins: [a.clusterAccess.deployRoleArn, a.clusterAccess.breakGlassRoleArn], viewers: [a.clusterAccess.previewRoleArn] },
        account,
        systemNodeInstanceType: a.systemNodeInstanceType,
        systemNodeCount: a.systemNodeCount,
        gpuNodeGroups: a.gpuNodeGroups,
        logRetentionDays: a.logArchiveRetentionDays,
        region: a.region,
        protectData: cfg.protectData,
        tags,
    });

    const bucket = new PlatformBucket("bucket", {
        prefix,
        rules: [
            { prefix: "alb-logs/", expireDays: ALB_LOG_DAYS },
            { prefix: "backups/", expireDays: cfg.backup.retentionDays },
            { prefix: "outputs/", expireDays: GENERATED_OUTPUT_DAYS },
        ],
        albLogPrefix: "alb-logs",
        region: a.region,
        protectData: cfg.protectData,
        tags,
    });

    const lb = new AwsLoadBalancer("lb", {
        prefix,
        vpcId: network.vpc.id,
        publicSubnetIds: network.publicSubnetIds,
        securityGroupId: network.albSecurityGroup.id,
        certificateArn: a.acmCertificateArn,
        routes: cfg.models.map((model) => ({ split: trafficSplit(model), port: model.engine.port, healthPath: model.engine.health.path })),
        grafana: { port: GRAFANA_SERVICE.containerPort, healthPath: grafanaPath(IMAGES.grafana.health.path) },
        rateLimits: { perMinute: cfg.traffic.rateLimitPerMinute, apiPerSecond: cfg.traffic.apiRateLimitPerSecond, authPerSecond: cfg.traffic.authRateLimitPerSecond },
        stickinessSeconds: a.albStickinessSeconds,
        accessLogs: { bucket: bucket.bucket.bucket, prefix: "alb-logs" },
        deletionProtection: cfg.protectData,
        tags,
        dependsOn: [bucket],
    });

    const addons = new ClusterAddons("addons", {
        prefix,
        clusterName: cluster.cluster.name,
        clusterArn: cluster.cluster.arn,
        account,
        targetGroupArns: [
            ...Object.values(lb.targetGroups).flatMap((groups) => [groups.stable.arn, groups.canary.arn]),
            ...(lb.grafanaTargetGroup ? [lb.grafanaTargetGroup.arn] : []),
        ],
        vpcId: network.vpc.id,
        region: a.region,
        privateSubnetIds: network.privateSubnetIds,
        fileSystemSecurityGroupId: network.fileSystemSecurityGroup.id,
        protectData: cfg.protectData,
        provider: cluster.provider,
        tags,
        volumeTags: { [BACKUP_SELECTION_TAG]: prefix },
        dependsOn: cluster.ready,
    });

    const namespace = (id: string, name: string, podSecurity: "restricted" | "privileged", labels: Record<string, string> = {}) =>
        new k8s.core.v1.Namespace(
            id,
            {
                metadata: {
                    name,
                    labels: { environment: cfg.stack, "pod-security.kubernetes.io/enforce": podSecurity, "pod-security.kubernetes.io/audit": "restricted", ...labels },
                },
            },
            { provider: cluster.provider, dependsOn: cluster.ready },
        );
    // The load balancer controller holds a new pod's readiness until its ALB target is healthy, so a
    // rolling update never stops the old pod before the ALB can send traffic to the new one.
    const appNamespace = namespace("namespace", appNamespaceName(cfg.stack), "restricted", { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" });
    // The node exporter and the log shipper read the host: the monitoring namespace admits them.
    const monitoringNamespace = namespace("monitoring-namespace", MONITORING_NAMESPACE, "privileged");

    const generated = new GeneratedSecrets("secrets");
    const configured: Record<string, pulumi.Output<string> | undefined> = {
        [SECRET_KEYS.huggingFaceToken]: cfg.secrets.huggingFaceToken,
        [SECRET_KEYS.openaiApiKey]: cfg.secrets.openaiApiKey,
        [SECRET_KEYS.openrouterApiKey]: cfg.secrets.openrouterApiKey,
        [SECRET_KEYS.alertSlackWebhookUrl]: cfg.secrets.alertSlackWebhookUrl,
    };
    const stored: Record<string, pulumi.Output<string>> = {
        [SECRET_KEYS.postgresPassword]: generated.values.postgresPassword,
        [SECRET_KEYS.redisAuthToken]: generated.values.redisPassword,
        [SECRET_KEYS.grafanaAdminPassword]: generated.values.grafanaAdminPassword,
        ...Object.fromEntries(Object.entries(configured).filter((e): e is [string, pulumi.Output<string>] => e[1] !== undefined)),
    };
    const appKeys = Object.keys(stored).filter((k) => k !== SECRET_KEYS.grafanaAdminPassword && k !== SECRET_KEYS.alertSlackWebhookUrl);
    const secretStore = new AwsSecretStore("secret-store", {
        prefix,
        secrets: stored,
        rotationDays: SECRET_ROTATION_DAYS,
        protectData: cfg.protectData,
        account,
        region: a.region,
        kubernetesSecrets: [
            { namespace: appNamespace.metadata.name, name: APP_SECRET, keys: Object.fromEntries(appKeys.map((k) => [k, k])) },
            {
                namespace: monitoringNamespace.metadata.name,
                name: GRAFANA_SECRET,
                keys: { "admin-password": SECRET_KEYS.grafanaAdminPassword },
                literals: { "admin-user": "admin" },
            },
        ],
        provider: cluster.provider,
        tags,
    });
    const appSecret = secretStore.kubernetesSecrets[APP_SECRET];
    const secretRef = (key: string): SecretKeyRef => ({ name: appSecret.metadata.name, key });

    const postgres = new RdsPostgres("postgres", {
        prefix,
        subnetIds: network.privateSubnetIds,
        securityGroupId: network.databaseSecurityGroup.id,
        instanceClass: cfg.database.instanceClass,
        allocatedStorageGb: cfg.database.allocatedStorageGb,
        maxAllocatedStorageGb: cfg.database.maxAllocatedStorageGb,
        backupRetentionDays: cfg.database.backupRetentionDays,
        multiAz: cfg.database.multiAz,
        databaseName: cfg.database.name,
        user: cfg.database.user,
        password: generated.values.postgresPassword,
        protectData: cfg.protectData,
        performanceInsights: cfg.database.performanceInsights,
        logRetentionDays: a.logArchiveRetentionDays,
        account,
        region: a.region,
        initJob: { namespace: appNamespace.metadata.name, passwordSecret: secretRef(SECRET_KEYS.postgresPassword), provider: cluster.provider, dependsOn: [appSecret] },
        tags,
    });
    const redis = new ElastiCacheRedis("redis", {
        prefix,
        subnetIds: network.privateSubnetIds,
        securityGroupId: network.cacheSecurityGroup.id,
        nodeType: cfg.cache.nodeType,
        replicas: cfg.cache.replicas,
        snapshotRetentionDays: cfg.cache.snapshotRetentionDays,
        authToken: generated.values.redisPassword,
        protectData: cfg.protectData,
        account,
        region: a.region,
        tags,
    });

    const alertTopic = new AwsAlertTopic("alert-topic", {
        prefix,
        clusterName: cluster.cluster.name,
        clusterArn: cluster.cluster.arn,
        account,
        publisher: { namespace: MONITORING_NAMESPACE, serviceAccount: ALERTMANAGER_SERVICE_ACCOUNT },
        emails: cfg.observability.alertEmails,
        tags,
    });
    const alertmanagerConfig = pulumi
        .all([alertTopic.topic.arn, cfg.secrets.alertSlackWebhookUrl ?? pulumi.output(undefined), cfg.observability.alertWebhookUrl ?? pulumi.output(undefined)])
        .apply(([arn, slackWebhookUrl, webhookUrl]) =>
            renderAlertmanagerConfig({ slackWebhookUrl, webhookUrl, emailTopic: { arn, region: a.region }, silencedAlerts: ALWAYS_FIRING_ALERTS }),
        );
    const cloudWatchReader = (serviceAccount: string) =>
        new AwsCloudWatchReader(serviceAccount, { prefix, clusterName: cluster.cluster.name, clusterArn: cluster.cluster.arn, account, namespace: MONITORING_NAMESPACE, serviceAccount, tags });
    const accountSpendReader = cloudWatchReader(CLOUDWATCH_EXPORTER_SERVICE_ACCOUNT);
    // The ALB's per-route metrics, for the models whose engines export no request counts or latency of their own.
    const albRoutes = cfg.models.filter(readsLoadBalancerSignals).flatMap((model) =>
        modelVersions(model).map(({ track }) => ({ model: model.name, track, targetGroup: lb.targetGroups[model.name][track].arnSuffix })),
    );
    const albMetricsReader = albRoutes.length > 0 ? cloudWatchReader(ALB_METRICS_SERVICE_ACCOUNT) : undefined;
    const observability = new KubernetesObservability("observability", {
        namespace: monitoringNamespace.metadata.name,
        appNamespace: appNamespace.metadata.name,
        scrapedModels: cfg.models.flatMap((m) => (m.engine.metrics ? [{ name: m.name, metricsPath: m.engine.metrics.path }] : [])),
        alertRules: platformAlertRules(alertInputsOf(cfg)),
        panels: inferencePanels(cfg.models, ALB_SIGNALS, a.gpuNodeGroups.length > 0),
        metricsRetentionDays: cfg.observability.metricsRetentionDays,
        metricsRetentionSizeGb: cfg.observability.metricsRetentionSizeGb,
        logsRetentionDays: cfg.observability.logsRetentionDays,
        grafanaAdminSecret: secretStore.kubernetesSecrets[GRAFANA_SECRET].metadata.name,
        alertmanagerConfig,
        alertmanagerIdentity: [alertTopic.publisherAssociation],
        cloudwatchExporterIdentity: [accountSpendReader.association],
        albMetrics: albMetricsReader ? { region: a.region, loadBalancer: lb.loadBalancer.arnSuffix, routes: albRoutes, identity: [albMetricsReader.association] } : undefined,
        probes: cfg.models.flatMap((model) =>
            modelVersions(model).map(({ track }) => ({
                name: trackWorkloadName(model.name, track),
                // The track's Service, which sends to its ready pods (components/inference/model-k8s.ts).
                url: `http://${trackWorkloadName(model.name, track)}.${appNamespaceName(cfg.stack)}.svc:${model.engine.port}${model.engine.health.path}`,
                labels: { component: "probe", model: model.name, track },
            })),
        ),
        storageClass: GP3_STORAGE_CLASS,
        gpuMetrics: a.gpuNodeGroups.length > 0,
        provider: cluster.provider,
        dependsOn: [...cluster.ready, addons.volumeStorageClass],
    });
    // pg_up and redis_up, as in dev: the cloud's DatabaseDown and RedisDown read them (alert-inputs.ts).
    new DataStoreExporters("data-store-exporters", {
        namespace: monitoringNamespace.metadata.name,
        postgres: { host: postgres.address, port: RDS_POSTGRES_PORT, database: cfg.database.name, user: cfg.database.user, password: generated.values.postgresPassword },
        redis: { host: redis.replicationGroup.primaryEndpointAddress, port: redis.replicationGroup.port.apply((p) => p ?? 6379), authToken: generated.values.redisPassword },
        provider: cluster.provider,
        dependsOn: [observability.stack, postgres, redis],
    });
    if (lb.grafanaTargetGroup) {
        new k8s.apiextensions.CustomResource(
            "grafana-targets",
            {
                apiVersion: "elbv2.k8s.aws/v1beta1",
                kind: "TargetGroupBinding",
                metadata: { name: "grafana", namespace: monitoringNamespace.metadata.name },
                spec: { serviceRef: { name: GRAFANA_SERVICE.name, port: GRAFANA_SERVICE.port }, targetGroupARN: lb.grafanaTargetGroup.arn, targetType: "ip" },
            },
            { provider: cluster.provider, dependsOn: [observability.stack, addons.loadBalancerController] },
        );
    }

    const backups = new AwsBackupPlan("backup", {
        prefix,
        account,
        region: a.region,
        resourceArns: [postgres.instance.arn, addons.fileSystem.arn],
        at: cfg.backup.at,
        retentionDays: cfg.backup.retentionDays,
        copyRegion: cfg.backup.copyRegion,
        failureEmails: cfg.observability.alertEmails,
        protectData: cfg.protectData,
        tags,
    });

    new AwsBudgets("budgets", {
        prefix,
        environment: cfg.stack,
        monthlyUsd: cfg.budget.monthlyUsd,
        alertThreshold: cfg.budget.alertThreshold,
        emails: cfg.observability.alertEmails,
        tags,
    });

    const thirdPartyEnv: Record<string, SecretKeyRef> = {};
    if (cfg.secrets.openaiApiKey) thirdPartyEnv.OPENAI_API_KEY = secretRef(SECRET_KEYS.openaiApiKey);
    if (cfg.secrets.openrouterApiKey) thirdPartyEnv.OPENROUTER_API_KEY = secretRef(SECRET_KEYS.openrouterApiKey);
    for (const model of cfg.models) {
        const groups = lb.targetGroups[model.name];
        new KubernetesModelService(`model-${model.name}`, {
            model,
            namespace: appNamespace.metadata.name,
            targetGroupArns: { stable: groups.stable.arn, canary: groups.canary.arn },
            weightsStorageClass: WEIGHTS_STORAGE_CLASS,
            prometheusUrl: prometheusUrl(),
            huggingFaceToken: model.gatedWeights ? secretRef(SECRET_KEYS.huggingFaceToken) : undefined,
            secretEnv: thirdPartyEnv,
            generatedOutputs: {
                bucket: bucket.bucket.bucket,
                bucketArn: bucket.bucket.arn,
                clusterName: cluster.cluster.name,
                clusterArn: cluster.cluster.arn,
                account,
                namespace: appNamespaceName(cfg.stack),
                prefix,
                tags,
            },
            provider: cluster.provider,
            dependsOn: [...cluster.ready, addons.keda, addons.loadBalancerController, addons.weightsStorageClass, appSecret],
        });
    }

    return {
        lbUrl: lb.dnsName.apply((dns) => `https://${dns}`),
        albDnsName: lb.dnsName,
        clusterName: cluster.cluster.name,
        kubeconfig: cluster.kubeconfig,
        grafanaUrl: lb.dnsName.apply((dns) => `https://${dns}/grafana/`),
        postgresEndpoint: postgres.address,
        redisEndpoint: redis.replicationGroup.primaryEndpointAddress,
        backupBucket: bucket.bucket.bucket,
        backupVault: backups.vault.name,
        services: cfg.models.map((m) => m.name),
        // Where the applications in the cluster push genai_api_spend_usd_total.
        pushgatewayUrl: `http://${PUSHGATEWAY_SERVICE}.${MONITORING_NAMESPACE}.svc:${IMAGES.pushgateway.ports.http}`,
    };
}
