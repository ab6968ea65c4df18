import { expect } from "chai";
import { IMAGES, imageTag, isPinnedImage } from "../../components/images";

describe("image pinning", () => {
    it("accepts version tags and digests", () => {
        expect(isPinnedImage("postgres:15.13-alpine")).to.equal(true);
        expect(isPinnedImage("registry.example.com:5000/team/app:1.2.3")).to.equal(true);
        expect(isPinnedImage(`vllm/vllm-openai@sha256:${"a".repeat(64)}`)).to.equal(true);
    });

    it("rejects latest and untagged images, including a registry port mistaken for a tag", () => {
        expect(isPinnedImage("nginx")).to.equal(false);
        expect(isPinnedImage("nginx:latest")).to.equal(false);
        expect(isPinnedImage("registry.example.com:5000/team/app")).to.equal(false);
        expect(imageTag("registry.example.com:5000/team/app")).to.equal(undefined);
    });

    it("pins every platform image", () => {
        for (const image of Object.values(IMAGES)) expect(isPinnedImage(image), image).to.equal(true);
    });
});
