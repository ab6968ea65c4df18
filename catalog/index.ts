/**
 * The catalog of every pinned artifact the platform runs, with its runtime contract and evidence:
 * plain data and pure functions, read by the program, the policy pack, the check and the tests.
 */
import { DataEngine, EKS_SUPPORT_TYPE, EKS_VERSIONS, EksVersion, ELASTICACHE_REDIS, RDS_POSTGRES } from "./aws";
import { ChartEntry, ChartName, CHARTS } from "./charts";
import { Engine, EngineId, ENGINES } from "./engines";
import { GPU_INSTANCE_TYPES, GpuInstanceType } from "./gpu";
import { HOST_ACCESS, HostAccess, ImageContract, IMAGES, InfraImage, LOAD_BALANCER_SIGNALS } from "./images";
import { ReplacementRule, REPLACEMENTS } from "./replacements";
import { Weights, WEIGHTS } from "./weights";

/** The catalog as one value, which the contracts read (a test hands them a copy with one fact broken). */
export interface Catalog {
    readonly images: Readonly<Record<InfraImage, ImageContract>>;
    readonly hostAccess: readonly HostAccess[];
    readonly loadBalancerSignals: typeof LOAD_BALANCER_SIGNALS;
    readonly engines: Readonly<Record<EngineId, Engine>>;
    readonly weights: Readonly<Record<string, Weights>>;
    readonly charts: Readonly<Record<ChartName, ChartEntry>>;
    readonly gpuInstanceTypes: Readonly<Record<string, GpuInstanceType>>;
    readonly eksVersions: readonly EksVersion[];
    readonly eksSupportType: string;
    readonly rdsPostgres: DataEngine;
    readonly elasticacheRedis: DataEngine;
    /** Per resource type, the inputs whose change replaces the resource (the offline diff reads it). */
    readonly replacements: Readonly<Record<string, ReplacementRule>>;
}

export const CATALOG: Catalog = {
    images: IMAGES,
    hostAccess: HOST_ACCESS,
    loadBalancerSignals: LOAD_BALANCER_SIGNALS,
    engines: ENGINES,
    weights: WEIGHTS,
    charts: CHARTS,
    gpuInstanceTypes: GPU_INSTANCE_TYPES,
    eksVersions: EKS_VERSIONS,
    eksSupportType: EKS_SUPPORT_TYPE,
    rdsPostgres: RDS_POSTGRES,
    elasticacheRedis: ELASTICACHE_REDIS,
    replacements: REPLACEMENTS,
};
