import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ScrapeJob } from "../observability/config-files";
import { httpHealthcheck, retainedVolume, serviceContainer } from "../shared/docker";
import { UpstreamServer } from "../traffic/nginx-conf";
import { ModelSpec, Track } from "./model";

export interface DockerModelServiceArgs {
    /** Prefix of Docker object names, e.g. `genai-dev`. */
    readonly prefix: string;
    /** The model to serve. */
    readonly model: ModelSpec;
    /** Network the load balancer reaches the service on. */
    readonly edgeNetwork: docker.Network;
    /** Network Prometheus scrapes on. */
    readonly monitoringNetwork: docker.Network;
    /** Hugging Face token for gated weights; uploaded as a file and pointed to by HF_TOKEN_PATH. */
    readonly huggingFaceToken?: pulumi.Output<string>;
    /** Docker labels of every container and volume of the component. */
    readonly labels: Readonly<Record<string, string>>;
    /** Docker log driver for the containers. */
    readonly logging?: { driver: string; options: Record<string, string> };
}

/** Seconds a model server may take to load its weights before its healthcheck counts. */
export const MODEL_LOAD_SECONDS = 600;
const HF_TOKEN_FILE = "/run/secrets/hf_token";
const WEIGHTS_CACHE = "/root/.cache/huggingface";

/**
 * One model on Docker: `min` replicas of the stable version and, when configured, one replica of
 * the canary, all sharing a retained weights-cache volume so a restart does not download again.
 */
export class DockerModelService extends pulumi.ComponentResource {
    public readonly containers: docker.Container[] = [];
    public readonly stableServers: UpstreamServer[] = [];
    public readonly canaryServers: UpstreamServer[] = [];
    /** One scrape job per version, labelled with component, model and track. */
    public readonly scrapeJobs: ScrapeJob[];

    constructor(name: string, args: DockerModelServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:inference:ModelService", name, {}, opts);
        const { model } = args;
        const cache = retainedVolume(`${name}-weights`, `${args.prefix}-${model.name}-weights`, args.labels, this);
        const replicas: { track: Track; image: string; index: number }[] = [
            ...Array.from({ length: model.autoscaling.minReplicas }, (_, index) => ({ track: "stable" as Track, image: model.image, index })),
            ...(model.canary ? [{ track: "canary" as Track, image: model.canary.image, index: 0 }] : []),
        ];
        const targets: Record<Track, string[]> = { stable: [], canary: [] };
        for (const replica of replicas) {
            const alias = `${model.name}-${replica.track}-${replica.index}`;
            const envs = Object.entries(model.env).map(([k, v]) => `${k}=${v}`);
            if (args.huggingFaceToken) envs.push(`HF_TOKEN_PATH=${HF_TOKEN_FILE}`);
            this.containers.push(
                serviceContainer(
                    `${name}-${replica.track}-${replica.index}`,
                    {
                        image: replica.image,
                        containerName: `${args.prefix}-${alias}`,
                        networks: [
                            { network: args.edgeNetwork, aliases: [alias] },
                            { network: args.monitoringNetwork, aliases: [alias] },
                        ],
                        envs,
                        uploads: args.huggingFaceToken ? [{ file: HF_TOKEN_FILE, content: args.huggingFaceToken, permissions: "0400" }] : undefined,
                        volumes: [{ volumeName: cache.name, containerPath: WEIGHTS_CACHE }],
                        command: model.args.length > 0 ? [...model.args] : undefined,
                        healthcheck: httpHealthcheck(model.port, model.healthPath, MODEL_LOAD_SECONDS),
                        memoryMb: model.memoryMb,
                        cpus: model.cpus,
                        gpus: model.gpus,
                        shmSizeMb: Math.max(64, Math.floor(model.memoryMb / 4)),
                        labels: { ...args.labels, "genai.component": "inference", "genai.model": model.name, "genai.track": replica.track },
                        logging: args.logging,
                    },
                    this,
                ),
            );
            const server = { host: alias, port: model.port };
            (replica.track === "stable" ? this.stableServers : this.canaryServers).push(server);
            targets[replica.track].push(`${alias}:${model.port}`);
        }
        this.scrapeJobs = (["stable", "canary"] as const)
            .filter((track) => model.scrapeMetrics && targets[track].length > 0)
            .map((track) => ({
                job: `model-${model.name}-${track}`,
                targets: targets[track],
                metricsPath: model.metricsPath,
                labels: { component: "inference", model: model.name, track },
            }));
        this.registerOutputs({ containers: this.containers.map((c) => c.name) });
    }
}
