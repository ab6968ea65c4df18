import { expect } from "chai";
import { looksLikeSecretName } from "../../catalog/rules";
import { k8sNoSecretLiteralsInEnv as policy } from "../../policy/policies/k8s-no-secret-literals-in-env";
import { deployment } from "./fixtures";
import { violations } from "./harness";

describe("policy k8s-no-secret-literals-in-env", () => {
    it("passes secrets from secretKeyRef and plain settings", async () => {
        expect(await violations(policy, deployment())).to.deep.equal([]);
        const settings = [
            { name: "TOKENIZERS_PARALLELISM", value: "false" },
            { name: "MAX_TOKENS", value: "4096" },
            { name: "DB_PASSWORD_FILE", value: "/run/secrets/db" },
        ];
        expect(await violations(policy, deployment({}, { env: settings }))).to.deep.equal([]);
    });

    it("fails a literal value in a secret-looking variable", async () => {
        const env = [
            { name: "HF_TOKEN", value: "hf_abc" },
            { name: "OPENAI_API_KEY", value: "sk-123" },
        ];
        expect(await violations(policy, deployment({}, { env }))).to.deep.equal([
            "containers[0] (server): env HF_TOKEN has a literal value; use valueFrom.secretKeyRef (CKV_K8S_35).",
            "containers[0] (server): env OPENAI_API_KEY has a literal value; use valueFrom.secretKeyRef (CKV_K8S_35).",
        ]);
    });

    it("recognises secret names by whole words, camelCase included", () => {
        for (const name of ["PASSWORD", "DB_PASSWORD", "clientSecret", "apiKey", "GITHUB_TOKEN", "PRIVATE_KEY", "AWS_SECRET_ACCESS_KEY", "REGISTRY_CREDENTIALS"]) {
            expect(looksLikeSecretName(name), name).to.equal(true);
        }
        for (const name of ["TOKENIZERS_PARALLELISM", "MAX_TOKENS", "PASSWORD_FILE", "KEY_PATH", "HF_HOME", ""]) {
            expect(looksLikeSecretName(name), name).to.equal(false);
        }
    });
});
