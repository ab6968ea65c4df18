import { expect } from "chai";
import { AutomationApplier, AutomationStack, PROJECT, splitResourceUrn } from "../../scripts/rollout/apply";
import { evaluatedStack } from "../support/stacks";
import { readProjectFile } from "../../scripts/offline/stack-files";

/** The Automation API's stack as far as the applier uses it: config by path, in memory, and the updates asked for. */
class FakeAutomationStack implements AutomationStack {
    readonly config = new Map<string, string>();
    readonly ups: (string[] | undefined)[] = [];
    readonly log: string[] = [];
    constructor(models: unknown[]) {
        this.config.set(`${PROJECT}:models`, JSON.stringify(models));
    }
    async getConfig(key: string): Promise<{ value: string }> {
        const value = this.config.get(key);
        if (value === undefined) throw new Error(`no config ${key}`);
        return { value };
    }
    async setConfig(key: string, value: { value: string; secret?: boolean }, path?: boolean): Promise<void> {
        expect(path, `${key} is set by path`).to.equal(true);
        expect(value.secret ?? false, `${key} is not secret`).to.equal(false);
        this.log.push(`set ${key}=${value.value}`);
    }
    async removeConfig(key: string, path?: boolean): Promise<void> {
        expect(path).to.equal(true);
        this.log.push(`rm ${key}`);
    }
    async up(opts?: { target?: string[]; onOutput?: (out: string) => void }): Promise<unknown> {
        this.ups.push(opts?.target);
        opts?.onOutput?.("Resources: 1 updated\n");
        return {};
    }
}

describe("rollout: changes applied through Pulumi's Automation API", () => {
    const models = [{ name: "image" }, { name: "llm" }];
    const version = { image: "ghcr.io/ggml-org/llama.cpp:server-b10547", weights: "qwen2.5-0.5b-instruct-q8_0" };

    function applier(platform: "docker" | "aws" = "docker"): { stack: FakeAutomationStack; applier: AutomationApplier; lines: string[] } {
        const stack = new FakeAutomationStack(models);
        const lines: string[] = [];
        return { stack, applier: new AutomationApplier(stack, { stack: "dev", platform, model: "llm" }, (l) => lines.push(l)), lines };
    }

    it("starts a canary by setting the model's canary in the stack config, then updates the whole stack", async () => {
        const { stack, applier: a, lines } = applier();
        await a.startCanary(version, 0);
        expect(stack.log).to.deep.equal([
            `set ${PROJECT}:models[1].canary.image=${version.image}`,
            `set ${PROJECT}:models[1].canary.weights=${version.weights}`,
            `set ${PROJECT}:models[1].canary.weight=0`,
        ]);
        expect(stack.ups).to.deep.equal([undefined]);
        expect(lines).to.deep.equal(["Resources: 1 updated"]);
    });

    it("changes a weight with an update limited to the resource that carries the split", async () => {
        const { stack, applier: a } = applier();
        await a.setWeight(25);
        expect(stack.log).to.deep.equal([`set ${PROJECT}:models[1].canary.weight=25`]);
        expect(stack.ups).to.deep.equal([[splitResourceUrn("dev", "docker", "llm")]]);
    });

    it("promotes by moving the stable version, and removes the canary from the config", async () => {
        const { stack, applier: a } = applier();
        await a.setStable(version);
        await a.removeCanary();
        expect(stack.log).to.deep.equal([`set ${PROJECT}:models[1].image=${version.image}`, `set ${PROJECT}:models[1].weights=${version.weights}`, `rm ${PROJECT}:models[1].canary`]);
        expect(stack.ups).to.deep.equal([undefined, undefined]);
    });

    it("fails plainly when the stack's config has no such model", async () => {
        const stack = new FakeAutomationStack([{ name: "image" }]);
        const a = new AutomationApplier(stack, { stack: "dev", platform: "docker", model: "llm" }, () => undefined);
        const error = await a.setWeight(10).then(() => undefined, (e: Error) => e);
        expect(error?.message).to.equal("stack dev has no model llm in its config");
    });

    it("names the project as Pulumi.yaml does", () => {
        expect(PROJECT).to.equal(readProjectFile().name);
    });

    /**
     * The URNs Pulumi gives the stack's resources: the types of the parents, outermost first, joined by `$`
     * before the resource's own type (the mock engine's URNs leave the parents out).
     */
    async function engineUrns(stack: "dev" | "staging"): Promise<string[]> {
        const run = await evaluatedStack(stack);
        const byKey = new Map(run.resources.map((r) => [`${r.type}::${r.name}`, r]));
        const chain = (key: string | undefined): string[] => {
            const r = key ? byKey.get(key) : undefined;
            return r && r.type !== "pulumi:pulumi:Stack" ? [...chain(r.parent), r.type] : [];
        };
        return run.resources.map((r) => `urn:pulumi:${stack}::${PROJECT}::${chain(`${r.type}::${r.name}`).join("$")}::${r.name}`);
    }

    it("targets a resource the dev stack registers: the load balancer's config, which carries every model's split", async () => {
        expect(await engineUrns("dev")).to.include(splitResourceUrn("dev", "docker", "llm"));
    });

    it("targets a resource the cloud stacks register: the model's ALB listener rule, which carries its weighted forward", async () => {
        const urns = await engineUrns("staging");
        for (const model of ["llm", "image"]) expect(urns).to.include(splitResourceUrn("staging", "aws", model));
    });
});
