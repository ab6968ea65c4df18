/**
 * The AWS engine versions the cloud stacks create, each with its support dates and evidence.
 */
import { Evidence, readOn } from "./evidence";

export interface EksVersion {
    readonly version: string;
    /** Last day of standard support, `YYYY-MM-DD`; extended support (at a higher price) follows. */
    readonly standardSupportEnd: string;
    readonly extendedSupportEnd: string;
    readonly evidence: readonly Evidence[];
}

const EKS_CALENDAR = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html";

/** EKS Kubernetes versions the stacks may pin. */
export const EKS_VERSIONS: readonly EksVersion[] = [
    {
        version: "1.35",
        standardSupportEnd: "2027-03-27",
        extendedSupportEnd: "2028-03-27",
        evidence: [
            readOn(EKS_CALENDAR, "standard support lasts 14 months after the EKS release, extended support 12 more"),
            readOn("https://endoflife.date/amazon-eks", "1.35 released on EKS 2026-01-27, end of standard support 2027-03-27 (third-party; the stored AWS page predates the 1.35 row)"),
        ],
    },
    {
        version: "1.36",
        standardSupportEnd: "2027-08-02",
        extendedSupportEnd: "2028-08-02",
        evidence: [
            readOn("https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html", "Kubernetes 1.36 is available in Amazon EKS"),
            readOn("https://devopsdreams.blogspot.com/2026/08/kubernetes-136-on-amazon-eks-upgrade.html", "released on EKS 2026-06-02, standard support to 2027-08-02 (third-party)"),
        ],
    },
];

/**
 * The upgrade policy every cluster gets: EXTENDED keeps a cluster on its pinned version after standard
 * support ends (billed at the extended-support rate) instead of letting AWS upgrade it under the
 * program, as STANDARD would; the check warns well before the date.
 */
export const EKS_SUPPORT_TYPE = "EXTENDED";
export const EKS_UPGRADE_POLICY_EVIDENCE = readOn(
    "https://docs.aws.amazon.com/eks/latest/userguide/view-upgrade-policy.html",
    "STANDARD: upgraded automatically at the end of standard support; EXTENDED: stays, billed for extended support",
);

export interface DataEngine {
    readonly engine: string;
    /** The version passed to the API; a major alias lets AWS pick the default minor, which is always creatable. */
    readonly engineVersion: string;
    /** Parameter group family. */
    readonly family: string;
    /** Oldest minor that can still be created, where AWS has retired older ones. */
    readonly oldestCreatableMinor?: string;
    readonly evidence: readonly Evidence[];
}

export const RDS_POSTGRES: DataEngine = {
    engine: "postgres",
    engineVersion: "15",
    family: "postgres15",
    oldestCreatableMinor: "15.13",
    evidence: [
        readOn("https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html", "RDS PostgreSQL 15 minor versions and their end of standard support"),
        readOn(
            "https://lucaberton.com/blog/aws-rds-postgresql-minor-version-deprecation-may-2026/",
            "AWS Health notice: 15.9-15.12 cannot be created from 2026-05-01 and are upgraded to 15.15+ after 2026-05-31 (third-party copy)",
        ),
    ],
};

export const ELASTICACHE_REDIS: DataEngine = {
    engine: "redis",
    engineVersion: "7.1",
    family: "redis7",
    evidence: [
        readOn("https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/engine-versions.html", "Redis OSS 7.1 supported for node-based clusters"),
        readOn("https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/ParameterGroups.Redis.html", "parameter group family redis7"),
    ],
};

/** The EKS version entry of a pinned version, or undefined when the catalog does not know it. */
export function eksVersion(version: string): EksVersion | undefined {
    return EKS_VERSIONS.find((v) => v.version === version);
}
