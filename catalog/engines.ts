/**
 * Model-server engines: how each takes its model, where it answers health and metrics, and which
 * metric, if any, carries each signal the platform uses. Alerts, dashboards, autoscaler triggers and
 * rollout analysis are rendered from these signals; where an engine lacks one it says so, and the
 * consumer falls back to the load balancer's per-route metrics or does without, explicitly.
 */
import { Evidence, readOn } from "./evidence";
import { Arch, HttpClient, RunAs } from "./images";
import { HttpProbe } from "./probes";
import { Weights, WeightsFile } from "./weights";

export type EngineId = "vllm" | "llama-cpp" | "comfyui";
export type ModelKind = "llm" | "image";

/** The signals the platform reads from a model server. */
export type Signal = "queueLength" | "runningRequests" | "requestsByStatus" | "requestLatency" | "timeToFirstToken" | "kvCacheUsage" | "promptTokens" | "generationTokens";
export const SIGNALS: readonly Signal[] = ["queueLength", "runningRequests", "requestsByStatus", "requestLatency", "timeToFirstToken", "kvCacheUsage", "promptTokens", "generationTokens"];

/** A signal the engine exports: the metric, its type, and for request counts the label holding the status class. */
export interface ExportedSignal {
    readonly kind: "gauge" | "counter" | "histogram";
    /** Metric name; for a histogram, the base name (`_bucket`, `_sum`, `_count` follow). */
    readonly metric: string;
    /** The label with the HTTP status class (`5xx`), for `requestsByStatus`. */
    readonly statusLabel?: string;
    /** A histogram's bucket bounds as its `le` label spells them, where they were read. */
    readonly buckets?: readonly string[];
    readonly evidence: Evidence;
}

/** A signal the engine does not export, and what consumers use instead. */
export interface AbsentSignal {
    readonly kind: "absent";
    readonly reason: string;
    /** `load-balancer`: the per-route metrics of the load balancer in front carry it; `none`: nothing does. */
    readonly fallback: "load-balancer" | "none";
}

export type SignalSource = ExportedSignal | AbsentSignal;

/** One pinned image of an engine, with the signals that version exports. */
export interface EngineRelease {
    readonly image: string;
    readonly archs: readonly Arch[];
    readonly user: RunAs;
    /** Paths the server writes to. */
    readonly writablePaths: readonly string[];
    readonly cpuFeatures: readonly string[];
    /** NVIDIA GPUs required (CUDA builds); false for CPU builds. */
    readonly gpu: boolean;
    readonly httpClient: HttpClient;
    readonly signals: Readonly<Record<Signal, SignalSource>>;
    readonly evidence: readonly Evidence[];
}

/** How a server process is started: entrypoint override (if any), arguments, and environment. */
export interface ServerCommand {
    readonly entrypoint?: readonly string[];
    readonly args: readonly string[];
    readonly env: Readonly<Record<string, string>>;
}

/** What the engine needs to render its command for one version of a model. */
export interface CommandInput {
    /** The model's name: the id clients ask for and the metric label. */
    readonly model: string;
    readonly release: EngineRelease;
    readonly weights: Weights;
    /** Arguments the stack adds after the engine's own. */
    readonly extraArgs: readonly string[];
}

export interface Engine {
    readonly id: EngineId;
    readonly kind: ModelKind;
    /** Port the server listens on in its container. */
    readonly port: number;
    /** Answers 200 without a redirect once `readyMeans`. */
    readonly health: { readonly path: string; readonly readyMeans: string };
    /** Prometheus metrics, when the engine has them, and the arguments that turn them on. */
    readonly metrics?: { readonly path: string; readonly enableArgs: readonly string[] };
    /** How the model reaches the server. */
    readonly weights: "file" | "repository";
    /** Where the weights directory is mounted in the container. */
    readonly weightsMount: string;
    /** Seconds from start to ready with the weights already local, generous. */
    readonly readySeconds: number;
    readonly releases: readonly EngineRelease[];
    /** How the model is passed: the server's command for one version. */
    command(input: CommandInput): ServerCommand;
    /**
     * The in-container check of "ready to serve", where it means more than the health endpoint (an
     * image server that listens before its checkpoint is on disk); the health endpoint otherwise.
     */
    readyProbe(weights: Weights): HttpProbe;
}

/** Where a weights file sits under the engine's weights mount. */
function weightsPath(mount: string, weights: WeightsFile): string {
    return [mount, weights.subdirectory, weights.file].filter((part) => part !== "").join("/");
}

function fileWeights(engine: EngineId, weights: Weights): WeightsFile {
    if (weights.kind !== "file") throw new Error(`engine ${engine} loads a weights file, not the repository ${weights.repo}`);
    return weights;
}

const absent = (reason: string, fallback: AbsentSignal["fallback"]): AbsentSignal => ({ kind: "absent", reason, fallback });

// llama.cpp server, build b10573 (2026-08-22).
const LLAMA = "https://github.com/ggml-org/llama.cpp/blob/b10573";
const llamaSignals: Record<Signal, SignalSource> = {
    queueLength: { kind: "gauge", metric: "llamacpp:requests_deferred", evidence: readOn(`${LLAMA}/tools/server/server-task.cpp#L1584`) },
    runningRequests: { kind: "gauge", metric: "llamacpp:requests_processing", evidence: readOn(`${LLAMA}/tools/server/server-task.cpp#L1580`) },
    requestsByStatus: absent("llama.cpp exports no request count by HTTP status", "load-balancer"),
    requestLatency: absent("llama.cpp exports no request latency histogram, only cumulative prompt and generation seconds", "load-balancer"),
    timeToFirstToken: absent("llama.cpp exports no time-to-first-token metric", "none"),
    kvCacheUsage: absent("llamacpp:kv_cache_usage_ratio was removed in llama.cpp PR #13660 (2025-05-21)", "none"),
    promptTokens: { kind: "counter", metric: "llamacpp:prompt_tokens_total", evidence: readOn(`${LLAMA}/tools/server/server-task.cpp#L1526-L1547`) },
    generationTokens: { kind: "counter", metric: "llamacpp:tokens_predicted_total", evidence: readOn(`${LLAMA}/tools/server/server-task.cpp#L1526-L1547`) },
};

// vLLM: metric names read in vllm/v1/metrics/loggers.py on main at 017e9f44 (2026-08-17, after v0.28.0).
const VLLM = "https://github.com/vllm-project/vllm/blob/017e9f4448b700e85ee16023287b025693c72b9e";
const vllmLogger = (line: number, note?: string) => readOn(`${VLLM}/vllm/v1/metrics/loggers.py#L${line}`, note);
const vllmSignals: Record<Signal, SignalSource> = {
    queueLength: { kind: "gauge", metric: "vllm:num_requests_waiting", evidence: vllmLogger(504) },
    runningRequests: { kind: "gauge", metric: "vllm:num_requests_running", evidence: vllmLogger(494) },
    requestsByStatus: {
        kind: "counter",
        metric: "http_requests_total",
        statusLabel: "status",
        evidence: readOn(`${VLLM}/vllm/entrypoints/serve/instrumentator/metrics.py#L65-L75`, "prometheus-fastapi-instrumentator, status grouped as 2xx/4xx/5xx; exported unconditionally since v0.8.5 (PR #15894)"),
    },
    requestLatency: {
        kind: "histogram",
        metric: "vllm:e2e_request_latency_seconds",
        // Python floats, as prometheus_client spells them in `le`.
        buckets: ["0.3", "0.5", "0.8", "1.0", "1.5", "2.0", "2.5", "5.0", "10.0", "15.0", "20.0", "30.0", "40.0", "50.0", "60.0", "120.0", "240.0", "480.0", "960.0", "1920.0", "7680.0"],
        evidence: vllmLogger(889, "request_latency_buckets 0.3 ... 7680.0, the buckets of vllm:e2e_request_latency_seconds (L913)"),
    },
    timeToFirstToken: { kind: "histogram", metric: "vllm:time_to_first_token_seconds", evidence: vllmLogger(797) },
    kvCacheUsage: { kind: "gauge", metric: "vllm:kv_cache_usage_perc", evidence: vllmLogger(562, "fraction 0-1; vllm:gpu_cache_usage_perc was removed by PR #29330 (2025-11-25)") },
    promptTokens: { kind: "counter", metric: "vllm:prompt_tokens_total", evidence: vllmLogger(671) },
    generationTokens: { kind: "counter", metric: "vllm:generation_tokens_total", evidence: vllmLogger(705) },
};

const comfySignals: Record<Signal, SignalSource> = {
    queueLength: absent("ComfyUI exports no Prometheus metrics; its queue is JSON at GET /prompt (exec_info.queue_remaining)", "load-balancer"),
    runningRequests: absent("ComfyUI exports no Prometheus metrics", "load-balancer"),
    requestsByStatus: absent("ComfyUI exports no Prometheus metrics", "load-balancer"),
    requestLatency: absent("ComfyUI exports no Prometheus metrics", "load-balancer"),
    timeToFirstToken: absent("an image server produces no tokens", "none"),
    kvCacheUsage: absent("an image server has no KV cache", "none"),
    promptTokens: absent("an image server produces no tokens", "none"),
    generationTokens: absent("an image server produces no tokens", "none"),
};

const VLLM_IMAGE_EVIDENCE = [
    readOn(`${VLLM}/docker/Dockerfile#L697-L727`, "user vllm uid 2000 gid 0, home /home/vllm, group-0 writable; the image runs as root unless told"),
    readOn(`${VLLM}/.buildkite/scripts/publish-release-images.sh#L44-L111`, "multi-arch manifest of -x86_64 and -aarch64; -cu129 variants for CUDA 12.9 drivers (the default CUDA 13 images need an R580 driver)"),
];

const COMFY = "https://github.com/Comfy-Org/ComfyUI/blob/637221995f7424a561bd825de3e61ea117dfe1e3";
const JOEPITT = "https://github.com/joepitt91/comfyui-docker/blob/8f058ae86174900d8ea7f6d42e3447f4dc5b5df0";
const comfyRelease = (target: "cpu" | "nvidia"): EngineRelease => ({
    image: `ghcr.io/joepitt91/comfyui:0.46.0-${target}`,
    archs: ["amd64"],
    user: { uid: 65534, gid: 65534, mode: "image-user", anyUid: true },
    writablePaths: ["/opt/content", "/opt/ComfyUI/user", "/tmp/comfyui"],
    cpuFeatures: [],
    gpu: target === "nvidia",
    httpClient: "python3",
    signals: comfySignals,
    evidence: [
        readOn(`${JOEPITT}/Dockerfile#L58-L145`, "USER nobody; ComfyUI in /opt/ComfyUI with its venv in /opt/ComfyUI.venv; volumes /opt/content, /opt/ComfyUI/user, /tmp/comfyui; no side services; amd64 only"),
        readOn(`${JOEPITT}/.github/workflows/build_latest.yml#L95-L103`, "tags <ComfyUI version>-cpu and -nvidia, rebuilt when ComfyUI releases"),
        readOn(`${COMFY}/comfy/cli_args.py#L38-L129`, "--listen, --port 8188, --base-directory, --cpu, --bf16-unet, --bf16-text-enc (read at 0.3.64)"),
        readOn("https://docs.comfy.org/catalog/changes/local.md", "ComfyUI 0.46.0 released 2026-11-18"),
    ],
});

/**
 * A CPU build of llama.cpp's server. The daily builds b10547 (2026-08-21) and b10573 (2026-08-22) have the
 * same image recipe, server and metrics: `git diff b10547 b10573` is empty for .devops/cpu.Dockerfile,
 * .github/workflows/docker.yml, common/arg.cpp and tools/server/server-{context,task,http}.cpp.
 */
function llamaCpuRelease(tag: "b10573" | "b10547"): EngineRelease {
    const at = `https://github.com/ggml-org/llama.cpp/blob/${tag}`;
    return {
        image: `ghcr.io/ggml-org/llama.cpp:server-${tag}`,
        archs: ["amd64", "arm64"],
        // It writes nothing: any non-root user reads the mounted weights.
        user: { uid: 65534, gid: 65534, mode: "root", anyUid: true },
        writablePaths: [],
        // Built with GGML_NATIVE=OFF, GGML_BACKEND_DL=ON, GGML_CPU_ALL_VARIANTS=ON: the best CPU variant is chosen at start.
        cpuFeatures: [],
        gpu: false,
        httpClient: "curl",
        signals: llamaSignals,
        evidence: [
            readOn(`${at}/.devops/cpu.Dockerfile#L113-L124`, "no USER; ENTRYPOINT /app/llama-server; LLAMA_ARG_HOST=0.0.0.0; curl in the image"),
            readOn(`${at}/.devops/cpu.Dockerfile`, "GGML_NATIVE=OFF GGML_BACKEND_DL=ON GGML_CPU_ALL_VARIANTS=ON: AVX2-only x86 and arm64 NEON variants at run time"),
            readOn(`${at}/.github/workflows/docker.yml#L88-L90`, "linux/amd64 and linux/arm64"),
            readOn(`${at}/tools/server/server-context.cpp#L4571-L4589`, "/health 503 while loading, 200 once ready; /metrics only with --metrics (501 otherwise)"),
            ...(tag === "b10547" ? [readOn(`https://github.com/ggml-org/llama.cpp/compare/b10547...b10573`, "no change to the Dockerfile, the image workflow, the arguments or the server's health and metrics code")] : []),
        ],
    };
}

export const ENGINES: Readonly<Record<EngineId, Engine>> = {
    "llama-cpp": {
        id: "llama-cpp",
        kind: "llm",
        port: 8080,
        health: { path: "/health", readyMeans: "the model is loaded (503 \"Loading model\" before)" },
        metrics: { path: "/metrics", enableArgs: ["--metrics"] },
        weights: "file",
        weightsMount: "/models",
        readySeconds: 60,
        command: ({ model, weights, extraArgs }) => ({
            args: ["-m", weightsPath("/models", fileWeights("llama-cpp", weights)), "--alias", model, "--host", "0.0.0.0", "--port", "8080", "--metrics", ...extraArgs],
            env: {},
        }),
        readyProbe: () => ({ port: 8080, path: "/health" }),
        // The newest build read first: a model without an `image` runs it.
        releases: [llamaCpuRelease("b10573"), llamaCpuRelease("b10547")],
    },
    vllm: {
        id: "vllm",
        kind: "llm",
        port: 8000,
        health: { path: "/health", readyMeans: "the engine is built and serving (connections are refused while it loads)" },
        metrics: { path: "/metrics", enableArgs: [] },
        weights: "repository",
        weightsMount: "/models-cache",
        readySeconds: 600,
        command: ({ model, weights, extraArgs }) => {
            if (weights.kind !== "repository") throw new Error(`engine vllm downloads a repository, not the file ${weights.file}`);
            return {
                // The image's entrypoint is `vllm serve`: the first argument is the model.
                args: [weights.repo, "--revision", weights.revision, "--served-model-name", model, "--host", "0.0.0.0", "--port", "8000", ...extraArgs],
                env: { HOME: "/home/vllm", HF_HOME: "/models-cache/huggingface", VLLM_CACHE_ROOT: "/models-cache/vllm", XDG_CACHE_HOME: "/tmp/.cache" },
            };
        },
        readyProbe: () => ({ port: 8000, path: "/health" }),
        releases: ["v0.30.0-cu129", "v0.32.0-cu129"].map(
            (tag): EngineRelease => ({
                image: `vllm/vllm-openai:${tag}`,
                archs: ["amd64", "arm64"],
                user: { uid: 2000, gid: 0, mode: "root", anyUid: false },
                writablePaths: ["/home/vllm", "/tmp"],
                cpuFeatures: [],
                gpu: true,
                httpClient: "curl",
                signals: vllmSignals,
                evidence: [...VLLM_IMAGE_EVIDENCE, readOn(`https://docs.vllm.ai/en/${tag.split("-")[0]}/usage/metrics/`, "the metrics of this release")],
            }),
        ),
    },
    comfyui: {
        id: "comfyui",
        kind: "image",
        port: 8188,
        health: { path: "/system_stats", readyMeans: "the server listens (models load on the first prompt); generating also needs the checkpoint on disk" },
        weights: "file",
        weightsMount: "/opt/content/models",
        readySeconds: 120,
        // The image's entrypoint passes no extra arguments: start ComfyUI directly with ours.
        command: ({ release, extraArgs }) => ({
            entrypoint: ["/opt/ComfyUI.venv/bin/python3", "/opt/ComfyUI/main.py"],
            args: [
                "--base-directory", "/opt/content",
                "--temp-directory", "/tmp/comfyui",
                "--database-url", "sqlite:////opt/content/user/comfyui.db",
                "--listen", "0.0.0.0",
                "--port", "8188",
                "--disable-auto-launch",
                "--disable-all-custom-nodes",
                // On CPU the checkpoint is held in bf16, half its fp32 size.
                ...(release.gpu ? [] : ["--cpu", "--bf16-unet", "--bf16-text-enc"]),
                ...extraArgs,
            ],
            env: {},
        }),
        readyProbe: (weights) => ({ port: 8188, path: "/models/checkpoints", bodyIncludes: fileWeights("comfyui", weights).file }),
        releases: [comfyRelease("cpu"), comfyRelease("nvidia")],
    },
};

/** The engine release of an image, or undefined when the catalog does not know that image. */
export function engineRelease(engine: Engine, image: string): EngineRelease | undefined {
    return engine.releases.find((r) => r.image === image);
}

/** Signals the load balancer's per-route metrics can stand in for. */
const LOAD_BALANCER_CARRIES: ReadonlySet<Signal> = new Set(["requestsByStatus", "requestLatency"]);

/**
 * The source of a signal across every release a model runs (stable and canary): exported only when all
 * of them export it under the same metric name; otherwise absent, naming the first release that lacks it
 * (with that release's own fallback) or that names it differently (falling back to the load balancer
 * where it carries the signal).
 */
export function commonSignal(releases: readonly EngineRelease[], signal: Signal): SignalSource {
    const lacking = releases.find((r) => r.signals[signal].kind === "absent");
    if (lacking) {
        const source = lacking.signals[signal] as AbsentSignal;
        return releases.length === 1 ? source : absent(`${lacking.image}: ${source.reason}`, source.fallback);
    }
    const first = releases[0].signals[signal] as ExportedSignal;
    const differing = releases.find((r) => (r.signals[signal] as ExportedSignal).metric !== first.metric);
    if (!differing) return first;
    const other = differing.signals[signal] as ExportedSignal;
    return absent(`${differing.image} names it ${other.metric}, ${releases[0].image} ${first.metric}`, LOAD_BALANCER_CARRIES.has(signal) ? "load-balancer" : "none");
}
