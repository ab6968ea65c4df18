import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Arch, IMAGES } from "../../catalog/images";
import { httpHealthcheck, serviceContainer, userSpec } from "../shared/docker";
import { HaproxyRoute, renderHaproxyConfig } from "./haproxy-conf";
import { dockerLbCommands, LB_APPLY_SCRIPT, LB_CONFIG_MOUNT } from "./lb-apply";
import { RateLimits, UpstreamServer } from "./upstreams";

export interface DockerLoadBalancerArgs {
    /** Prefix of Docker object names, e.g. `genai-dev`. */
    readonly prefix: string;
    /** The edge network: the inference services and Grafana. */
    readonly edgeNetwork: docker.Network;
    /** The monitoring network, on which Prometheus scrapes the proxy's metrics. */
    readonly monitoringNetwork: docker.Network;
    /** The models behind the load balancer with their traffic splits. */
    readonly routes: readonly HaproxyRoute[];
    /** Grafana, served under `/grafana/`. */
    readonly grafana?: { readonly server: UpstreamServer; readonly healthPath: string };
    /** Per-client rate limits; excess answers 429. */
    readonly rateLimits: RateLimits;
    /** Origins allowed by CORS. */
    readonly corsOrigins: readonly string[];
    /** Host interface the published port binds to. */
    readonly bindAddress: string;
    /** Host port of the load balancer. */
    readonly hostPort: number;
    /** Host directory the configuration is written to and mounted from. */
    readonly configDir: string;
    readonly hostArch: Arch;
    /** Docker labels of every container and volume of the component. */
    readonly labels: Readonly<Record<string, string>>;
}

const LB = IMAGES.haproxy;
/** Docker's embedded DNS, which every container on a user-defined network reaches. */
export const DOCKER_DNS = "127.0.0.11:53";

/** The URL clients reach the load balancer at on the host. */
export function loadBalancerUrl(bindAddress: string, hostPort: number): string {
    return `http://${bindAddress === "0.0.0.0" ? "localhost" : bindAddress}:${hostPort}`;
}

/**
 * HAProxy in front of the inference services and Grafana. Its configuration (weights included) is a file
 * in a mounted host directory, written and hot-reloaded by a command resource: a weight change or a
 * blue/green switch updates that resource only, never the container.
 */
export class DockerLoadBalancer extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    /** The generated haproxy.cfg. */
    public readonly config: string;
    /** The resource that writes and reloads the configuration. */
    public readonly apply: command.local.Command;
    public readonly url: string;

    constructor(name: string, args: DockerLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:traffic:LoadBalancer", name, {}, opts);
        this.config = renderHaproxyConfig({
            listenPort: LB.ports.http,
            statsPort: LB.ports.stats,
            healthPath: LB.health.path,
            routes: args.routes,
            grafana: args.grafana,
            rateLimits: args.rateLimits,
            corsOrigins: args.corsOrigins,
            nameserver: DOCKER_DNS,
        });
        const containerName = `${args.prefix}-lb`;
        const lbCommands = dockerLbCommands(containerName);
        this.apply = new command.local.Command(
            `${name}-config`,
            {
                create: LB_APPLY_SCRIPT,
                update: LB_APPLY_SCRIPT,
                interpreter: ["/bin/sh", "-c"],
                stdin: this.config,
                environment: { GENAI_LB_CONFIG_DIR: args.configDir, GENAI_LB_CHECK: lbCommands.check, GENAI_LB_RELOAD: lbCommands.reload },
            },
            { parent: this },
        );
        this.container = serviceContainer(
            name,
            {
                pull: { ref: LB.ref, archs: LB.archs, hostArch: args.hostArch },
                containerName,
                networks: [
                    { network: args.edgeNetwork, aliases: ["lb"] },
                    { network: args.monitoringNetwork, aliases: ["lb"] },
                ],
                volumes: [{ hostPath: args.configDir, containerPath: LB_CONFIG_MOUNT, readOnly: true }],
                ports: [{ internal: LB.ports.http, external: args.hostPort, ip: args.bindAddress }],
                healthcheck: httpHealthcheck(LB.httpClient, { port: LB.health.port, path: LB.health.path }),
                memoryMb: 128,
                cpus: 1,
                user: userSpec(LB.user),
                labels: { ...args.labels, "genai.component": "lb" },
                dependsOn: [this.apply],
            },
            this,
        ).container;
        this.url = loadBalancerUrl(args.bindAddress, args.hostPort);
        this.registerOutputs({ url: this.url });
    }
}
