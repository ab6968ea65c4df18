import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

/** The tiers of the dev platform, each its own Docker network. */
export type Tier = "edge" | "app" | "monitoring" | "alerts";

export interface DockerNetworksArgs {
    /** Prefix of the Docker network names, e.g. `genai-dev`. */
    readonly prefix: string;
    /** Docker labels of every container and volume of the component. */
    readonly labels: Readonly<Record<string, string>>;
}

/**
 * Separate networks per tier:
 * - `edge`: the load balancer, the inference services and Grafana; the only tier with a published port;
 * - `app` (the seeds' genai-network): Postgres, Redis and their exporters; internal, no route out. Application
 *   containers that use the databases join it; the model servers do not need them and stay off it;
 * - `monitoring` (the seeds' genai-monitoring): Prometheus, Alertmanager, Grafana, Loki, the log shipper and the
 *   exporters; internal. The load balancer joins it only so Prometheus can scrape its metrics port;
 * - `alerts`: Alertmanager alone, with a route out so it can deliver to chat and webhooks and publish its UI on
 *   127.0.0.1 (an internal network can do neither).
 * The load balancer cannot reach the databases.
 */
export class DockerNetworks extends pulumi.ComponentResource {
    public readonly edge: docker.Network;
    public readonly app: docker.Network;
    public readonly monitoring: docker.Network;
    public readonly alerts: docker.Network;

    constructor(name: string, args: DockerNetworksArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:network:DockerNetworks", name, {}, opts);
        const labels = Object.entries(args.labels).map(([label, value]) => ({ label, value }));
        const network = (tier: Tier, dockerName: string, internal: boolean) =>
            new docker.Network(`${name}-${tier}`, { name: dockerName, driver: "bridge", internal, labels }, { parent: this });
        this.edge = network("edge", `${args.prefix}-edge`, false);
        this.app = network("app", `${args.prefix}-network`, true);
        this.monitoring = network("monitoring", `${args.prefix}-monitoring`, true);
        this.alerts = network("alerts", `${args.prefix}-alerts`, false);
        this.registerOutputs({ edge: this.edge.name, app: this.app.name, monitoring: this.monitoring.name, alerts: this.alerts.name });
    }
}
