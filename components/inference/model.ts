/**
 * The description of one served model, shared by every platform implementation.
 * It is plain data: the stack config produces it, the Docker and Kubernetes
 * implementations consume it.
 */

/** What the server does; used for dashboards, alert labels and GPU classes. */
export type ModelKind = "llm" | "image";

/** A canary release of a model: a second image that takes a share of traffic. */
export interface CanarySpec {
    /** Image of the canary version, pinned to a version tag or a digest. */
    readonly image: string;
    /** Share of requests sent to the canary, in percent (0-100). 0 and 100 are the blue/green switch. */
    readonly weight: number;
}

/** Autoscaling of one model's stable version. */
export interface AutoscalingSpec {
    /** Fewest replicas, at least 1. */
    readonly minReplicas: number;
    /** Most replicas, at least `minReplicas`. */
    readonly maxReplicas: number;
    /** Waiting requests per replica (`vllm:num_requests_waiting`) above which the autoscaler adds a replica. @default 5 */
    readonly queueDepthTarget: number;
    /** GPU utilisation in percent (`DCGM_FI_DEV_GPU_UTIL`) above which the autoscaler adds a replica. @default 80 */
    readonly gpuUtilizationTarget: number;
    /** Seconds the load must stay low before replicas are removed (the cool-down). @default 300 */
    readonly scaleDownStabilizationSeconds: number;
}

export interface ModelSpec {
    /** DNS-safe name, unique in the stack: lower-case letters, digits and dashes. */
    readonly name: string;
    /** What the server does. */
    readonly kind: ModelKind;
    /** Image of the stable version, pinned to a version tag or a digest (never `latest`). */
    readonly image: string;
    /** Port the server listens on inside its container or pod. */
    readonly port: number;
    /** HTTP path that answers 200 once the model is loaded. */
    readonly healthPath: string;
    /** HTTP path of the Prometheus metrics. @default "/metrics" */
    readonly metricsPath: string;
    /** Whether the server exposes Prometheus metrics to scrape (ComfyUI does not). @default true */
    readonly scrapeMetrics: boolean;
    /** Autoscaling of the model's versions. */
    readonly autoscaling: AutoscalingSpec;
    /** GPUs per replica; 0 runs on CPU. */
    readonly gpus: number;
    /** GPU class (node group) the model runs on in the cloud, e.g. `a10g`; required when `gpus` > 0 on AWS. */
    readonly gpuClass?: string;
    /** Memory limit per replica, in MiB. */
    readonly memoryMb: number;
    /** CPU limit per replica, in cores. */
    readonly cpus: number;
    /** Arguments passed to the server's entrypoint. */
    readonly args: readonly string[];
    /** Plain, non-secret environment variables. Secrets never go here. */
    readonly env: Readonly<Record<string, string>>;
    /** The weights are gated and need the `huggingFaceToken` secret to download. */
    readonly gatedWeights: boolean;
    /** Size of the model-weights cache volume, in GiB. */
    readonly weightsCacheGb: number;
    /** A canary version taking a share of the traffic, when configured. */
    readonly canary?: CanarySpec;
}

/** The versions a model runs. */
export type Track = "stable" | "canary";
