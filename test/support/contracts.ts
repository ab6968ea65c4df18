/**
 * Contracts between what a stack declares and what the catalog says its pinned artifacts do. Each check
 * takes the evaluated stack and a catalog (the real one, or a copy with one fact broken on purpose) and
 * returns the disagreements, each naming the resource and the fact.
 */
import { parse } from "yaml";
import { CloudWatchStatistic, exporterMetricName } from "../../catalog/alb-metrics";
import { daysBetween } from "../../catalog/evidence";
import { chartSupportProblem, minorOf } from "../../catalog/charts";
import { Catalog, CATALOG } from "../../catalog";
import { Engine, EngineRelease, SIGNALS } from "../../catalog/engines";
import { ImageContract } from "../../catalog/images";
import { httpProbeCommand } from "../../catalog/probes";
import { StackConfig } from "../../stacks/config";
import { ProgramRun, RecordedResource } from "../harness";
import { metricNamesIn } from "./promql";

const CONTAINER = "docker:index/container:Container";
const IMAGE = "docker:index/remoteImage:RemoteImage";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const HELM = "kubernetes:helm.sh/v3:Release";

/** Metrics every Prometheus has without a scrape target exporting them. */
const PROMETHEUS_BUILTINS = new Set(["up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds", "scrape_samples_scraped"]);

/** A copy of the catalog whose facts a test may change; functions are shared. */
export function cloneCatalog(): Catalog {
    const copy = (value: unknown): unknown => {
        if (Array.isArray(value)) return value.map(copy);
        if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]));
        return value;
    };
    return copy(CATALOG) as Catalog;
}

type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };
/** The catalog copy, writable. */
export function writable(catalog: Catalog): Mutable<Catalog> {
    return catalog as unknown as Mutable<Catalog>;
}

function releaseOf(catalog: Catalog, image: string): { engine: Engine; release: EngineRelease } | undefined {
    for (const engine of Object.values(catalog.engines) as Engine[]) {
        const release = engine.releases.find((r) => r.image === image);
        if (release) return { engine, release };
    }
    return undefined;
}

function infraImage(catalog: Catalog, ref: string): [string, ImageContract] | undefined {
    return (Object.entries(catalog.images) as [string, ImageContract][]).find(([, image]) => image.ref === ref);
}

/** Metric names a release exports, histograms with their series suffixes. */
function releaseMetrics(release: EngineRelease): Set<string> {
    const names = new Set<string>();
    for (const signal of SIGNALS) {
        const source = release.signals[signal];
        if (source.kind === "absent") continue;
        names.add(source.metric);
        if (source.kind === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${source.metric}${suffix}`);
    }
    return names;
}

/** The image reference each Docker container runs, from the RemoteImage it was created from. */
function containerImage(run: ProgramRun, container: RecordedResource): string {
    return run.one(IMAGE, `${container.name}-image`).inputs.name as string;
}

/** The PromQL a stack ships, each with the model it is about (from its labels or title), if any. */
export function shippedQueries(run: ProgramRun): { where: string; expr: string; model?: string }[] {
    const queries: { where: string; expr: string; model?: string }[] = [];
    const addRules = (where: string, groups: { rules: { alert: string; expr: string; labels?: { model?: string } }[] }[]) => {
        for (const rule of groups.flatMap((g) => g.rules)) queries.push({ where: `${where} alert ${rule.alert}`, expr: rule.expr, model: rule.labels?.model });
    };
    const addDashboard = (where: string, json: string) => {
        for (const panel of JSON.parse(json).panels) {
            if (panel.datasource.type !== "prometheus") continue;
            const model = /^([a-z0-9-]+): /.exec(panel.title)?.[1];
            for (const target of panel.targets) queries.push({ where: `${where} panel "${panel.title}"`, expr: target.expr, model });
        }
    };
    const containers = run.ofType(CONTAINER);
    const upload = (c: RecordedResource, file: string) => ((c.inputs.uploads ?? []) as { file: string; content: string }[]).find((u) => u.file === file)?.content;
    for (const c of containers) {
        const rules = upload(c, "/etc/prometheus/rules/genai.yml");
        if (rules) addRules(`${c.name} rules file`, parse(rules).groups);
        const dashboard = upload(c, "/var/lib/grafana-dashboards/inference.json");
        if (dashboard) addDashboard(c.name, dashboard);
    }
    for (const rule of run.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule")) addRules(`PrometheusRule ${rule.name}`, rule.inputs.spec.groups);
    for (const map of run.ofType("kubernetes:core/v1:ConfigMap")) {
        for (const [key, value] of Object.entries((map.inputs.data ?? {}) as Record<string, string>)) if (key.endsWith(".json")) addDashboard(`ConfigMap ${map.name}`, value);
    }
    for (const so of run.ofType("kubernetes:keda.sh/v1alpha1:ScaledObject")) {
        for (const trigger of so.inputs.spec.triggers) queries.push({ where: `ScaledObject ${so.name} trigger ${trigger.name}`, expr: trigger.metadata.query, model: so.inputs.metadata.labels.model });
    }
    return queries;
}

/**
 * What the stack's CloudWatch exporters export, read from each release's own configuration (every metric and
 * statistic it requests, named as the exporter names them), and the models whose series their scrapes label.
 */
function cloudwatchExports(run: ProgramRun, catalog: Catalog): { names: Set<string>; models: Set<string> } {
    const names = new Set<string>();
    const models = new Set<string>();
    for (const release of run.ofType(HELM).filter((r) => r.inputs.chart === catalog.charts.cloudwatchExporter.chart)) {
        const config = parse(release.inputs.values.config) as { metrics: { aws_namespace: string; aws_metric_name: string; aws_statistics?: string[]; aws_extended_statistics?: string[] }[] };
        for (const m of config.metrics) {
            const statistics: CloudWatchStatistic[] = [
                ...(m.aws_statistics ?? []).map((name) => ({ kind: "statistic", name }) as CloudWatchStatistic),
                ...(m.aws_extended_statistics ?? []).map((name): CloudWatchStatistic => ({ kind: "extended", name })),
            ];
            for (const statistic of statistics) names.add(exporterMetricName({ namespace: m.aws_namespace, name: m.aws_metric_name, statistic }));
        }
        for (const relabel of release.inputs.values.serviceMonitor?.metricRelabelings ?? []) if (relabel.targetLabel === "model") models.add(relabel.replacement);
    }
    return { names, models };
}

/**
 * Every metric a shipped query reads is exported by what serves it in this stack: for a model's query,
 * by every engine release the model runs (or the dev load balancer); otherwise by an image or chart the
 * stack deploys.
 */
export function metricContract(run: ProgramRun, cfg: StackConfig, catalog: Catalog): string[] {
    const problems: string[] = [];
    const onDocker = cfg.platform === "docker";
    const lb = onDocker ? new Set<string>(catalog.images.haproxy.metrics?.names ?? []) : new Set<string>();
    const infra = new Set<string>(PROMETHEUS_BUILTINS);
    /** Per model, the load balancer's metrics its routes are labeled in (the ALB's, in the cloud). */
    const albMetrics = new Map<string, string[]>();
    if (onDocker) {
        for (const image of run.ofType(IMAGE)) for (const name of infraImage(catalog, image.inputs.name)?.[1].metrics?.names ?? []) infra.add(name);
    } else {
        const releases = run.ofType(HELM).map((r) => r.inputs.chart as string);
        for (const chart of Object.values(catalog.charts)) if (releases.includes(chart.chart)) for (const name of chart.exports ?? []) infra.add(name);
        // What the CloudWatch exporters request: the ALB's per-route metrics count for the models their scrapes label.
        const cloudwatch = cloudwatchExports(run, catalog);
        for (const model of cloudwatch.models) for (const name of cloudwatch.names) albMetrics.set(model, [...(albMetrics.get(model) ?? []), name]);
        // Infrastructure images the stack runs as its own Deployments (the data stores' exporters).
        for (const d of run.ofType(DEPLOYMENT)) {
            for (const c of d.inputs.spec.template.spec.containers) for (const name of infraImage(catalog, c.image)?.[1].metrics?.names ?? []) infra.add(name);
        }
    }
    const modelMetrics = new Map<string, Set<string>>();
    for (const model of cfg.models) {
        const images = [model.stable.image, ...(model.canary ? [model.canary.image] : [])];
        const sets = images.map((image) => {
            const found = releaseOf(catalog, image);
            return found ? releaseMetrics(found.release) : new Set<string>();
        });
        modelMetrics.set(model.name, new Set([...sets[0]].filter((name) => sets.every((s) => s.has(name)))));
    }
    const everyModel = new Set([...modelMetrics.values()].flatMap((s) => [...s]));
    for (const query of shippedQueries(run)) {
        const allowed = query.model !== undefined ? modelMetrics.get(query.model) ?? new Set<string>() : everyModel;
        for (const name of metricNamesIn(query.expr)) {
            const routeMetrics = query.model !== undefined ? albMetrics.get(query.model) ?? [] : [];
            if (!(allowed.has(name) || lb.has(name) || infra.has(name) || routeMetrics.includes(name))) {
                problems.push(`${query.where} reads ${name}, which ${query.model ? `no release of model ${query.model} exports (all must)` : "nothing this stack deploys exports"} per the catalog`);
            }
        }
    }
    return problems;
}

/**
 * Every healthcheck and probe uses its image's health endpoint and port through the catalog's probe
 * command for the client the image carries (which never accepts a redirect); every load-balancer health
 * check uses the engine's health path.
 */
export function probeContract(run: ProgramRun, cfg: StackConfig, catalog: Catalog): string[] {
    const problems: string[] = [];
    for (const c of run.ofType(CONTAINER)) {
        if (c.inputs.restart === "no") continue;
        const ref = containerImage(run, c);
        const test: string | undefined = c.inputs.healthcheck?.tests?.[1];
        const subPath = ((c.inputs.envs ?? []) as string[]).includes("GF_SERVER_SERVE_FROM_SUB_PATH=true")
            ? ((c.inputs.envs as string[]).find((e) => e.startsWith("GF_SERVER_ROOT_URL="))?.replace(/^[^/]*\/\/[^/]+/, "") ?? "")
            : "";
        const engine = releaseOf(catalog, ref);
        if (engine) {
            const labels = Object.fromEntries(((c.inputs.labels ?? []) as { label: string; value: string }[]).map((l) => [l.label, l.value]));
            const model = cfg.models.find((m) => m.name === labels["genai.model"]);
            const version = labels["genai.track"] === "canary" ? model?.canary : model?.stable;
            if (!version) {
                problems.push(`container ${c.name} serves no configured model version`);
                continue;
            }
            const probe = engine.engine.readyProbe(catalog.weights[version.weightsId] ?? version.weights);
            const expected = engine.release.httpClient === "none" ? undefined : httpProbeCommand(engine.release.httpClient, probe);
            if (test !== expected) problems.push(`container ${c.name} (${ref}) checks health with ${JSON.stringify(test)}, the catalog's probe is ${JSON.stringify(expected)}`);
            continue;
        }
        const image = infraImage(catalog, ref);
        if (!image) {
            problems.push(`container ${c.name} runs ${ref}, which the catalog does not know`);
            continue;
        }
        const [name, contract] = image;
        const role = ((c.inputs.labels ?? []) as { label: string; value: string }[]).find((l) => l.label === "genai.component")?.value;
        const health = contract.health;
        if (health.kind === "http") {
            const expected = contract.httpClient === "none" ? undefined : httpProbeCommand(contract.httpClient, { port: health.port, path: subPath ? `${subPath.replace(/\/$/, "")}${health.path}` : health.path });
            // A proxy of another role (the Docker API proxy) has no health endpoint of the load balancer's kind.
            if (role !== "lb" && name === "haproxy") continue;
            if (test !== expected) problems.push(`container ${c.name} (${ref}) checks health with ${JSON.stringify(test)}, the catalog's probe is ${JSON.stringify(expected)}`);
        } else if (health.kind === "exec") {
            if (!test?.includes(health.program)) problems.push(`container ${c.name} (${ref}) does not check health with ${health.program}`);
        }
    }
    const lbConfig = run.ofType("command:local:Command").find((r) => r.name === "lb-config")?.inputs.stdin as string | undefined;
    if (lbConfig) {
        for (const block of lbConfig.split("\nbackend ").slice(1)) {
            const name = block.split("\n")[0];
            const check = /option httpchk GET (\S+)/.exec(block)?.[1];
            const model = /^model-(.+)$/.exec(name)?.[1];
            if (!model) continue;
            const serverImages = run.ofType(CONTAINER).filter((c) => c.name.startsWith(`model-${model}-`) && c.inputs.restart !== "no").map((c) => containerImage(run, c));
            for (const ref of serverImages) {
                const engine = releaseOf(catalog, ref)?.engine;
                if (engine && check !== engine.health.path) problems.push(`load balancer backend ${name} checks ${String(check)}, the health endpoint of ${ref} is ${engine.health.path}`);
            }
            if (!/http-check expect status 200/.test(block)) problems.push(`load balancer backend ${name} accepts other answers than 200 from its health check`);
        }
    }
    for (const d of run.ofType(DEPLOYMENT)) {
        for (const c of d.inputs.spec.template.spec.containers) {
            const infra = infraImage(catalog, c.image)?.[1];
            if (infra) {
                // An infrastructure image: readiness on its catalogued health endpoint and port.
                const health = infra.health;
                const probe = c.readinessProbe?.httpGet;
                if (health.kind !== "http" || probe?.path !== health.path || probe?.port !== health.port) {
                    problems.push(`Deployment ${d.name} readinessProbe asks ${probe?.path}:${probe?.port}, the health endpoint of ${c.image} is ${JSON.stringify(health)}`);
                }
                continue;
            }
            const found = releaseOf(catalog, c.image);
            if (!found) {
                problems.push(`Deployment ${d.name} runs ${c.image}, which the catalog does not know`);
                continue;
            }
            const { engine } = found;
            const port = c.ports.find((p: { name: string }) => p.name === "http")?.containerPort;
            if (port !== engine.port) problems.push(`Deployment ${d.name} serves on ${port}, ${c.image} listens on ${engine.port}`);
            for (const kind of ["startupProbe", "livenessProbe"]) {
                if (c[kind]?.httpGet?.path !== engine.health.path) problems.push(`Deployment ${d.name} ${kind} uses ${c[kind]?.httpGet?.path}, the health endpoint of ${c.image} is ${engine.health.path}`);
            }
            const model = cfg.models.find((m) => m.name === d.inputs.metadata.labels.model);
            const version = d.inputs.metadata.labels.track === "canary" ? model?.canary : model?.stable;
            if (!version) {
                problems.push(`Deployment ${d.name} serves no configured model version`);
                continue;
            }
            const probe = engine.readyProbe(catalog.weights[version.weightsId] ?? version.weights);
            const ready = c.readinessProbe;
            if (probe.bodyIncludes !== undefined) {
                const expected = httpProbeCommand(found.release.httpClient, probe);
                if (ready?.exec?.command?.[2] !== expected) problems.push(`Deployment ${d.name} readinessProbe runs ${JSON.stringify(ready?.exec?.command)}, the catalog's readiness check is ${JSON.stringify(expected)}`);
            } else if (ready?.httpGet?.path !== probe.path || probe.port !== engine.port) {
                problems.push(`Deployment ${d.name} readinessProbe uses ${ready?.httpGet?.path}, the readiness endpoint of ${c.image} is ${probe.path}`);
            }
        }
    }
    for (const tg of run.ofType("aws:lb/targetGroup:TargetGroup")) {
        if (tg.inputs.healthCheck?.matcher !== "200") problems.push(`target group ${tg.name} accepts other answers than 200 from its health check`);
        const model = cfg.models.find((m) => m.name === tg.inputs.tags?.["genai:model"]);
        if (!model) continue;
        for (const image of [model.stable.image, ...(model.canary ? [model.canary.image] : [])]) {
            const engine = releaseOf(catalog, image)?.engine;
            if (engine && tg.inputs.healthCheck?.path !== engine.health.path) {
                problems.push(`target group ${tg.name} checks ${tg.inputs.healthCheck?.path}, the health endpoint of ${image} is ${engine.health.path}`);
            }
            if (engine && tg.inputs.port !== engine.port) problems.push(`target group ${tg.name} sends to port ${tg.inputs.port}, ${image} listens on ${engine.port}`);
        }
    }
    return problems;
}

/** Every container and pod runs as a user its image supports, or as the user the catalog grants its role. */
export function userContract(run: ProgramRun, catalog: Catalog): string[] {
    const problems: string[] = [];
    for (const c of run.ofType(CONTAINER)) {
        const ref = containerImage(run, c);
        const role = ((c.inputs.labels ?? []) as { label: string; value: string }[]).find((l) => l.label === "genai.component")?.value;
        const user = c.inputs.user as string;
        const [uid, gid] = user.split(":").map(Number);
        const granted = catalog.hostAccess.find((a) => a.role === role && catalog.images[a.image].ref === ref);
        const contract = releaseOf(catalog, ref)?.release.user ?? infraImage(catalog, ref)?.[1].user;
        if (!contract) {
            problems.push(`container ${c.name} runs ${ref}, which the catalog does not know`);
            continue;
        }
        const supported = (uid === contract.uid && gid === contract.gid) || (contract.anyUid && uid !== 0) || (granted !== undefined && uid === granted.user.uid && gid === granted.user.gid);
        if (!supported) problems.push(`container ${c.name} runs ${ref} as ${user}; the image supports ${contract.uid}:${contract.gid}${contract.anyUid ? " or any non-root user" : ""}`);
    }
    for (const d of run.ofType(DEPLOYMENT)) {
        const pod = d.inputs.spec.template.spec;
        for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
            const contract = releaseOf(catalog, c.image)?.release.user ?? infraImage(catalog, c.image)?.[1].user;
            const uid = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
            const gid = c.securityContext?.runAsGroup ?? pod.securityContext?.runAsGroup;
            if (!contract) {
                problems.push(`Deployment ${d.name} container ${c.name} runs ${c.image}, which the catalog does not know`);
                continue;
            }
            const supported = (uid === contract.uid && gid === contract.gid) || (contract.anyUid && uid !== 0 && uid !== undefined);
            if (!supported) problems.push(`Deployment ${d.name} container ${c.name} runs ${c.image} as ${uid}:${gid}; the image supports ${contract.uid}:${contract.gid}${contract.anyUid ? " or any non-root user" : ""}`);
        }
    }
    return problems;
}

/** Every Helm release is a catalog chart that supports the cluster's minor; the autoscaler's minor is the cluster's. */
export function chartContract(run: ProgramRun, cfg: StackConfig, catalog: Catalog): string[] {
    const problems: string[] = [];
    const minor = cfg.aws.eksVersion;
    for (const release of run.ofType(HELM)) {
        const entry = Object.entries(catalog.charts).find(([, c]) => c.chart === release.inputs.chart);
        if (!entry) {
            problems.push(`Helm release ${release.name} installs chart ${release.inputs.chart}, which the catalog does not know`);
            continue;
        }
        const [name, chart] = entry;
        if (release.inputs.version !== chart.version || release.inputs.repositoryOpts?.repo !== chart.repo) {
            problems.push(`Helm release ${release.name} installs ${release.inputs.chart} ${release.inputs.version} from ${release.inputs.repositoryOpts?.repo}, the catalog pins ${chart.version} from ${chart.repo}`);
        }
        const problem = chartSupportProblem(name, chart, minor);
        if (problem) problems.push(`Helm release ${release.name}: ${problem}`);
    }
    const autoscaler = catalog.charts.clusterAutoscaler;
    if (minorOf(autoscaler.appVersion) !== minor) problems.push(`the cluster autoscaler ${autoscaler.appVersion} does not match the cluster's minor ${minor}`);
    return problems;
}

/**
 * Every AWS engine version the stack creates is the catalog's, and the EKS version is in standard support
 * on the day the catalog was checked, with `marginDays` to spare, under an upgrade policy that keeps it.
 */
export function awsVersionContract(run: ProgramRun, catalog: Catalog, checkedOn: string, marginDays: number): string[] {
    const problems: string[] = [];
    for (const cluster of run.ofType("aws:eks/cluster:Cluster")) {
        const version = cluster.inputs.version as string;
        const entry = catalog.eksVersions.find((v) => v.version === version);
        if (!entry) problems.push(`EKS cluster ${cluster.name} runs ${version}, which the catalog does not know`);
        else if (daysBetween(checkedOn, entry.standardSupportEnd) < marginDays) {
            problems.push(`EKS ${version} leaves standard support on ${entry.standardSupportEnd}, less than ${marginDays} days after the catalog was checked (${checkedOn})`);
        }
        if (cluster.inputs.upgradePolicy?.supportType !== catalog.eksSupportType) {
            problems.push(`EKS cluster ${cluster.name} has upgrade policy ${cluster.inputs.upgradePolicy?.supportType}, which lets AWS move it off ${version}`);
        }
    }
    for (const db of run.ofType("aws:rds/instance:Instance")) {
        if (db.inputs.engine !== catalog.rdsPostgres.engine || db.inputs.engineVersion !== catalog.rdsPostgres.engineVersion) {
            problems.push(`RDS instance ${db.name} creates ${db.inputs.engine} ${db.inputs.engineVersion}, the catalog's creatable version is ${catalog.rdsPostgres.engine} ${catalog.rdsPostgres.engineVersion}`);
        }
        const minimum = catalog.rdsPostgres.oldestCreatableMinor;
        if (minimum && /^\d+\.\d+$/.test(db.inputs.engineVersion) && Number(db.inputs.engineVersion.split(".")[1]) < Number(minimum.split(".")[1])) {
            problems.push(`RDS instance ${db.name} creates PostgreSQL ${db.inputs.engineVersion}, which AWS no longer creates (oldest: ${minimum})`);
        }
    }
    for (const params of run.ofType("aws:rds/parameterGroup:ParameterGroup")) {
        if (params.inputs.family !== catalog.rdsPostgres.family) problems.push(`RDS parameter group ${params.name} is of family ${params.inputs.family}, the engine's is ${catalog.rdsPostgres.family}`);
    }
    for (const rg of run.ofType("aws:elasticache/replicationGroup:ReplicationGroup")) {
        if (rg.inputs.engineVersion !== catalog.elasticacheRedis.engineVersion) {
            problems.push(`ElastiCache ${rg.name} creates ${rg.inputs.engine} ${rg.inputs.engineVersion}, the catalog's is ${catalog.elasticacheRedis.engineVersion}`);
        }
    }
    return problems;
}
