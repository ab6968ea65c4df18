/**
 * The policy pack's configuration of a stack, generated from its typed config and the catalog: the
 * check configures the pack with it, and `npm run policy-config` writes it to policy/config/<stack>.json
 * for `pulumi preview --policy-pack-config`, where a test keeps the file equal to it.
 */
import { gpuDemand, nodesForDemand } from "../../stacks/capacity";
import { loadStackConfig, StackConfig } from "../../stacks/config";
import { ConfigError } from "../../stacks/config-reader";
import { stackConfig } from "../offline/evaluate";
import { InputError } from "./errors";
import { EnforcementLevel, PolicySettings } from "./policy-config";

/** Backups a stack whose data is protected keeps at least (the seeds: 30 days), and any other stack. */
export const MIN_BACKUP_DAYS = { protectedData: 30, other: 7 } as const;

/** A stack's typed config as the program reads it, with `pulumi -c`-style overrides; bad config is bad input. */
export function typedStackConfig(stack: string, overrides: Readonly<Record<string, string>> = {}): StackConfig {
    const resolved = stackConfig(stack, { overrides: { ...overrides } });
    try {
        return loadStackConfig({ project: resolved.project, stack, get: (key) => resolved.values[key.includes(":") ? key : `${resolved.project}:${key}`] });
    } catch (error) {
        if (error instanceof ConfigError) throw new InputError(error.message);
        throw error;
    }
}

export function stackPolicyConfig(cfg: StackConfig): Map<string, Required<Pick<PolicySettings, "enforcementLevel">> & PolicySettings> {
    const pricing = { ...cfg.costAssumptions };
    const gpuNodes = cfg.aws.gpuNodeGroups.map((group) => nodesForDemand(gpuDemand(cfg.models, group.gpuClass), group.instanceTypes));
    const entries: [string, EnforcementLevel, Record<string, unknown>][] = [
        ["stack-monthly-cost-within-budget", "mandatory", { budgetUsd: cfg.budget.monthlyUsd, ...pricing }],
        ["stack-monthly-cost-below-alert-threshold", "advisory", { budgetUsd: cfg.budget.monthlyUsd, budgetAlertThreshold: cfg.budget.alertThreshold, ...pricing }],
        ["gpu-instance-types-allowed", "mandatory", { allowedInstanceTypes: [...cfg.aws.allowedGpuInstanceTypes] }],
        // No node group larger than its models can use at their maxima during a rollout.
        ["gpu-node-group-max-size", "mandatory", { maxSize: Math.max(0, ...gpuNodes) }],
        ["gpu-capacity-spot-required", "mandatory", { requireSpot: cfg.aws.requireSpotGpus }],
        ["rds-backup-retention", "mandatory", { minBackupRetentionDays: cfg.protectData ? MIN_BACKUP_DAYS.protectedData : MIN_BACKUP_DAYS.other }],
        ["rds-deletion-protection", "mandatory", { requireDeletionProtection: cfg.protectData }],
        ["protect-data-resources", "mandatory", { requireProtect: cfg.protectData }],
        ["docker-ports-bound-to-localhost", "mandatory", { allowedPublicPorts: cfg.traffic.lbBindAddress === "0.0.0.0" ? [cfg.traffic.lbHostPort] : [] }],
        ["docker-stack-fits-host", "mandatory", cfg.platform === "docker" ? { hostMemoryMb: cfg.host.memoryMb, hostCpus: cfg.host.cpus } : { hostMemoryMb: 0, hostCpus: 0 }],
    ];
    return new Map(entries.map(([name, enforcementLevel, properties]) => [name, { enforcementLevel, properties }]));
}

/** The file form of a stack's policy config (`{policy: {enforcementLevel, ...properties}}`). */
export function renderPolicyConfigFile(config: ReturnType<typeof stackPolicyConfig>): string {
    const doc = Object.fromEntries([...config].map(([name, settings]) => [name, { enforcementLevel: settings.enforcementLevel, ...settings.properties }]));
    return `${JSON.stringify(doc, null, 4)}\n`;
}
