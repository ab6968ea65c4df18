import { expect } from "chai";
import { commonSignal, Engine, engineRelease, EngineRelease, ENGINES, ExportedSignal, Signal, SIGNALS } from "../../catalog/engines";
import { imagePinProblem } from "../../catalog/rules";
import { Weights, WEIGHTS, WeightsFile, WeightsRepository } from "../../catalog/weights";

const ALL_WEIGHTS: readonly Weights[] = Object.values(WEIGHTS);
const weightsOf = (engine: Engine): Weights[] => ALL_WEIGHTS.filter((w) => w.engine === engine.id);
const fileWeights = (id: keyof typeof WEIGHTS) => WEIGHTS[id] as WeightsFile;
const repositoryWeights = (id: keyof typeof WEIGHTS) => WEIGHTS[id] as WeightsRepository;

/** The value following `flag` in an argument list. */
function flagValue(args: readonly string[], flag: string): string | undefined {
    const i = args.indexOf(flag);
    return i === -1 ? undefined : args[i + 1];
}

/** Every release of every engine with every set of weights the engine loads. */
function everyCommandInput(): { engine: Engine; release: EngineRelease; weights: Weights }[] {
    return Object.values(ENGINES).flatMap((engine) => engine.releases.flatMap((release) => weightsOf(engine).map((weights) => ({ engine, release, weights }))));
}

/** A copy of a release whose `signal` is replaced. */
function withSignal(release: EngineRelease, signal: Signal, source: EngineRelease["signals"][Signal], image = `${release.image}-patched`): EngineRelease {
    return { ...release, image, signals: { ...release.signals, [signal]: source } };
}

describe("catalog engines", () => {
    it("keys every engine by its own id, with at least one release and weights it can load", () => {
        for (const [id, engine] of Object.entries(ENGINES)) {
            expect(engine.id).to.equal(id);
            expect(engine.releases.length, id).to.be.greaterThan(0);
            expect(weightsOf(engine).length, `weights for ${id}`).to.be.greaterThan(0);
            for (const weights of weightsOf(engine)) expect(weights.kind, `${id} loads ${engine.weights} weights`).to.equal(engine.weights);
        }
    });

    describe("commands", () => {
        it("passes the port the engine listens on, and turns its metrics on, for every release and set of weights", () => {
            for (const { engine, release, weights } of everyCommandInput()) {
                const { args } = engine.command({ model: "m", release, weights, extraArgs: [] });
                const where = `${engine.id} ${release.image}`;
                expect(flagValue(args, "--port"), where).to.equal(String(engine.port));
                for (const arg of engine.metrics?.enableArgs ?? []) expect(args, where).to.include(arg);
            }
        });

        it("listens on every interface of the container, not only its loopback", () => {
            for (const { engine, release, weights } of everyCommandInput()) {
                const { args } = engine.command({ model: "m", release, weights, extraArgs: [] });
                const listen = flagValue(args, "--host") ?? flagValue(args, "--listen");
                expect(listen, engine.id).to.equal("0.0.0.0");
            }
        });

        it("appends the stack's extra arguments after the engine's own", () => {
            for (const { engine, release, weights } of everyCommandInput()) {
                const { args } = engine.command({ model: "m", release, weights, extraArgs: ["--extra", "42"] });
                expect(args.slice(-2), engine.id).to.deep.equal(["--extra", "42"]);
                expect(args.indexOf("--extra"), engine.id).to.equal(args.length - 2);
            }
        });

        it("llama.cpp loads the weights file from its mount and serves it under the model's name", () => {
            const engine = ENGINES["llama-cpp"];
            for (const release of engine.releases) {
                for (const weights of weightsOf(engine) as WeightsFile[]) {
                    const command = engine.command({ model: "llm", release, weights, extraArgs: [] });
                    const expectedPath = [engine.weightsMount, weights.subdirectory, weights.file].filter((p) => p !== "").join("/");
                    expect(flagValue(command.args, "-m")).to.equal(expectedPath);
                    expect(flagValue(command.args, "--alias")).to.equal("llm");
                    expect(command.entrypoint).to.equal(undefined);
                    expect(command.env).to.deep.equal({});
                }
            }
        });

        it("llama.cpp refuses a repository, naming it", () => {
            const engine = ENGINES["llama-cpp"];
            expect(() => engine.command({ model: "llm", release: engine.releases[0], weights: repositoryWeights("qwen2.5-7b-instruct"), extraArgs: [] })).to.throw(
                /llama-cpp loads a weights file, not the repository Qwen\/Qwen2.5-7B-Instruct/,
            );
        });

        it("vLLM takes the repository as its first argument, at its revision, and serves it under the model's name", () => {
            const engine = ENGINES.vllm;
            for (const release of engine.releases) {
                for (const weights of weightsOf(engine) as WeightsRepository[]) {
                    const command = engine.command({ model: "llm", release, weights, extraArgs: [] });
                    // The image's entrypoint is `vllm serve <model>`: no override, the repository first.
                    expect(command.entrypoint).to.equal(undefined);
                    expect(command.args[0]).to.equal(weights.repo);
                    expect(flagValue(command.args, "--revision")).to.equal(weights.revision);
                    expect(flagValue(command.args, "--served-model-name")).to.equal("llm");
                }
            }
        });

        it("vLLM keeps its download cache on the weights mount and its home where the image's user can write", () => {
            const engine = ENGINES.vllm;
            const weights = repositoryWeights("qwen2.5-7b-instruct");
            for (const release of engine.releases) {
                const { env } = engine.command({ model: "llm", release, weights, extraArgs: [] });
                expect(env.HF_HOME.startsWith(`${engine.weightsMount}/`), env.HF_HOME).to.equal(true);
                expect(env.VLLM_CACHE_ROOT.startsWith(`${engine.weightsMount}/`), env.VLLM_CACHE_ROOT).to.equal(true);
                expect(release.writablePaths).to.include(env.HOME);
                expect(release.writablePaths.some((p) => env.XDG_CACHE_HOME.startsWith(`${p}/`)), env.XDG_CACHE_HOME).to.equal(true);
            }
        });

        it("vLLM refuses a weights file, naming it", () => {
            const engine = ENGINES.vllm;
            expect(() => engine.command({ model: "llm", release: engine.releases[0], weights: fileWeights("qwen2.5-0.5b-instruct-q4_k_m"), extraArgs: [] })).to.throw(
                /vllm downloads a repository, not the file qwen2.5-0.5b-instruct-q4_k_m.gguf/,
            );
        });

        it("ComfyUI starts its main.py with the base directory whose models/ is the weights mount", () => {
            const engine = ENGINES.comfyui;
            for (const release of engine.releases) {
                const command = engine.command({ model: "image", release, weights: fileWeights("sd-turbo"), extraArgs: [] });
                expect(command.entrypoint).to.deep.equal(["/opt/ComfyUI.venv/bin/python3", "/opt/ComfyUI/main.py"]);
                expect(`${flagValue(command.args, "--base-directory")}/models`).to.equal(engine.weightsMount);
                expect(release.writablePaths).to.include(flagValue(command.args, "--temp-directory"));
                expect(command.args).to.include("--disable-auto-launch");
            }
        });

        it("ComfyUI's CPU build runs on the CPU in bf16, its CUDA build does not", () => {
            const engine = ENGINES.comfyui;
            const cpu = engine.releases.find((r) => !r.gpu)!;
            const gpu = engine.releases.find((r) => r.gpu)!;
            const argsOf = (release: EngineRelease) => engine.command({ model: "image", release, weights: fileWeights("sd-turbo"), extraArgs: [] }).args;
            expect(argsOf(cpu)).to.include.members(["--cpu", "--bf16-unet", "--bf16-text-enc"]);
            expect(argsOf(gpu)).to.not.include("--cpu");
            expect(argsOf(gpu)).to.not.include("--bf16-unet");
        });
    });

    describe("ready probes", () => {
        it("llama.cpp and vLLM are ready when their health endpoint answers on their port", () => {
            for (const engine of [ENGINES["llama-cpp"], ENGINES.vllm]) {
                for (const weights of weightsOf(engine)) {
                    expect(engine.readyProbe(weights)).to.deep.equal({ port: engine.port, path: engine.health.path });
                }
            }
        });

        it("ComfyUI is ready only once its checkpoint list names the weights file", () => {
            const engine = ENGINES.comfyui;
            const weights = fileWeights("sd-turbo");
            expect(engine.readyProbe(weights)).to.deep.equal({ port: engine.port, path: `/models/${weights.subdirectory}`, bodyIncludes: "sd_turbo.safetensors" });
            expect(() => engine.readyProbe(repositoryWeights("qwen2.5-7b-instruct"))).to.throw(/comfyui loads a weights file/);
        });

        it("runs a body check only in releases that carry python3", () => {
            for (const { engine, release, weights } of everyCommandInput()) {
                if (engine.readyProbe(weights).bodyIncludes !== undefined) expect(release.httpClient, release.image).to.equal("python3");
            }
        });
    });

    describe("signals", () => {
        it("describes every signal in every release: a metric with evidence, or a reason it is absent", () => {
            for (const engine of Object.values(ENGINES)) {
                for (const release of engine.releases) {
                    expect(Object.keys(release.signals).sort(), release.image).to.deep.equal([...SIGNALS].sort());
                    for (const signal of SIGNALS) {
                        const source = release.signals[signal];
                        if (source.kind === "absent") {
                            expect(source.reason, `${release.image} ${signal}`).to.not.equal("");
                        } else {
                            expect(source.metric, `${release.image} ${signal}`).to.match(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
                            expect(source.evidence.url, `${release.image} ${signal}`).to.match(/^https:\/\//);
                        }
                    }
                    const status = release.signals.requestsByStatus;
                    if (status.kind !== "absent") expect(status.statusLabel, `${release.image} requestsByStatus needs the status label`).to.be.a("string");
                }
            }
        });

        it("exports signals only from engines that have a metrics endpoint", () => {
            for (const engine of Object.values(ENGINES)) {
                const exported = engine.releases.flatMap((r) => SIGNALS.filter((s) => r.signals[s].kind !== "absent"));
                if (engine.metrics === undefined) expect(exported, engine.id).to.deep.equal([]);
            }
        });

        it("commonSignal keeps a signal every release exports under the same name", () => {
            const [a, b] = ENGINES.vllm.releases;
            const source = commonSignal([a, b], "queueLength") as ExportedSignal;
            expect(source.kind).to.equal("gauge");
            expect(source.metric).to.equal("vllm:num_requests_waiting");
        });

        it("commonSignal reports a signal absent when a release lacks it, naming the release and its reason", () => {
            const [a] = ENGINES.vllm.releases;
            const lacking = withSignal(a, "requestLatency", { kind: "absent", reason: "histogram removed", fallback: "load-balancer" });
            const source = commonSignal([a, lacking], "requestLatency");
            expect(source.kind).to.equal("absent");
            expect(source.kind === "absent" && source.reason).to.equal(`${lacking.image}: histogram removed`);
            expect(source.kind === "absent" && source.fallback).to.equal("load-balancer");
        });

        it("commonSignal reports a signal absent when a release names it differently, naming both metrics", () => {
            const [a] = ENGINES.vllm.releases;
            const renamed = withSignal(a, "queueLength", { kind: "gauge", metric: "vllm:num_requests_queued", evidence: a.evidence[0] });
            const source = commonSignal([a, renamed], "queueLength");
            expect(source.kind).to.equal("absent");
            expect(source.kind === "absent" && source.reason).to.equal(`${renamed.image} names it vllm:num_requests_queued, ${a.image} vllm:num_requests_waiting`);
            // The load balancer carries no queue length: nothing stands in for it.
            expect(source.kind === "absent" && source.fallback).to.equal("none");
        });

        it("commonSignal names the release that lacks a signal whichever its place, with that release's own fallback", () => {
            const [a] = ENGINES.vllm.releases;
            const lacking = withSignal(a, "requestsByStatus", { kind: "absent", reason: "not exported", fallback: "load-balancer" });
            for (const releases of [[lacking, a], [a, lacking]]) {
                const source = commonSignal(releases, "requestsByStatus");
                expect(source).to.deep.equal({ kind: "absent", reason: `${lacking.image}: not exported`, fallback: "load-balancer" });
            }
        });

        it("commonSignal of one release is that release's own source", () => {
            const [llama] = ENGINES["llama-cpp"].releases;
            expect(commonSignal([llama], "queueLength")).to.equal(llama.signals.queueLength);
            expect(commonSignal([llama], "kvCacheUsage")).to.deep.include({ kind: "absent", fallback: "none" });
        });
    });

    describe("releases", () => {
        it("pins every release's image to a version tag or a digest", () => {
            for (const engine of Object.values(ENGINES)) {
                for (const release of engine.releases) expect(imagePinProblem(release.image), release.image).to.equal(undefined);
            }
        });

        it("names each image once across engines, and finds a release by its image", () => {
            const images = Object.values(ENGINES).flatMap((e) => e.releases.map((r) => r.image));
            expect(new Set(images).size).to.equal(images.length);
            for (const engine of Object.values(ENGINES)) {
                for (const release of engine.releases) expect(engineRelease(engine, release.image)).to.equal(release);
                expect(engineRelease(engine, "example.com/unknown:1.0")).to.equal(undefined);
            }
        });

        it("publishes every release for at least one architecture and carries evidence", () => {
            for (const engine of Object.values(ENGINES)) {
                for (const release of engine.releases) {
                    expect(release.archs.length, release.image).to.be.greaterThan(0);
                    expect(release.evidence.length, release.image).to.be.greaterThan(0);
                }
            }
        });
    });
});
