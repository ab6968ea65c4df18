import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GPU_CLASS_LABEL, GPU_TOLERATION, SYSTEM_NODES } from "../cluster/eks";
import { ServerCommand } from "../../catalog/engines";
import { IMAGES } from "../../catalog/images";
import { httpProbeCommand } from "../../catalog/probes";
import { engineGauge } from "../observability/signals";
import { podIdentityRole } from "../shared/iam";
import { named, Tags } from "../shared/tags";
import { ModelSpec, modelVersions, Track } from "./model";
import { fetchCommand, FETCH_MOUNT } from "./weights-fetch";

/** A key of a Kubernetes Secret, referenced by `secretKeyRef`. */
export interface SecretKeyRef {
    readonly name: pulumi.Input<string>;
    readonly key: string;
}

/** Where an image model's generated outputs are kept, and the identity that lets its pods write there. */
export interface GeneratedOutputsTarget {
    /** Name of the bucket; each model writes under `outputs/<model>/`, which its lifecycle rule expires. */
    readonly bucket: pulumi.Input<string>;
    /** ARN of the bucket. */
    readonly bucketArn: pulumi.Input<string>;
    /** Name of the EKS cluster whose Pod Identity binds the uploader's role. */
    readonly clusterName: pulumi.Input<string>;
    /** ARN of the EKS cluster, which the uploader's role trusts alone. */
    readonly clusterArn: pulumi.Input<string>;
    /** The stack's AWS account. */
    readonly account: pulumi.Input<string>;
    /** Name of the workloads' namespace, which the role's trust names (the same as `namespace`, known before deployment). */
    readonly namespace: string;
    /** Prefix of resource names, e.g. `genai-prod`. */
    readonly prefix: string;
    /** Tags of the uploader's role and association. */
    readonly tags: Tags;
}

export interface KubernetesModelServiceArgs {
    /** The model to serve. */
    readonly model: ModelSpec;
    /** Namespace of the environment's workloads. */
    readonly namespace: pulumi.Input<string>;
    /** Target groups of the ALB the pods register in, by track. */
    readonly targetGroupArns: Record<Track, pulumi.Input<string>>;
    /** Storage class of the shared (ReadWriteMany) model-weights cache. */
    readonly weightsStorageClass: pulumi.Input<string>;
    /** In-cluster URL of Prometheus, queried by the autoscaler. */
    readonly prometheusUrl: string;
    /** The Hugging Face token, for gated weights. */
    readonly huggingFaceToken?: SecretKeyRef;
    /** Secrets handed to the server as environment variables, each from a Secret key. */
    readonly secretEnv?: Readonly<Record<string, SecretKeyRef>>;
    /** The cluster's Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** Where an image model's generated outputs are uploaded; required for image engines, unused by the others. */
    readonly generatedOutputs?: GeneratedOutputsTarget;
    /** What must exist first: node groups, the device plugin, KEDA, the load balancer controller. */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Seconds a stopping pod keeps serving while the ALB deregisters it. */
export const PRE_STOP_SECONDS = 15;
/** Seconds a server has to stop after its pre-stop wait. */
export const SERVER_STOP_SECONDS = 45;
/** Seconds kept for the uploader's last upload: a sidecar is stopped only once the server has. */
export const UPLOAD_FINAL_SECONDS = 60;
/** Seconds a stopping pod has in all: the pre-stop wait, the server's stop, then the uploader's last upload. */
export const TERMINATION_GRACE_SECONDS = PRE_STOP_SECONDS + SERVER_STOP_SECONDS + UPLOAD_FINAL_SECONDS;
/** Seconds between two uploads of generated outputs. */
export const UPLOAD_INTERVAL_SECONDS = 30;
/** Where the uploader's HOME (the CLI's ~/.aws) and temporary files live: a volume, the root file system is read-only. */
export const UPLOADER_SCRATCH = "/tmp";

/**
 * Where an image engine writes what it generates, read from its command: ComfyUI's `--output-directory`, or
 * `output/` under its `--base-directory` (folder_paths.py, https://github.com/Comfy-Org/ComfyUI/blob/1df2885ebd28b8510d3d40f6a96b68da1232adaa/folder_paths.py#L70,
 * read 2026-12-02); undefined when the command names neither.
 */
export function generatedOutputsPath(command: ServerCommand): string | undefined {
    const value = (flag: string) => {
        const i = command.args.indexOf(flag);
        return i >= 0 ? command.args[i + 1] : undefined;
    };
    const explicit = value("--output-directory");
    if (explicit !== undefined) return explicit;
    const base = value("--base-directory");
    return base === undefined ? undefined : `${base.replace(/\/$/, "")}/output`;
}

/** The S3 prefix of one model's generated outputs, which the bucket's `outputs/` lifecycle rule expires. */
export function outputsPrefix(model: string): string {
    return `outputs/${model}/`;
}

/** The uploader sidecar's container name, which its restart alert (OutputsUploadFailing) selects. */
export const UPLOADER_CONTAINER = "upload-outputs";

/** Failed syncs in a row after which the uploader exits 1, so that Kubernetes restarts it and counts it (OutputsUploadFailing). */
export const UPLOAD_MAX_FAILURES = 3;

/**
 * The uploader's script, for `sh -c` with the directory, the destination URL, the interval in seconds and the
 * failures allowed in a row as `$1` to `$4`: `aws s3 sync` (new and changed files only, nothing deleted: S3's
 * lifecycle expires them) every interval until SIGTERM, then one last sync, whose status is the script's. It
 * refuses to start without EKS Pod Identity's credentials (a pod created before its association took effect
 * never gets them: it must be recreated), and exits 1 after `$4` failed syncs in a row; either way the container
 * restarts and the restart is counted. A TERM during a sync lets that sync finish first; a TERM during the wait
 * ends the wait at once, whenever it comes.
 */
export const UPLOAD_SCRIPT = [
    'stopping=0; sleeper=""',
    'trap \'stopping=1; [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null\' TERM',
    'if [ -z "$AWS_CONTAINER_CREDENTIALS_FULL_URI" ]; then',
    '  echo "no EKS Pod Identity credentials in this pod (created before its association took effect?): restart the Deployment" >&2',
    "  exit 1",
    "fi",
    "upload() { aws s3 sync \"$1\" \"$2\" --only-show-errors --no-progress; }",
    "failures=0",
    'while [ "$stopping" = 0 ]; do',
    '  if upload "$1" "$2"; then failures=0; else',
    "    failures=$((failures + 1))",
    '    echo "upload of $1 to $2 failed ($failures in a row)" >&2',
    '    if [ "$failures" -ge "$4" ]; then exit 1; fi',
    "  fi",
    // A TERM between the check and `sleeper=$!` is caught by the second check.
    '  if [ "$stopping" = 0 ]; then sleep "$3" & sleeper=$!; [ "$stopping" = 0 ] || kill "$sleeper" 2>/dev/null; wait "$sleeper"; kill "$sleeper" 2>/dev/null; sleeper=""; fi',
    "done",
    'upload "$1" "$2"',
].join("\n");

/** The uploader's command: the script, and where it reads and writes. */
export function uploaderCommand(directory: string, bucket: string, model: string, intervalSeconds: number = UPLOAD_INTERVAL_SECONDS): string[] {
    return ["/bin/sh", "-c", UPLOAD_SCRIPT, UPLOADER_CONTAINER, directory, `s3://${bucket}/${outputsPrefix(model)}`, String(intervalSeconds), String(UPLOAD_MAX_FAILURES)];
}

/**
 * The uploader's IAM policy: write objects under its model's prefix and list that prefix (`aws s3 sync`
 * lists the destination to skip what is there), nothing else. The bucket is SSE-S3 encrypted: no KMS key.
 */
export function renderOutputsUploadPolicy(bucketArn: string, model: string): string {
    const prefix = outputsPrefix(model);
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "WriteOutputs", Effect: "Allow", Action: "s3:PutObject", Resource: `${bucketArn}/${prefix}*` },
            { Sid: "ListOutputs", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn, Condition: { StringLike: { "s3:prefix": `${prefix}*` } } },
        ],
    });
}

/** The service account of an image model's pods, which Pod Identity binds to its uploader role. */
export function outputsServiceAccount(model: string): string {
    return `${model}-outputs`;
}

/** How long Pulumi waits for a rollout, in minutes: a new GPU node, a multi-GB image pull and the weights load. */
export const ROLLOUT_TIMEOUT_MINUTES = 40;
export const ROLLOUT_TIMEOUT = `${ROLLOUT_TIMEOUT_MINUTES}m`;
/**
 * Seconds Kubernetes lets a rollout go without progress before it marks it failed: no shorter than Pulumi's
 * wait, or a slow but healthy rollout (a GPU node still starting) would be reported failed before it is.
 */
export const PROGRESS_DEADLINE_SECONDS = ROLLOUT_TIMEOUT_MINUTES * 60;

/**
 * The disruption budget of one version: with two or more replicas one may go at a time; with a single
 * replica a voluntary eviction (a node drain) is allowed, or no node of the group could ever be replaced.
 */
export function disruptionBudget(minReplicas: number): { minAvailable: number } | { maxUnavailable: number } {
    return minReplicas >= 2 ? { minAvailable: minReplicas - 1 } : { maxUnavailable: 1 };
}

/** Labels of one version's pods; `model`, `track`, `engine` and `component` become metric and log labels too. */
export function podLabels(model: string, track: Track, engine: string): Record<string, string> {
    return { "app.kubernetes.io/name": model, "app.kubernetes.io/part-of": "genai-platform", component: "inference", model, track, engine };
}

/** Resources of one replica: GPU requests equal limits, CPU and memory from the model. */
export function replicaResources(model: ModelSpec): { requests: Record<string, string>; limits: Record<string, string> } {
    const base: Record<string, string> = { cpu: String(model.cpus), memory: `${model.memoryMb}Mi` };
    if (model.gpus > 0) base["nvidia.com/gpu"] = String(model.gpus);
    return { requests: { ...base }, limits: { ...base } };
}

/** The name of one version's Deployment, Service, disruption budget and autoscaler: `<model>-<track>`. */
export function trackWorkloadName(model: string, track: Track): string {
    return `${model}-${track}`;
}

/**
 * The KEDA ScaledObject spec of one version: the engine's queue length where it exports one, GPU
 * utilisation for GPU models, 300 s scale-down window. An engine without a queue signal (ComfyUI) scales
 * on GPU utilisation alone.
 */
export function scaledObjectSpec(model: ModelSpec, track: Track, deployment: string, namespace: string, prometheusUrl: string): Record<string, unknown> {
    const a = model.autoscaling;
    const queue = engineGauge(model, "queueLength", "sum", track, [`namespace="${namespace}"`]);
    const triggers: Record<string, unknown>[] = [];
    if (queue) {
        triggers.push({
            type: "prometheus",
            name: "queue-length",
            metadata: { serverAddress: prometheusUrl, query: queue.query, threshold: String(a.queueDepthTarget), ignoreNullValues: "true" },
        });
    }
    if (model.gpus > 0) {
        triggers.push({
            type: "prometheus",
            name: "gpu-utilization",
            // An average is compared as a value (desired = replicas x average / target), not divided by replicas.
            metricType: "Value",
            metadata: {
                serverAddress: prometheusUrl,
                query: `avg(DCGM_FI_DEV_GPU_UTIL{namespace="${namespace}", pod=~"${deployment}-.*"})`,
                threshold: String(a.gpuUtilizationTarget),
                ignoreNullValues: "true",
            },
        });
    }
    return {
        scaleTargetRef: { name: deployment },
        minReplicaCount: a.minReplicas,
        maxReplicaCount: a.maxReplicas,
        pollingInterval: 15,
        advanced: {
            horizontalPodAutoscalerConfig: {
                behavior: {
                    scaleDown: { stabilizationWindowSeconds: a.scaleDownStabilizationSeconds, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] },
                    scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] },
                },
            },
        },
        triggers,
    };
}

/** Probe timing of an engine: the startup probe allows its load time, then readiness and liveness take over. */
export function probeTiming(model: ModelSpec): { period: number; startupFailures: number } {
    const period = 10;
    return { period, startupFailures: Math.max(6, Math.ceil(model.engine.readySeconds / period)) };
}

/**
 * One model on Kubernetes: a Deployment per version (stable, and canary when configured) with GPU
 * limits, the GPU toleration and node selector, a startup probe that allows 10 minutes for weights,
 * rolling updates that start the new pod before stopping the old one, a hardened security context,
 * /dev/shm in memory and a shared weights cache; a Service, a PodDisruptionBudget, a KEDA
 * ScaledObject and a TargetGroupBinding into the ALB's target group per version.
 */
export class KubernetesModelService extends pulumi.ComponentResource {
    public readonly deployments: Partial<Record<Track, k8s.apps.v1.Deployment>> = {};

    constructor(name: string, args: KubernetesModelServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:inference:ModelService", name, {}, opts);
        const { model } = args;
        const k = { parent: this, provider: args.provider };
        const engine = model.engine;
        const versions = modelVersions(model).map(({ track, version }) => {
            const command = engine.command({ model: model.name, release: version.release, weights: version.weights, extraArgs: model.extraArgs });
            const outputsPath = engine.kind === "image" ? generatedOutputsPath(command) : undefined;
            if (engine.kind === "image" && outputsPath === undefined) throw new Error(`KubernetesModelService ${name}: the command of engine ${engine.id} names no output directory`);
            return { track, version, command, outputsPath };
        });
        const outputs = engine.kind === "image" ? args.generatedOutputs : undefined;
        if (engine.kind === "image" && outputs === undefined) throw new Error(`KubernetesModelService ${name}: generatedOutputs is required for model ${model.name}, whose engine ${engine.id} generates images`);

        const cache = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-weights`,
            {
                metadata: { name: `${model.name}-weights`, namespace: args.namespace, labels: { model: model.name } },
                spec: { accessModes: ["ReadWriteMany"], storageClassName: args.weightsStorageClass, resources: { requests: { storage: `${model.weightsCacheGb}Gi` } } },
            },
            { ...k, retainOnDelete: true },
        );

        // The pods' identity, which may write the model's outputs prefix and nothing else.
        const uploader = outputs ? this.outputsUploader(name, model.name, args.namespace, outputs, k) : undefined;

        const timing = probeTiming(model);
        for (const { track, version, command, outputsPath } of versions) {
            const deploymentName = trackWorkloadName(model.name, track);
            const labels = podLabels(model.name, track, engine.id);
            const namespace = args.namespace;
            const env: k8s.types.input.core.v1.EnvVar[] = Object.entries({ ...model.env, ...command.env }).map(([n, value]) => ({ name: n, value }));
            if (args.huggingFaceToken) env.push({ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: args.huggingFaceToken.name, key: args.huggingFaceToken.key } } });
            for (const [envName, ref] of Object.entries(args.secretEnv ?? {})) env.push({ name: envName, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } });
            const httpProbe = (periodSeconds: number, failureThreshold: number) => ({ httpGet: { path: engine.health.path, port: "http" }, periodSeconds, failureThreshold, timeoutSeconds: 5 });
            const ready = engine.readyProbe(version.weights);
            // Where "ready" needs more than a 200 (a checkpoint on disk), readiness runs the engine's own check.
            const readinessProbe =
                ready.bodyIncludes !== undefined
                    ? { exec: { command: ["sh", "-c", httpProbeCommand(version.release.httpClient, ready)] }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 10 }
                    : httpProbe(10, 3);
            const user = version.release.user;
            const fetch = version.weights.kind === "file" ? version.weights : undefined;

            const service = new k8s.core.v1.Service(
                `${name}-${track}`,
                { metadata: { name: deploymentName, namespace, labels }, spec: { type: "ClusterIP", selector: { model: model.name, track }, ports: [{ name: "http", port: engine.port, targetPort: "http" }] } },
                k,
            );
            // The load balancer controller gives a pod the readiness gate of its target group when the pod is created,
            // and only for a TargetGroupBinding that exists then: the binding comes first, or the first pods would
            // be Ready (and the old ones stopped) before the ALB sends them any traffic.
            const binding = new k8s.apiextensions.CustomResource(
                `${name}-${track}-targets`,
                {
                    apiVersion: "elbv2.k8s.aws/v1beta1",
                    kind: "TargetGroupBinding",
                    metadata: { name: deploymentName, namespace, labels },
                    spec: { serviceRef: { name: service.metadata.name, port: engine.port }, targetGroupARN: args.targetGroupArns[track], targetType: "ip" },
                },
                { ...k, dependsOn: [...(args.dependsOn ?? []), service] },
            );
            const deployment = new k8s.apps.v1.Deployment(
                `${name}-${track}`,
                {
                    metadata: { name: deploymentName, namespace, labels },
                    spec: {
                        replicas: model.autoscaling.minReplicas,
                        selector: { matchLabels: { model: model.name, track } },
                        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                        progressDeadlineSeconds: PROGRESS_DEADLINE_SECONDS,
                        template: {
                            metadata: { labels },
                            spec: {
                                // An image model's account carries its uploader's Pod Identity, which mounts a token of its own:
                                // no pod needs the Kubernetes API's.
                                serviceAccountName: uploader?.serviceAccount.metadata.name,
                                automountServiceAccountToken: false,
                                terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
                                securityContext: { runAsNonRoot: true, runAsUser: user.uid, runAsGroup: user.gid, fsGroup: user.gid, seccompProfile: { type: "RuntimeDefault" } },
                                nodeSelector: model.gpus > 0 ? { [GPU_CLASS_LABEL]: model.gpuClass! } : { ...SYSTEM_NODES },
                                tolerations: model.gpus > 0 ? [{ ...GPU_TOLERATION }] : undefined,
                                topologySpreadConstraints: [
                                    { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { model: model.name, track } } },
                                ],
                                // Weights files are fetched and checked into the shared cache before the server starts.
                                // Generated outputs are uploaded by a sidecar, which Kubernetes stops after the server:
                                // its last upload comes after the server's last write.
                                initContainers:
                                    fetch || outputs
                                        ? [
                                              ...(fetch
                                                  ? [
                                                        {
                                                            name: "fetch-weights",
                                                            image: IMAGES.fetcher.ref,
                                                            command: fetchCommand(fetch),
                                                            securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                                                            resources: { requests: { cpu: "250m", memory: "128Mi" }, limits: { cpu: "1", memory: "128Mi" } },
                                                            volumeMounts: [{ name: "weights", mountPath: FETCH_MOUNT }],
                                                        },
                                                    ]
                                                  : []),
                                              ...(outputs && outputsPath ? [uploaderContainer(outputs.bucket, model.name, outputsPath)] : []),
                                          ]
                                        : undefined,
                                containers: [
                                    {
                                        name: "server",
                                        image: version.image,
                                        command: command.entrypoint ? [...command.entrypoint] : undefined,
                                        args: [...command.args],
                                        ports: [{ name: "http", containerPort: engine.port }],
                                        env,
                                        resources: replicaResources(model),
                                        startupProbe: httpProbe(timing.period, timing.startupFailures),
                                        readinessProbe,
                                        livenessProbe: httpProbe(20, 3),
                                        securityContext: { privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ["ALL"] } },
                                        // Keep serving while the ALB deregisters the pod, so no request lands on a stopped server.
                                        lifecycle: { preStop: { exec: { command: ["sleep", String(PRE_STOP_SECONDS)] } } },
                                        volumeMounts: [
                                            { name: "dshm", mountPath: "/dev/shm" },
                                            { name: "weights", mountPath: engine.weightsMount, readOnly: engine.weights === "file" },
                                            ...version.release.writablePaths.map((p, i) => ({ name: `writable-${i}`, mountPath: p })),
                                            ...(outputs && outputsPath ? [{ name: OUTPUTS_VOLUME, mountPath: outputsPath }] : []),
                                        ],
                                    },
                                ],
                                volumes: [
                                    { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: `${Math.max(1024, Math.floor(model.memoryMb / 2))}Mi` } },
                                    { name: "weights", persistentVolumeClaim: { claimName: cache.metadata.name } },
                                    ...version.release.writablePaths.map((_, i) => ({ name: `writable-${i}`, emptyDir: {} })),
                                    // S3 holds the durable copy: the pod's own is an emptyDir.
                                    ...(outputs ? [{ name: OUTPUTS_VOLUME, emptyDir: {} }, { name: UPLOADER_SCRATCH_VOLUME, emptyDir: { sizeLimit: "64Mi" } }] : []),
                                ],
                            },
                        },
                    },
                },
                // The autoscaler owns the replica count once the Deployment exists.
                // A pod has credentials only if its service account was associated when it was created.
                {
                    ...k,
                    dependsOn: [...(args.dependsOn ?? []), binding, ...(uploader ? [uploader.association] : [])],
                    ignoreChanges: ["spec.replicas"],
                    customTimeouts: { create: ROLLOUT_TIMEOUT, update: ROLLOUT_TIMEOUT },
                },
            );
            this.deployments[track] = deployment;

            new k8s.policy.v1.PodDisruptionBudget(
                `${name}-${track}`,
                { metadata: { name: deploymentName, namespace, labels }, spec: { ...disruptionBudget(model.autoscaling.minReplicas), selector: { matchLabels: { model: model.name, track } } } },
                k,
            );
            new k8s.apiextensions.CustomResource(
                `${name}-${track}-autoscaler`,
                {
                    apiVersion: "keda.sh/v1alpha1",
                    kind: "ScaledObject",
                    metadata: { name: deploymentName, namespace, labels },
                    spec: pulumi.output(namespace).apply((ns) => scaledObjectSpec(model, track, deploymentName, ns, args.prometheusUrl)),
                },
                { ...k, dependsOn: [...(args.dependsOn ?? []), deployment] },
            );
        }
        this.registerOutputs({ deployments: Object.values(this.deployments).map((d) => d.metadata.name) });
    }

    /** The service account of an image model's pods, and its role, allowed to write the model's outputs prefix only. */
    private outputsUploader(name: string, model: string, namespace: pulumi.Input<string>, outputs: GeneratedOutputsTarget, k: { parent: pulumi.Resource; provider: k8s.Provider }) {
        const serviceAccountName = outputsServiceAccount(model);
        const serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-outputs`,
            { metadata: { name: serviceAccountName, namespace, labels: { model } }, automountServiceAccountToken: false },
            k,
        );
        const identity = podIdentityRole(
            `${name}-outputs`,
            {
                clusterName: outputs.clusterName,
                clusterArn: outputs.clusterArn,
                account: outputs.account,
                namespace: outputs.namespace,
                serviceAccount: serviceAccountName,
                policy: pulumi.output(outputs.bucketArn).apply((arn) => renderOutputsUploadPolicy(arn, model)),
                tags: named(outputs.tags, `${outputs.prefix}-${model}-outputs`),
                associate: true,
            },
            this,
        );
        return { serviceAccount, association: identity.association! };
    }
}

const OUTPUTS_VOLUME = "generated-outputs";
const UPLOADER_SCRATCH_VOLUME = "uploader-scratch";

/**
 * The uploader sidecar (an init container that keeps running): the AWS CLI image as a non-root user with a
 * read-only root, reading the outputs volume and keeping HOME and temporary files on a small one.
 */
function uploaderContainer(bucket: pulumi.Input<string>, model: string, outputsPath: string): k8s.types.input.core.v1.Container {
    const user = IMAGES.awsCli.user;
    return {
        name: UPLOADER_CONTAINER,
        image: IMAGES.awsCli.ref,
        restartPolicy: "Always",
        command: pulumi.output(bucket).apply((b) => uploaderCommand(outputsPath, b, model)),
        env: [
            { name: "HOME", value: UPLOADER_SCRATCH },
            { name: "TMPDIR", value: UPLOADER_SCRATCH },
        ],
        securityContext: {
            runAsNonRoot: true,
            runAsUser: user.uid,
            runAsGroup: user.gid,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        },
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        volumeMounts: [
            { name: OUTPUTS_VOLUME, mountPath: outputsPath, readOnly: true },
            { name: UPLOADER_SCRATCH_VOLUME, mountPath: UPLOADER_SCRATCH },
        ],
    };
}
