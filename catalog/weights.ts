/**
 * Model weights the platform serves: where each file or repository comes from, at which revision,
 * its size and checksum where the engine loads a single file, its licence, and what it needs in memory.
 */
import { EngineId } from "./engines";
import { Evidence, readOn } from "./evidence";

export interface WeightsFile {
    readonly kind: "file";
    /** The engine that loads this file format. */
    readonly engine: EngineId;
    /** Hugging Face repository and the revision the file is pinned at. */
    readonly repo: string;
    readonly revision: string;
    readonly file: string;
    readonly sizeBytes: number;
    readonly sha256: string;
    /** Where the engine expects the file, relative to its weights directory (e.g. `checkpoints/`). */
    readonly subdirectory: string;
    readonly license: string;
    readonly gated: boolean;
    /** Resident memory of a server holding these weights, MiB, measured or estimated (see evidence). */
    readonly servingMemoryMb: number;
    readonly evidence: readonly Evidence[];
}

/** A repository the engine downloads itself (vLLM from the Hugging Face hub). */
export interface WeightsRepository {
    readonly kind: "repository";
    readonly engine: EngineId;
    readonly repo: string;
    /** A commit, or a branch where no commit has been read yet (the README lists it as unpinned). */
    readonly revision: string;
    readonly license: string;
    readonly gated: boolean;
    /** Approximate download size, GiB, for the cache volume. */
    readonly sizeGb: number;
    readonly evidence: readonly Evidence[];
}

export type Weights = WeightsFile | WeightsRepository;

const QWEN_GGUF = "Qwen/Qwen2.5-0.5B-Instruct-GGUF";
const QWEN_GGUF_REVISION = "9217f5db79a29953eb74d5343926648285ec7e67";

export const WEIGHTS = {
    "qwen2.5-0.5b-instruct-q4_k_m": {
        kind: "file",
        engine: "llama-cpp",
        repo: QWEN_GGUF,
        revision: QWEN_GGUF_REVISION,
        file: "qwen2.5-0.5b-instruct-q4_k_m.gguf",
        sizeBytes: 491_400_032,
        sha256: "74a4da8c9fdbcd15bd1f6d01d621410d31c6fc00986f5eb687824e7b93d7a9db",
        subdirectory: "",
        license: "Apache-2.0",
        gated: false,
        servingMemoryMb: 1024,
        evidence: [
            readOn(`https://huggingface.co/${QWEN_GGUF}/blob/${QWEN_GGUF_REVISION}/qwen2.5-0.5b-instruct-q4_k_m.gguf`, "size and sha256 from the LFS pointer, matching four independent public pins"),
            readOn("https://github.com/ggml-org/llama.cpp/blob/b10573/tools/server/README.md", "about 0.8-1 GiB at a 4096 context (estimate: weights plus a 48 MiB KV cache)"),
        ],
    },
    "qwen2.5-0.5b-instruct-q8_0": {
        kind: "file",
        engine: "llama-cpp",
        repo: QWEN_GGUF,
        revision: QWEN_GGUF_REVISION,
        file: "qwen2.5-0.5b-instruct-q8_0.gguf",
        sizeBytes: 675_710_816,
        sha256: "ca59ca7f13d0e15a8cfa77bd17e65d24f6844b554a7b6c12e07a5f89ff76844e",
        subdirectory: "",
        license: "Apache-2.0",
        gated: false,
        servingMemoryMb: 1024,
        evidence: [readOn(`https://huggingface.co/${QWEN_GGUF}/blob/${QWEN_GGUF_REVISION}/qwen2.5-0.5b-instruct-q8_0.gguf`, "size and sha256 from the LFS pointer, matching three independent public pins")],
    },
    "sd-turbo": {
        kind: "file",
        engine: "comfyui",
        repo: "stabilityai/sd-turbo",
        revision: "b261bac6fd2cf515557d5d0707481eafa0485ec2",
        file: "sd_turbo.safetensors",
        sizeBytes: 5_214_561_328,
        sha256: "3f067a1b943cf162f2b8f8588f6cf5824bd5b4c7d1d88d87164b9ca123616549",
        subdirectory: "checkpoints",
        license: "Stability AI Community License",
        gated: false,
        // 5.2 GB of fp32 weights held in bf16 (--bf16-unet --bf16-text-enc) plus activations at 512x512: an estimate.
        servingMemoryMb: 3584,
        evidence: [
            readOn("https://huggingface.co/stabilityai/sd-turbo/blob/b261bac6fd2cf515557d5d0707481eafa0485ec2/sd_turbo.safetensors", "size and sha256 (third-party pins of the LFS pointer)"),
            readOn("https://huggingface.co/stabilityai/sd-turbo/blob/b261bac6fd2cf515557d5d0707481eafa0485ec2/LICENSE.md", "Stability AI Community License"),
        ],
    },
    "qwen2.5-7b-instruct": {
        kind: "repository",
        engine: "vllm",
        repo: "Qwen/Qwen2.5-7B-Instruct",
        // No commit was read for this repository: the server follows its main branch until one is pinned here.
        revision: "main",
        license: "Apache-2.0",
        gated: false,
        sizeGb: 16,
        evidence: [readOn("https://huggingface.co/Qwen/Qwen2.5-7B-Instruct", "safetensors shards, about 15 GB; Apache-2.0")],
    },
    "llama-3.1-8b-instruct": {
        kind: "repository",
        engine: "vllm",
        repo: "meta-llama/Llama-3.1-8B-Instruct",
        revision: "main",
        license: "Llama 3.1 Community License",
        // The repository asks each user to accept its licence: downloads need a Hugging Face token.
        gated: true,
        sizeGb: 16,
        evidence: [readOn("https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct", "gated: access is granted after accepting the licence on the page")],
    },
} as const satisfies Record<string, Weights>;

export type WeightsId = keyof typeof WEIGHTS;

/** The download address of a pinned file. */
export function weightsUrl(weights: WeightsFile): string {
    return `https://huggingface.co/${weights.repo}/resolve/${weights.revision}/${weights.file}`;
}
