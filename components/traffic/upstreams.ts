/** One server behind the load balancer. */
export interface UpstreamServer {
    /** The server's name in the load balancer, `<track>-<index>`: metrics carry it, so it names the track. */
    readonly name: string;
    readonly host: string;
    readonly port: number;
}

/** Per-client rate limits; excess answers 429. */
export interface RateLimits {
    /** Requests per minute one client may send to a model. */
    readonly perMinute: number;
    /** Requests per second one client may send to any route (models and Grafana). */
    readonly apiPerSecond: number;
    /** Requests per second one client may send to the login routes. */
    readonly authPerSecond: number;
}

/** Response headers the load balancer adds to every answer. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "X-XSS-Protection": "1; mode=block",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
};

/**
 * The Content-Security-Policy of Grafana's pages: Grafana serves its own scripts and styles, which the
 * API's `default-src 'none'` would block; framing stays forbidden.
 */
export const GRAFANA_CONTENT_SECURITY_POLICY = "frame-ancestors 'none'";

/** Where Grafana is served behind the load balancer. */
export const GRAFANA_PATH = "/grafana/";

/** The prefix of a model's route: `/models/<model>/`. */
/**
 * The request header that sends a request to one track of a model (`stable` or `canary`) whatever the
 * weights: the rollout's smoke requests reach a canary that takes no traffic yet. Dev load balancer only.
 */
export const TRACK_HEADER = "x-genai-track";

export function modelRoute(model: string): string {
    return `/models/${model}/`;
}
