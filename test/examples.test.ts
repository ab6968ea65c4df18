import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { WEIGHTS } from "../catalog/weights";
import { stackConfigOf } from "./support/dev-stack";

const read = (file: string) => fs.readFileSync(path.join(__dirname, "..", file), "utf8");

describe("the README's examples", () => {
    it("asks the dev image model for the checkpoint it serves, in ComfyUI's API format, with SD-Turbo's one-step settings", () => {
        const { prompt } = JSON.parse(read("examples/image-prompt.json"));
        const image = stackConfigOf("dev").models.find((m) => m.name === "image")!;
        const checkpoint = image.stable.weights;
        if (checkpoint.kind !== "file") throw new Error("the dev image model loads a file");
        const nodes = Object.values(prompt) as { class_type: string; inputs: Record<string, unknown> }[];
        expect(nodes.find((n) => n.class_type === "CheckpointLoaderSimple")?.inputs.ckpt_name).to.equal(checkpoint.file);
        expect(checkpoint).to.equal(WEIGHTS["sd-turbo"]);
        // Every link points at a node of the prompt.
        for (const node of nodes) {
            for (const value of Object.values(node.inputs)) if (Array.isArray(value)) expect(prompt, JSON.stringify(value)).to.have.property(String(value[0]));
        }
        // More than one step gives noise on CPU with SD-Turbo (ComfyUI issue 7015).
        expect(nodes.find((n) => n.class_type === "KSampler")?.inputs).to.include({ steps: 1, cfg: 1.0 });
        expect(nodes.map((n) => n.class_type)).to.include("SaveImage");
    });

    it("names routes and a model id that the dev stack serves", () => {
        const readme = read("README.md");
        const names = stackConfigOf("dev").models.map((m) => m.name);
        for (const route of [...readme.matchAll(/127\.0\.0\.1:8080\/models\/([a-z0-9-]+)\//g)].map((m) => m[1])) expect(names, route).to.include(route);
        expect(readme).to.contain('"model": "llm"');
    });
});
