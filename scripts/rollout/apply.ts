/**
 * How a rollout changes what serves traffic: through Pulumi itself, so that the stack's config and state
 * always say what serves. The config holds the model's canary and its weight; a weight change updates
 * only the resource that carries the split, a version change the whole stack (Pulumi touches only what
 * changed).
 */
import { Platform } from "../../stacks/config";

/** A model version as the stack config names it. */
export interface ConfigVersion {
    readonly image: string;
    readonly weights: string;
}

/** What a rollout asks of the stack. */
export interface StackApplier {
    /** Gives the model a canary serving `version` at `weight`, and updates the stack. */
    startCanary(version: ConfigVersion, weight: number): Promise<void>;
    /** Changes the canary's share of traffic; updates only what carries the split. */
    setWeight(weight: number): Promise<void>;
    /** Moves the stable version to `version` (the canary keeps its weight), and updates the stack. */
    setStable(version: ConfigVersion): Promise<void>;
    /** Removes the canary, and updates the stack. */
    removeCanary(): Promise<void>;
}

export const PROJECT = "genai-platform";

/** The URN of the resource that carries a model's traffic split, which a weight change updates alone. */
export function splitResourceUrn(stack: string, platform: Platform, model: string): string {
    return platform === "docker"
        ? `urn:pulumi:${stack}::${PROJECT}::genai:traffic:LoadBalancer$command:local:Command::lb-config`
        : `urn:pulumi:${stack}::${PROJECT}::genai:traffic:LoadBalancer$aws:lb/listenerRule:ListenerRule::lb-${model}`;
}

/** The part of Pulumi's Automation API a rollout uses: the stack's config by path, and `up`. */
export interface AutomationStack {
    getConfig(key: string, path?: boolean): Promise<{ value: string }>;
    setConfig(key: string, value: { value: string; secret?: boolean }, path?: boolean): Promise<void>;
    removeConfig(key: string, path?: boolean): Promise<void>;
    up(opts?: { target?: string[]; onOutput?: (out: string) => void }): Promise<unknown>;
}

/** A StackApplier over the Automation API: config set by path, then `pulumi up`. */
export class AutomationApplier implements StackApplier {
    constructor(
        private readonly stack: AutomationStack,
        private readonly target: { readonly stack: string; readonly platform: Platform; readonly model: string },
        private readonly log: (line: string) => void,
    ) {}

    private async modelIndex(): Promise<number> {
        const models = JSON.parse((await this.stack.getConfig(`${PROJECT}:models`)).value) as { name: string }[];
        const index = models.findIndex((m) => m.name === this.target.model);
        if (index < 0) throw new Error(`stack ${this.target.stack} has no model ${this.target.model} in its config`);
        return index;
    }

    private async set(key: string, value: string | number): Promise<void> {
        await this.stack.setConfig(`${PROJECT}:models[${await this.modelIndex()}].${key}`, { value: String(value) }, true);
    }

    private async up(targets?: string[]): Promise<void> {
        await this.stack.up({ target: targets, onOutput: (out) => this.log(out.trimEnd()) });
    }

    async startCanary(version: ConfigVersion, weight: number): Promise<void> {
        await this.set("canary.image", version.image);
        await this.set("canary.weights", version.weights);
        await this.set("canary.weight", weight);
        await this.up();
    }

    async setWeight(weight: number): Promise<void> {
        await this.set("canary.weight", weight);
        await this.up([splitResourceUrn(this.target.stack, this.target.platform, this.target.model)]);
    }

    async setStable(version: ConfigVersion): Promise<void> {
        await this.set("image", version.image);
        await this.set("weights", version.weights);
        await this.up();
    }

    async removeCanary(): Promise<void> {
        await this.stack.removeConfig(`${PROJECT}:models[${await this.modelIndex()}].canary`, true);
        await this.up();
    }
}
