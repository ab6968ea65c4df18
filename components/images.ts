/**
 * Every image the platform runs besides the configured models, pinned once here.
 * Bump a version in this table and every stack picks it up.
 */
export const IMAGES = {
    postgres: "postgres:15.13-alpine",
    postgresExporter: "quay.io/prometheuscommunity/postgres-exporter:v0.16.0",
    redis: "redis:7.4.2-alpine",
    redisExporter: "oliver006/redis_exporter:v1.67.0-alpine",
    nginx: "nginx:1.27.4-alpine",
    prometheus: "prom/prometheus:v2.55.1",
    alertmanager: "prom/alertmanager:v0.27.0",
    grafana: "grafana/grafana:11.3.1",
    loki: "grafana/loki:3.2.1",
    nodeExporter: "prom/node-exporter:v1.8.2",
} as const;

export type InfraImage = keyof typeof IMAGES;

const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** The tag of an image reference, or undefined when it has none (`nginx`, `registry:5000/app`). */
export function imageTag(image: string): string | undefined {
    const withoutDigest = image.replace(DIGEST, "");
    const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
    const colon = lastSegment.indexOf(":");
    return colon === -1 ? undefined : lastSegment.slice(colon + 1);
}

/** True when an image is pinned: a digest, or a tag other than `latest`. */
export function isPinnedImage(image: string): boolean {
    if (DIGEST.test(image)) return true;
    const tag = imageTag(image);
    return tag !== undefined && tag !== "" && tag !== "latest";
}
