import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { IMAGES } from "../images";
import { httpHealthcheck, serviceContainer } from "../shared/docker";
import { HEALTH_PATH, ModelRoute, RateLimits, renderNginxConf, UpstreamServer } from "./nginx-conf";

export interface DockerLoadBalancerArgs {
    /** Prefix of Docker object names, e.g. `genai-dev`. */
    readonly prefix: string;
    /** The edge network; the load balancer joins no other. */
    readonly network: docker.Network;
    /** The models behind the load balancer with their traffic splits. */
    readonly routes: readonly ModelRoute[];
    /** Grafana, served under `/grafana/`. */
    readonly grafana?: UpstreamServer;
    /** Per-client rate limits; excess answers 429. */
    readonly rateLimits: RateLimits;
    /** Origins allowed by CORS. */
    readonly corsOrigins: readonly string[];
    /** Host interface the published port binds to. @default "127.0.0.1" */
    readonly bindAddress?: string;
    /** Host port of the load balancer. */
    readonly hostPort: number;
    /** Docker labels of every container and volume of the component. */
    readonly labels: Readonly<Record<string, string>>;
    /** Containers that must exist before nginx resolves their names. */
    readonly upstreamContainers: pulumi.Resource[];
}

/** Port nginx listens on inside its container (unprivileged). */
export const LB_LISTEN_PORT = 8080;
const NGINX_CONF = "/etc/nginx/nginx.conf";

/** The URL clients reach the load balancer at on the host. */
export function loadBalancerUrl(bindAddress: string, hostPort: number): string {
    return `http://${bindAddress === "0.0.0.0" ? "localhost" : bindAddress}:${hostPort}`;
}

/** nginx in front of the inference services and Grafana, splitting each model's traffic by weight. */
export class DockerLoadBalancer extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    /** The generated nginx.conf. */
    public readonly config: string;
    public readonly url: string;

    constructor(name: string, args: DockerLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:traffic:LoadBalancer", name, {}, opts);
        const bindAddress = args.bindAddress ?? "127.0.0.1";
        this.config = renderNginxConf({
            listenPort: LB_LISTEN_PORT,
            routes: args.routes,
            grafana: args.grafana,
            rateLimits: args.rateLimits,
            corsOrigins: args.corsOrigins,
        });
        this.container = serviceContainer(
            name,
            {
                image: IMAGES.nginx,
                containerName: `${args.prefix}-lb`,
                networks: [{ network: args.network, aliases: ["lb"] }],
                uploads: [{ file: NGINX_CONF, content: this.config }],
                ports: [{ internal: LB_LISTEN_PORT, external: args.hostPort, ip: bindAddress }],
                healthcheck: httpHealthcheck(LB_LISTEN_PORT, HEALTH_PATH),
                memoryMb: 256,
                cpus: 1,
                labels: { ...args.labels, "genai.component": "lb" },
                dependsOn: args.upstreamContainers,
            },
            this,
        );
        this.url = loadBalancerUrl(bindAddress, args.hostPort);
        this.registerOutputs({ url: this.url });
    }
}
