/**
 * What a post-deploy smoke check asks of a stack: every route its load balancer serves, each with the
 * health request that proves it, and how many requests the check may send without tripping the
 * stack's own per-client rate limits. Pure: a stack config and a base URL in, a plan out.
 */
import { IMAGES } from "../../catalog/images";
import { modelVersions, Track } from "../../components/inference/model";
import { grafanaPath } from "../../components/observability/grafana";
import { modelRoute, TRACK_HEADER } from "../../components/traffic/upstreams";
import { Platform, StackConfig } from "../../stacks/config";

export type RouteKind = "model" | "grafana" | "lb";

/** One health request through the load balancer. */
export interface SmokeRoute {
    /** `<model>/<track>` where the track is addressed, `<model>` otherwise, `grafana`, `lb`. */
    readonly name: string;
    readonly kind: RouteKind;
    readonly model?: string;
    /** The track the request is sent to by {@link TRACK_HEADER}; undefined when the load balancer picks. */
    readonly track?: Track;
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
}

/** Requests the check may send per client, kept to half of what the stack's rate limits allow. */
export interface RequestBudget {
    /** Requests to model routes in any 60 s (the `rateLimitPerMinute` of dev's HAProxy and the cloud's WAF). */
    readonly modelRequestsPerMinute: number;
    /** Requests to any route in any second (`apiRateLimitPerSecond`). */
    readonly requestsPerSecond: number;
}

export interface SmokePlan {
    readonly stack: string;
    readonly platform: Platform;
    /** Scheme, host and port, without a trailing slash. */
    readonly baseUrl: string;
    readonly routes: readonly SmokeRoute[];
    /** What the plan leaves out, and why. */
    readonly notes: readonly string[];
    readonly budget: RequestBudget;
}

/** What the smoke check can ask of each platform's load balancer. */
interface LoadBalancerTraits {
    readonly name: string;
    /** The load balancer sends a request carrying {@link TRACK_HEADER} to that track, whatever the weights. */
    readonly routesByTrackHeader: boolean;
    /** The path the load balancer answers 200 on itself while it runs, if it has one. */
    readonly healthPath?: string;
}

const LOAD_BALANCERS: Readonly<Record<Platform, LoadBalancerTraits>> = {
    // HAProxy's monitor-uri, rendered from the image's health endpoint (components/traffic/lb-docker.ts).
    docker: { name: "HAProxy", routesByTrackHeader: true, healthPath: IMAGES.haproxy.health.path },
    aws: { name: "the ALB", routesByTrackHeader: false },
};

/** The share of a rate limit the check allows itself: other clients behind the same address keep the rest. */
const RATE_LIMIT_SHARE = 0.5;

function pathUnder(baseUrl: string, path: string): string {
    return `${baseUrl}/${path.replace(/^\//, "")}`;
}

/** Every route `cfg`'s load balancer at `baseUrl` serves, with the request that proves each one healthy. */
export function smokePlan(cfg: StackConfig, baseUrl: string): SmokePlan {
    const base = baseUrl.replace(/\/+$/, "");
    const lb = LOAD_BALANCERS[cfg.platform];
    const notes: string[] = [];
    const routes: SmokeRoute[] = [];
    for (const model of cfg.models) {
        const url = pathUnder(base, `${modelRoute(model.name)}${model.engine.health.path.replace(/^\//, "")}`);
        if (lb.routesByTrackHeader) {
            for (const { track } of modelVersions(model)) {
                routes.push({ name: `${model.name}/${track}`, kind: "model", model: model.name, track, url, headers: { [TRACK_HEADER]: track } });
            }
            // A track whose server is down answers 503 through the track header (haproxy-conf.ts): it fails here.
        } else {
            routes.push({ name: model.name, kind: "model", model: model.name, url, headers: {} });
            if (model.canary) {
                notes.push(
                    `${model.name} has a canary, but ${lb.name} ignores the ${TRACK_HEADER} header: only the route is checked, ` +
                        `with whichever track the weights pick; each track's health is its target group's`,
                );
            }
        }
    }
    routes.push({ name: "grafana", kind: "grafana", url: pathUnder(base, grafanaPath(IMAGES.grafana.health.path)), headers: {} });
    if (lb.healthPath !== undefined) {
        routes.push({ name: "lb", kind: "lb", url: pathUnder(base, lb.healthPath), headers: {} });
    } else {
        notes.push(`${lb.name} has no health path of its own: the routes above answering through it are its health`);
    }
    return {
        stack: cfg.stack,
        platform: cfg.platform,
        baseUrl: base,
        routes,
        notes,
        budget: {
            modelRequestsPerMinute: Math.max(1, Math.floor(cfg.traffic.rateLimitPerMinute * RATE_LIMIT_SHARE)),
            requestsPerSecond: Math.max(1, Math.floor(cfg.traffic.apiRateLimitPerSecond * RATE_LIMIT_SHARE)),
        },
    };
}
