import { expect } from "chai";
import { ENGINES } from "../../catalog/engines";
import { WEIGHTS, Weights, WeightsFile, weightsUrl } from "../../catalog/weights";

const ENTRIES: [string, Weights][] = Object.entries(WEIGHTS);
const FILES = ENTRIES.filter((e): e is [string, WeightsFile] => e[1].kind === "file");
const REPOSITORIES = ENTRIES.filter(([, w]) => w.kind === "repository");
const COMMIT = /^[0-9a-f]{40}$/;
/** The documented exception: a repository whose commit has not been read yet follows its main branch. */
const UNPINNED_BRANCH = "main";

describe("catalog weights", () => {
    it("has both kinds, each loaded by an engine that takes that kind", () => {
        expect(FILES.length).to.be.greaterThan(0);
        expect(REPOSITORIES.length).to.be.greaterThan(0);
        for (const [id, w] of ENTRIES) expect(ENGINES[w.engine].weights, id).to.equal(w.kind);
    });

    it("pins every file with a 64-hex sha256, a positive size and a commit", () => {
        for (const [id, w] of FILES) {
            expect(w.sha256, id).to.match(/^[0-9a-f]{64}$/);
            expect(Number.isInteger(w.sizeBytes) && w.sizeBytes > 0, `${id} sizeBytes`).to.equal(true);
            expect(w.revision, id).to.match(COMMIT);
            expect(w.file, id).to.not.contain("/");
            expect(w.servingMemoryMb, id).to.be.greaterThan(0);
        }
    });

    it("gives no two files the same checksum", () => {
        const sums = FILES.map(([, w]) => w.sha256);
        expect(new Set(sums).size).to.equal(sums.length);
    });

    it("reads every file's evidence at its pinned commit", () => {
        for (const [id, w] of FILES) expect(w.evidence.some((e) => e.url.includes(w.revision)), id).to.equal(true);
    });

    it("pins every repository to a commit, or to main where no commit has been read yet", () => {
        for (const [id, w] of REPOSITORIES) {
            expect(COMMIT.test(w.revision) || w.revision === UNPINNED_BRANCH, `${id} revision ${w.revision}`).to.equal(true);
            expect(w.kind === "repository" && w.sizeGb, `${id} sizeGb`).to.be.greaterThan(0);
        }
    });

    it("names a Hugging Face repository and a licence for every entry", () => {
        for (const [id, w] of ENTRIES) {
            expect(w.repo, id).to.match(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/);
            expect(w.license, id).to.not.equal("");
            expect(w.evidence.length, id).to.be.greaterThan(0);
        }
    });

    it("marks the gated Llama repository as gated", () => {
        expect(WEIGHTS["llama-3.1-8b-instruct"].gated).to.equal(true);
        expect(WEIGHTS["qwen2.5-7b-instruct"].gated).to.equal(false);
    });

    describe("weightsUrl", () => {
        it("resolves the file at its pinned revision", () => {
            const w = WEIGHTS["qwen2.5-0.5b-instruct-q4_k_m"];
            expect(weightsUrl(w)).to.equal(`https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/${w.revision}/qwen2.5-0.5b-instruct-q4_k_m.gguf`);
        });

        it("takes the file from the repository's root, whatever directory the engine expects it in", () => {
            const w = WEIGHTS["sd-turbo"];
            expect(w.subdirectory).to.equal("checkpoints");
            expect(weightsUrl(w)).to.equal(`https://huggingface.co/stabilityai/sd-turbo/resolve/${w.revision}/sd_turbo.safetensors`);
        });

        it("never resolves a branch", () => {
            for (const [id, w] of FILES) expect(weightsUrl(w), id).to.match(new RegExp(`/resolve/[0-9a-f]{40}/${w.file.replace(/\./g, "\\.")}$`));
        });
    });
});
