/**
 * The description of one served model, shared by every platform implementation. It is plain data:
 * the stack config resolves it against the catalog (engine, release, weights), the Docker and
 * Kubernetes implementations render it.
 */
import { Engine, EngineRelease, ModelKind } from "../../catalog/engines";
import { Weights, WeightsId } from "../../catalog/weights";

export type { ModelKind };

/** One version of a model: an engine release (its image) serving a set of weights. */
export interface ModelVersion {
    /** Pinned image, a release of the model's engine. */
    readonly image: string;
    readonly release: EngineRelease;
    readonly weightsId: WeightsId;
    readonly weights: Weights;
}

/** A canary version that takes a share of the traffic. */
export interface CanarySpec extends ModelVersion {
    /** Share of requests sent to the canary, in percent (0-100). 0 and 100 are the blue/green switch. */
    readonly weight: number;
}

/** Autoscaling of one model's versions. */
export interface AutoscalingSpec {
    /** Fewest replicas, at least 1. */
    readonly minReplicas: number;
    /** Most replicas, at least `minReplicas`. */
    readonly maxReplicas: number;
    /** Waiting requests per replica (the engine's queue-length signal) above which a replica is added. @default 5 */
    readonly queueDepthTarget: number;
    /** GPU utilisation in percent (`DCGM_FI_DEV_GPU_UTIL`) above which a replica is added. @default 80 */
    readonly gpuUtilizationTarget: number;
    /** Seconds the load must stay low before replicas are removed (the cool-down). @default 300 */
    readonly scaleDownStabilizationSeconds: number;
}

export interface ModelSpec {
    /** DNS-safe name, unique in the stack: lower-case letters, digits and dashes. */
    readonly name: string;
    /** What the server does; the engine's kind. */
    readonly kind: ModelKind;
    /** The model server: port, health, metrics and signals come from its catalog entry. */
    readonly engine: Engine;
    /** The version that takes the traffic the canary does not. */
    readonly stable: ModelVersion;
    /** A canary version taking a share of the traffic, when configured. */
    readonly canary?: CanarySpec;
    readonly autoscaling: AutoscalingSpec;
    /** GPUs per replica; 0 runs on CPU. */
    readonly gpus: number;
    /** GPU class (node group) the model runs on in the cloud, e.g. `a10g`; required when `gpus` > 0 on AWS. */
    readonly gpuClass?: string;
    /** Memory limit per replica, in MiB. */
    readonly memoryMb: number;
    /** CPU limit per replica, in cores. */
    readonly cpus: number;
    /** Arguments passed to the server after the ones the engine's model and port need. */
    readonly extraArgs: readonly string[];
    /** Plain, non-secret environment variables. Secrets never go here. */
    readonly env: Readonly<Record<string, string>>;
    /** The weights are gated and need the `huggingFaceToken` secret to download. */
    readonly gatedWeights: boolean;
    /** Size of the model-weights cache volume, in GiB. */
    readonly weightsCacheGb: number;
}

/** The versions a model runs. */
export type Track = "stable" | "canary";

/** The versions a model runs, stable first. */
export function modelVersions(model: ModelSpec): { track: Track; version: ModelVersion }[] {
    return [{ track: "stable", version: model.stable }, ...(model.canary ? [{ track: "canary" as Track, version: model.canary }] : [])];
}
