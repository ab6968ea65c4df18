import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GPU_CLASS_LABEL, GPU_TOLERATION, SYSTEM_NODES } from "../cluster/eks";
import { IMAGES } from "../../catalog/images";
import { httpProbeCommand } from "../../catalog/probes";
import { engineGauge } from "../observability/signals";
import { ModelSpec, modelVersions, Track } from "./model";
import { fetchCommand, FETCH_MOUNT } from "./weights-fetch";

/** A key of a Kubernetes Secret, referenced by `secretKeyRef`. */
export interface SecretKeyRef {
    readonly name: pulumi.Input<string>;
    readonly key: string;
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
    /** What must exist first: node groups, the device plugin, KEDA, the load balancer controller. */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Seconds a stopping pod keeps serving while the ALB deregisters it. */
export const PRE_STOP_SECONDS = 15;
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

        const cache = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-weights`,
            {
                metadata: { name: `${model.name}-weights`, namespace: args.namespace, labels: { model: model.name } },
                spec: { accessModes: ["ReadWriteMany"], storageClassName: args.weightsStorageClass, resources: { requests: { storage: `${model.weightsCacheGb}Gi` } } },
            },
            { ...k, retainOnDelete: true },
        );

        const engine = model.engine;
        const timing = probeTiming(model);
        for (const { track, version } of modelVersions(model)) {
            const deploymentName = `${model.name}-${track}`;
            const labels = podLabels(model.name, track, engine.id);
            const namespace = args.namespace;
            const command = engine.command({ model: model.name, release: version.release, weights: version.weights, extraArgs: model.extraArgs });
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
                                automountServiceAccountToken: false,
                                terminationGracePeriodSeconds: 120,
                                securityContext: { runAsNonRoot: true, runAsUser: user.uid, runAsGroup: user.gid, fsGroup: user.gid, seccompProfile: { type: "RuntimeDefault" } },
                                nodeSelector: model.gpus > 0 ? { [GPU_CLASS_LABEL]: model.gpuClass! } : { ...SYSTEM_NODES },
                                tolerations: model.gpus > 0 ? [{ ...GPU_TOLERATION }] : undefined,
                                topologySpreadConstraints: [
                                    { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { model: model.name, track } } },
                                ],
                                // Weights files are fetched and checked into the shared cache before the server starts.
                                initContainers: fetch
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
                                        ],
                                    },
                                ],
                                volumes: [
                                    { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: `${Math.max(1024, Math.floor(model.memoryMb / 2))}Mi` } },
                                    { name: "weights", persistentVolumeClaim: { claimName: cache.metadata.name } },
                                    ...version.release.writablePaths.map((_, i) => ({ name: `writable-${i}`, emptyDir: {} })),
                                ],
                            },
                        },
                    },
                },
                // The autoscaler owns the replica count once the Deployment exists.
                { ...k, dependsOn: [...(args.dependsOn ?? []), binding], ignoreChanges: ["spec.replicas"], customTimeouts: { create: ROLLOUT_TIMEOUT, update: ROLLOUT_TIMEOUT } },
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
}
