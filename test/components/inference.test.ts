import { expect } from "chai";
import { WEIGHTS, weightsUrl } from "../../catalog/weights";
import { GPU_TOLERATION } from "../../components/cluster/eks";
import { ModelSpec, modelVersions } from "../../components/inference/model";
import { disruptionBudget, podLabels, probeTiming, replicaResources, scaledObjectSpec } from "../../components/inference/model-k8s";
import { FETCH_MOUNT, FETCH_SCRIPT, fetchCommand, fetchTarget } from "../../components/inference/weights-fetch";
import { loadStackConfig } from "../../stacks/config";
import { stackConfig } from "../harness";

/** A stack's models, read from its stack file plus overrides, as the program reads them. */
function models(stack: "dev" | "staging" | "prod", overrides: Record<string, unknown> = {}): readonly ModelSpec[] {
    const resolved = stackConfig(stack, { overrides });
    return loadStackConfig({
        project: resolved.project,
        stack,
        get: (key: string) => resolved.values[key.includes(":") ? key : `${resolved.project}:${key}`],
    }).models;
}

/** The raw model list of a stack file, for overrides. */
function rawModels(stack: "dev" | "staging" | "prod"): any[] {
    return JSON.parse(stackConfig(stack).values["genai-platform:models"]);
}

const unchanged = new Map<string, readonly ModelSpec[]>();

/** One model of a stack, after `change` to its entry in the stack file. */
function model(stack: "dev" | "staging" | "prod", name: string, change?: (raw: any) => void): ModelSpec {
    let list = change ? undefined : unchanged.get(stack);
    if (!list) {
        const raw = rawModels(stack);
        if (change) change(raw.find((m) => m.name === name));
        list = models(stack, { models: raw });
        if (!change) unchanged.set(stack, list);
    }
    const found = list.find((m) => m.name === name);
    if (!found) throw new Error(`no model ${name} in ${stack}`);
    return found;
}

const NAMESPACE = "genai-staging";
const PROMETHEUS = "http://prometheus.monitoring:9090";

type Trigger = { name: string; metricType?: string; metadata: Record<string, string> };
const triggersOf = (spec: Record<string, unknown>) => spec.triggers as Trigger[];

describe("inference", () => {
    describe("modelVersions", () => {
        it("runs the stable version alone when no canary is configured", () => {
            const llm = model("dev", "llm");
            expect(modelVersions(llm)).to.deep.equal([{ track: "stable", version: llm.stable }]);
        });

        it("runs stable first, then the canary with its own image", () => {
            const llm = model("staging", "llm");
            const versions = modelVersions(llm);
            expect(versions.map((v) => v.track)).to.deep.equal(["stable", "canary"]);
            expect(versions[1].version).to.equal(llm.canary);
            expect(versions.map((v) => v.version.image)).to.deep.equal(["vllm/vllm-openai:v0.30.0-cu129", "vllm/vllm-openai:v0.32.0-cu129"]);
        });
    });

    describe("disruptionBudget", () => {
        it("lets a single replica be evicted, so a node drain can finish", () => {
            expect(disruptionBudget(1)).to.deep.equal({ maxUnavailable: 1 });
        });

        it("keeps all but one replica of two or more", () => {
            expect(disruptionBudget(2)).to.deep.equal({ minAvailable: 1 });
            expect(disruptionBudget(5)).to.deep.equal({ minAvailable: 4 });
            expect(disruptionBudget(model("prod", "llm").autoscaling.minReplicas)).to.deep.equal({ minAvailable: 1 });
        });
    });

    describe("replicaResources", () => {
        it("requests what it limits, GPUs included, for a GPU model", () => {
            const llm = model("staging", "llm");
            const resources = replicaResources(llm);
            expect(resources.limits).to.deep.equal({ cpu: "6", memory: "24576Mi", [GPU_TOLERATION.key]: "1" });
            expect(resources.requests).to.deep.equal(resources.limits);
            expect(resources.requests).to.not.equal(resources.limits);
        });

        it("asks for no GPU for a CPU model, and keeps fractional CPUs", () => {
            const resources = replicaResources(model("dev", "llm", (m) => (m.cpus = 1.5)));
            expect(resources.limits).to.deep.equal({ cpu: "1.5", memory: "1024Mi" });
            expect(resources.requests).to.not.have.property("nvidia.com/gpu");
        });
    });

    describe("scaledObjectSpec", () => {
        it("scales a GPU engine with a queue gauge on its queue, per track and namespace, and on GPU utilisation", () => {
            const llm = model("staging", "llm");
            const spec = scaledObjectSpec(llm, "canary", "llm-canary", NAMESPACE, PROMETHEUS);
            const [queue, gpu] = triggersOf(spec);
            expect(triggersOf(spec).map((t) => t.name)).to.deep.equal(["queue-length", "gpu-utilization"]);
            expect(queue.metadata).to.deep.include({ serverAddress: PROMETHEUS, threshold: String(llm.autoscaling.queueDepthTarget), ignoreNullValues: "true" });
            expect(queue.metadata.query).to.equal(`sum by (model, track) (vllm:num_requests_waiting{model="llm", track="canary", namespace="${NAMESPACE}"})`);
            expect(queue).to.not.have.property("metricType");
            expect(gpu.metricType).to.equal("Value");
            expect(gpu.metadata.query).to.equal(`avg(DCGM_FI_DEV_GPU_UTIL{namespace="${NAMESPACE}", pod=~"llm-canary-.*"})`);
            expect(gpu.metadata.threshold).to.equal(String(llm.autoscaling.gpuUtilizationTarget));
        });

        it("takes the thresholds from the model's autoscaling settings", () => {
            const llm = model("staging", "llm", (m) => Object.assign(m, { queueDepthTarget: 7, gpuUtilizationTarget: 65 }));
            const [queue, gpu] = triggersOf(scaledObjectSpec(llm, "stable", "llm-stable", NAMESPACE, PROMETHEUS));
            expect(queue.metadata.threshold).to.equal("7");
            expect(gpu.metadata.threshold).to.equal("65");
        });

        it("scales an engine without a queue gauge (ComfyUI) on GPU utilisation alone", () => {
            const image = model("staging", "image");
            expect(image.engine.id).to.equal("comfyui");
            expect(triggersOf(scaledObjectSpec(image, "stable", "image-stable", NAMESPACE, PROMETHEUS)).map((t) => t.name)).to.deep.equal(["gpu-utilization"]);
        });

        it("scales a CPU model on its queue alone, with no GPU trigger", () => {
            const llm = model("dev", "llm");
            const triggers = triggersOf(scaledObjectSpec(llm, "stable", "llm-stable", NAMESPACE, PROMETHEUS));
            expect(triggers.map((t) => t.name)).to.deep.equal(["queue-length"]);
            expect(triggers[0].metadata.query).to.contain("llamacpp:requests_deferred{");
        });

        it("waits 300 s of low load before removing a replica by default, one pod a minute, and adds at once", () => {
            const spec = scaledObjectSpec(model("staging", "llm"), "stable", "llm-stable", NAMESPACE, PROMETHEUS) as any;
            const behavior = spec.advanced.horizontalPodAutoscalerConfig.behavior;
            expect(behavior.scaleDown.stabilizationWindowSeconds).to.equal(300);
            expect(behavior.scaleDown.policies).to.deep.equal([{ type: "Pods", value: 1, periodSeconds: 60 }]);
            expect(behavior.scaleUp.stabilizationWindowSeconds).to.equal(0);
        });

        it("takes the scale-down window and the replica bounds from the model", () => {
            const llm = model("staging", "llm", (m) => Object.assign(m, { scaleDownStabilizationSeconds: 600, replicas: { min: 2, max: 3 } }));
            const spec = scaledObjectSpec(llm, "stable", "llm-stable", NAMESPACE, PROMETHEUS) as any;
            expect(spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).to.equal(600);
            expect(spec).to.deep.include({ scaleTargetRef: { name: "llm-stable" }, minReplicaCount: 2, maxReplicaCount: 3 });
        });
    });

    describe("probeTiming", () => {
        it("gives the startup probe at least the engine's load time, and never under a minute", () => {
            for (const m of [...models("dev"), ...models("staging")]) {
                const { period, startupFailures } = probeTiming(m);
                expect(period * startupFailures, `${m.engine.id}`).to.be.at.least(m.engine.readySeconds);
                expect(period * startupFailures, `${m.engine.id}`).to.be.at.least(60);
            }
        });

        it("allows vLLM ten minutes to load, llama.cpp the one-minute floor", () => {
            expect(probeTiming(model("staging", "llm"))).to.deep.equal({ period: 10, startupFailures: 60 });
            expect(probeTiming(model("dev", "llm"))).to.deep.equal({ period: 10, startupFailures: 6 });
        });
    });

    describe("podLabels", () => {
        it("labels pods with model, track and engine, and the selector labels the Deployment matches on", () => {
            const labels = podLabels("llm", "canary", "vllm");
            expect(labels).to.deep.include({ model: "llm", track: "canary", engine: "vllm", component: "inference", "app.kubernetes.io/name": "llm" });
            expect(labels["app.kubernetes.io/part-of"]).to.equal("genai-platform");
            for (const value of Object.values(labels)) expect(value).to.match(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
        });
    });

    describe("weights fetch", () => {
        it("fetches a file into its engine's subdirectory of the mount", () => {
            expect(fetchTarget(WEIGHTS["sd-turbo"])).to.equal(`${FETCH_MOUNT}/checkpoints/sd_turbo.safetensors`);
            expect(fetchTarget(WEIGHTS["qwen2.5-0.5b-instruct-q4_k_m"])).to.equal(`${FETCH_MOUNT}/qwen2.5-0.5b-instruct-q4_k_m.gguf`);
        });

        it("puts the file where the server loads it once the volume is mounted at the engine's path", () => {
            const llm = model("dev", "llm");
            const weights = llm.stable.weights;
            if (weights.kind !== "file") throw new Error("the dev LLM loads a file");
            const args = llm.engine.command({ model: llm.name, release: llm.stable.release, weights, extraArgs: [] }).args;
            expect(args[args.indexOf("-m") + 1]).to.equal(fetchTarget(weights).replace(FETCH_MOUNT, llm.engine.weightsMount));
        });

        it("passes target, URL and checksum as the script's positional arguments, after $0", () => {
            const weights = WEIGHTS["sd-turbo"];
            expect(fetchCommand(weights)).to.deep.equal(["sh", "-c", FETCH_SCRIPT, "fetch", fetchTarget(weights), weightsUrl(weights), weights.sha256]);
            expect(FETCH_SCRIPT).to.contain('target="$1"; url="$2"; sha="$3"; token_file="${4:-}"');
        });

        it("adds the token file as the fourth argument only when given, never the token", () => {
            const weights = WEIGHTS["qwen2.5-0.5b-instruct-q4_k_m"];
            const command = fetchCommand(weights, "/run/secrets/hf_token");
            expect(command).to.have.length(8);
            expect(command[7]).to.equal("/run/secrets/hf_token");
            expect(fetchCommand(weights)).to.have.length(7);
        });
    });
});
