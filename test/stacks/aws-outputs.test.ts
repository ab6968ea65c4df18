/**
 * Generated outputs in the cloud: each image model's pods upload what the engine writes to the platform
 * bucket under `outputs/<model>/`, which the bucket's lifecycle rule expires, through a sidecar that meets
 * the restricted Pod Security profile and a Pod Identity role allowed that prefix and nothing else.
 */
import { expect } from "chai";
import { IMAGES } from "../../catalog/images";
import { outputsPrefix, outputsServiceAccount, PRE_STOP_SECONDS, UPLOAD_FINAL_SECONDS, uploaderCommand } from "../../components/inference/model-k8s";
import { appNamespaceName } from "../../stacks/alert-inputs";
import { ProgramRun } from "../harness";
import { stackConfigOf } from "../support/dev-stack";
import { evaluatedStack } from "../support/stacks";

const T = {
    deployment: "kubernetes:apps/v1:Deployment",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    podIdentity: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
};
const UPLOADER = "upload-outputs";

for (const stack of ["staging", "prod"] as const) {
    describe(`${stack} generated outputs`, () => {
        let run: ProgramRun;
        const cfg = stackConfigOf(stack);
        const imageModels = cfg.models.filter((m) => m.engine.kind === "image");
        const otherModels = cfg.models.filter((m) => m.engine.kind !== "image");
        const deploymentsOf = (model: string) => run.ofType(T.deployment).filter((d) => d.name.startsWith(`model-${model}-`));
        const bucketArn = () => JSON.parse(run.one(T.bucketPolicy, "bucket-policy").inputs.policy).Statement[0].Resource[0] as string;
        before(async () => {
            run = await evaluatedStack(stack);
        });

        it("serves an image model and a model of another kind", () => {
            expect(imageModels).to.not.be.empty;
            expect(otherModels).to.not.be.empty;
        });

        it("uploads each image model's outputs to its own prefix of the bucket, every interval, from the engine's output directory", () => {
            for (const model of imageModels) {
                const deployments = deploymentsOf(model.name);
                expect(deployments, model.name).to.not.be.empty;
                for (const d of deployments) {
                    const pod = d.inputs.spec.template.spec;
                    const server = pod.containers.find((c: any) => c.name === "server");
                    const uploader = pod.initContainers.find((c: any) => c.name === UPLOADER);
                    expect(uploader, d.name).to.not.equal(undefined);
                    expect(uploader.image).to.equal(IMAGES.awsCli.ref);
                    // A sidecar: it runs beside the server and is stopped after it.
                    expect(uploader.restartPolicy).to.equal("Always");
                    // ComfyUI writes output/ under its --base-directory.
                    const base = server.args[server.args.indexOf("--base-directory") + 1];
                    const outputs = `${base}/output`;
                    expect(uploader.command).to.deep.equal(uploaderCommand(outputs, run.outputs.backupBucket as string, model.name));
                    expect(uploader.command[5]).to.equal(`s3://${run.outputs.backupBucket}/outputs/${model.name}/`);
                    expect(uploader.command[6]).to.equal("30");

                    const mountOf = (c: any) => c.volumeMounts.find((m: any) => m.mountPath === outputs);
                    expect(mountOf(server), "the server writes the outputs volume").to.include({ name: mountOf(uploader).name });
                    expect(mountOf(server).readOnly).to.not.equal(true);
                    expect(mountOf(uploader).readOnly, "the uploader only reads").to.equal(true);
                    expect(pod.volumes.find((v: any) => v.name === mountOf(server).name)).to.have.property("emptyDir");
                }
            }
        });

        it("runs the uploader under the restricted profile, with HOME on a writable volume and small resources", () => {
            for (const model of imageModels) {
                for (const d of deploymentsOf(model.name)) {
                    const pod = d.inputs.spec.template.spec;
                    const uploader = pod.initContainers.find((c: any) => c.name === UPLOADER);
                    expect(pod.securityContext.seccompProfile).to.deep.equal({ type: "RuntimeDefault" });
                    expect(uploader.securityContext).to.deep.equal({
                        runAsNonRoot: true,
                        runAsUser: IMAGES.awsCli.user.uid,
                        runAsGroup: IMAGES.awsCli.user.gid,
                        allowPrivilegeEscalation: false,
                        readOnlyRootFilesystem: true,
                        capabilities: { drop: ["ALL"] },
                    });
                    expect(uploader.securityContext.runAsUser).to.not.equal(0);
                    const env = Object.fromEntries(uploader.env.map((e: any) => [e.name, e.value]));
                    const home = uploader.volumeMounts.find((m: any) => m.mountPath === env.HOME);
                    expect(home, "HOME is a mounted volume").to.not.equal(undefined);
                    expect(home.readOnly).to.not.equal(true);
                    expect(pod.volumes.find((v: any) => v.name === home.name)).to.have.property("emptyDir");
                    expect(env.TMPDIR).to.equal(env.HOME);
                    expect(uploader.resources.limits).to.include({ cpu: "500m", memory: "256Mi" });
                    expect(uploader.resources.requests).to.include({ cpu: "50m", memory: "128Mi" });
                }
            }
        });

        it("gives a stopping pod time for the server's pre-stop wait and for the last upload", () => {
            for (const model of imageModels) {
                for (const d of deploymentsOf(model.name)) {
                    expect(d.inputs.spec.template.spec.terminationGracePeriodSeconds, d.name).to.be.at.least(PRE_STOP_SECONDS + UPLOAD_FINAL_SECONDS);
                }
            }
        });

        it("adds no uploader, service account or role to models of other kinds", () => {
            for (const model of otherModels) {
                for (const d of deploymentsOf(model.name)) {
                    const pod = d.inputs.spec.template.spec;
                    const names = [...pod.containers, ...(pod.initContainers ?? [])].map((c: any) => c.name);
                    expect(names, d.name).to.not.include(UPLOADER);
                    expect(pod.serviceAccountName, d.name).to.equal(undefined);
                }
                expect(run.ofType(T.role).map((r) => r.name)).to.not.include(`model-${model.name}-outputs`);
            }
        });

        it("lets the image model's role write and list its own prefix of the bucket and nothing else", () => {
            const arn = bucketArn();
            for (const model of imageModels) {
                const policy = JSON.parse(run.one(T.rolePolicy, `model-${model.name}-outputs`).inputs.policy);
                expect(policy.Statement).to.deep.equal([
                    { Sid: "WriteOutputs", Effect: "Allow", Action: "s3:PutObject", Resource: `${arn}/outputs/${model.name}/*` },
                    { Sid: "ListOutputs", Effect: "Allow", Action: "s3:ListBucket", Resource: arn, Condition: { StringLike: { "s3:prefix": `outputs/${model.name}/*` } } },
                ]);
                expect(run.one(T.rolePolicy, `model-${model.name}-outputs`).inputs.role).to.equal(`model-${model.name}-outputs-id`);
            }
        });

        it("binds the role to the image model's own service account in the workloads' namespace, before its pods start", () => {
            const namespace = appNamespaceName(stack);
            for (const model of imageModels) {
                const account = outputsServiceAccount(model.name);
                const association = run.one(T.podIdentity, `model-${model.name}-outputs`);
                expect(association.inputs).to.include({ namespace, serviceAccount: account, roleArn: `arn:aws:iam:us-east-1:123456789012:model-${model.name}-outputs` });
                expect(association.dependsOn).to.include(`${T.rolePolicy}::model-${model.name}-outputs`);
                const trust = JSON.parse(run.one(T.role, `model-${model.name}-outputs`).inputs.assumeRolePolicy).Statement[0].Condition.StringEquals;
                expect(trust).to.include({ "aws:RequestTag/kubernetes-namespace": namespace, "aws:RequestTag/kubernetes-service-account": account });
                const sa = run.one(T.serviceAccount, `model-${model.name}-outputs`).inputs;
                expect(sa.metadata).to.include({ name: account, namespace });
                expect(sa.automountServiceAccountToken).to.equal(false);
                for (const d of deploymentsOf(model.name)) {
                    expect(d.inputs.spec.template.spec.serviceAccountName).to.equal(account);
                    expect(d.dependsOn, d.name).to.include(`${T.podIdentity}::model-${model.name}-outputs`);
                }
            }
        });

        it("expires what it uploads: the models' prefixes lie under the bucket's outputs/ rule", () => {
            const rule = run.one(T.lifecycle, "bucket-lifecycle").inputs.rules.find((r: any) => r.filter.prefix === "outputs/");
            expect(rule.expiration.days).to.be.above(0);
            for (const model of imageModels) expect(outputsPrefix(model.name).startsWith(rule.filter.prefix)).to.equal(true);
        });
    });
}
