import { typedStackConfig } from "../../scripts/check/stack-policy";
import { resolveStackConfig } from "../../scripts/offline/stack-files";
import { StackConfig } from "../../stacks/config";

/** The dev stack with a canary of its LLM, the one Pulumi.dev.yaml's comment suggests. */
export function devWithLlmCanary(): StackConfig {
    const models = JSON.parse(resolveStackConfig("dev").values["genai-platform:models"]) as Record<string, unknown>[];
    return typedStackConfig("dev", {
        models: JSON.stringify(models.map((m) => (m.name === "llm" ? { ...m, canary: { weights: "qwen2.5-0.5b-instruct-q8_0", weight: 10 } } : m))),
    });
}
