import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { alertInputsOf } from "../../stacks/alert-inputs";
import { expect } from "chai";
import { EksCluster } from "../../components/cluster/eks";
import { RDS_POSTGRES } from "../../catalog/aws";
import { alertRuleGroups, platformAlertRules } from "../../components/observability/alerts";
import { stackConfigOf } from "../support/dev-stack";
import { mockSecretValue, ProgramRun, RecordedResource, runProgram } from "../harness";
import { CONFIGURED_SECRETS, evaluatedStack, evaluatedWith } from "../support/stacks";

const GENERATED = ["secrets-postgresPassword", "secrets-redisPassword", "secrets-grafanaAdminPassword"].map(mockSecretValue);
const CONFIGURED = CONFIGURED_SECRETS;
const ALL_SECRETS = [...GENERATED, ...Object.values(CONFIGURED)];
const SECRET_ENV = /(PASSWORD|SECRET|TOKEN|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIAL)/i;

function podContainers(r: RecordedResource): any[] {
    const spec = r.inputs.spec?.template?.spec ?? r.inputs.spec;
    return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
}

for (const stack of ["staging", "prod"] as const) {
    const prod = stack === "prod";
    describe(`${stack} data, secrets, observability and budgets (AWS)`, () => {
        let run: ProgramRun;
        before(async () => {
            run = await evaluatedStack(stack);
        });

        describe("Postgres (RDS)", () => {
            let db: RecordedResource;
            before(() => {
                db = run.one("aws:rds/instance:Instance", "postgres");
            });
            it("is private, encrypted with its KMS key, gp3 with storage autoscaling, TLS only", () => {
                // Password authentication only: IAM authentication would be a second way in that nothing uses.
                expect(db.inputs).to.include({ engine: "postgres", publiclyAccessible: false, storageEncrypted: true, storageType: "gp3", autoMinorVersionUpgrade: true, iamDatabaseAuthenticationEnabled: false });
                // The major alias: RDS creates its current minor, which is always one it still creates.
                expect(db.inputs).to.include({ engine: RDS_POSTGRES.engine, engineVersion: RDS_POSTGRES.engineVersion });
                expect(run.one("aws:rds/parameterGroup:ParameterGroup", "postgres-params").inputs.family).to.equal(RDS_POSTGRES.family);
                expect(db.inputs.kmsKeyId).to.equal("arn:aws:kms:us-east-1:123456789012:postgres-key");
                expect(db.inputs.maxAllocatedStorage).to.be.greaterThan(db.inputs.allocatedStorage);
                const params = run.one("aws:rds/parameterGroup:ParameterGroup", "postgres-params").inputs;
                expect(params.family).to.equal("postgres15");
                expect(params.parameters).to.deep.include({ name: "rds.force_ssl", value: "1" });
                expect(db.inputs.enabledCloudwatchLogsExports).to.include("postgresql");
                expect(db.inputs.vpcSecurityGroupIds).to.deep.equal(["network-database-id"]);
            });
            it(`keeps backups ${prod ? 30 : 7} days and takes a final snapshot`, () => {
                expect(db.inputs.backupRetentionPeriod).to.equal(prod ? 30 : 7);
                expect(db.inputs.skipFinalSnapshot).to.equal(false);
                expect(db.inputs.identifier).to.equal(`genai-${stack}-pg-0a1b2c3d`);
                expect(db.inputs.finalSnapshotIdentifier).to.equal(`genai-${stack}-pg-0a1b2c3d-final`);
                expect(db.inputs.deleteAutomatedBackups).to.equal(false);
            });
            it(prod ? "is Multi-AZ, deletion-protected, protected in Pulumi and monitored" : "is single-AZ and not deletion-protected", () => {
                expect(db.inputs.multiAz).to.equal(prod);
                expect(db.inputs.deletionProtection).to.equal(prod);
                expect(db.protect).to.equal(prod);
                expect(db.inputs.performanceInsightsEnabled).to.equal(prod);
                expect(db.inputs.monitoringInterval).to.equal(prod ? 60 : 0);
            });
            it("takes its password from the generated secret, marked secret", () => {
                expect(db.inputs.password).to.equal(mockSecretValue("secrets-postgresPassword"));
                expect([...db.secretInputs]).to.include("password");
            });
            it("creates the extensions with an idempotent job that reads the password from a Secret", () => {
                const sql = run.one("kubernetes:core/v1:ConfigMap", "postgres-init-sql").inputs.data["init.sql"];
                for (const ext of ["pgcrypto", "pg_trgm", "uuid-ossp"]) expect(sql).to.contain(`CREATE EXTENSION IF NOT EXISTS "${ext}"`);
                const env = podContainers(run.one("kubernetes:batch/v1:Job", "postgres-extensions"))[0].env;
                expect(env.find((e: any) => e.name === "PGPASSWORD").valueFrom.secretKeyRef).to.deep.equal({ name: "platform-secrets", key: "postgres-password" });
                expect(env.find((e: any) => e.name === "PGSSLMODE").value).to.equal("verify-full");
            });
        });

        describe("Redis (ElastiCache)", () => {
            let rg: RecordedResource;
            before(() => {
                rg = run.one("aws:elasticache/replicationGroup:ReplicationGroup", "redis");
            });
            it("encrypts in transit and at rest and requires the generated AUTH token", () => {
                expect(rg.inputs).to.include({ engine: "redis", transitEncryptionEnabled: true, atRestEncryptionEnabled: true });
                expect(rg.inputs.kmsKeyId).to.equal("arn:aws:kms:us-east-1:123456789012:redis-key");
                expect(rg.inputs.authToken).to.equal(mockSecretValue("secrets-redisPassword"));
                expect([...rg.secretInputs]).to.include("authToken");
            });
            it("evicts with allkeys-lru and keeps snapshots", () => {
                const params = run.one("aws:elasticache/parameterGroup:ParameterGroup", "redis-params").inputs;
                expect(params.family).to.equal("redis7");
                expect(params.parameters).to.deep.equal([{ name: "maxmemory-policy", value: "allkeys-lru" }]);
                expect(rg.inputs.snapshotRetentionLimit).to.equal(prod ? 30 : 7);
            });
            it(prod ? "fails over automatically across zones with one replica, protected in Pulumi" : "runs a single node", () => {
                expect(rg.inputs.numCacheClusters).to.equal(prod ? 2 : 1);
                expect(rg.inputs.automaticFailoverEnabled).to.equal(prod);
                expect(rg.inputs.multiAzEnabled).to.equal(prod);
                expect(rg.protect).to.equal(prod);
            });
        });

        describe("secrets", () => {
            it("stores every secret in Secrets Manager with the customer-managed, rotating KMS key", () => {
                const secrets = run.ofType("aws:secretsmanager/secret:Secret");
                expect(secrets.map((s) => s.inputs.namePrefix).sort()).to.deep.equal(
                    ["grafana-admin-password", "openai-api-key", "openrouter-api-key", "postgres-password", "redis-auth-token", "slack-webhook-url"].map((k) => `genai-${stack}/${k}-`).sort(),
                );
                for (const s of secrets) {
                    expect(s.inputs.kmsKeyId, s.name).to.equal("arn:aws:kms:us-east-1:123456789012:secret-store-key");
                    expect(s.inputs.tags["rotation-days"]).to.equal("90");
                }
                expect(run.one("aws:kms/key:Key", "secret-store-key").inputs.enableKeyRotation).to.equal(true);
                for (const v of run.ofType("aws:secretsmanager/secretVersion:SecretVersion")) expect([...v.secretInputs], v.name).to.include("secretString");
            });
            it("puts no secret value in clear in any resource input", () => {
                let carriers = 0;
                for (const r of run.resources) {
                    for (const [key, value] of Object.entries(r.inputs)) {
                        if (ALL_SECRETS.some((s) => JSON.stringify(value ?? null).includes(s))) {
                            carriers++;
                            expect([...r.secretInputs], `${r.type} ${r.name}.${key}`).to.include(key);
                        }
                    }
                }
                expect(carriers).to.be.greaterThan(8);
            });
            it("hands secrets to every pod through secretKeyRef, never as literal values", () => {
                const workloads = run.resources.filter((r) => /^kubernetes:(apps\/v1:Deployment|batch\/v1:Job)$/.test(r.type));
                let refs = 0;
                for (const w of workloads) {
                    for (const c of podContainers(w)) {
                        for (const e of c.env ?? []) {
                            const text = JSON.stringify(e);
                            for (const s of ALL_SECRETS) expect(text, `${w.name} ${e.name}`).to.not.contain(s);
                            // A variable naming a file holds the path of a mounted secret, not the secret.
                            if (SECRET_ENV.test(e.name) && !e.name.endsWith("_FILE")) {
                                expect(e.value, `${w.name} ${e.name}`).to.equal(undefined);
                                expect(e.valueFrom?.secretKeyRef?.name, `${w.name} ${e.name}`).to.be.a("string");
                                refs++;
                            }
                        }
                    }
                }
                expect(refs).to.be.at.least(3);
                const llm = podContainers(run.one("kubernetes:apps/v1:Deployment", "model-llm-stable"))[0].env;
                expect(llm.find((e: any) => e.name === "OPENAI_API_KEY").valueFrom.secretKeyRef).to.deep.equal({ name: "platform-secrets", key: "openai-api-key" });
            });
            it("keeps the Kubernetes Secrets' data secret", () => {
                for (const s of run.ofType("kubernetes:core/v1:Secret")) expect([...s.secretInputs], s.name).to.include("stringData");
            });
        });

        describe("observability", () => {
            it("holds the alert rules rendered from the stack's models, read from the engines' own metrics, in a PrometheusRule", () => {
                const rule = run.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "observability-rules").inputs;
                const cfg = stackConfigOf(prod ? "prod" : "staging");
                const budget = prod ? 15000 : 6000;
                expect([cfg.budget.monthlyUsd, cfg.budget.alertThreshold]).to.deep.equal([budget, 0.8]);
                const expected = platformAlertRules(alertInputsOf(cfg));
                expect(rule.spec.groups).to.deep.equal(alertRuleGroups(expected));
                // The deployment alerts read kube-state-metrics in the models' own namespace, which the stack creates.
                const namespaces = run.ofType("kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata.name);
                expect(namespaces).to.include(`genai-${prod ? "prod" : "staging"}`);
                expect(byNameOf(rule).PostDeployErrorRate.expr).to.contain(`kube_replicaset_created{namespace="genai-${prod ? "prod" : "staging"}", replicaset=~"llm-(stable|canary)-[a-z0-9]+"}`);
                expect(byNameOf(rule).DeploymentFailed.labels).to.deep.equal({ severity: "critical" });
                // ...whose ReplicaSets are named after the Deployments, <model>-<track>-<pod template hash>.
                expect(run.one("kubernetes:apps/v1:Deployment", "model-llm-stable").inputs.metadata.name).to.equal("llm-stable");
                const rules = rule.spec.groups.flatMap((g: any) => g.rules);
                const byName = Object.fromEntries(rules.map((r: any) => [r.alert, r]));
                expect([byName.HighCpuUsage.for, byName.HighErrorRate.for, byName.HighGenerationLatency.for]).to.deep.equal(["5m", "2m", "3m"]);
                const llmErrors = rules.find((r: any) => r.alert === "HighErrorRate" && r.labels.model === "llm");
                expect(llmErrors.expr).to.contain('http_requests_total{model="llm", status="5xx"}');
                expect(byName.QueueBacklog.expr).to.contain("vllm:num_requests_waiting");
                // A model server may take its engine's load time to come up before ServiceDown pages.
                expect(rules.find((r: any) => r.alert === "ServiceDown" && r.expr.includes('model="llm"')).for).to.equal("10m");
                // No month-to-date spend metric is published in the cluster yet: AWS Budgets alerts on spend instead.
                expect(byName.BudgetThresholdReached).to.equal(undefined);
                expect(rule.metadata.labels.release).to.equal("kube-prometheus-stack");
            });
            it(`keeps metrics ${prod ? "90 days / 50 GB" : "15 days"} and logs for the configured retention, on persistent volumes`, () => {
                const kps = run.one("kubernetes:helm.sh/v3:Release", "observability-kube-prometheus-stack").inputs;
                expect(kps.version).to.match(/^\d+\.\d+\.\d+$/);
                const prom = kps.values.prometheus.prometheusSpec;
                expect(prom.retention).to.equal(prod ? "90d" : "15d");
                expect(prom.retentionSize).to.equal("50GB");
                expect(prom.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).to.match(/Gi$/);
                const loki = run.one("kubernetes:helm.sh/v3:Release", "observability-loki").inputs;
                expect(loki.values.loki.limits_config.retention_period).to.equal(prod ? "2160h" : "360h");
                expect(loki.values.singleBinary.persistence.enabled).to.equal(true);
            });
            it("gives Grafana the generated admin password from a Secret, no sign-up, and the Loki datasource", () => {
                const grafana = run.one("kubernetes:helm.sh/v3:Release", "observability-kube-prometheus-stack").inputs.values.grafana;
                expect(grafana.admin).to.deep.equal({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
                expect(grafana["grafana.ini"].users.allow_sign_up).to.equal(false);
                expect(grafana.additionalDataSources[0].type).to.equal("loki");
                expect(JSON.stringify(grafana)).to.not.contain(mockSecretValue("secrets-grafanaAdminPassword"));
            });
            it("routes critical alerts to the critical receiver with the Slack webhook kept secret", () => {
                const secret = run.one("kubernetes:core/v1:Secret", "observability-alertmanager-config");
                expect(secret.inputs.stringData["alertmanager.yaml"]).to.contain("receiver: critical").and.contain(CONFIGURED.alertSlackWebhookUrl);
                expect([...secret.secretInputs]).to.include("stringData");
                expect(secret.inputs.stringData["alertmanager.yaml"]).to.contain("topic_arn: arn:aws:sns:us-east-1:123456789012:alert-topic");
                expect(run.one("kubernetes:helm.sh/v3:Release", "observability-kube-prometheus-stack").inputs.values.alertmanager.alertmanagerSpec.configSecret).to.equal("alertmanager-genai");
            });
            it("scrapes GPU metrics with the DCGM exporter and the model servers with a PodMonitor, and ships logs", () => {
                const dcgm = run.one("kubernetes:helm.sh/v3:Release", "observability-dcgm-exporter").inputs;
                expect(dcgm.values.tolerations).to.deep.include({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
                expect(dcgm.values.serviceMonitor).to.deep.equal({ enabled: true, honorLabels: true });
                // One PodMonitor per model that exposes metrics, on its own path; the image server has none.
                // (The data stores' exporters have their own, test/stacks/aws-exporters.test.ts.)
                const monitors = run.ofType("kubernetes:monitoring.coreos.com/v1:PodMonitor").filter((m) => !m.inputs.metadata.name.endsWith("-exporter"));
                expect(monitors.map((m) => m.inputs.metadata.name)).to.deep.equal(["model-llm"]);
                const pm = monitors[0].inputs.spec;
                expect(pm.selector.matchLabels).to.deep.equal({ component: "inference", model: "llm" });
                expect(pm.podMetricsEndpoints[0].path).to.equal("/metrics");
                expect(pm.podTargetLabels).to.include.members(["model", "track"]);
                const alloy = run.one("kubernetes:helm.sh/v3:Release", "observability-alloy").inputs.values;
                const pipeline = alloy.alloy.configMap.content;
                expect(pipeline).to.contain("loki.source.kubernetes").and.contain("loki.source.journal").and.contain("loki-gateway.monitoring.svc");
                expect(pipeline, "each node ships only its own pods").to.contain('field = "spec.nodeName=" + sys.env("HOSTNAME")');
                expect(alloy.controller.tolerations).to.deep.include({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
            });
            it("runs a Pushgateway for the applications' API spend: scraped with their own labels, under the restricted profile", () => {
                const release = run.one("kubernetes:helm.sh/v3:Release", "observability-pushgateway").inputs;
                expect(release.chart).to.equal("prometheus-pushgateway");
                expect(release.version).to.equal("3.8.0");
                expect(release.values.fullnameOverride).to.equal("pushgateway");
                expect(release.values.serviceMonitor).to.deep.include({ enabled: true, honorLabels: true });
                // The chart sets no seccomp profile, capabilities or read-only root by default.
                expect(release.values.securityContext).to.deep.include({ runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } });
                expect(release.values.containerSecurityContext).to.deep.equal({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
                expect(run.outputs.pushgatewayUrl).to.equal("http://pushgateway.monitoring.svc:9091");
                const rules = JSON.stringify(run.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "observability-rules").inputs.spec);
                expect(rules).to.contain("ApiSpendCritical").and.contain("sum(increase(genai_api_spend_usd_total[1d]))");
            });
            it("runs OpenCost as the cluster's cost signal: reading and scraped by Prometheus, no UI, on the system nodes, under the restricted profile", () => {
                const release = run.one("kubernetes:helm.sh/v3:Release", "observability-opencost");
                expect(release.inputs).to.include({ chart: "opencost", version: "2.5.17", namespace: "monitoring" });
                expect(release.inputs.repositoryOpts.repo).to.equal("https://opencost.github.io/opencost-helm-chart");
                const values = release.inputs.values;
                // The chart builds http://<serviceName>.<namespaceName>.svc.cluster.local:<port>: kube-prometheus-stack's Prometheus.
                expect(values.opencost.prometheus.internal).to.deep.equal({ enabled: true, serviceName: "kube-prometheus-stack-prometheus", namespaceName: "monitoring", port: 9090 });
                expect(values.opencost.metrics.serviceMonitor).to.deep.equal({ enabled: true, honorLabels: true });
                expect(values.opencost.exporter.defaultClusterId).to.equal(`genai-${stack}`);
                expect(values.opencost.ui.enabled).to.equal(false);
                expect(values.opencost.nodeSelector).to.deep.equal({ "genai.io/role": "system" });
                expect(values.podSecurityContext).to.deep.equal({ runAsNonRoot: true, runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001, seccompProfile: { type: "RuntimeDefault" } });
                expect(values.opencost.exporter.securityContext).to.deep.equal({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
                // A read-only root: it writes its pricing configuration to /var/configs.
                expect(values.opencost.exporter.extraVolumeMounts.map((m: any) => m.mountPath)).to.deep.equal(["/var/configs", "/tmp"]);
                expect(values.extraVolumes.map((v: any) => v.name)).to.deep.equal(values.opencost.exporter.extraVolumeMounts.map((m: any) => m.name));
                expect(values.opencost.exporter.resources.limits.memory).to.equal("1Gi");
                expect(release.dependsOn).to.include("kubernetes:helm.sh/v3:Release::observability-kube-prometheus-stack");
                const rules = byNameOf(run.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "observability-rules").inputs);
                const budget = prod ? 15000 : 6000;
                const runRate = rules.ClusterCostRunRateHigh.expr.replace(/ > [0-9.]+$/, "");
                expect(runRate).to.match(/^730 \* \(\(sum\(max by \(node\) \(node_total_hourly_cost\) unless on \(node\) \(max by \(node\) \(kubecost_node_is_spot\) == 1\)\)/);
                expect(rules.ClusterCostRunRateHigh).to.deep.include({ expr: `${runRate} > ${budget * 0.8}`, for: "1h", labels: { severity: "warning" } });
                expect(rules.ClusterCostOverBudget).to.deep.include({ expr: `${runRate} > ${budget}`, for: "1h", labels: { severity: "critical" } });
            });
            it("runs the CloudWatch exporter for the account's month-to-date spend: us-east-1's billing metric only, scraped, on the system nodes, under the restricted profile", () => {
                const release = run.one("kubernetes:helm.sh/v3:Release", "observability-cloudwatch-exporter");
                expect(release.inputs).to.include({ chart: "prometheus-cloudwatch-exporter", version: "0.28.1", namespace: "monitoring" });
                expect(release.inputs.repositoryOpts.repo).to.equal("https://prometheus-community.github.io/helm-charts");
                const values = release.inputs.values;
                expect(parse(values.config)).to.deep.equal({
                    region: "us-east-1",
                    metrics: [
                        {
                            aws_namespace: "AWS/Billing",
                            aws_metric_name: "EstimatedCharges",
                            aws_dimensions: ["Currency"],
                            aws_dimension_select: { Currency: ["USD"] },
                            aws_statistics: ["Maximum"],
                            // Hour-long periods: the month's new estimate replaces the last one within about an hour.
                            period_seconds: 3600,
                            range_seconds: 86400,
                            set_timestamp: false,
                        },
                    ],
                });
                // The chart renders its ServiceMonitor in the release's namespace; kube-prometheus-stack selects every ServiceMonitor.
                expect(values.serviceMonitor).to.deep.equal({ enabled: true, interval: "2m" });
                // Pinned for the Pod Identity association; no API token and no ClusterRole, which the exporter never uses.
                expect(values.serviceAccount).to.deep.equal({ create: true, name: "cloudwatch-exporter", automountServiceAccountToken: false });
                expect(values.rbac).to.deep.equal({ create: false });
                expect(values.fullnameOverride).to.equal("cloudwatch-exporter");
                // No static credentials: the chart adds AWS_* variables only from aws.role, aws.secret or aws.aws_access_key_id.
                expect(values).to.not.have.property("aws");
                expect(values.securityContext).to.deep.equal({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } });
                expect(values.containerSecurityContext).to.deep.equal({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
                expect(values.resources.limits.memory).to.equal("512Mi");
                expect(values.nodeSelector).to.deep.equal({ "genai.io/role": "system" });
                expect(release.dependsOn).to.include("kubernetes:helm.sh/v3:Release::observability-kube-prometheus-stack");
                expect(release.dependsOn).to.include("aws:eks/podIdentityAssociation:PodIdentityAssociation::cloudwatch-exporter");
            });
            it("gives the exporter a Pod Identity role that may only read CloudWatch metrics, bound to its service account", () => {
                const policy = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", "cloudwatch-exporter").inputs.policy);
                expect(policy.Statement).to.deep.equal([{ Effect: "Allow", Action: ["cloudwatch:GetMetricStatistics"], Resource: "*" }]);
                expect(run.one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "cloudwatch-exporter").inputs).to.include({ namespace: "monitoring", serviceAccount: "cloudwatch-exporter" });
                expect(run.one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "cloudwatch-exporter").dependsOn).to.include("aws:iam/rolePolicy:RolePolicy::cloudwatch-exporter");
                const trust = JSON.parse(run.one("aws:iam/role:Role", "cloudwatch-exporter").inputs.assumeRolePolicy);
                expect(trust.Statement[0].Condition.StringEquals).to.deep.include({ "aws:RequestTag/kubernetes-namespace": "monitoring", "aws:RequestTag/kubernetes-service-account": "cloudwatch-exporter" });
            });
            it("sets no account spend alert while accountMonthlyBudgetUsd is 0 (the stack files' default)", () => {
                const rules = byNameOf(run.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "observability-rules").inputs);
                expect(Object.keys(rules).filter((name) => name.startsWith("AccountSpend"))).to.deep.equal([]);
            });
            it("alerts on the account's month-to-date spend at 80% of accountMonthlyBudgetUsd and above it, when the key is set", async () => {
                const withBudget = await evaluatedWith(stack, { accountMonthlyBudgetUsd: "25000" });
                const rules = byNameOf(withBudget.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "observability-rules").inputs);
                expect(rules.AccountSpendHigh).to.deep.include({ expr: "max(aws_billing_estimated_charges_maximum) > 20000", for: "5m", labels: { severity: "warning" } });
                expect(rules.AccountSpendOverBudget).to.deep.include({ expr: "max(aws_billing_estimated_charges_maximum) > 25000", for: "5m", labels: { severity: "critical" } });
            });
            it("serves Grafana through the ALB under /grafana/", () => {
                const rule = run.one("aws:lb/listenerRule:ListenerRule", "lb-grafana").inputs;
                expect(rule.conditions[0].pathPattern.values).to.include("/grafana/*");
                expect(run.one("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "grafana-targets").inputs.spec.targetGroupARN).to.equal(rule.actions[0].targetGroupArn);
            });
        });

        it("e-mails critical alerts through an encrypted SNS topic that only Alertmanager may publish to", () => {
            expect(run.one("aws:sns/topic:Topic", "alert-topic").inputs.kmsMasterKeyId).to.equal("alias/aws/sns");
            expect(run.one("aws:sns/topicSubscription:TopicSubscription", "alert-topic-email-0").inputs).to.include({ protocol: "email", endpoint: "platform-oncall@genai.example.com" });
            const policy = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", "alert-topic-publisher").inputs.policy);
            expect(policy.Statement).to.deep.equal([{ Effect: "Allow", Action: "sns:Publish", Resource: "arn:aws:sns:us-east-1:123456789012:alert-topic" }]);
            const topicPolicy = JSON.parse(run.one("aws:sns/topicPolicy:TopicPolicy", "alert-topic-publishers").inputs.policy);
            expect(topicPolicy.Statement[1]).to.deep.include({
                Effect: "Deny",
                Principal: "*",
                Action: "sns:Publish",
                Condition: { ArnNotEquals: { "aws:PrincipalArn": "arn:aws:iam:us-east-1:123456789012:alert-topic-publisher" } },
            });
            expect(run.one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "alert-topic-publisher").inputs).to.include({ namespace: "monitoring", serviceAccount: "kube-prometheus-stack-alertmanager" });
        });

        it(prod ? "protects and retains every KMS key that encrypts data" : "lets staging's KMS keys go with their data", () => {
            for (const name of ["postgres-key", "redis-key", "secret-store-key", "cluster-secrets"]) {
                const key = run.one("aws:kms/key:Key", name);
                expect(key.protect, name).to.equal(prod);
                expect(key.retainOnDelete, name).to.equal(prod);
                expect(key.inputs).to.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
            }
        });

        describe("backups", () => {
            it("blocks public access, encrypts, versions, expires logs after 7 days, backups and generated outputs after 30, and requires TLS", () => {
                const pab = run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket-public-access").inputs;
                expect(pab).to.include({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
                const sse = run.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "bucket-encryption").inputs;
                expect(sse.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm).to.equal("AES256");
                expect(run.one("aws:s3/bucketVersioning:BucketVersioning", "bucket-versioning").inputs.versioningConfiguration.status).to.equal("Enabled");
                const rules = run.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "bucket-lifecycle").inputs.rules;
                expect(rules.map((r: any) => [r.filter.prefix, r.expiration.days])).to.deep.equal([["alb-logs/", 7], ["backups/", 30], ["outputs/", 30]]);
                const policy = JSON.parse(run.one("aws:s3/bucketPolicy:BucketPolicy", "bucket-policy").inputs.policy);
                expect(policy.Statement[0]).to.deep.include({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
                expect(run.one("aws:s3/bucket:Bucket", "bucket").protect).to.equal(prod);
            });
        });

        describe("budgets", () => {
            it("alerts at 80%, 90% and 100% of the monthly budget, and on the forecast", () => {
                const monthly = run.one("aws:budgets/budget:Budget", "budgets-monthly").inputs;
                expect(monthly).to.include({ budgetType: "COST", timeUnit: "MONTHLY", limitAmount: prod ? "15000.00" : "6000.00", limitUnit: "USD" });
                expect(monthly.notifications.map((n: any) => `${n.notificationType}:${n.threshold}`)).to.deep.equal(["ACTUAL:80", "ACTUAL:90", "ACTUAL:100", "FORECASTED:100"]);
                for (const n of monthly.notifications) {
                    expect(n).to.include({ comparisonOperator: "GREATER_THAN", thresholdType: "PERCENTAGE" });
                    expect(n.subscriberEmailAddresses).to.deep.equal(["platform-oncall@genai.example.com"]);
                }
                expect(monthly.costFilters).to.deep.equal([{ name: "TagKeyValue", values: [`user:environment$${stack}`] }]);
            });
            it("keeps a daily budget of a thirtieth, with actual-spend alerts only", () => {
                const daily = run.one("aws:budgets/budget:Budget", "budgets-daily").inputs;
                expect(daily.timeUnit).to.equal("DAILY");
                expect(daily.limitAmount).to.equal(((prod ? 15000 : 6000) / 30).toFixed(2));
                expect(daily.notifications.every((n: any) => n.notificationType === "ACTUAL")).to.equal(true);
            });
        });
    });
}

describe("EKS cluster component", () => {
    it("keeps the kubeconfig secret", async () => {
        let cluster: EksCluster | undefined;
        await runProgram("staging", () => {
            cluster = new EksCluster("c", {
                prefix: "genai-test",
                version: "1.35",
                privateSubnetIds: ["subnet-1", "subnet-2"],
                nodeSecurityGroupId: "sg-1",
                publicAccessCidrs: [],
                apiClientSecurityGroupIds: [],
                access: { admins: [], viewers: [] },
                account: "123456789012",
                systemNodeInstanceType: "m6i.large",
                systemNodeCount: 2,
                gpuNodeGroups: [],
                logRetentionDays: 30,
                region: "us-east-1",
                protectData: false,
                tags: { environment: "test" },
            });
            return {};
        });
        expect(await pulumi.isSecret(cluster!.kubeconfig)).to.equal(true);
    });
});

/** A PrometheusRule's rules by alert name (the first of each name). */
function byNameOf(rule: any): Record<string, any> {
    const rules = rule.spec.groups.flatMap((g: any) => g.rules);
    return Object.fromEntries(rules.reverse().map((r: any) => [r.alert, r]));
}
