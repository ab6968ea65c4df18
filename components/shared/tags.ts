/** Tags every taggable cloud resource carries. */
export type Tags = Readonly<Record<string, string>>;

export function platformTags(environment: string, project: string, costCenter: string): Tags {
    return { environment, project, "managed-by": "pulumi", "cost-center": costCenter };
}

/** The tags plus a Name and any extra tags of one resource. */
export function named(tags: Tags, name: string, extra: Record<string, string> = {}): Record<string, string> {
    return { ...tags, Name: name, ...extra };
}
