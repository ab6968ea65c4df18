import { expect } from "chai";
import { k8sRequirePinnedImages as policy } from "../../policy/policies/k8s-require-pinned-images";
import { deployment } from "./fixtures";
import { violations } from "./harness";

describe("policy k8s-require-pinned-images", () => {
    it("passes version tags and digests", async () => {
        expect(await violations(policy, deployment())).to.deep.equal([]);
        expect(await violations(policy, deployment({}, { image: `vllm/vllm-openai@sha256:${"a".repeat(64)}` }))).to.deep.equal([]);
        expect(await violations(policy, deployment({}, { image: "registry.example.com:5000/genai/vllm:1.2.3" }))).to.deep.equal([]);
    });

    it("fails :latest, untagged images (a registry port is not a tag) and a missing image", async () => {
        expect(await violations(policy, deployment({}, { image: "vllm/vllm-openai:latest" }))).to.deep.equal([
            "containers[0] (server): image vllm/vllm-openai:latest uses the latest tag (CKV_K8S_14).",
        ]);
        expect(await violations(policy, deployment({}, { image: "registry.example.com:5000/genai/vllm" }))).to.deep.equal([
            "containers[0] (server): image registry.example.com:5000/genai/vllm has no tag, which means latest (CKV_K8S_14).",
        ]);
        expect(await violations(policy, deployment({}, { image: undefined }))).to.deep.equal(["containers[0] (server): no image is set (CKV_K8S_14)."]);
    });
});
