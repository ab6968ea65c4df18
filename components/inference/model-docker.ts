import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Arch, IMAGES } from "../../catalog/images";
import { ScrapeJob } from "../observability/config-files";
import { httpHealthcheck, retainedVolume, serviceContainer, userSpec } from "../shared/docker";
import { UpstreamServer } from "../traffic/upstreams";
import { ModelSpec, modelVersions, Track } from "./model";
import { fetchCommand, FETCH_MOUNT } from "./weights-fetch";

export interface DockerModelServiceArgs {
    /** Prefix of Docker object names, e.g. `genai-dev`. */
    readonly prefix: string;
    /** The model to serve. */
    readonly model: ModelSpec;
    /** Network the load balancer reaches the service on; it has a route out for the weights download. */
    readonly edgeNetwork: docker.Network;
    /** Network Prometheus scrapes on. */
    readonly monitoringNetwork: docker.Network;
    /** Hugging Face token for gated weights; uploaded as a file, never put in the environment. */
    readonly huggingFaceToken?: pulumi.Output<string>;
    /** The Docker host's architecture. */
    readonly hostArch: Arch;
    /** A pull to wait for before this model's images are pulled (one multi-GB pull at a time). */
    readonly pullAfter?: pulumi.Resource;
    /** Protect the generated outputs' volume from deletion. */
    readonly protectData: boolean;
    /** Docker labels of every container and volume of the component. */
    readonly labels: Readonly<Record<string, string>>;
}

const HF_TOKEN_FILE = "/run/secrets/hf_token";
/** Where an image engine keeps what it generates (ComfyUI's base directory holds output/ and user/). */
const OUTPUTS_MOUNT = "/opt/content";

/**
 * One model on Docker: its weights fetched once into a retained cache volume and checked against their
 * sha256, `min` replicas of the stable version and, when configured, one replica of the canary, each
 * started by its engine's own command, health-checked on what "ready" means for the engine.
 */
export class DockerModelService extends pulumi.ComponentResource {
    public readonly containers: docker.Container[] = [];
    public readonly servers: Record<Track, UpstreamServer[]> = { stable: [], canary: [] };
    /** One scrape job per version, labelled with component, model, track and engine; none for engines without metrics. */
    public readonly scrapeJobs: ScrapeJob[];
    /** The last image pull of this model, for the next model to wait on. */
    public readonly lastPull: pulumi.Resource;

    constructor(name: string, args: DockerModelServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("genai:inference:ModelService", name, {}, opts);
        const { model } = args;
        const engine = model.engine;
        const labels = (extra: Record<string, string>) => ({ ...args.labels, "genai.component": "inference", "genai.model": model.name, ...extra });
        const cache = retainedVolume(`${name}-weights`, `${args.prefix}-${model.name}-weights`, args.labels, this);
        const outputs = engine.kind === "image" ? retainedVolume(`${name}-outputs`, `${args.prefix}-${model.name}-outputs`, args.labels, this, args.protectData) : undefined;
        const tokenUpload = args.huggingFaceToken && model.gatedWeights ? [{ file: HF_TOKEN_FILE, content: args.huggingFaceToken, permissions: "0400" }] : undefined;

        let pullAfter = args.pullAfter;
        const fetches = new Map<string, docker.Container>();
        for (const { version } of modelVersions(model)) {
            const weights = version.weights;
            if (weights.kind !== "file" || fetches.has(version.weightsId)) continue;
            const fetch = serviceContainer(
                `${name}-fetch-${version.weightsId}`,
                {
                    pull: { ref: IMAGES.fetcher.ref, archs: IMAGES.fetcher.archs, hostArch: args.hostArch },
                    containerName: `${args.prefix}-${model.name}-fetch-${version.weightsId}`,
                    networks: [{ network: args.edgeNetwork, aliases: [] }],
                    uploads: tokenUpload,
                    volumes: [{ volumeName: cache.name, containerPath: FETCH_MOUNT }],
                    command: fetchCommand(weights, tokenUpload ? HF_TOKEN_FILE : undefined),
                    memoryMb: 128,
                    cpus: 1,
                    user: userSpec(IMAGES.fetcher.user),
                    labels: labels({ "genai.job": "weights-fetch" }),
                    oneShot: true,
                },
                this,
            );
            fetches.set(version.weightsId, fetch.container);
        }

        const jobs: Record<Track, string[]> = { stable: [], canary: [] };
        for (const { track, version } of modelVersions(model)) {
            const replicas = track === "stable" ? model.autoscaling.minReplicas : 1;
            const command = engine.command({ model: model.name, release: version.release, weights: version.weights, extraArgs: model.extraArgs });
            const envs = [...Object.entries({ ...model.env, ...command.env }).map(([k, v]) => `${k}=${v}`), ...(tokenUpload ? [`HF_TOKEN_PATH=${HF_TOKEN_FILE}`] : [])];
            const fetch = fetches.get(version.weightsId);
            for (let index = 0; index < replicas; index++) {
                const alias = `${model.name}-${track}-${index}`;
                const { container, image } = serviceContainer(
                    `${name}-${track}-${index}`,
                    {
                        pull: { ref: version.image, archs: version.release.archs, hostArch: args.hostArch, after: pullAfter },
                        containerName: `${args.prefix}-${alias}`,
                        networks: [
                            { network: args.edgeNetwork, aliases: [alias] },
                            { network: args.monitoringNetwork, aliases: [alias] },
                        ],
                        envs,
                        uploads: tokenUpload,
                        volumes: [
                            { volumeName: cache.name, containerPath: engine.weightsMount, readOnly: engine.weights === "file" },
                            ...(outputs ? [{ volumeName: outputs.name, containerPath: OUTPUTS_MOUNT }] : []),
                        ],
                        tmpfs: engine.kind === "image" ? { "/tmp/comfyui": "rw,size=256m,mode=1777" } : undefined,
                        entrypoint: command.entrypoint,
                        command: command.args,
                        healthcheck: version.release.httpClient === "none" ? undefined : httpHealthcheck(version.release.httpClient, engine.readyProbe(version.weights), engine.readySeconds),
                        memoryMb: model.memoryMb,
                        cpus: model.cpus,
                        gpus: model.gpus,
                        shmSizeMb: model.gpus > 0 ? Math.floor(model.memoryMb / 4) : 64,
                        user: userSpec(version.release.user),
                        labels: labels({ "genai.track": track, "genai.engine": engine.id }),
                        dependsOn: fetch ? [fetch] : undefined,
                    },
                    this,
                );
                pullAfter = image;
                this.containers.push(container);
                this.servers[track].push({ name: `${track}-${index}`, host: alias, port: engine.port });
                jobs[track].push(`${alias}:${engine.port}`);
            }
        }
        this.lastPull = pullAfter ?? cache;
        const metrics = engine.metrics;
        this.scrapeJobs = metrics
            ? (["stable", "canary"] as const)
                  .filter((track) => jobs[track].length > 0)
                  .map((track) => ({
                      job: `model-${model.name}-${track}`,
                      targets: jobs[track],
                      metricsPath: metrics.path,
                      labels: { component: "inference", model: model.name, track, engine: engine.id },
                  }))
            : [];
        this.registerOutputs({ containers: this.containers.map((c) => c.name) });
    }
}
