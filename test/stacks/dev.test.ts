import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { parse } from "yaml";
import { ENGINES } from "../../catalog/engines";
import { IMAGES } from "../../catalog/images";
import { isPinnedImage } from "../../catalog/rules";
import { WEIGHTS } from "../../catalog/weights";
import { FETCH_SCRIPT } from "../../components/inference/weights-fetch";
import { POSTGRES_START_SCRIPT } from "../../components/data/postgres-start";
import { GRAFANA_START_SCRIPT } from "../../components/observability/docker";
import { LB_APPLY_SCRIPT } from "../../components/traffic/lb-apply";
import { engineConfigSource } from "../../stacks/config-reader";
import { definePlatform } from "../../stacks/platform";
import { mockSecretValue, ProgramRun, RecordedResource, runProgram } from "../harness";
import { devModels, evaluatedStack, evaluatedWith, lbServerWeights } from "../support/stacks";

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const VOLUME = "docker:index/volume:Volume";
const IMAGE = "docker:index/remoteImage:RemoteImage";
const COMMAND = "command:local:Command";

const SECRETS = ["secrets-postgresPassword", "secrets-redisPassword", "secrets-grafanaAdminPassword"].map(mockSecretValue);

function container(run: ProgramRun, name: string): RecordedResource {
    return run.one(CONTAINER, name);
}

function networksOf(run: ProgramRun, name: string): string[] {
    return (container(run, name).inputs.networksAdvanced as { name: string }[]).map((n) => n.name).sort();
}

function upload(run: ProgramRun, name: string, file: string): string {
    const found = (container(run, name).inputs.uploads as { file: string; content: string }[]).find((u) => u.file === file);
    if (!found) throw new Error(`${name} uploads no ${file}`);
    return found.content;
}

function envs(run: ProgramRun, name: string): string[] {
    return (container(run, name).inputs.envs as string[] | undefined) ?? [];
}

/** Services: every container except the one-shot weights downloads. */
function services(run: ProgramRun): RecordedResource[] {
    return run.ofType(CONTAINER).filter((c) => c.inputs.restart !== "no");
}

const withCanary = (weight: number) => devModels().map((m: any) => (m.name === "llm" ? { ...m, canary: { weights: "qwen2.5-0.5b-instruct-q8_0", weight } } : m));
const evaluate = (overrides: Record<string, unknown>) => evaluatedWith("dev", overrides);

/** Whether `items` holds `sequence` as consecutive elements. */
function hasSequence(items: readonly string[], sequence: readonly string[]): boolean {
    return items.some((_, i) => sequence.every((s, j) => items[i + j] === s));
}

describe("dev stack (Docker)", () => {
    let run: ProgramRun;

    before(async () => {
        run = await evaluatedStack("dev");
    });

    it("runs every service of the platform, a one-shot download per weights file and the backup volume's preparation", () => {
        expect(services(run).map((c) => c.inputs.name).sort()).to.deep.equal(
            [
                "genai-dev-alertmanager",
                "genai-dev-alloy",
                "genai-dev-backup-grafana",
                "genai-dev-backup-postgres",
                "genai-dev-backup-redis",
                "genai-dev-blackbox-exporter",
                "genai-dev-docker-api-proxy",
                "genai-dev-grafana",
                "genai-dev-image-stable-0",
                "genai-dev-lb",
                "genai-dev-llm-stable-0",
                "genai-dev-loki",
                "genai-dev-node-exporter",
                "genai-dev-postgres",
                "genai-dev-postgres-exporter",
                "genai-dev-prometheus",
                "genai-dev-pushgateway",
                "genai-dev-redis",
                "genai-dev-redis-exporter",
            ].sort(),
        );
        const jobs = run.ofType(CONTAINER).filter((c) => c.inputs.restart === "no");
        expect(jobs.map((c) => c.inputs.name).sort()).to.deep.equal(["genai-dev-backup-init", "genai-dev-image-fetch-sd-turbo", "genai-dev-llm-fetch-qwen2.5-0.5b-instruct-q4_k_m"]);
        for (const job of jobs) expect(job.inputs, job.name).to.include({ attach: true, mustRun: false });
    });

    it("isolates the tiers on separate networks", () => {
        const byName = Object.fromEntries(run.ofType(NETWORK).map((n) => [n.name, n.inputs]));
        expect(byName["networks-edge"]).to.include({ name: "genai-dev-edge", internal: false });
        expect(byName["networks-app"]).to.include({ name: "genai-dev-network", internal: true });
        expect(byName["networks-monitoring"]).to.include({ name: "genai-dev-monitoring", internal: true });
        expect(byName["networks-alerts"]).to.include({ name: "genai-dev-alerts", internal: false });
        expect(networksOf(run, "lb")).to.deep.equal(["genai-dev-edge", "genai-dev-monitoring"]);
        // The databases are reachable only from the application network, which the model servers stay off.
        const onApp = run.ofType(CONTAINER).filter((c) => networksOf(run, c.name).includes("genai-dev-network")).map((c) => c.name).sort();
        // The Pushgateway joins it too: applications there push their API spend to it.
        expect(onApp).to.deep.equal([
            "backups-postgres",
            "backups-redis",
            "observability-postgres-exporter",
            "observability-pushgateway",
            "observability-redis-exporter",
            "postgres",
            "redis",
        ]);
        expect(networksOf(run, "postgres")).to.deep.equal(["genai-dev-network"]);
        // Alertmanager alone has its own network with a route out, for its receivers and its published UI.
        expect(networksOf(run, "observability-alertmanager")).to.deep.equal(["genai-dev-alerts", "genai-dev-monitoring"]);
        const onAlerts = run.ofType(CONTAINER).filter((c) => networksOf(run, c.name).includes("genai-dev-alerts")).map((c) => c.name).sort();
        expect(onAlerts).to.deep.equal(["observability-alertmanager", "observability-prometheus", "observability-pushgateway"]);
        for (const name of ["observability-loki", "observability-alloy", "observability-docker-api-proxy"]) {
            expect(networksOf(run, name), name).to.deep.equal(["genai-dev-monitoring"]);
        }
    });

    it("publishes the load balancer, Prometheus, Alertmanager's UI and the Pushgateway, on 127.0.0.1 only, each from a network with a route out", () => {
        const published = run.ofType(CONTAINER).filter((c) => (c.inputs.ports ?? []).length > 0);
        expect(Object.fromEntries(published.map((c) => [c.name, c.inputs.ports]))).to.deep.equal({
            lb: [{ internal: 8080, external: 8080, ip: "127.0.0.1" }],
            "observability-alertmanager": [{ internal: 9093, external: 9093, ip: "127.0.0.1" }],
            "observability-prometheus": [{ internal: 9090, external: 9090, ip: "127.0.0.1" }],
            "observability-pushgateway": [{ internal: 9091, external: 9091, ip: "127.0.0.1" }],
        });
        // A port published from internal networks only does not work (moby #36174).
        const internal = new Set(run.ofType(NETWORK).filter((n) => n.inputs.internal).map((n) => n.inputs.name));
        for (const c of published) expect(networksOf(run, c.name).some((n) => !internal.has(n)), c.name).to.equal(true);
        expect(run.outputs.alertmanagerUrl).to.equal("http://127.0.0.1:9093");
        expect(run.outputs.prometheusUrl).to.equal("http://127.0.0.1:9090");
        expect(run.outputs.pushgatewayUrl).to.equal("http://127.0.0.1:9091");
    });

    it("fits a laptop: memory limits add up to at most 8 GiB and no container asks for more than the host's CPUs", () => {
        const limits = services(run).map((c) => c.inputs.memory as number);
        const total = limits.reduce((a, b) => a + b, 0);
        expect(total, `sum of memory limits ${total} MiB`).to.be.at.most(8192);
        for (const c of run.ofType(CONTAINER)) {
            expect(Number(c.inputs.cpus ?? 0), c.name).to.be.at.most(4);
            expect(c.inputs.memory, c.name).to.be.greaterThan(0);
        }
    });

    it("puts no secret in any container's environment, command, entrypoint or healthcheck", () => {
        for (const c of run.ofType(CONTAINER)) {
            const visible = JSON.stringify([c.inputs.envs ?? [], c.inputs.command ?? [], c.inputs.entrypoints ?? [], c.inputs.healthcheck ?? {}, c.inputs.labels ?? []]);
            for (const secret of SECRETS) expect(visible, `${c.name}`).to.not.contain(secret);
        }
        for (const command of run.ofType(COMMAND)) {
            for (const secret of SECRETS) expect(JSON.stringify(command.inputs), command.name).to.not.contain(secret);
        }
    });

    it("marks every input that carries a generated secret as secret", () => {
        for (const r of run.resources) {
            for (const [key, value] of Object.entries(r.inputs)) {
                if (SECRETS.some((s) => JSON.stringify(value ?? null).includes(s))) {
                    expect([...r.secretInputs], `${r.type} ${r.name}.${key}`).to.include(key);
                }
            }
        }
    });

    it("keeps every volume on replacement and destroy, and protects data volumes when protectData says so", async () => {
        const volumes = run.ofType(VOLUME);
        expect(volumes.map((v) => v.inputs.name)).to.include.members(["genai-dev-postgres-data", "genai-dev-redis-data", "genai-dev-prometheus-data", "genai-dev-grafana-data", "genai-dev-image-outputs", "genai-dev-llm-weights"]);
        for (const v of volumes) expect(v.retainOnDelete, v.name).to.equal(true);
        for (const v of volumes) expect(v.protect, v.name).to.equal(false);
        const protectedRun = await evaluate({ protectData: true, dbHostPort: 15432 });
        const isProtected = Object.fromEntries(protectedRun.ofType(VOLUME).map((v) => [v.inputs.name, v.protect]));
        for (const name of ["genai-dev-postgres-data", "genai-dev-redis-data", "genai-dev-grafana-data", "genai-dev-image-outputs"]) expect(isProtected[name], name).to.equal(true);
        // Weights can be downloaded again: a destroy may remove them.
        expect(isProtected["genai-dev-llm-weights"]).to.equal(false);
    });

    it("pins every image, pulls it for the host's architecture, and pulls the multi-GB model images one at a time", () => {
        const images = run.ofType(IMAGE);
        expect(images.length).to.equal(run.ofType(CONTAINER).length);
        for (const image of images) {
            expect(isPinnedImage(image.inputs.name), image.inputs.name).to.equal(true);
            expect(image.inputs.platform, image.name).to.match(/^linux\/(amd64|arm64)$/);
        }
        const llm = run.one(IMAGE, "model-llm-stable-0-image");
        const comfy = run.one(IMAGE, "model-image-stable-0-image");
        expect(llm.inputs.name).to.equal(ENGINES["llama-cpp"].releases[0].image);
        expect(comfy.dependsOn).to.include(llm.urn.split("::").slice(-2).join("::"));
    });

    it("parents every resource to a component", () => {
        for (const r of run.resources.filter((r) => r.custom)) expect(r.parent, `${r.type} ${r.name}`).to.match(/^genai:/);
    });

    it("drops every capability, forbids new privileges, runs as the image's non-root user except where the catalog says why", () => {
        const rootAllowed = ["observability-docker-api-proxy", "model-llm-fetch-qwen2.5-0.5b-instruct-q4_k_m", "model-image-fetch-sd-turbo", "backups-init"];
        for (const c of run.ofType(CONTAINER)) {
            expect(c.inputs.capabilities, c.name).to.deep.equal({ drops: ["ALL"] });
            expect(c.inputs.securityOpts, c.name).to.include("no-new-privileges:true");
            expect(c.inputs.privileged ?? false, c.name).to.equal(false);
            expect(c.inputs.networkMode, c.name).to.equal(undefined);
            expect(c.inputs.user, c.name).to.match(/^\d+:\d+$/);
            if (!rootAllowed.includes(c.name)) expect(c.inputs.user, c.name).to.not.match(/^0:/);
        }
    });

    describe("Postgres", () => {
        it("delivers the password as a file and reconciles it with the data directory at every start", () => {
            expect(envs(run, "postgres")).to.include.members(["POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password", "GENAI_PG_PASSWORD_FILE=/run/secrets/postgres_password", "GENAI_PG_USER=genai"]);
            expect(envs(run, "postgres").some((e) => e.startsWith("POSTGRES_PASSWORD="))).to.equal(false);
            expect(container(run, "postgres").inputs.entrypoints).to.deep.equal(["sh", "-c", POSTGRES_START_SCRIPT]);
            expect(envs(run, "postgres").find((e) => e.startsWith("GENAI_PG_START="))).to.match(/^GENAI_PG_START=docker-entrypoint\.sh postgres -c /);
            expect(upload(run, "postgres", "/run/secrets/postgres_password")).to.equal(mockSecretValue("secrets-postgresPassword"));
            expect([...container(run, "postgres").secretInputs]).to.include("uploads");
        });
        it("creates the extensions with an init script", () => {
            const sql = upload(run, "postgres", "/docker-entrypoint-initdb.d/10-extensions.sql");
            for (const ext of ["pgcrypto", "pg_trgm", "uuid-ossp"]) expect(sql).to.contain(`CREATE EXTENSION IF NOT EXISTS "${ext}";`);
        });
        it("publishes a host port only when asked, bound to 127.0.0.1", async () => {
            const withPort = await evaluate({ protectData: true, dbHostPort: 15432 });
            expect(withPort.one(CONTAINER, "postgres").inputs.ports).to.deep.equal([{ internal: 5432, external: 15432, ip: "127.0.0.1" }]);
        });
    });

    describe("Redis", () => {
        it("requires the generated password from its configuration file and persists with an LRU memory cap", () => {
            const conf = upload(run, "redis", "/usr/local/etc/redis/redis.conf");
            expect(conf).to.contain(`requirepass ${mockSecretValue("secrets-redisPassword")}`);
            expect(conf).to.match(/^appendonly yes$/m);
            expect(conf).to.match(/^maxmemory 256mb$/m);
            expect([...container(run, "redis").secretInputs]).to.include("uploads");
        });
    });

    describe("inference services", () => {
        it("starts llama.cpp on the fetched weights with its metrics on, as a non-root user", () => {
            const llm = container(run, "model-llm-stable-0");
            const weights = WEIGHTS["qwen2.5-0.5b-instruct-q4_k_m"];
            expect(hasSequence(llm.inputs.command, ["-m", `/models/${weights.file}`])).to.equal(true);
            expect(llm.inputs.command).to.include("--metrics");
            expect(llm.inputs.volumes).to.deep.include({ volumeName: "genai-dev-llm-weights", containerPath: "/models", readOnly: true });
            expect(llm.inputs.user).to.equal("65534:65534");
            expect(llm.dependsOn.some((d) => d.endsWith("model-llm-fetch-qwen2.5-0.5b-instruct-q4_k_m"))).to.equal(true);
        });
        it("downloads each weights file once into the retained cache, checked against the catalog's sha256", () => {
            const fetch = container(run, "model-llm-fetch-qwen2.5-0.5b-instruct-q4_k_m");
            const weights = WEIGHTS["qwen2.5-0.5b-instruct-q4_k_m"];
            expect(fetch.inputs.command.slice(0, 3)).to.deep.equal(["sh", "-c", FETCH_SCRIPT]);
            expect(fetch.inputs.command).to.include(weights.sha256);
            expect(fetch.inputs.command).to.include(`https://huggingface.co/${weights.repo}/resolve/${weights.revision}/${weights.file}`);
            expect(fetch.inputs.volumes).to.deep.equal([{ volumeName: "genai-dev-llm-weights", containerPath: "/weights" }]);
            expect(networksOf(run, "model-llm-fetch-qwen2.5-0.5b-instruct-q4_k_m")).to.deep.equal(["genai-dev-edge"]);
        });
        it("starts ComfyUI itself on its port, without the image's side services, keeping generated images on a retained volume", () => {
            const comfy = container(run, "model-image-stable-0");
            expect(comfy.inputs.entrypoints).to.deep.equal(["/opt/ComfyUI.venv/bin/python3", "/opt/ComfyUI/main.py"]);
            expect(hasSequence(comfy.inputs.command, ["--port", "8188"])).to.equal(true);
            expect(comfy.inputs.command).to.include.members(["--cpu", "--disable-all-custom-nodes"]);
            expect(comfy.inputs.volumes).to.deep.include({ volumeName: "genai-dev-image-outputs", containerPath: "/opt/content" });
            expect(comfy.inputs.volumes).to.deep.include({ volumeName: "genai-dev-image-weights", containerPath: "/opt/content/models", readOnly: true });
            expect(comfy.inputs.user).to.equal("65534:65534");
        });
        it("judges ComfyUI healthy only once the checkpoint is listed, and gives each engine its load time", () => {
            const comfy = container(run, "model-image-stable-0");
            expect(comfy.inputs.healthcheck.tests[1]).to.contain("/models/checkpoints").and.contain("sd_turbo.safetensors");
            expect(comfy.inputs.healthcheck.startPeriod).to.equal(`${ENGINES.comfyui.readySeconds}s`);
            expect(container(run, "model-llm-stable-0").inputs.healthcheck.startPeriod).to.equal(`${ENGINES["llama-cpp"].readySeconds}s`);
        });
        it("runs a canary from other weights of the same engine when configured", async () => {
            const canary = await evaluate({ models: withCanary(10) });
            expect(canary.one(CONTAINER, "model-llm-canary-0").inputs.command).to.include(`/models/${WEIGHTS["qwen2.5-0.5b-instruct-q8_0"].file}`);
            expect(canary.ofType(CONTAINER).some((c) => c.name === "model-llm-fetch-qwen2.5-0.5b-instruct-q8_0")).to.equal(true);
        });
        it("requests GPUs only when the host has them and a model asks", async () => {
            for (const c of run.ofType(CONTAINER)) expect(c.inputs.deviceRequests, c.name).to.equal(undefined);
            const models = [{ name: "gpu", engine: "vllm", weights: "qwen2.5-7b-instruct", replicas: { min: 1, max: 1 }, gpus: 1, memoryMb: 2048, cpus: 2 }];
            const gpuRun = await evaluate({ models, hostGpus: true });
            expect(gpuRun.one(CONTAINER, "model-gpu-stable-0").inputs.deviceRequests).to.deep.equal([{ driver: "nvidia", count: 1, capabilities: ["gpu"] }]);
        });
    });

    describe("load balancer", () => {
        it("splits each model's traffic by the configured weights", async () => {
            expect(lbServerWeights(run, "llm")).to.deep.equal({ "stable-0": 1 });
            const canary = await evaluate({ models: withCanary(10) });
            expect(lbServerWeights(canary, "llm")).to.deep.equal({ "stable-0": 9, "canary-0": 1 });
        });
        it("changes weights and switches blue/green without replacing or restarting its container", async () => {
            const runs = [];
            for (const weight of [0, 10, 100]) runs.push(await evaluate({ models: withCanary(weight) }));
            const lbInputs = runs.map((r) => JSON.stringify(r.one(CONTAINER, "lb").inputs));
            expect(new Set(lbInputs).size, "the load balancer container's inputs").to.equal(1);
            const configs = runs.map((r) => r.one(COMMAND, "lb-config").inputs.stdin as string);
            expect(new Set(configs).size, "one configuration per weight").to.equal(3);
            expect(lbServerWeights(runs[0], "llm")).to.deep.equal({ "stable-0": 1, "canary-0": 0 });
            expect(lbServerWeights(runs[2], "llm")).to.deep.equal({ "stable-0": 0, "canary-0": 1 });
        });
        it("writes its configuration into the mounted directory and hot-reloads the running proxy", () => {
            const apply = run.one(COMMAND, "lb-config");
            expect(apply.inputs.create).to.equal(LB_APPLY_SCRIPT);
            expect(apply.inputs.update).to.equal(LB_APPLY_SCRIPT);
            expect(apply.inputs.environment.GENAI_LB_RELOAD).to.contain("docker kill --signal USR2 genai-dev-lb");
            expect(apply.inputs.environment.GENAI_LB_CHECK).to.contain("haproxy -c");
            const dir = apply.inputs.environment.GENAI_LB_CONFIG_DIR;
            expect(container(run, "lb").inputs.volumes).to.deep.equal([{ hostPath: dir, containerPath: "/usr/local/etc/haproxy", readOnly: true }]);
            expect(container(run, "lb").dependsOn.some((d) => d.endsWith("lb-config"))).to.equal(true);
        });
        it("resolves upstream names at run time through Docker's DNS and tolerates a missing one", () => {
            const conf = run.one(COMMAND, "lb-config").inputs.stdin as string;
            expect(conf).to.match(/^\s+nameserver dns 127\.0\.0\.11:53$/m);
            expect(conf).to.match(/default-server init-addr libc,none resolvers platform/);
        });
        it("checks each model's servers on their engine's health endpoint and Grafana on its sub-path", () => {
            const conf = run.one(COMMAND, "lb-config").inputs.stdin as string;
            expect(conf).to.contain(`backend model-llm\n    balance roundrobin\n    option httpchk GET ${ENGINES["llama-cpp"].health.path}`);
            expect(conf).to.contain(`option httpchk GET ${ENGINES.comfyui.health.path}`);
            expect(conf).to.contain("option httpchk GET /grafana/api/health");
        });
    });

    describe("observability", () => {
        it("scrapes Grafana on its sub-path, the load balancer's per-route metrics, and only the engines that export metrics", () => {
            const prom = parse(upload(run, "observability-prometheus", "/etc/prometheus/prometheus.yml"));
            const byJob = Object.fromEntries(prom.scrape_configs.map((j: any) => [j.job_name, j]));
            expect(byJob.grafana.metrics_path).to.equal("/grafana/metrics");
            expect(byJob.lb.static_configs[0].targets).to.deep.equal(["lb:8404"]);
            expect(byJob.lb.metric_relabel_configs.map((r: any) => r.target_label)).to.deep.equal(["model", "track"]);
            expect(byJob["model-llm-stable"].static_configs[0]).to.deep.equal({ targets: ["llm-stable-0:8080"], labels: { component: "inference", model: "llm", track: "stable", engine: "llama-cpp" } });
            // ComfyUI exports no metrics: it is probed, not scraped.
            expect(Object.keys(byJob).filter((j) => j.startsWith("model-image"))).to.deep.equal([]);
            expect(byJob["probe-image-stable"].params.module).to.deep.equal(["http_200_no_redirect"]);
            expect(byJob["probe-image-stable"].static_configs[0].targets).to.deep.equal(["http://image-stable-0:8188/system_stats"]);
            expect(byJob["probe-lb-image"].static_configs[0].targets).to.deep.equal(["http://lb:8080/models/image/system_stats"]);
            expect(new Set(prom.scrape_configs.map((j: any) => j.job_name)).size, "unique job names").to.equal(prom.scrape_configs.length);
        });
        it("renders the alert rules from each model's signals: the load balancer's where the engine has none", () => {
            const rules = parse(upload(run, "observability-prometheus", "/etc/prometheus/rules/genai.yml")).groups[0].rules;
            const errors = rules.filter((r: any) => r.alert === "HighErrorRate").map((r: any) => r.expr);
            expect(errors).to.have.length(2);
            for (const expr of errors) expect(expr).to.contain("haproxy_server_http_responses_total");
            expect(rules.find((r: any) => r.alert === "QueueBacklog").expr).to.contain("llamacpp:requests_deferred");
            expect(rules.find((r: any) => r.alert === "ImageGenerationSlow").expr).to.contain("haproxy_server_response_time_average_seconds");
            expect(JSON.stringify(rules)).to.not.contain("vllm:");
        });
        it("does not page while a model is still loading", () => {
            const rules = parse(upload(run, "observability-prometheus", "/etc/prometheus/rules/genai.yml")).groups[0].rules;
            const modelDown = rules.filter((r: any) => r.alert === "ServiceDown" && r.expr.includes('model="llm"'));
            expect(modelDown).to.have.length(1);
            expect(modelDown[0].for).to.equal("1m");
            const others = rules.find((r: any) => r.alert === "ServiceDown" && r.expr.includes('component!="inference"'));
            expect(others.for).to.equal("30s");
        });
        it("reconciles Grafana's admin password with the secret at every start", () => {
            expect(container(run, "observability-grafana").inputs.entrypoints).to.deep.equal(["sh", "-c", GRAFANA_START_SCRIPT]);
            expect(envs(run, "observability-grafana")).to.include.members(["GF_USERS_ALLOW_SIGN_UP=false", "GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana_admin_password", "GF_SERVER_SERVE_FROM_SUB_PATH=true"]);
            expect(container(run, "observability-grafana").inputs.healthcheck.tests[1]).to.contain("http://127.0.0.1:3000/grafana/api/health");
        });
        it("ships every container's logs to Loki through a read-only Docker API proxy, labelled for the dashboards", () => {
            const alloy = upload(run, "observability-alloy", "/etc/alloy/config.alloy");
            expect(alloy).to.contain('host             = "tcp://docker-api:2375"');
            expect(alloy).to.contain('values = ["genai.stack=dev"]');
            for (const label of ["component", "model", "track", "container"]) expect(alloy).to.contain(`target_label  = "${label}"`);
            const proxy = container(run, "observability-docker-api-proxy");
            expect(proxy.inputs.volumes).to.deep.equal([{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true }]);
            expect(container(run, "observability-alloy").inputs.volumes.some((v: any) => v.hostPath)).to.equal(false);
        });
        it("reports the host from node-exporter through a read-only root mount", () => {
            const node = container(run, "observability-node-exporter");
            expect(node.inputs.volumes).to.deep.equal([{ hostPath: "/", containerPath: "/host", readOnly: true }]);
            expect(node.inputs.command).to.deep.equal(["--path.rootfs=/host"]);
        });
        it("keeps logs for the configured retention in Loki", () => {
            const loki = parse(upload(run, "observability-loki", "/etc/loki/config.yml"));
            expect(loki.limits_config.retention_period).to.equal("360h");
            expect(loki.compactor.retention_enabled).to.equal(true);
        });
    });

    it("exports the URLs and the services, and Grafana's admin password only as a secret", async () => {
        expect(run.outputs.lbUrl).to.equal("http://127.0.0.1:8080");
        expect(run.outputs.grafanaUrl).to.equal("http://127.0.0.1:8080/grafana/");
        expect(run.outputs.services).to.include.members(["genai-dev-lb", "genai-dev-postgres", "genai-dev-llm-stable-0"]);
        // The outputs as the program returns them, before the engine serialises them.
        let returned: Record<string, unknown> = {};
        await runProgram("dev", () => (returned = definePlatform(engineConfigSource())));
        expect(await pulumi.isSecret(returned.grafanaAdminPassword as pulumi.Output<string>)).to.equal(true);
        const { grafanaAdminPassword, ...rest } = run.outputs;
        expect(grafanaAdminPassword).to.equal(mockSecretValue("secrets-grafanaAdminPassword"));
        const text = JSON.stringify(rest);
        for (const secret of SECRETS) expect(text).to.not.contain(secret);
        expect(IMAGES.haproxy.ref).to.match(/^haproxy:/);
    });
});
