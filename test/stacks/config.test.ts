import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ConfigError, ConfigReader } from "../../stacks/config-reader";
import { loadStackConfig, UNDECLARABLE_KEYS } from "../../stacks/config";
import { definePlatform } from "../../stacks/platform";
import { engineConfigSource } from "../../stacks/config-reader";
import { readProjectFile, resolveStackConfig, stackNames } from "../../scripts/offline/stack-files";
import { ProgramFailure, runProgram, stackConfig } from "../harness";

/** A config source over the dev stack's resolved config plus overrides. */
function source(stack: string, overrides: Record<string, unknown> = {}, remove: string[] = []) {
    const resolved = stackConfig(stack, { overrides, remove });
    return {
        project: resolved.project,
        stack,
        get: (key: string) => resolved.values[key.includes(":") ? key : `${resolved.project}:${key}`],
    };
}

function devModels(): any[] {
    return JSON.parse(resolveStackConfig("dev").values["genai-platform:models"]);
}

function withModel(change: (model: any) => void, index = 0): any[] {
    const models = devModels();
    change(models[index]);
    return models;
}

/** The dev models with a canary of other weights on the LLM, then `change` applied to it. */
function withCanary(change: (canary: any) => void = () => undefined): any[] {
    return withModel((m) => {
        m.canary = { weights: "qwen2.5-0.5b-instruct-q8_0", weight: 10 };
        change(m.canary);
    });
}

/** Asserts that loading fails with one ConfigError naming stack, key, value and what is allowed. */
function expectConfigError(overrides: Record<string, unknown>, key: string, value: string, allowed: RegExp, remove: string[] = []) {
    let error: unknown;
    try {
        loadStackConfig(source("dev", overrides, remove));
    } catch (e) {
        error = e;
    }
    expect(error, "expected a ConfigError").to.be.instanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).to.contain('stack "dev"');
    expect(message).to.contain(`genai-platform:${key} = ${value}`);
    expect(message).to.match(allowed);
    expect(message.split("\n")).to.have.length(1);
}

describe("stack configuration", () => {
    it("loads every stack file of the project into a typed object", () => {
        for (const stack of stackNames()) {
            const cfg = loadStackConfig(source(stack));
            expect(cfg.stack).to.equal(stack);
            expect(cfg.models.length).to.be.greaterThan(0);
        }
    });

    it("reads the dev stack's figures", () => {
        const cfg = loadStackConfig(source("dev"));
        expect(cfg.platform).to.equal("docker");
        expect(cfg.traffic.rateLimitPerMinute).to.equal(50);
        expect(cfg.traffic.apiRateLimitPerSecond).to.equal(10);
        expect(cfg.traffic.authRateLimitPerSecond).to.equal(5);
        expect(cfg.budget.alertThreshold).to.equal(0.8);
        expect(cfg.models.map((m) => m.name)).to.deep.equal(["llm", "image"]);
        const llm = cfg.models[0];
        expect(llm.autoscaling).to.deep.include({ minReplicas: 1, maxReplicas: 1, scaleDownStabilizationSeconds: 300 });
        expect(llm.gpus).to.equal(0);
        expect(llm.engine.id).to.equal("llama-cpp");
        expect(llm.stable.image).to.equal("ghcr.io/ggml-org/llama.cpp:server-b10573");
        expect(llm.stable.weightsId).to.equal("qwen2.5-0.5b-instruct-q4_k_m");
        expect(llm.canary).to.equal(undefined);
        expect(cfg.models[1].stable.image).to.equal("ghcr.io/joepitt91/comfyui:0.46.0-cpu");
        expect(cfg.cache.maxMemoryMb).to.equal(256);
        expect(cfg.host).to.deep.include({ memoryMb: 8192, cpus: 4, gpus: false });
    });

    it("carries the seeds' per-environment rate limits", () => {
        const perMinute = (stack: string) => loadStackConfig(source(stack)).traffic.rateLimitPerMinute;
        expect([perMinute("dev"), perMinute("staging"), perMinute("prod")]).to.deep.equal([50, 30, 20]);
    });

    describe("rejects bad input with one message naming stack, key, value and what is allowed", () => {
        it("an unknown platform", () => expectConfigError({ platform: "gcp" }, "platform", '"gcp"', /allowed: one of "docker", "aws"/));
        it("a missing platform", () => expectConfigError({}, "platform", "(not set)", /one of "docker", "aws"/, ["platform"]));
        it("zero replicas", () =>
            expectConfigError({ models: withModel((m) => (m.replicas.min = 0)) }, "models[0].replicas.min", "0", /an integer from 1 to 1000/));
        it("negative replicas", () =>
            expectConfigError({ models: withModel((m) => (m.replicas.max = -2)) }, "models[0].replicas.max", "-2", /an integer from 1 to 1000/));
        it("min above max", () =>
            expectConfigError({ models: withModel((m) => (m.replicas = { min: 4, max: 2 })) }, "models[0].replicas.min", "4", /<= replicas.max \(2\)/));
        it("a canary weight above 100", () =>
            expectConfigError({ models: withCanary((c) => (c.weight = 101)) }, "models[0].canary.weight", "101", /an integer from 0 to 100/));
        it("a negative canary weight", () =>
            expectConfigError({ models: withCanary((c) => (c.weight = -1)) }, "models[0].canary.weight", "-1", /an integer from 0 to 100/));
        it("a canary identical to the stable version", () =>
            expectConfigError({ models: withCanary((c) => (c.weights = "qwen2.5-0.5b-instruct-q4_k_m")) }, "models[0].canary", '{"image":"ghcr.io/ggml-org/llama.cpp:server-b10573","weights":"qwen2.5-0.5b-instruct-q4_k_m"}', /differs from the stable one/));
        it("a latest image tag", () =>
            expectConfigError({ models: withModel((m) => (m.image = "ghcr.io/ggml-org/llama.cpp:latest")) }, "models[0].image", '"ghcr.io/ggml-org/llama.cpp:latest"', /pinned to a version tag or a digest/));
        it("a missing image tag", () =>
            expectConfigError({ models: withModel((m) => (m.image = "ghcr.io/ggml-org/llama.cpp")) }, "models[0].image", '"ghcr.io/ggml-org/llama.cpp"', /pinned/));
        it("a latest canary image", () =>
            expectConfigError({ models: withCanary((c) => (c.image = "repo/img:latest")) }, "models[0].canary.image", '"repo/img:latest"', /pinned/));
        it("a pinned image the catalog does not know for the engine", () =>
            expectConfigError({ models: withModel((m) => (m.image = "ghcr.io/ggml-org/llama.cpp:server-b9999")) }, "models[0].image", '"ghcr.io/ggml-org/llama.cpp:server-b9999"', /a release of engine llama-cpp that the catalog knows \(catalog\/engines.ts\): ghcr.io\/ggml-org\/llama.cpp:server-b10573/));
        it("an unknown engine", () => expectConfigError({ models: withModel((m) => (m.engine = "tgi")) }, "models[0].engine", '"tgi"', /one of "llama-cpp", "vllm", "comfyui"/));
        it("weights of another engine", () =>
            expectConfigError({ models: withModel((m) => (m.weights = "sd-turbo")) }, "models[0].weights", '"sd-turbo"', /one of "qwen2.5-0.5b-instruct-q4_k_m", "qwen2.5-0.5b-instruct-q8_0"/));
        it("a CUDA build on a Docker host without GPUs", () =>
            expectConfigError(
                { models: [{ name: "gpu", engine: "vllm", weights: "qwen2.5-7b-instruct", gpus: 1 }] },
                "models[0].image",
                '"vllm/vllm-openai:v0.30.0-cu129"',
                /a CPU build: the Docker host has no NVIDIA GPU \(set hostGpus: true/,
            ));
        it("more CPUs than the Docker host has", () => expectConfigError({ models: withModel((m) => (m.cpus = 6)) }, "models[0].cpus", "6", /at most hostCpus \(4\)/));
        it("a duplicate model name", () =>
            expectConfigError({ models: withModel((m) => (m.name = "llm"), 1) }, "models[1].name", '"llm"', /a name not used by another model/));
        it("a missing required secret", () =>
            expectConfigError(
                { hostGpus: "true", models: [{ name: "gated", engine: "vllm", weights: "llama-3.1-8b-instruct", gpus: 1 }] },
                "huggingFaceToken",
                "(not set)",
                /required because model "gated" has gatedWeights/,
            ));
        it("a non-numeric budget", () => expectConfigError({ monthlyBudgetUsd: "lots" }, "monthlyBudgetUsd", '"lots"', /a number greater than 0/));
        it("a zero budget", () => expectConfigError({ monthlyBudgetUsd: "0" }, "monthlyBudgetUsd", '"0"', /a number greater than 0/));
        it("an alert threshold above 1", () => expectConfigError({ budgetAlertThreshold: "80" }, "budgetAlertThreshold", '"80"', /greater than 0 and at most 1/));
        it("an API critical level above the daily API budget", () =>
            expectConfigError({ apiDailyCriticalUsd: "60" }, "apiDailyCriticalUsd", "60", /above the warning \(40 = budgetAlertThreshold x apiDailyBudgetUsd\) and at most apiDailyBudgetUsd \(50\)/));
        it("an API critical level at or below the warning", () =>
            expectConfigError({ apiDailyBudgetUsd: "100", apiDailyCriticalUsd: "80" }, "apiDailyCriticalUsd", "80", /above the warning \(80 = /));
        it("a negative account budget", () =>
            expectConfigError({ accountMonthlyBudgetUsd: "-1" }, "accountMonthlyBudgetUsd", '"-1"', /an integer from 0 to 10000000/));
        it("a fractional account budget", () =>
            expectConfigError({ accountMonthlyBudgetUsd: "2500.5" }, "accountMonthlyBudgetUsd", '"2500.5"', /an integer from 0 to 10000000/));
        it("a secret in a model's plain env", () =>
            expectConfigError({ models: withModel((m) => (m.env = { HF_TOKEN: "hf_abc" })) }, "models[0].env.HF_TOKEN", '"(hidden)"', /no secret in a plain environment variable/));
        it("a literal OpenAI key in a model's plain env", () =>
            expectConfigError({ models: withModel((m) => (m.env = { OPENAI_API_KEY: "sk-abc" })) }, "models[0].env.OPENAI_API_KEY", '"(hidden)"', /use a secret config key/));
        it("an empty model list", () => expectConfigError({ models: [] }, "models", "[]", /a non-empty list of models/));
        it("a CORS origin that is not an origin", () =>
            expectConfigError({ corsOrigins: ["*"] }, "corsOrigins[0]", '"*"', /origins such as https/));
        it("a backup time that is not HH:MM", () =>
            expectConfigError({ backupSchedule: "2am" }, "backupSchedule", '"2am"', /a time of day HH:MM, from 00:00 to 23:59/));
        it("a backup time past midnight", () => expectConfigError({ backupSchedule: "24:00" }, "backupSchedule", '"24:00"', /HH:MM, from 00:00 to 23:59/));
        it("a backup retention of no day", () => expectConfigError({ backupRetentionDays: "0" }, "backupRetentionDays", '"0"', /an integer from 1 to 3650/));
        it("a backup copy region that is not a region", () =>
            expectConfigError({ backupCopyRegion: "west" }, "backupCopyRegion", '"west"', /an AWS region such as us-west-2, or empty for no copy/));
        it("an alert webhook that is not a URL, without echoing the secret", () =>
            expectConfigError({ alertWebhookUrl: "chat-relay token=abc" }, "alertWebhookUrl", '"(hidden)"', /an http:\/\/ or https:\/\/ URL, set with pulumi config set --secret/));
    });

    it("copies backups to the stack's own region never: a copy there survives no regional outage", () => {
        let error: unknown;
        try {
            loadStackConfig(source("staging", { backupCopyRegion: "us-east-1" }));
        } catch (e) {
            error = e;
        }
        expect(error).to.be.instanceOf(ConfigError);
        expect((error as ConfigError).message).to.equal(
            'Invalid configuration for stack "staging": genai-platform:backupCopyRegion = "us-east-1"; allowed: a region other than the stack\'s own (us-east-1): a copy in the same region survives no regional outage.',
        );
    });

    it("backs up daily at 02:00 and keeps 30 days everywhere; only prod copies to a second region", () => {
        const backup = (stack: string) => loadStackConfig(source(stack)).backup;
        expect(backup("dev")).to.deep.equal({ at: "02:00", retentionDays: 30, copyRegion: undefined });
        expect(backup("staging")).to.deep.equal({ at: "02:00", retentionDays: 30, copyRegion: undefined });
        expect(backup("prod")).to.deep.equal({ at: "02:00", retentionDays: 30, copyRegion: "us-west-2" });
    });

    it("keeps the alert webhook secret", async () => {
        const cfg = loadStackConfig(source("dev", { alertWebhookUrl: "https://relay.example.com/hook" }));
        expect(await pulumi.isSecret(cfg.observability.alertWebhookUrl!)).to.equal(true);
        expect(loadStackConfig(source("dev")).observability.alertWebhookUrl).to.equal(undefined);
    });

    it("accepts a plain, non-secret environment variable whose name only contains a secret word's letters", () => {
        const cfg = loadStackConfig(source("dev", { models: withModel((m) => (m.env = { TOKENIZERS_PARALLELISM: "false" })) }));
        expect(cfg.models[0].env).to.deep.equal({ TOKENIZERS_PARALLELISM: "false" });
    });

    it("accepts a gated model when the token is set as a secret, and keeps the token secret", async () => {
        const resolved = stackConfig("dev", { overrides: { hostGpus: "true", models: [{ name: "gated", engine: "vllm", weights: "llama-3.1-8b-instruct", gpus: 1 }] } });
        const cfg = loadStackConfig({
            project: resolved.project,
            stack: "dev",
            get: (key) => (key === "huggingFaceToken" ? "hf_testtoken" : resolved.values[key.includes(":") ? key : `${resolved.project}:${key}`]),
        });
        expect(await pulumi.isSecret(cfg.secrets.huggingFaceToken!)).to.equal(true);
    });

    it("stops the program before any resource is registered", async () => {
        let failure: unknown;
        try {
            await runProgram("dev", () => definePlatform(engineConfigSource()), { overrides: { platform: "kubernetes" } });
        } catch (e) {
            failure = e;
        }
        expect(failure).to.be.instanceOf(ProgramFailure);
        const { error, registered } = failure as ProgramFailure;
        expect(error).to.be.instanceOf(ConfigError);
        expect((error as ConfigError).message).to.contain('genai-platform:platform = "kubernetes"');
        expect(registered.filter((r) => r.type !== "pulumi:pulumi:Stack")).to.deep.equal([]);
    });

    it("declares in Pulumi.yaml every key the program reads, and reads every declared key", () => {
        const reader = new ConfigReader(source("dev"));
        loadStackConfig(source("dev"), reader);
        const declared = Object.keys(readProjectFile().config);
        const documented = Object.keys(UNDECLARABLE_KEYS);
        const read = [...reader.keysRead].filter((k) => !k.includes(":"));
        expect(read.filter((k) => !declared.includes(k) && !documented.includes(k)), "read but not declared").to.deep.equal([]);
        expect(declared.filter((k) => !read.includes(k)), "declared but never read").to.deep.equal([]);
        for (const [key, decl] of Object.entries(readProjectFile().config)) {
            expect(decl.type, `${key} has a type`).to.be.a("string");
            expect(decl.description, `${key} has a description`).to.be.a("string");
        }
    });
});
