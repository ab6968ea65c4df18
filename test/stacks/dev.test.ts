import { expect } from "chai";
import { parse } from "yaml";
import { isPinnedImage } from "../../components/images";
import { seedAlertRules } from "../../components/observability/alerts";
import { SECURITY_HEADERS } from "../../components/traffic/nginx-conf";
import { engineConfigSource } from "../../stacks/config-reader";
import { definePlatform } from "../../stacks/platform";
import { mockSecretValue, ProgramRun, RecordedResource, runProgram } from "../harness";
import { nginxTrackShares } from "../support/nginx";
import { evaluatedStack } from "../support/stacks";

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const VOLUME = "docker:index/volume:Volume";
const IMAGE = "docker:index/remoteImage:RemoteImage";

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

describe("dev stack (Docker)", () => {
    let run: ProgramRun;

    before(async () => {
        run = await evaluatedStack("dev");
    });

    it("runs every service of the platform", () => {
        const names = run.ofType(CONTAINER).map((c) => c.inputs.name).sort();
        expect(names).to.deep.equal(
            [
                "genai-dev-alertmanager",
                "genai-dev-grafana",
                "genai-dev-image-stable-0",
                "genai-dev-lb",
                "genai-dev-llm-canary-0",
                "genai-dev-llm-stable-0",
                "genai-dev-loki",
                "genai-dev-node-exporter",
                "genai-dev-postgres",
                "genai-dev-postgres-exporter",
                "genai-dev-prometheus",
                "genai-dev-redis",
                "genai-dev-redis-exporter",
            ].sort(),
        );
    });

    it("isolates the tiers on separate networks", () => {
        const byName = Object.fromEntries(run.ofType(NETWORK).map((n) => [n.name, n.inputs]));
        expect(byName["networks-edge"]).to.include({ name: "genai-dev-edge", internal: false });
        expect(byName["networks-app"]).to.include({ name: "genai-dev-network", internal: true });
        expect(byName["networks-monitoring"]).to.include({ name: "genai-dev-monitoring", internal: true });
        // The load balancer reaches only the inference services and Grafana.
        expect(networksOf(run, "lb")).to.deep.equal(["genai-dev-edge"]);
        const onEdge = run.ofType(CONTAINER).filter((c) => networksOf(run, c.name).includes("genai-dev-edge")).map((c) => c.name).sort();
        expect(onEdge).to.deep.equal(["lb", "model-image-stable-0", "model-llm-canary-0", "model-llm-stable-0", "observability-grafana"]);
        // The databases are reachable only from the application network, which the model servers stay off.
        const onApp = run.ofType(CONTAINER).filter((c) => networksOf(run, c.name).includes("genai-dev-network")).map((c) => c.name).sort();
        expect(onApp).to.deep.equal(["observability-postgres-exporter", "observability-redis-exporter", "postgres", "redis"]);
        expect(networksOf(run, "postgres")).to.deep.equal(["genai-dev-network"]);
        expect(networksOf(run, "redis")).to.deep.equal(["genai-dev-network"]);
        // The monitoring stack has its own network.
        for (const name of ["observability-prometheus", "observability-alertmanager", "observability-loki", "observability-node-exporter"]) {
            expect(networksOf(run, name), name).to.deep.equal(["genai-dev-monitoring"]);
        }
        expect(networksOf(run, "observability-grafana")).to.deep.equal(["genai-dev-edge", "genai-dev-monitoring"]);
    });

    it("publishes only the load balancer, on 127.0.0.1", () => {
        const published = run.ofType(CONTAINER).filter((c) => (c.inputs.ports ?? []).length > 0);
        expect(published.map((c) => c.name)).to.deep.equal(["lb"]);
        expect(published[0].inputs.ports).to.deep.equal([{ internal: 8080, external: 8080, ip: "127.0.0.1" }]);
    });

    it("puts no secret in any container's environment, command or healthcheck", () => {
        for (const c of run.ofType(CONTAINER)) {
            const visible = JSON.stringify([c.inputs.envs ?? [], c.inputs.command ?? [], c.inputs.healthcheck ?? {}, c.inputs.labels ?? []]);
            for (const secret of SECRETS) expect(visible, `${c.name}`).to.not.contain(secret);
            for (const env of (c.inputs.envs as string[] | undefined) ?? []) {
                expect(env, `${c.name}`).to.not.match(/^[A-Z_]*(PASSWORD|TOKEN|SECRET)=/);
            }
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

    it("keeps every volume on replacement and destroy", () => {
        const volumes = run.ofType(VOLUME);
        expect(volumes.map((v) => v.inputs.name).sort()).to.include.members(["genai-dev-postgres-data", "genai-dev-redis-data", "genai-dev-prometheus-data", "genai-dev-grafana-data"]);
        for (const v of volumes) expect(v.retainOnDelete, v.name).to.equal(true);
    });

    it("pins every image", () => {
        const images = run.ofType(IMAGE);
        expect(images.length).to.equal(run.ofType(CONTAINER).length);
        for (const image of images) expect(isPinnedImage(image.inputs.name), image.inputs.name).to.equal(true);
        expect(images.map((i) => i.inputs.name)).to.include("postgres:15.13-alpine");
    });

    it("parents every resource to a component", () => {
        for (const r of run.resources.filter((r) => r.custom)) expect(r.parent, `${r.type} ${r.name}`).to.match(/^genai:/);
    });

    it("gives every container a healthcheck, a restart policy, a memory limit and no privileges", () => {
        for (const c of run.ofType(CONTAINER)) {
            expect(c.inputs.healthcheck?.tests?.length, c.name).to.be.greaterThan(0);
            expect(c.inputs.restart, c.name).to.equal("unless-stopped");
            expect(c.inputs.memory, c.name).to.be.greaterThan(0);
            expect(c.inputs.privileged ?? false, c.name).to.equal(false);
            expect(c.inputs.networkMode, c.name).to.equal(undefined);
            expect(c.inputs.securityOpts, c.name).to.include("no-new-privileges:true");
        }
    });

    describe("Postgres", () => {
        it("delivers the password as a file, never as an environment variable", () => {
            expect(envs(run, "postgres")).to.include("POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password");
            expect(envs(run, "postgres").some((e) => e.startsWith("POSTGRES_PASSWORD="))).to.equal(false);
            expect(upload(run, "postgres", "/run/secrets/postgres_password")).to.equal(mockSecretValue("secrets-postgresPassword"));
            expect([...container(run, "postgres").secretInputs]).to.include("uploads");
        });
        it("creates the extensions with an init script", () => {
            const sql = upload(run, "postgres", "/docker-entrypoint-initdb.d/10-extensions.sql");
            for (const ext of ["pgcrypto", "pg_trgm", "uuid-ossp"]) expect(sql).to.contain(`CREATE EXTENSION IF NOT EXISTS "${ext}";`);
        });
        it("checks health with pg_isready and keeps data on a retained volume", () => {
            expect(container(run, "postgres").inputs.healthcheck.tests.join(" ")).to.contain("pg_isready");
            expect(container(run, "postgres").inputs.volumes).to.deep.include({ volumeName: "genai-dev-postgres-data", containerPath: "/var/lib/postgresql/data" });
            expect(run.one(IMAGE, "postgres-image").inputs.name).to.match(/^postgres:15\./);
        });
        it("publishes a host port only when asked, bound to 127.0.0.1", async () => {
            const withPort = await runProgram("dev", () => definePlatform(engineConfigSource()), { overrides: { dbHostPort: 15432 } });
            expect(withPort.one(CONTAINER, "postgres").inputs.ports).to.deep.equal([{ internal: 5432, external: 15432, ip: "127.0.0.1" }]);
        });
    });

    describe("Redis", () => {
        it("requires the generated password and persists with an LRU memory cap", () => {
            const conf = upload(run, "redis", "/usr/local/etc/redis/redis.conf");
            expect(conf).to.contain(`requirepass ${mockSecretValue("secrets-redisPassword")}`);
            expect(conf).to.match(/^appendonly yes$/m);
            expect(conf).to.match(/^maxmemory 256mb$/m);
            expect(conf).to.match(/^maxmemory-policy allkeys-lru$/m);
            expect([...container(run, "redis").secretInputs]).to.include("uploads");
        });
        it("checks health and keeps data on a retained volume", () => {
            expect(container(run, "redis").inputs.healthcheck.tests.join(" ")).to.contain("redis-cli ping");
            expect(container(run, "redis").inputs.volumes).to.deep.include({ volumeName: "genai-dev-redis-data", containerPath: "/data" });
        });
    });

    describe("inference services", () => {
        it("runs the stable replicas and the canary with a healthcheck on the model's health path", () => {
            expect(container(run, "model-llm-stable-0").inputs.healthcheck.tests.join(" ")).to.contain("http://127.0.0.1:8000/health");
            expect(container(run, "model-image-stable-0").inputs.healthcheck.tests.join(" ")).to.contain("http://127.0.0.1:8188/system_stats");
            expect(run.one(IMAGE, "model-llm-canary-0-image").inputs.name).to.equal("public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo:v0.9.2");
            expect(container(run, "model-llm-stable-0").inputs).to.include({ memory: 8192, cpus: "4" });
        });
        it("requests no GPU in dev, and the configured GPUs when a model asks", async () => {
            for (const c of run.ofType(CONTAINER)) expect(c.inputs.deviceRequests, c.name).to.equal(undefined);
            const models = [{ name: "gpu", kind: "llm", image: "vllm/vllm-openai:v0.6.3", port: 8000, healthPath: "/health", replicas: { min: 2, max: 3 }, gpus: 2 }];
            const gpuRun = await runProgram("dev", () => definePlatform(engineConfigSource()), { overrides: { models } });
            for (const name of ["model-gpu-stable-0", "model-gpu-stable-1"]) {
                expect(gpuRun.one(CONTAINER, name).inputs.deviceRequests).to.deep.equal([{ driver: "nvidia", count: 2, capabilities: ["gpu"] }]);
            }
        });
        it("hands a gated model's token over as a secret file", async () => {
            const models = [{ name: "gated", kind: "llm", image: "vllm/vllm-openai:v0.6.3", port: 8000, healthPath: "/health", replicas: { min: 1, max: 1 }, gatedWeights: true }];
            const gated = await runProgram("dev", () => definePlatform(engineConfigSource()), { overrides: { models }, secretOverrides: { huggingFaceToken: "hf_SecretValue123" } });
            const c = gated.one(CONTAINER, "model-gated-stable-0");
            expect(c.inputs.envs).to.include("HF_TOKEN_PATH=/run/secrets/hf_token");
            expect(JSON.stringify(c.inputs.envs)).to.not.contain("hf_SecretValue123");
            expect([...c.secretInputs]).to.include("uploads");
        });
    });

    describe("load balancer", () => {
        it("splits each model's traffic by the configured weights", () => {
            const conf = upload(run, "lb", "/etc/nginx/nginx.conf");
            expect(nginxTrackShares(conf, "llm")).to.deep.equal({ stable: 90, canary: 10 });
            expect(nginxTrackShares(conf, "image")).to.deep.equal({ stable: 100, canary: 0 });
        });
        it("switches blue/green at weights 0 and 100", async () => {
            for (const weight of [0, 100]) {
                const models = [{ name: "llm", kind: "llm", image: "vllm/vllm-openai:v0.6.3", port: 8000, healthPath: "/health", replicas: { min: 2, max: 2 }, canary: { image: "vllm/vllm-openai:v0.6.4", weight } }];
                const switched = await runProgram("dev", () => definePlatform(engineConfigSource()), { overrides: { models } });
                const conf = upload(switched, "lb", "/etc/nginx/nginx.conf");
                expect(nginxTrackShares(conf, "llm")).to.deep.equal({ stable: 100 - weight, canary: weight });
            }
        });
        it("serves a health endpoint, rate limits and the security headers", () => {
            const conf = upload(run, "lb", "/etc/nginx/nginx.conf");
            expect(conf).to.contain("location = /health");
            expect(conf).to.contain("rate=50r/m");
            expect(conf).to.contain("zone=api:10m rate=10r/s");
            expect(conf).to.contain("zone=auth:10m rate=5r/s");
            expect(conf).to.contain("limit_req_status 429");
            for (const header of Object.keys(SECURITY_HEADERS)) expect(conf).to.contain(`add_header ${header} `);
            expect(conf).to.match(/~\^\/grafana\/ "frame-ancestors 'none'";/);
            expect(conf).to.contain('"http://localhost:3000" $http_origin;');
        });
    });

    describe("observability", () => {
        it("renders every seed alert rule with its threshold, duration and severity", () => {
            const rules = parse(upload(run, "observability-prometheus", "/etc/prometheus/rules/genai.yml")).groups[0].rules;
            const seeds = seedAlertRules({ monthlyBudgetUsd: 50, budgetAlertThreshold: 0.8 });
            expect(rules.map((r: any) => r.alert)).to.deep.equal(seeds.map((s) => s.name));
            const byName = Object.fromEntries(rules.map((r: any) => [r.alert, r]));
            expect(byName.ServiceDown).to.deep.include({ expr: "up == 0", for: "30s" });
            expect(byName.HighCpuUsage.expr).to.match(/> 80$/);
            expect(byName.HighCpuUsage.for).to.equal("5m");
            expect(byName.HighMemoryUsage.expr).to.match(/> 85$/);
            expect(byName.HighErrorRate.expr).to.match(/> 0\.05$/);
            expect(byName.HighErrorRate.for).to.equal("2m");
            expect(byName.HighGenerationLatency.expr).to.match(/> 30$/);
            expect(byName.HighGenerationLatency.for).to.equal("3m");
            expect(byName.ModelUnavailable.for).to.equal("1m");
            expect(byName.QueueBacklog.expr).to.match(/> 50$/);
            expect(byName.BudgetThresholdReached.expr).to.equal("sum(genai_cost_month_to_date_usd) / 50 > 0.8");
            expect(byName.BudgetCritical.expr).to.equal("sum(genai_cost_month_to_date_usd) / 50 > 0.9");
            expect(byName.ServiceDown.labels.severity).to.equal("critical");
            expect(byName.QueueBacklog.labels.severity).to.equal("warning");
        });
        it("scrapes every service, the models by version", () => {
            const prom = parse(upload(run, "observability-prometheus", "/etc/prometheus/prometheus.yml"));
            const jobs = prom.scrape_configs.map((j: any) => j.job_name);
            expect(jobs).to.include.members(["prometheus", "alertmanager", "grafana", "loki", "node", "postgres", "redis", "model-llm-stable", "model-llm-canary"]);
            // The image server exposes no metrics (scrapeMetrics: false): scraping it would only raise ServiceDown.
            expect(jobs.filter((j: string) => j.startsWith("model-image"))).to.deep.equal([]);
            const canary = prom.scrape_configs.find((j: any) => j.job_name === "model-llm-canary");
            expect(canary.static_configs[0]).to.deep.equal({ targets: ["llm-canary-0:8000"], labels: { component: "inference", model: "llm", track: "canary" } });
            expect(container(run, "observability-prometheus").inputs.command).to.include("--storage.tsdb.retention.time=15d");
        });
        it("routes critical alerts to the critical receiver", () => {
            const am = parse(upload(run, "observability-alertmanager", "/etc/alertmanager/alertmanager.yml"));
            expect(am.route.receiver).to.equal("default");
            expect(am.route.routes[0]).to.deep.include({ receiver: "critical", matchers: ['severity="critical"'] });
        });
        it("provisions Grafana with both datasources, the inference dashboard, a generated admin password and no sign-up", () => {
            expect(envs(run, "observability-grafana")).to.include.members(["GF_USERS_ALLOW_SIGN_UP=false", "GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana_admin_password"]);
            expect(upload(run, "observability-grafana", "/run/secrets/grafana_admin_password")).to.equal(mockSecretValue("secrets-grafanaAdminPassword"));
            const ds = parse(upload(run, "observability-grafana", "/etc/grafana/provisioning/datasources/genai.yml"));
            expect(ds.datasources.map((d: any) => d.type)).to.deep.equal(["prometheus", "loki"]);
            const dashboard = JSON.parse(upload(run, "observability-grafana", "/var/lib/grafana-dashboards/inference.json"));
            expect(dashboard.panels.length).to.be.greaterThan(5);
        });
        it("keeps logs for the configured retention in Loki", () => {
            const loki = parse(upload(run, "observability-loki", "/etc/loki/config.yml"));
            expect(loki.limits_config.retention_period).to.equal("360h");
            expect(loki.compactor.retention_enabled).to.equal(true);
        });
    });

    it("exports the LB URL, the Grafana URL and the services, nothing secret", () => {
        expect(run.outputs.lbUrl).to.equal("http://127.0.0.1:8080");
        expect(run.outputs.grafanaUrl).to.equal("http://127.0.0.1:8080/grafana/");
        expect(run.outputs.services).to.include.members(["genai-dev-lb", "genai-dev-postgres", "genai-dev-llm-canary-0"]);
        const text = JSON.stringify(run.outputs);
        for (const secret of SECRETS) expect(text).to.not.contain(secret);
    });
});
