import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig, validateTypes } from "../lib/policy";
import { AWS, DOCKER } from "../lib/types";

interface Config {
    /** Whether data resources must carry Pulumi's `protect` option in this stack (prod). */
    readonly requireProtect: boolean;
}

/** Resources that hold data: a replacement or a destroy would lose it. */
const DATA_TYPES = [
    AWS.rdsInstance,
    AWS.rdsCluster,
    AWS.elasticacheReplicationGroup,
    ...AWS.s3Buckets,
    AWS.efsFileSystem,
    DOCKER.volume,
];

/**
 * In stacks that require it (prod), data resources carry Pulumi's `protect` option, so no
 * preview, replacement or destroy can delete them. `retainOnDelete` is not visible to policies
 * (the Analyzer protocol does not carry it), so Docker volumes need `protect` too.
 */
export const protectDataResources: ResourceValidationPolicy = {
    name: "protect-data-resources",
    description:
        "In stacks that require it (prod), databases, caches, buckets, file systems and volumes have Pulumi's protect option, so no change deletes data.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Pass { protect: true } in the resource options of data resources (RDS also needs deletionProtection, see rds-deletion-protection). " +
        "To delete one on purpose, first `pulumi state unprotect <urn>`.",
    configSchema: {
        properties: {
            requireProtect: { type: "boolean", default: false, description: "Data resources must have Pulumi's protect option" },
        },
    },
    validateResource: validateTypes(DATA_TYPES, (_props, args, reportViolation) => {
        const { requireProtect } = policyConfig<Config>(args, { requireProtect: false });
        if (requireProtect && args.opts.protect !== true) {
            reportViolation(`${args.name} holds data but is not protected: a replacement or destroy would delete it.`);
        }
    }),
};
