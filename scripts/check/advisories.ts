/**
 * What the check says besides policy violations: catalog facts due to be read again, support dates
 * coming near, and the dev stack's footprint against the Docker host it is sized for.
 */
import { Catalog } from "../../catalog";
import { daysBetween, Evidence, EVIDENCE_MAX_AGE_DAYS } from "../../catalog/evidence";
import { StackConfig } from "../../stacks/config";
import { unwrapSecrets } from "../offline/evaluate";
import { CheckResource } from "./resources";

/** Days before an end of support at which the check starts warning. */
export const SUPPORT_WARNING_DAYS = 90;

/** Every evidence of the catalog, with the name of the fact it backs. */
export function catalogEvidence(catalog: Catalog): { fact: string; evidence: Evidence }[] {
    const out: { fact: string; evidence: Evidence }[] = [];
    const add = (fact: string, list: readonly Evidence[]) => list.forEach((evidence) => out.push({ fact, evidence }));
    for (const [name, image] of Object.entries(catalog.images)) add(`image ${name} (${image.ref})`, image.evidence);
    for (const engine of Object.values(catalog.engines)) for (const release of engine.releases) add(`engine ${engine.id} ${release.image}`, release.evidence);
    for (const [name, weights] of Object.entries(catalog.weights)) add(`weights ${name}`, weights.evidence);
    for (const [name, chart] of Object.entries(catalog.charts)) add(`chart ${name} ${chart.version}`, chart.evidence);
    for (const [type, gpu] of Object.entries(catalog.gpuInstanceTypes)) add(`GPU type ${type}`, gpu.evidence);
    for (const version of catalog.eksVersions) add(`EKS ${version.version}`, version.evidence);
    add(`RDS ${catalog.rdsPostgres.engine} ${catalog.rdsPostgres.engineVersion}`, catalog.rdsPostgres.evidence);
    add(`ElastiCache ${catalog.elasticacheRedis.engine} ${catalog.elasticacheRedis.engineVersion}`, catalog.elasticacheRedis.evidence);
    for (const [type, rule] of Object.entries(catalog.replacements)) add(`replacements of ${type}`, rule.evidence);
    return out;
}

/** Advisories about the catalog on `today` (`YYYY-MM-DD`): stale facts, and the stack's EKS version nearing its end of standard support. */
export function catalogAdvisories(catalog: Catalog, cfg: StackConfig, today: string): string[] {
    const advisories: string[] = [];
    const stale = catalogEvidence(catalog).filter((e) => daysBetween(e.evidence.read, today) > EVIDENCE_MAX_AGE_DAYS);
    if (stale.length > 0) {
        const facts = [...new Set(stale.map((e) => e.fact))];
        const oldest = stale.map((e) => e.evidence.read).sort()[0];
        advisories.push(
            `${facts.length} catalog fact${facts.length === 1 ? " was" : "s were"} last read more than ${EVIDENCE_MAX_AGE_DAYS} days ago (oldest ${oldest}): ` +
                `read their sources again and update catalog/ (${facts.slice(0, 5).join("; ")}${facts.length > 5 ? "; ..." : ""})`,
        );
    }
    if (cfg.platform === "aws") {
        const eks = catalog.eksVersions.find((v) => v.version === cfg.aws.eksVersion);
        if (eks) {
            const left = daysBetween(today, eks.standardSupportEnd);
            if (left <= SUPPORT_WARNING_DAYS) {
                advisories.push(
                    `EKS ${eks.version} ${left >= 0 ? `leaves standard support in ${left} days (${eks.standardSupportEnd})` : `left standard support on ${eks.standardSupportEnd}`}: ` +
                        `move eksVersion to a newer version of catalog/aws.ts; until then the cluster stays on ${eks.version} under extended support, at the extended-support price`,
                );
            }
        }
    }
    return advisories;
}

/** The dev stack's footprint: memory limits of its services added up, and its largest CPU ask, against the host. */
export interface Footprint {
    readonly memoryMb: number;
    readonly hostMemoryMb: number;
    readonly largestCpus: number;
    readonly hostCpus: number;
}

export function dockerFootprint(resources: readonly CheckResource[], cfg: StackConfig): Footprint | undefined {
    if (cfg.platform !== "docker") return undefined;
    const containers = resources.filter((r) => r.type === "docker:index/container:Container").map((r) => unwrapSecrets(r.inputs));
    const services = containers.filter((c) => c.restart !== "no");
    return {
        memoryMb: services.reduce((sum, c) => sum + (Number(c.memory) || 0), 0),
        hostMemoryMb: cfg.host.memoryMb,
        largestCpus: Math.max(0, ...containers.map((c) => Number(c.cpus) || 0)),
        hostCpus: cfg.host.cpus,
    };
}
