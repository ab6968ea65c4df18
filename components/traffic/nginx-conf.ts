import { TrafficSplit, upstreamServerWeights } from "./split";

export interface UpstreamServer {
    readonly host: string;
    readonly port: number;
}

/** One model behind the load balancer, served under `/models/<model>/`. */
export interface ModelRoute {
    readonly split: TrafficSplit;
    readonly stable: readonly UpstreamServer[];
    readonly canary: readonly UpstreamServer[];
}

export interface RateLimits {
    /** Requests per minute one client may send to a model. */
    readonly perMinute: number;
    /** Requests per second one client may send to the API routes. */
    readonly apiPerSecond: number;
    /** Requests per second one client may send to the login routes. */
    readonly authPerSecond: number;
}

export interface NginxConfSpec {
    /** Port nginx listens on inside its container. */
    readonly listenPort: number;
    /** The models behind the load balancer with their traffic splits. */
    readonly routes: readonly ModelRoute[];
    /** Grafana, published under `/grafana/`. */
    readonly grafana?: UpstreamServer;
    /** Per-client rate limits; excess answers 429. */
    readonly rateLimits: RateLimits;
    /** Origins allowed by CORS. */
    readonly corsOrigins: readonly string[];
    /** Writable directory for the pid file and temp files. @default "/tmp" */
    readonly runtimeDir?: string;
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

/** Paths served without a model behind them. */
export const HEALTH_PATH = "/health";

function upstreamName(model: string): string {
    return `model_${model.replace(/-/g, "_")}`;
}

function renderUpstream(route: ModelRoute): string[] {
    const weights = upstreamServerWeights(route.split, route.stable.length, route.canary.length);
    const servers = [
        ...(weights.stable > 0 ? route.stable.map((s) => `        server ${s.host}:${s.port} weight=${weights.stable};  # stable`) : []),
        ...(weights.canary > 0 ? route.canary.map((s) => `        server ${s.host}:${s.port} weight=${weights.canary};  # canary`) : []),
    ];
    if (servers.length === 0) {
        throw new Error(`model ${route.split.model}: no server receives traffic (stable ${route.split.stable}%, canary ${route.split.canary}%)`);
    }
    return [
        `    # ${route.split.model}: stable ${route.split.stable}%, canary ${route.split.canary}%`,
        `    upstream ${upstreamName(route.split.model)} {`,
        ...servers,
        "        keepalive 16;",
        "    }",
    ];
}

function burst(perSecondOrMinute: number, divisor: number): number {
    return Math.max(1, Math.floor(perSecondOrMinute / divisor));
}

function corsMap(origins: readonly string[]): string[] {
    return [
        "    map $http_origin $cors_allow_origin {",
        '        default "";',
        ...origins.map((o) => `        "${o}" $http_origin;`),
        "    }",
    ];
}

/**
 * nginx.conf of the weighted load balancer: weighted upstreams per model (stable/canary from the
 * traffic split), a health endpoint, per-client rate limits answering 429, CORS for the configured
 * origins and the security headers. Smooth weighted round robin makes the split exact, not random.
 */
export function renderNginxConf(spec: NginxConfSpec): string {
    const run = spec.runtimeDir ?? "/tmp";
    const { perMinute, apiPerSecond, authPerSecond } = spec.rateLimits;
    const headers = Object.entries(SECURITY_HEADERS).map(([k, v]) =>
        k === "Content-Security-Policy" ? `        add_header ${k} $content_security_policy always;` : `        add_header ${k} "${v}" always;`,
    );
    const modelLocations = spec.routes.flatMap((route) => [
        `        location /models/${route.split.model}/ {`,
        `            limit_req zone=api burst=${burst(apiPerSecond, 0.5)} nodelay;`,
        `            limit_req zone=per_client_minute burst=${burst(perMinute, 5)} nodelay;`,
        "            if ($request_method = OPTIONS) {",
        "                return 204;",
        "            }",
        `            proxy_pass http://${upstreamName(route.split.model)}/;`,
        "            proxy_http_version 1.1;",
        '            proxy_set_header Connection "";',
        "            proxy_set_header Host $host;",
        "            proxy_set_header X-Request-ID $request_id;",
        "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "            proxy_next_upstream error timeout http_502 http_503;",
        "            proxy_read_timeout 300s;",
        "            proxy_buffering off;",
        "        }",
    ]);
    const grafana = spec.grafana
        ? [
              "        location = /grafana/login {",
              `            limit_req zone=auth burst=${burst(authPerSecond, 1)} nodelay;`,
              `            proxy_pass http://${spec.grafana.host}:${spec.grafana.port};`,
              "            proxy_set_header Host $host;",
              "        }",
              "        location /grafana/ {",
              `            limit_req zone=api burst=${burst(apiPerSecond, 0.5)} nodelay;`,
              `            proxy_pass http://${spec.grafana.host}:${spec.grafana.port};`,
              "            proxy_set_header Host $host;",
              "            proxy_set_header Upgrade $http_upgrade;",
              '            proxy_set_header Connection "upgrade";',
              "        }",
          ]
        : [];
    return [
        "# Generated by the genai-platform program: weighted load balancer.",
        "worker_processes auto;",
        `pid ${run}/nginx.pid;`,
        "error_log stderr warn;",
        "events {",
        "    worker_connections 1024;",
        "}",
        "http {",
        "    server_tokens off;",
        "    default_type application/octet-stream;",
        `    client_body_temp_path ${run}/client_temp;`,
        `    proxy_temp_path ${run}/proxy_temp;`,
        `    fastcgi_temp_path ${run}/fastcgi_temp;`,
        `    uwsgi_temp_path ${run}/uwsgi_temp;`,
        `    scgi_temp_path ${run}/scgi_temp;`,
        "    client_max_body_size 20m;",
        '    log_format upstream \'$remote_addr "$request" $status upstream=$upstream_addr rt=$request_time id=$request_id\';',
        "    access_log /dev/stdout upstream;",
        "",
        `    limit_req_zone $binary_remote_addr zone=per_client_minute:10m rate=${perMinute}r/m;`,
        `    limit_req_zone $binary_remote_addr zone=api:10m rate=${apiPerSecond}r/s;`,
        `    limit_req_zone $binary_remote_addr zone=auth:10m rate=${authPerSecond}r/s;`,
        "    limit_req_status 429;",
        "",
        ...corsMap(spec.corsOrigins),
        "    map $uri $content_security_policy {",
        `        default "${SECURITY_HEADERS["Content-Security-Policy"]}";`,
        `        ~^/grafana/ "${GRAFANA_CONTENT_SECURITY_POLICY}";`,
        "    }",
        "",
        ...spec.routes.flatMap(renderUpstream),
        "",
        "    server {",
        `        listen ${spec.listenPort};`,
        ...headers,
        "        add_header Access-Control-Allow-Origin $cors_allow_origin always;",
        '        add_header Access-Control-Allow-Methods "GET, POST, OPTIONS" always;',
        '        add_header Access-Control-Allow-Headers "Authorization, Content-Type" always;',
        "        add_header Vary Origin always;",
        "",
        `        location = ${HEALTH_PATH} {`,
        "            access_log off;",
        "            default_type text/plain;",
        '            return 200 "ok\\n";',
        "        }",
        ...modelLocations,
        ...grafana,
        "        location / {",
        "            return 404;",
        "        }",
        "    }",
        "}",
        "",
    ].join("\n");
}
