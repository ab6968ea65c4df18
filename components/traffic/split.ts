import { ModelSpec } from "../inference/model";

/**
 * How one model's requests are split between its stable and canary versions.
 * This is the one source of truth for weights: the nginx config of the dev stack
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

/**
 * Integer server weights for an nginx upstream that has `stableServers` stable and
 * `canaryServers` canary servers, so that the summed share of each version equals the split exactly.
 * A version with no traffic gets no servers at all (weight 0 is not valid in nginx).
 */
export function upstreamServerWeights(
    split: TrafficSplit,
    stableServers: number,
    canaryServers: number,
): { stable: number; canary: number } {
    const liveStable = split.stable > 0 ? stableServers : 0;
    const liveCanary = split.canary > 0 ? canaryServers : 0;
    // Each stable server carries stable% x (canary servers), each canary server canary% x (stable servers):
    // the totals are then in the ratio stable% : canary%.
    const stable = liveStable > 0 ? split.stable * Math.max(liveCanary, 1) : 0;
    const canary = liveCanary > 0 ? split.canary * Math.max(liveStable, 1) : 0;
    const divisor = gcd(stable, canary) || 1;
    return { stable: stable / divisor, canary: canary / divisor };
}
