/**
 * The cloud stacks' data and identities as they must hold on AWS: snapshots and secrets a recreated
 * stack can live with, a database client that verifies the server, log groups CloudWatch accepts, keys
 * usable for their purpose only, service roles tied to this account's resources, a load balancer
 * controller confined to this stack's target groups, and ALB logs delivered by the Region's account.
 */
import { expect } from "chai";
import { readsLoadBalancerSignals } from "../../components/observability/signals";
import { CLOUDWATCH_RETENTION_DAYS, RDS_CA } from "../../catalog/aws";
import { IMAGES } from "../../catalog/images";
import { POSTGRES_LOG_EXPORTS } from "../../components/data/postgres-rds";
import { KEY_USE_ACTIONS } from "../../components/shared/kms";
import { loadStackConfig } from "../../stacks/config";
import { ConfigError } from "../../stacks/config-reader";
import { OFFLINE_ELB_LOG_ACCOUNT, ProgramRun, RecordedResource, stackConfig } from "../harness";
import { stackConfigOf } from "../support/dev-stack";
import { evaluatedStack } from "../support/stacks";

const T = {
    rds: "aws:rds/instance:Instance",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    randomId: "random:index/randomId:RandomId",
    secret: "aws:secretsmanager/secret:Secret",
    job: "kubernetes:batch/v1:Job",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    key: "aws:kms/key:Key",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    podIdentity: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    addon: "aws:eks/addon:Addon",
    release: "kubernetes:helm.sh/v3:Release",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
};
const ACCOUNT = "123456789012";

const trustStatements = (role: RecordedResource): any[] => JSON.parse(role.inputs.assumeRolePolicy).Statement;

for (const stack of ["staging", "prod"] as const) {
    describe(`${stack} data and identities on AWS`, () => {
        let run: ProgramRun;
        const cfg = stackConfigOf(stack);
        before(async () => {
            run = await evaluatedStack(stack);
        });

        describe("data", () => {
            it("names each incarnation's final snapshots anew: the suffix changes with what replaces the database or the cache", () => {
                const pg = run.one(T.rds, "postgres").inputs;
                expect(pg.finalSnapshotIdentifier).to.equal(`${pg.identifier}-final`).and.equal(`genai-${stack}-pg-0a1b2c3d-final`);
                expect(run.one(T.randomId, "postgres-final-snapshot").inputs.keepers).to.include({ kmsKeyId: "arn:aws:kms:us-east-1:123456789012:postgres-key", dbName: cfg.database.name, username: cfg.database.user });
                expect(run.one(T.redis, "redis").inputs.finalSnapshotIdentifier).to.equal(`genai-${stack}-redis-final-0a1b2c3d`);
                expect(run.one(T.randomId, "redis-final-snapshot").inputs.keepers).to.include({ kmsKeyId: "arn:aws:kms:us-east-1:123456789012:redis-key" });
            });

            it("stores secrets under unique names, so a recreated stack is not blocked by the deleted ones' recovery window", () => {
                for (const s of run.ofType(T.secret)) {
                    expect(s.inputs.name, s.name).to.equal(undefined);
                    expect(s.inputs.namePrefix, s.name).to.match(new RegExp(`^genai-${stack}/[a-z-]+-$`));
                    expect(s.inputs.recoveryWindowInDays, "a deleted secret stays recoverable").to.equal(30);
                }
            });

            it("creates the extensions over TLS verified against the RDS CA bundle, fetched from AWS's trust store", () => {
                const pod = run.one(T.job, "postgres-extensions").inputs.spec.template.spec;
                const [fetch] = pod.initContainers;
                expect(fetch.image).to.equal(IMAGES.fetcher.ref);
                expect(fetch.command).to.include(RDS_CA.globalBundleUrl).and.include("--proto").and.include("=https");
                const caFile = fetch.command[fetch.command.indexOf("-o") + 1];
                const psql = pod.containers[0];
                const env = Object.fromEntries(psql.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
                expect(env).to.include({ PGSSLMODE: "verify-full", PGSSLROOTCERT: caFile, PGHOST: `postgres.offline.us-east-1.rds.amazonaws.com` });
                const mount = (c: any) => c.volumeMounts.find((m: any) => caFile.startsWith(`${m.mountPath}/`));
                expect(mount(fetch).name).to.equal(mount(psql).name);
                expect(mount(psql).readOnly).to.equal(true);
                expect(pod.volumes.find((v: any) => v.name === mount(psql).name).emptyDir).to.not.equal(undefined);
                expect(fetch.securityContext).to.include({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
                expect(run.one(T.rds, "postgres").inputs.caCertIdentifier).to.equal(RDS_CA.certIdentifier);
            });

            it("keeps every log group for a retention CloudWatch accepts, the PostgreSQL logs' groups created before RDS writes to them", () => {
                const groups = run.ofType(T.logGroup);
                for (const g of groups) {
                    expect(CLOUDWATCH_RETENTION_DAYS, `${g.name} ${g.inputs.retentionInDays}`).to.include(g.inputs.retentionInDays);
                    expect(g.inputs.retentionInDays, g.name).to.equal(cfg.aws.logArchiveRetentionDays);
                }
                const db = run.one(T.rds, "postgres");
                expect(db.inputs.enabledCloudwatchLogsExports).to.deep.equal([...POSTGRES_LOG_EXPORTS]);
                for (const log of POSTGRES_LOG_EXPORTS) {
                    const group = run.one(T.logGroup, `postgres-${log}-logs`);
                    expect(group.inputs.name).to.equal(`/aws/rds/instance/${db.inputs.identifier}/${log}`);
                    expect(db.dependsOn).to.include(`${T.logGroup}::postgres-${log}-logs`);
                }
            });

            it("keeps IAM database authentication off: every client uses the generated password", () => {
                expect(run.one(T.rds, "postgres").inputs.iamDatabaseAuthenticationEnabled).to.equal(false);
            });
        });

        describe("KMS keys", () => {
            const purposes: Record<string, string> = { "cluster-secrets": "eks", "postgres-key": "rds", "redis-key": "elasticache", "secret-store-key": "secretsmanager" };
            for (const [key, service] of Object.entries(purposes)) {
                it(`lets the account administer ${key} through IAM and use it only through ${service}`, () => {
                    const [admin, use, ...rest] = JSON.parse(run.one(T.key, key).inputs.policy).Statement;
                    expect(rest).to.deep.equal([]);
                    const root = { AWS: `arn:aws:iam::${ACCOUNT}:root` };
                    expect(admin).to.deep.include({ Effect: "Allow", Principal: root });
                    for (const action of admin.Action) expect(action, "administration only").to.not.match(/Encrypt|Decrypt|GenerateDataKey|CreateGrant|^kms:\*$|^kms:Create/);
                    expect(admin.Action).to.include.members(["kms:Put*", "kms:ScheduleKeyDeletion", "kms:Describe*"]);
                    expect(use).to.deep.include({ Effect: "Allow", Principal: root, Action: [...KEY_USE_ACTIONS] });
                    expect(use.Condition).to.deep.equal({ StringEquals: { "kms:ViaService": `${service}.us-east-1.amazonaws.com`, "kms:CallerAccount": ACCOUNT } });
                });
            }
        });

        describe("service roles", () => {
            it("ties every role a service assumes to this account, and to its own resource where the service says which", () => {
                const roles = run.ofType(T.role);
                expect(roles.length).to.be.greaterThan(6);
                for (const role of roles) {
                    for (const s of trustStatements(role)) {
                        const service = s.Principal.Service;
                        expect(service, role.name).to.be.a("string");
                        const accountKey = Object.values(s.Condition ?? {}).find((c: any) => "aws:SourceAccount" in c) as Record<string, string> | undefined;
                        expect(accountKey?.["aws:SourceAccount"], `${role.name} (${service})`).to.equal(ACCOUNT);
                    }
                }
                const sourceArn = (name: string) => trustStatements(run.one(T.role, name))[0].Condition.ArnLike["aws:SourceArn"];
                expect(sourceArn("cluster-cluster")).to.equal(`arn:aws:eks:us-east-1:${ACCOUNT}:cluster/genai-${stack}-eks`);
                expect(sourceArn("deployer")).to.equal(`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/genai-${stack}-deployer`);
                if (stack === "prod") {
                    expect(sourceArn("network-flow-logs")).to.equal(`arn:aws:ec2:us-east-1:${ACCOUNT}:vpc-flow-log/*`);
                    expect(sourceArn("postgres-monitoring")).to.equal(`arn:aws:rds:us-east-1:${ACCOUNT}:db:${run.one(T.rds, "postgres").inputs.identifier}`);
                }
                // EC2 documents no source keys for instance roles: checked where it sets them, never required.
                expect(trustStatements(run.one(T.role, "cluster-nodes"))[0].Condition).to.deep.equal({ StringEqualsIfExists: { "aws:SourceAccount": ACCOUNT } });
            });

            it("trusts each Pod Identity role for its one service account of this cluster only", () => {
                const bindings = [
                    ...run.ofType(T.podIdentity).map((a) => ({ role: a.name, namespace: a.inputs.namespace, serviceAccount: a.inputs.serviceAccount })),
                    ...run.ofType(T.addon).flatMap((a) => (a.inputs.podIdentityAssociations ?? []).map((p: any) => ({ role: a.name, namespace: "kube-system", serviceAccount: p.serviceAccount }))),
                ];
                expect(bindings.map((b) => b.role).sort()).to.deep.equal(
                    [
                        "addons-cluster-autoscaler",
                        "addons-lb-controller",
                        "alert-topic-publisher",
                        "cluster-aws-ebs-csi-driver",
                        "cluster-aws-efs-csi-driver",
                        "cloudwatch-exporter",
                        // The ALB's per-route metrics, for the models whose engines export none.
                        ...(cfg.models.some(readsLoadBalancerSignals) ? ["alb-metrics-exporter"] : []),
                        // Each image model's uploader of generated outputs.
                        ...cfg.models.filter((m) => m.engine.kind === "image").map((m) => `model-${m.name}-outputs`),
                    ].sort(),
                );
                for (const { role, namespace, serviceAccount } of bindings) {
                    const [statement] = trustStatements(run.one(T.role, role));
                    expect(statement.Principal).to.deep.equal({ Service: "pods.eks.amazonaws.com" });
                    expect(statement.Condition.StringEquals, role).to.deep.equal({
                        "aws:SourceAccount": ACCOUNT,
                        "aws:RequestTag/eks-cluster-arn": "arn:aws:eks:us-east-1:123456789012:cluster-cluster",
                        "aws:RequestTag/kubernetes-namespace": namespace,
                        "aws:RequestTag/kubernetes-service-account": serviceAccount,
                    });
                }
            });
        });

        describe("load balancer controller", () => {
            it("may register and deregister targets in this stack's target groups only", () => {
                const statements = JSON.parse(run.one(T.rolePolicy, "addons-lb-controller").inputs.policy).Statement;
                const writes = statements.filter((s: any) => s.Action.some((a: string) => /RegisterTargets/.test(a)));
                expect(writes).to.have.length(1);
                const groups = run.ofType(T.targetGroup).map((g) => `arn:aws:lb:us-east-1:${ACCOUNT}:${g.name}`);
                expect(groups).to.have.length(cfg.models.length * 2 + 1);
                expect(writes[0].Resource).to.have.members(groups);
                for (const s of statements) expect(JSON.stringify(s.Resource)).to.not.contain("targetgroup/*");
            });

            it("binds targets and does nothing else: no Service, Ingress class or Gateway controller, no Service webhook", () => {
                const values = run.one(T.release, "addons-lb-controller").inputs.values;
                expect(values.controllerConfig.featureGates).to.deep.equal({ EnableServiceController: false, ALBGatewayAPI: false, NLBGatewayAPI: false });
                expect(values).to.include({ enableServiceMutatorWebhook: false, createIngressClassResource: false });
            });
        });

        it("lets the Region's Elastic Load Balancing account, as AWS names it, write the ALB's access logs", () => {
            const policy = JSON.parse(run.one("aws:s3/bucketPolicy:BucketPolicy", "bucket-policy").inputs.policy);
            const delivery = policy.Statement.find((s: any) => s.Sid === "AlbAccessLogDelivery");
            expect(delivery.Principal).to.deep.equal({ AWS: `arn:aws:iam::${OFFLINE_ELB_LOG_ACCOUNT}:root` });
            expect(delivery.Resource).to.match(/\/alb-logs\/\*$/);
            expect(run.invokes).to.include("aws:elb/getServiceAccount:getServiceAccount");
        });
    });
}

describe("log retention (configuration)", () => {
    it("refuses a retention CloudWatch would not accept, listing those it does", () => {
        const resolved = stackConfig("staging", { overrides: { logArchiveRetentionDays: 100 } });
        let error: unknown;
        try {
            loadStackConfig({ project: resolved.project, stack: "staging", get: (key) => resolved.values[key.includes(":") ? key : `${resolved.project}:${key}`] });
        } catch (e) {
            error = e;
        }
        expect(error).to.be.instanceOf(ConfigError);
        expect((error as Error).message).to.equal(
            `Invalid configuration for stack "staging": genai-platform:logArchiveRetentionDays = 100; allowed: one of the retention periods CloudWatch Logs accepts: ${CLOUDWATCH_RETENTION_DAYS.join(", ")}.`,
        );
    });
});
