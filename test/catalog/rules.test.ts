import { expect } from "chai";
import { imagePinProblem, imageRepository, imageTag, isPinnedImage, looksLikeSecretName } from "../../catalog/rules";

describe("catalog rules", () => {
    describe("pinned images", () => {
        it("accepts version tags and digests", () => {
            expect(isPinnedImage("postgres:15.17-alpine")).to.equal(true);
            expect(isPinnedImage("registry.example.com:5000/team/app:1.2.3")).to.equal(true);
            expect(isPinnedImage(`vllm/vllm-openai@sha256:${"a".repeat(64)}`)).to.equal(true);
        });

        it("rejects latest, untagged images and malformed digests, saying why", () => {
            expect(imagePinProblem("nginx")).to.equal("image nginx has no tag, which means latest");
            expect(imagePinProblem("nginx:latest")).to.equal("image nginx:latest uses the latest tag");
            expect(isPinnedImage("registry.example.com:5000/team/app")).to.equal(false);
            expect(imageTag("registry.example.com:5000/team/app")).to.equal(undefined);
            expect(imagePinProblem("app@sha256:abc")).to.match(/malformed digest/);
        });

        it("splits a reference into repository and tag", () => {
            expect(imageRepository("ghcr.io/ggml-org/llama.cpp:server-b10573")).to.equal("ghcr.io/ggml-org/llama.cpp");
            expect(imageTag("ghcr.io/ggml-org/llama.cpp:server-b10573")).to.equal("server-b10573");
        });
    });

    describe("secret-looking environment variable names", () => {
        it("matches names whose words say they hold a secret", () => {
            for (const name of ["HF_TOKEN", "OPENAI_API_KEY", "DB_PASSWORD", "clientSecret", "AWS_SECRET_ACCESS_KEY", "PRIVATE_KEY", "GITHUB_APIKEY", "SERVICE_CREDENTIALS"]) {
                expect(looksLikeSecretName(name), name).to.equal(true);
            }
        });

        it("leaves alone names that only contain the letters, and names that point to a secret", () => {
            for (const name of ["TOKENIZERS_PARALLELISM", "MAX_TOKENS", "KEYBOARD", "PASSWORD_FILE", "HF_TOKEN_PATH", "SECRETS_DIR", "VLLM_LOGGING_LEVEL"]) {
                expect(looksLikeSecretName(name), name).to.equal(false);
            }
        });
    });
});
