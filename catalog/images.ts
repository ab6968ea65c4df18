/**
 * Every infrastructure image the platform runs, pinned, with its runtime contract: architectures,
 * the user it runs as, ports, the health endpoint that answers 200 without a redirect once ready,
 * the metrics it exports that the platform reads, writable paths, CPU features and start time.
 * Model-server images live with their engines (./engines.ts).
 */
import { Evidence, readOn } from "./evidence";

export type Arch = "amd64" | "arm64";

/** The user the platform runs an image as, and how that relates to the image's own default. */
export interface RunAs {
    readonly uid: number;
    readonly gid: number;
    /**
     * The image's default: `image-user`, its Dockerfile's USER (uid:gid); `drops-from-root`, it starts as root
     * and its entrypoint switches to uid:gid (running as uid:gid directly also works); `root`, no USER line:
     * uid:gid is then a non-root user the image supports (its own where it defines one), or root where the
     * platform needs it and says why.
     */
    readonly mode: "image-user" | "drops-from-root" | "root";
    /** Any non-root uid works (nothing writable outside declared volumes). */
    readonly anyUid: boolean;
}

/** A health endpoint over HTTP: 200 without a redirect means `readyMeans`. */
export interface HttpHealth {
    readonly kind: "http";
    readonly port: number;
    readonly path: string;
    readonly readyMeans: string;
}

/** A health check run inside the container (servers that speak no HTTP). */
export interface ExecHealth {
    readonly kind: "exec";
    /** The program the check runs; the component adds its arguments. */
    readonly program: string;
    readonly readyMeans: string;
}

/** A one-shot container: it has no health, its exit code is its result. */
export interface NoHealth {
    readonly kind: "none";
    readonly readyMeans: string;
}

export interface MetricsEndpoint {
    readonly port: number;
    readonly path: string;
    /** The metric names this platform reads from it; each is exported by the pinned version. */
    readonly names: readonly string[];
}

/** The HTTP client inside an image, which an in-container healthcheck can use; `none` for distroless images. */
export type HttpClient = "curl" | "busybox-wget" | "python3" | "none";

export interface ImageContract {
    /** Pinned reference. */
    readonly ref: string;
    readonly archs: readonly Arch[];
    readonly user: RunAs;
    readonly ports: Readonly<Record<string, number>>;
    readonly health: HttpHealth | ExecHealth | NoHealth;
    readonly metrics?: MetricsEndpoint;
    /** Paths the process writes to, which must be volumes or writable layers. */
    readonly writablePaths: readonly string[];
    /** CPU features the binaries require beyond the architecture's baseline. */
    readonly cpuFeatures: readonly string[];
    /** Seconds from start to ready on a laptop, generous. */
    readonly readySeconds: number;
    readonly httpClient: HttpClient;
    readonly evidence: readonly Evidence[];
}

const BOTH: readonly Arch[] = ["amd64", "arm64"];
const NOBODY: RunAs = { uid: 65534, gid: 65534, mode: "image-user", anyUid: true };

export const IMAGES = {
    postgres: {
        ref: "postgres:15.17-alpine",
        archs: BOTH,
        user: { uid: 70, gid: 70, mode: "drops-from-root", anyUid: false },
        ports: { postgres: 5432 },
        health: { kind: "exec", program: "pg_isready", readyMeans: "the server accepts connections" },
        writablePaths: ["/var/lib/postgresql/data", "/var/run/postgresql"],
        cpuFeatures: [],
        readySeconds: 30,
        httpClient: "busybox-wget",
        evidence: [
            readOn("https://github.com/docker-library/postgres/blob/6edb0a8c4def40c371514b34aef9037ec82d9110/15/alpine3.23/Dockerfile", "15.17 on alpine 3.23; user postgres uid/gid 70; no USER, the entrypoint re-execs with gosu"),
            readOn(
                "https://github.com/docker-library/postgres/blob/6edb0a8c4def40c371514b34aef9037ec82d9110/15/alpine3.23/docker-entrypoint.sh",
                "POSTGRES_PASSWORD_FILE and /docker-entrypoint-initdb.d apply only when the data directory is empty",
            ),
        ],
    },
    redis: {
        ref: "redis:7.4.1-alpine",
        archs: BOTH,
        user: { uid: 999, gid: 1000, mode: "drops-from-root", anyUid: false },
        ports: { redis: 6379 },
        health: { kind: "exec", program: "redis-cli", readyMeans: "the server answers PING with PONG" },
        writablePaths: ["/data"],
        cpuFeatures: [],
        readySeconds: 10,
        httpClient: "busybox-wget",
        evidence: [
            readOn("https://github.com/redis/docker-library-redis/blob/e5650da99bb377b2ed4f9f1ef993ff24729b1c16/7.4/alpine/Dockerfile", "user redis uid 999, group redis gid 1000; /data owned by redis"),
        ],
    },
    haproxy: {
        ref: "haproxy:2.8.26-alpine",
        archs: BOTH,
        user: { uid: 99, gid: 99, mode: "image-user", anyUid: true },
        ports: { http: 8080, stats: 8404 },
        // HAProxy has no health endpoint of its own: the platform's configuration answers it (monitor-uri).
        health: { kind: "http", port: 8080, path: "/healthz", readyMeans: "the proxy runs its current configuration" },
        metrics: {
            port: 8404,
            path: "/metrics",
            names: [
                "haproxy_server_http_responses_total",
                "haproxy_server_response_time_average_seconds",
                "haproxy_server_status",
                "haproxy_server_weight",
                "haproxy_backend_http_responses_total",
                "haproxy_backend_active_servers",
            ],
        },
        writablePaths: [],
        cpuFeatures: [],
        readySeconds: 5,
        httpClient: "busybox-wget",
        evidence: [
            readOn("https://github.com/docker-library/haproxy/blob/ec437dd2a3656610b10a42c08763d8fa1c591efe/2.8/alpine/Dockerfile", "USER haproxy uid/gid 99; USE_PROMEX=1; STOPSIGNAL SIGUSR1"),
            readOn("https://github.com/docker-library/haproxy/blob/ec437dd2a3656610b10a42c08763d8fa1c591efe/2.8/alpine/docker-entrypoint.sh", "runs haproxy -W -db: master-worker, SIGUSR2 reloads"),
            readOn("https://github.com/haproxy/haproxy/blob/v2.8.0/addons/promex/service-prometheus.c#L221-L264", "haproxy_server_http_responses_total{code}, *_response_time_average_seconds (sliding average, no histogram), haproxy_server_status{state}"),
            readOn("https://github.com/haproxy/haproxy/blob/v2.8.0/doc/configuration.txt", "expose-fd listeners is not needed in master-worker mode: reloads keep the listening sockets"),
            readOn("https://github.com/haproxy/haproxy/blob/v2.8.0/include/haproxy/defaults.h#L458-L459", "TIME_STATS_SAMPLES 512: the response-time average runs over the last 512 requests"),
        ],
    },
    prometheus: {
        ref: "prom/prometheus:v3.14.0",
        archs: BOTH,
        user: NOBODY,
        ports: { http: 9090 },
        health: { kind: "http", port: 9090, path: "/-/ready", readyMeans: "the TSDB is loaded and queries are served (503 before)" },
        metrics: { port: 9090, path: "/metrics", names: ["up", "ALERTS", "prometheus_tsdb_head_series"] },
        writablePaths: ["/prometheus"],
        cpuFeatures: [],
        readySeconds: 60,
        httpClient: "busybox-wget",
        evidence: [
            readOn("https://github.com/prometheus/prometheus/blob/v3.14.0/Dockerfile", "USER nobody; busybox base; /prometheus"),
            readOn("https://github.com/prometheus/prometheus/blob/v3.14.0/web/web.go#L608-L615", "/-/healthy always 200, /-/ready 503 until ready"),
            readOn("https://github.com/prometheus/prometheus/blob/v3.14.0/Makefile.common#L93", "DOCKER_ARCHS amd64 arm64 ..."),
        ],
    },
    alertmanager: {
        ref: "prom/alertmanager:v0.34.0",
        archs: BOTH,
        user: NOBODY,
        ports: { http: 9093 },
        health: { kind: "http", port: 9093, path: "/-/ready", readyMeans: "the HTTP API is served" },
        metrics: { port: 9093, path: "/metrics", names: ["alertmanager_notifications_failed_total"] },
        writablePaths: ["/alertmanager"],
        cpuFeatures: [],
        readySeconds: 15,
        httpClient: "busybox-wget",
        evidence: [
            readOn("https://github.com/prometheus/alertmanager/blob/v0.34.0/Dockerfile", "USER nobody; busybox base"),
            readOn("https://github.com/prometheus/alertmanager/blob/v0.34.0/httpserver/httpserver.go#L28-L54", "/-/healthy and /-/ready answer 200"),
        ],
    },
    grafana: {
        ref: "grafana/grafana:12.3.1",
        archs: BOTH,
        user: { uid: 472, gid: 0, mode: "image-user", anyUid: true },
        ports: { http: 3000 },
        // Served from a sub-path, only `/api/...` and the sub-path itself escape the 301 to the root URL:
        // probes use `<sub-path>api/health` and scrapes `<sub-path>metrics`.
        health: { kind: "http", port: 3000, path: "/api/health", readyMeans: "Grafana serves and its database answers (503 when it does not)" },
        metrics: { port: 3000, path: "/metrics", names: ["grafana_build_info"] },
        writablePaths: ["/var/lib/grafana"],
        cpuFeatures: [],
        readySeconds: 60,
        httpClient: "busybox-wget",
        evidence: [
            readOn("https://github.com/grafana/helm-charts/blob/570b7560be8503a031a470cf81a7dfaf865ed5b5/charts/grafana/Chart.yaml", "appVersion 12.3.1"),
            readOn("https://github.com/grafana/grafana/blob/78515af65f036f536c4ab2e6fdb5484552f99f1f/Dockerfile", "USER 472 (gid 0); alpine base; /var/lib/grafana"),
            readOn(
                "https://github.com/grafana/grafana/blob/7060ee3df12af15b602ca6a33a62a1f2376d79a0/pkg/middleware/subpath_redirect.go",
                "with serve_from_sub_path, requests outside the sub-path and not under /api get a 301 to the root URL: /metrics is redirected, /grafana/metrics is not",
            ),
            readOn("https://grafana.com/docs/grafana/latest/setup-grafana/configure-grafana/#admin_password", "admin_password is applied on first run only"),
        ],
    },
    loki: {
        ref: "grafana/loki:3.7.6",
        archs: BOTH,
        user: { uid: 10001, gid: 10001, mode: "image-user", anyUid: true },
        ports: { http: 3100 },
        health: { kind: "http", port: 3100, path: "/ready", readyMeans: "the ingester is in the ring and accepts pushes (503 before)" },
        metrics: { port: 3100, path: "/metrics", names: ["loki_ingester_streams_created_total"] },
        writablePaths: ["/loki"],
        cpuFeatures: [],
        readySeconds: 60,
        httpClient: "none",
        evidence: [
            readOn("https://github.com/grafana/loki/blob/v3.7.6/cmd/loki/Dockerfile", "distroless static:nonroot base, USER 10001, no shell or HTTP client"),
            readOn("https://github.com/grafana/loki/blob/v3.7.6/pkg/loki/loki.go#L588-L590", "/ready"),
            readOn("https://github.com/grafana/loki/blob/v3.7.6/.github/release-workflows.jsonnet#L18-L25", "linux/amd64, linux/arm64, linux/arm"),
        ],
    },
    alloy: {
        ref: "grafana/alloy:v1.18.1",
        archs: BOTH,
        // The image defines user alloy (473) and owns /var/lib/alloy/data to it; dev runs it so.
        user: { uid: 473, gid: 473, mode: "root", anyUid: false },
        ports: { http: 12345 },
        health: { kind: "http", port: 12345, path: "/-/ready", readyMeans: "every component is loaded (503 before)" },
        metrics: { port: 12345, path: "/metrics", names: ["loki_write_sent_entries_total"] },
        writablePaths: ["/var/lib/alloy/data"],
        cpuFeatures: [],
        readySeconds: 30,
        httpClient: "none",
        evidence: [
            readOn("https://github.com/grafana/alloy/blob/v1.18.1/Dockerfile", "defines user alloy (473) but no USER line: runs as root; ubuntu base without curl or wget"),
            readOn("https://github.com/grafana/alloy/blob/v1.18.1/internal/alloycli/cmd_run.go#L60", "listens on 127.0.0.1:12345 unless --server.http.listen-addr is given"),
            readOn("https://github.com/grafana/alloy/blob/v1.18.1/docs/sources/reference/components/loki/loki.source.docker.md", "loki.source.docker reads container logs through the Docker API"),
        ],
    },
    nodeExporter: {
        ref: "prom/node-exporter:v1.12.1",
        archs: BOTH,
        user: NOBODY,
        ports: { http: 9100 },
        health: { kind: "http", port: 9100, path: "/", readyMeans: "the exporter serves its landing page" },
        metrics: {
            port: 9100,
            path: "/metrics",
            names: ["node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes", "node_filesystem_avail_bytes", "node_filesystem_size_bytes"],
        },
        writablePaths: [],
        cpuFeatures: [],
        readySeconds: 10,
        httpClient: "busybox-wget",
        evidence: [
            readOn("https://github.com/prometheus/node_exporter/blob/v1.12.1/Dockerfile", "USER nobody; busybox base"),
            readOn("https://github.com/prometheus/node_exporter/blob/v1.12.1/README.md#docker", "--path.rootfs=/host with / bind-mounted read-only reports the host; on Docker Desktop the host is the Docker VM"),
        ],
    },
    postgresExporter: {
        ref: "quay.io/prometheuscommunity/postgres-exporter:v0.20.1",
        archs: BOTH,
        user: NOBODY,
        ports: { http: 9187 },
        health: { kind: "http", port: 9187, path: "/", readyMeans: "the exporter serves (pg_up says whether Postgres answers)" },
        metrics: { port: 9187, path: "/metrics", names: ["pg_up"] },
        writablePaths: [],
        cpuFeatures: [],
        readySeconds: 10,
        httpClient: "busybox-wget",
        evidence: [
            readOn("https://github.com/prometheus-community/postgres_exporter/blob/v0.20.1/Dockerfile", "USER nobody; busybox base"),
            readOn("https://github.com/prometheus-community/postgres_exporter/blob/v0.20.1/cmd/postgres_exporter/postgres_exporter.go#L474-L479", "pg_up is 0 when no connection succeeds; /metrics still answers 200"),
            readOn("https://github.com/prometheus-community/postgres_exporter/blob/v0.20.1/cmd/postgres_exporter/datasource.go#L130-L161", "DATA_SOURCE_URI, DATA_SOURCE_USER, DATA_SOURCE_PASS_FILE"),
        ],
    },
    redisExporter: {
        ref: "oliver006/redis_exporter:v1.88.0-alpine",
        archs: BOTH,
        user: { uid: 59000, gid: 59000, mode: "image-user", anyUid: true },
        ports: { http: 9121 },
        health: { kind: "http", port: 9121, path: "/health", readyMeans: "the exporter serves (redis_up says whether Redis answers)" },
        metrics: { port: 9121, path: "/metrics", names: ["redis_up"] },
        writablePaths: [],
        cpuFeatures: [],
        readySeconds: 10,
        httpClient: "busybox-wget",
        evidence: [
            readOn("https://github.com/oliver006/redis_exporter/blob/v1.88.0/Dockerfile", "USER 59000:59000; alpine target for the -alpine tag"),
            readOn("https://github.com/oliver006/redis_exporter/blob/v1.88.0/exporter/exporter.go#L700-L711", "redis_up 1 when the scrape succeeded, else 0"),
            readOn("https://github.com/oliver006/redis_exporter/blob/v1.88.0/README.md", "REDIS_PASSWORD_FILE is a JSON map of Redis URI to password"),
        ],
    },
    blackboxExporter: {
        ref: "prom/blackbox-exporter:v0.28.0",
        archs: BOTH,
        user: { uid: 65534, gid: 65534, mode: "root", anyUid: true },
        ports: { http: 9115 },
        health: { kind: "http", port: 9115, path: "/-/healthy", readyMeans: "the exporter serves probes" },
        metrics: { port: 9115, path: "/probe", names: ["probe_success", "probe_http_status_code", "probe_duration_seconds"] },
        writablePaths: [],
        cpuFeatures: [],
        readySeconds: 10,
        httpClient: "busybox-wget",
        evidence: [
            readOn("https://github.com/prometheus/blackbox_exporter/blob/v0.28.0/Dockerfile", "no USER line: runs as root unless told; busybox base"),
            readOn("https://github.com/prometheus/blackbox_exporter/blob/v0.28.0/prober/http.go#L489-L495", "follow_redirects: false refuses to follow; a 3xx is then a failed probe unless listed as valid"),
        ],
    },
    pushgateway: {
        ref: "prom/pushgateway:v1.11.3",
        archs: BOTH,
        user: NOBODY,
        ports: { http: 9091 },
        health: { kind: "http", port: 9091, path: "/-/ready", readyMeans: "the metric store accepts pushes" },
        // What the applications push (catalog/app-metrics.ts), and the time of each group's last push.
        metrics: { port: 9091, path: "/metrics", names: ["genai_api_spend_usd_total", "genai_backup_last_success_timestamp_seconds", "genai_backup_last_run_success", "push_time_seconds"] },
        // No --persistence.file: pushed groups live in memory; the applications push cumulative counters again.
        writablePaths: [],
        cpuFeatures: [],
        readySeconds: 10,
        httpClient: "busybox-wget",
        evidence: [
            readOn("https://github.com/prometheus/pushgateway/blob/v1.11.3/Dockerfile", "USER 65534, EXPOSE 9091, ENTRYPOINT /bin/pushgateway; busybox base"),
            readOn("https://github.com/prometheus/pushgateway/blob/v1.11.3/Makefile#L15", "DOCKER_ARCHS amd64 armv7 arm64 ppc64le s390x; Makefile.common DOCKER_REPO prom"),
            readOn(
                "https://github.com/prometheus/pushgateway/blob/v1.11.3/main.go#L115-L134",
                "/-/healthy and /-/ready answer 200 (500 when the store fails), no redirect; PUT/POST/DELETE /metrics/job/<job>{/<label>/<value>}; --persistence.file defaults to none (memory)",
            ),
            readOn("https://github.com/prometheus/pushgateway/blob/v1.11.3/storage/diskmetricstore.go#L38-L40", "push_time_seconds and push_failure_time_seconds per group"),
            readOn(
                "https://github.com/prometheus/pushgateway/blob/v1.11.3/README.md#L409-L416",
                "POST works like PUT but replaces only the metrics with the same names as those pushed (the backups' reports rely on it)",
            ),
        ],
    },
    fetcher: {
        ref: "curlimages/curl:8.21.0",
        archs: BOTH,
        // Root, with every capability dropped: a fresh named volume's directory belongs to root.
        user: { uid: 0, gid: 0, mode: "image-user", anyUid: true },
        ports: {},
        health: { kind: "none", readyMeans: "downloads a weights file, checks its sha256 and exits 0" },
        writablePaths: [],
        cpuFeatures: [],
        readySeconds: 0,
        httpClient: "curl",
        evidence: [
            readOn("https://github.com/curl/curl-container/blob/8.21.0/Makefile#L8", "built on alpine 3.24.1: BusyBox sh, sha256sum, mkdir"),
            readOn("https://github.com/curl/curl-container/blob/8.21.0/create_multi.sh#L29", "linux/386, amd64, arm64, arm/v7, ppc64le"),
            readOn("https://github.com/curl/curl-container/blob/8.21.0/etc/entrypoint.sh", "runs the command it is given (sh) or curl"),
            readOn("https://github.com/curl/curl-container/blob/8.21.0/.github/workflows/build_latest_release_multi.yml#L105", "pushed as docker.io/curlimages/curl:<release>"),
        ],
    },
    awsCli: {
        // ECR Public, which AWS recommends over Docker Hub's stricter rate limits for pulls through the NAT gateways.
        ref: "public.ecr.aws/aws-cli/aws-cli:2.36.7",
        // The Dockerfile builds the x86_64 installer unless told otherwise; published arm64 images were not read.
        archs: ["amd64"],
        // No USER line: root unless told. It writes only under HOME (~/.aws) and its temporary directory, both set to a volume.
        user: { uid: 65534, gid: 65534, mode: "root", anyUid: true },
        ports: {},
        health: { kind: "none", readyMeans: "uploads generated outputs in a loop; a failed upload is logged and retried, the exit code says whether the last one succeeded" },
        writablePaths: ["/tmp"],
        cpuFeatures: [],
        readySeconds: 5,
        // No HTTP check runs in it; whether the Amazon Linux base carries curl was not read.
        httpClient: "none",
        evidence: [
            readOn(
                "https://github.com/aws/aws-cli/blob/2.36.7/docker/Dockerfile",
                "FROM amazonlinux:2023; no USER line (root); ENTRYPOINT /usr/local/bin/aws, WORKDIR /aws; its RUN lines run under /bin/sh, so the image has a shell; EXE_FILENAME defaults to awscli-exe-linux-x86_64.zip. Not read: the image's arm64 builds, that coreutils' sleep is in the base image",
            ),
            readOn("https://github.com/aws/aws-cli/blob/2.36.7/scripts/installers/make-docker#L29", "the release script tags the image amazon/aws-cli; 2.36.7 is the newest 2.x tag of the repository read (2026-07-23)"),
            readOn(
                "https://docs.aws.amazon.com/cli/latest/userguide/install-cliv2-docker.html",
                "the official AWS CLI v2 images, on ECR Public (public.ecr.aws/aws-cli/aws-cli) and Docker Hub (amazon/aws-cli), tagged by version; ECR Public recommended: Docker Hub rate-limits public pulls harder",
            ),
        ],
    },
} as const satisfies Record<string, ImageContract>;

export type InfraImage = keyof typeof IMAGES;

/** A host path a container of a given role may mount, read-only, and why. */
export interface HostAccess {
    /** The container's role, its `genai.component` label. */
    readonly role: string;
    readonly image: InfraImage;
    /** The user it must run as for that access. */
    readonly user: { readonly uid: number; readonly gid: number };
    readonly hostPaths: readonly string[];
    readonly why: string;
    readonly evidence: readonly Evidence[];
}

/**
 * The only host paths any dev container mounts; the policy pack refuses every other host mount and
 * these for any other role or image.
 */
export const HOST_ACCESS: readonly HostAccess[] = [
    {
        role: "docker-api-proxy",
        image: "haproxy",
        user: { uid: 0, gid: 0 },
        hostPaths: ["/var/run/docker.sock"],
        why: "answers the log shipper's read-only Docker API requests (GET on containers, events and logs) and refuses every other; the socket needs its owner, root, with every capability dropped",
        evidence: [readOn("https://docs.docker.com/engine/security/#docker-daemon-attack-surface", "control of the Docker daemon is control of the host: only a proxy that refuses writes holds the socket")],
    },
    {
        role: "node-exporter",
        image: "nodeExporter",
        user: { uid: 65534, gid: 65534 },
        hostPaths: ["/"],
        why: "reports the host's (or Docker Desktop VM's) CPU, memory and file systems instead of its own container's",
        evidence: [readOn("https://github.com/prometheus/node_exporter/blob/v1.12.1/README.md#docker", "--path.rootfs=/host with / mounted read-only")],
    },
];

/**
 * What the dev load balancer's metrics say per route and track, for engines that lack the signal:
 * HAProxy's per-server response counters by status class, and its per-server response time, a sliding
 * average over the last requests (HAProxy exports no histogram, so no percentile).
 */
export const LOAD_BALANCER_SIGNALS = {
    kind: "haproxy",
    responses: { metric: "haproxy_server_http_responses_total", statusLabel: "code", serverErrors: "5xx" },
    // HAProxy keeps response times in whole milliseconds (the exporter divides by 1000), as a running average over its
    // last 512 requests (TIME_STATS_SAMPLES) that starts from 0 at each reload: measured here, 100 requests of 20 ms read 5 ms.
    // After 4 x 512 requests the start weighs less than 2 %.
    latency: { metric: "haproxy_server_response_time_average_seconds", statistic: "mean", resolutionSeconds: 0.001, settlesAfterRequests: 2048 },
    /** Each server's configured weight: it moves when a rollout changes the split. */
    weight: { metric: "haproxy_server_weight" },
    /** Each server's state, one series per state: `UP` drops to 0 while a replaced container restarts. */
    status: { metric: "haproxy_server_status", stateLabel: "state", up: "UP" },
    /** The labels the scrape derives from HAProxy's: `proxy` model-<name> gives `model`, `server` <track>-<n> gives `track`. */
    proxyLabel: "proxy",
    serverLabel: "server",
    evidence: IMAGES.haproxy.evidence,
} as const;
