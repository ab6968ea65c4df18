import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GPU_CLASS_LABEL, GPU_TOLERATION, SYSTEM_NODES } from "../cluster/eks";
import { ModelSpec, Track } from "./model";

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

/** Seconds the startup probe allows for weights to load: 60 x 10 s. */
export const STARTUP_PROBE = { failureThreshold: 60, periodSeconds: 10 } as const;
const CACHE_MOUNT = "/models-cache";
const RUN_AS = 1000;
/** Seconds a stopping pod keeps serving while the ALB deregisters it. */
export const PRE_STOP_SECONDS = 15;
/** How long Pulumi waits for a rollout: a new GPU node, a multi-GB image pull and the weights load. */
export const ROLLOUT_TIMEOUT = "40m";

/**
 * The disruption budget of one version: with two or more replicas one may go at a time; with a single
 * replica a voluntary eviction (a node drain) is allowed, or no node of the group could ever be replaced.
 */
export function disruptionBudget(minReplicas: number): { minAvailable: number } | { maxUnavailable: number } {
    return minReplicas >= 2 ? { minAvailable: minReplicas - 1 } : { maxUnavailable: 1 };
}

/** Labels of one version's pods; `model`, `track` and `component` become metric labels too. */
export function podLabels(model: string, track: Track): Record<string, string> {
    return { "app.kubernetes.io/name": model, "app.kubernetes.io/part-of": "genai-platform", component: "inference", model, track };
}

/** Resources of one replica: GPU requests equal limits, CPU and memory from the model. */
export function replicaResources(model: ModelSpec): { requests: Record<string, string>; limits: Record<string, string> } {
    const base: Record<string, string> = { cpu: String(model.cpus), memory: `${model.memoryMb}Mi` };
    if (model.gpus > 0) base["nvidia.com/gpu"] = String(model.gpus);
    return { requests: { ...base }, limits: { ...base } };
}

/** The KEDA ScaledObject spec of one version: queue length and GPU utilisation, 300 s scale-down window. */
export function scaledObjectSpec(model: ModelSpec, track: Track, deployment: string, namespace: string, prometheusUrl: string): Record<string, unknown> {
    const a = model.autoscaling;
    const selector = `namespace="${namespace}", model="${model.name}", track="${track}"`;
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
        triggers: [
            {
                type: "prometheus",
                name: "queue-length",
                metadata: { serverAddress: prometheusUrl, query: `sum(vllm:num_requests_waiting{${selector}})`, threshold: String(a.queueDepthTarget), ignoreNullValues: "true" },
            },
            {
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
            },
        ],
    };
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
        const after = { ...k, dependsOn: args.dependsOn };

        const cache = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-weights`,
            {
                metadata: { name: `${model.name}-weights`, namespace: args.namespace, labels: { model: model.name } },
                spec: { accessModes: ["ReadWriteMany"], storageClassName: args.weightsStorageClass, resources: { requests: { storage: `${model.weightsCacheGb}Gi` } } },
            },
            { ...k, retainOnDelete: true },
        );

        const tracks: { track: Track; image: string }[] = [{ track: "stable", image: model.image }];
        if (model.canary) tracks.push({ track: "canary", image: model.canary.image });
        for (const { track, image } of tracks) {
            const deploymentName = `${model.name}-${track}`;
            const labels = podLabels(model.name, track);
            const namespace = args.namespace;
            const env: k8s.types.input.core.v1.EnvVar[] = [
                ...Object.entries(model.env).map(([n, value]) => ({ name: n, value })),
                { name: "HF_HOME", value: `${CACHE_MOUNT}/huggingface` },
                { name: "HOME", value: "/tmp" },
            ];
            if (args.huggingFaceToken) env.push({ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: args.huggingFaceToken.name, key: args.huggingFaceToken.key } } });
            for (const [envName, ref] of Object.entries(args.secretEnv ?? {})) env.push({ name: envName, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } });
            const probe = (periodSeconds: number, failureThreshold: number) => ({ httpGet: { path: model.healthPath, port: "http" }, periodSeconds, failureThreshold, timeoutSeconds: 5 });

            const deployment = new k8s.apps.v1.Deployment(
                `${name}-${track}`,
                {
                    metadata: { name: deploymentName, namespace, labels },
                    spec: {
                        replicas: model.autoscaling.minReplicas,
                        selector: { matchLabels: { model: model.name, track } },
                        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                        progressDeadlineSeconds: 1200,
                        template: {
                            metadata: { labels },
                            spec: {
                                automountServiceAccountToken: false,
                                terminationGracePeriodSeconds: 120,
                                securityContext: { runAsNonRoot: true, runAsUser: RUN_AS, runAsGroup: RUN_AS, fsGroup: RUN_AS, seccompProfile: { type: "RuntimeDefault" } },
                                nodeSelector: model.gpus > 0 ? { [GPU_CLASS_LABEL]: model.gpuClass! } : { ...SYSTEM_NODES },
                                tolerations: model.gpus > 0 ? [{ ...GPU_TOLERATION }] : undefined,
                                topologySpreadConstraints: [
                                    { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { model: model.name, track } } },
                                ],
                                containers: [
                                    {
                                        name: "server",
                                        image,
                                        args: [...model.args],
                                        ports: [{ name: "http", containerPort: model.port }],
                                        env,
                                        resources: replicaResources(model),
                                        startupProbe: probe(STARTUP_PROBE.periodSeconds, STARTUP_PROBE.failureThreshold),
                                        readinessProbe: probe(10, 3),
                                        livenessProbe: probe(20, 3),
                                        securityContext: { privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ["ALL"] } },
                                        // Keep serving while the ALB deregisters the pod, so no request lands on a stopped server.
                                        lifecycle: { preStop: { exec: { command: ["sleep", String(PRE_STOP_SECONDS)] } } },
                                        volumeMounts: [
                                            { name: "dshm", mountPath: "/dev/shm" },
                                            { name: "weights", mountPath: CACHE_MOUNT },
                                        ],
                                    },
                                ],
                                volumes: [
                                    { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: `${Math.max(1024, Math.floor(model.memoryMb / 2))}Mi` } },
                                    { name: "weights", persistentVolumeClaim: { claimName: cache.metadata.name } },
                                ],
                            },
                        },
                    },
                },
                // The autoscaler owns the replica count once the Deployment exists.
                { ...after, ignoreChanges: ["spec.replicas"], customTimeouts: { create: ROLLOUT_TIMEOUT, update: ROLLOUT_TIMEOUT } },
            );
            this.deployments[track] = deployment;

            const service = new k8s.core.v1.Service(
                `${name}-${track}`,
                { metadata: { name: deploymentName, namespace, labels }, spec: { type: "ClusterIP", selector: { model: model.name, track }, ports: [{ name: "http", port: model.port, targetPort: "http" }] } },
                k,
            );
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
            new k8s.apiextensions.CustomResource(
                `${name}-${track}-targets`,
                {
                    apiVersion: "elbv2.k8s.aws/v1beta1",
                    kind: "TargetGroupBinding",
                    metadata: { name: deploymentName, namespace, labels },
                    spec: { serviceRef: { name: service.metadata.name, port: model.port }, targetGroupARN: args.targetGroupArns[track], targetType: "ip" },
                },
                { ...k, dependsOn: [...(args.dependsOn ?? []), service] },
            );
        }
        this.registerOutputs({ deployments: Object.values(this.deployments).map((d) => d.metadata.name) });
    }
}
