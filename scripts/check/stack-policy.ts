/**
 * The policy pack's configuration of a stack, generated from its typed config and the catalog: the
 * check configures the pack with it, and `npm run policy-config` writes it to policy/config/<stack>.json
 * for `pulumi preview --policy-pack-config`, where a test keeps the file equal to it.
 */
import * as os from "os";
import * as path from "path";
import { gpuDemand, nodesForDemand } from "../../stacks/capacity";
import { loadStackConfig, Platform, StackConfig } from "../../stacks/config";
import { lbConfigDir } from "../../stacks/docker";
import { ConfigError } from "../../stacks/config-reader";
import { stackConfig } from "../offline/evaluate";
import { StackFileError } from "../offline/stack-files";
import { InputError } from "./errors";
import { EnforcementLevel, PolicySettings } from "./policy-config";

/** Backups a stack whose data is protected keeps at least (the seeds: 30 days), and any other stack. */
export const MIN_BACKUP_DAYS = { protectedData: 30, other: 7 } as const;

/**
 * A stack's typed config as the program reads it, with `pulumi -c`-style overrides; a missing or malformed
 * stack file and bad config are bad input. `projectDir` holds Pulumi.yaml and the stack files.
 */
export function typedStackConfig(stack: string, overrides: Readonly<Record<string, string>> = {}, projectDir?: string): StackConfig {
    let resolved;
    try {
        resolved = stackConfig(stack, { overrides: { ...overrides }, projectDir });
    } catch (error) {
        if (error instanceof StackFileError) throw new InputError(error.message);
        throw error;
    }
    try {
        return loadStackConfig({ project: resolved.project, stack, get: (key) => resolved.values[key.includes(":") ? key : `${resolved.project}:${key}`] });
    } catch (error) {
        if (error instanceof ConfigError) throw new InputError(error.message);
        throw error;
    }
}

/**
 * Policies that find real problems in the program's own resources, which changes outside the pack must
 * fix: advisory in the stacks of the platforms named until then, so CI stays green while the report
 * still lists every violation. Remove an entry with its fix (the policy's own level then applies).
 */
export const ADVISORY_UNTIL_FIXED: readonly { readonly policy: string; readonly platforms: readonly Platform[]; readonly fix: string }[] = [];

/** The role label (genai.component) of the dev load balancer's container, components/traffic/lb-docker.ts. */
const LB_ROLE = "lb";

/**
 * Where the dev load balancer's configuration lives, as the stack's config chooses it; the default under
 * the home directory is written `~/...` so the generated file is the same on every machine (the pack
 * expands `~` as the program does, with the home directory of the user running Pulumi).
 */
function portableLbConfigDir(cfg: StackConfig): string {
    if (cfg.traffic.lbConfigDir) return cfg.traffic.lbConfigDir;
    return `~/${path.relative(os.homedir(), lbConfigDir(cfg)).split(path.sep).join("/")}`;
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
        ["rds-runs-multi-az", "mandatory", { requireMultiAz: cfg.protectData }],
        ["alb-enables-deletion-protection", "mandatory", { requireDeletionProtection: cfg.protectData }],
        ["protect-data-resources", "mandatory", { requireProtect: cfg.protectData }],
        ["docker-ports-bound-to-localhost", "mandatory", { allowedPublicPorts: cfg.traffic.lbBindAddress === "0.0.0.0" ? [cfg.traffic.lbHostPort] : [] }],
        ["docker-stack-fits-host", "mandatory", cfg.platform === "docker" ? { hostMemoryMb: cfg.host.memoryMb, hostCpus: cfg.host.cpus } : { hostMemoryMb: 0, hostCpus: 0 }],
        // The dev load balancer reads its configuration from a host directory the stack's config chooses (lbConfigDir).
        ["docker-no-sensitive-host-mounts", "mandatory", { stackGrants: cfg.platform === "docker" ? [{ role: LB_ROLE, hostPath: portableLbConfigDir(cfg) }] : [] }],
        ...ADVISORY_UNTIL_FIXED.filter((entry) => entry.platforms.includes(cfg.platform)).map(
            (entry): [string, EnforcementLevel, Record<string, unknown>] => [entry.policy, "advisory", {}],
        ),
    ];
    return new Map(entries.map(([name, enforcementLevel, properties]) => [name, { enforcementLevel, properties }]));
}

/** The file form of a stack's policy config (`{policy: {enforcementLevel, ...properties}}`). */
export function renderPolicyConfigFile(config: ReturnType<typeof stackPolicyConfig>): string {
    const doc = Object.fromEntries([...config].map(([name, settings]) => [name, { enforcementLevel: settings.enforcementLevel, ...settings.properties }]));
    return `${JSON.stringify(doc, null, 4)}\n`;
}
