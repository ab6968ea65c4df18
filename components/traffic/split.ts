import { ModelSpec } from "../inference/model";

/**
 * How one model's requests are split between its stable and canary versions.
 * This is the one source of truth for weights: the dev load balancer's configuration
 * and the ALB listener rules of the cloud stacks are both rendered from it.
 */
export interface TrafficSplit {
    readonly model: string;
    /** Percent of requests to the stable version, 0-100. */
    readonly stable: number;
    /** Percent of requests to the canary version, 0-100; `stable + canary === 100`. */
    readonly canary: number;
}

export function trafficSplit(model: ModelSpec): TrafficSplit {
    const canary = model.canary ? model.canary.weight : 0;
    return { model: model.name, stable: 100 - canary, canary };
}

function gcd(a: number, b: number): number {
    return b === 0 ? a : gcd(b, a % b);
}

/** The largest server weight HAProxy accepts. */
export const MAX_SERVER_WEIGHT = 256;

/**
 * Integer weights for each stable and each canary server of a backend with `stableServers` and
 * `canaryServers` servers, so that the summed share of each version equals the split. A version with no
 * traffic keeps its servers at weight 0 (they stay health-checked and take no requests). Weights above
 * HAProxy's 256 are scaled down, which can move a share by less than one point for large replica counts.
 */
export function upstreamServerWeights(split: TrafficSplit, stableServers: number, canaryServers: number): { stable: number; canary: number } {
    const liveStable = split.stable > 0 ? stableServers : 0;
    const liveCanary = split.canary > 0 ? canaryServers : 0;
    // Each stable server carries stable% x (canary servers), each canary server canary% x (stable servers):
    // the totals are then in the ratio stable% : canary%.
    let stable = liveStable > 0 ? split.stable * Math.max(liveCanary, 1) : 0;
    let canary = liveCanary > 0 ? split.canary * Math.max(liveStable, 1) : 0;
    const divisor = gcd(stable, canary) || 1;
    stable /= divisor;
    canary /= divisor;
    const largest = Math.max(stable, canary);
    if (largest > MAX_SERVER_WEIGHT) {
        const scale = MAX_SERVER_WEIGHT / largest;
        stable = stable > 0 ? Math.max(1, Math.round(stable * scale)) : 0;
        canary = canary > 0 ? Math.max(1, Math.round(canary * scale)) : 0;
    }
    return { stable, canary };
}
