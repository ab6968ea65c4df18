/** CIDRs that mean "anyone on the internet". */
export const WORLD_CIDRS: ReadonlySet<string> = new Set(["0.0.0.0/0", "::/0"]);

/** An ingress rule's ports and protocol, as the three AWS security group forms express them. */
export interface IngressRange {
    readonly protocol: string;
    readonly fromPort?: number;
    readonly toPort?: number;
}

/** Whether the rule covers every port: protocol -1/all, or the whole 0-65535 range. */
function coversAllPorts(range: IngressRange): boolean {
    const protocol = range.protocol.toLowerCase();
    return protocol === "-1" || protocol === "all" || (range.fromPort === 0 && range.toPort === 65535);
}

/** Whether the rule opens only one of `ports`, over TCP. */
export function isOnlyTcpPortIn(range: IngressRange, ports: readonly number[]): boolean {
    const tcp = ["tcp", "6"].includes(range.protocol.toLowerCase());
    return tcp && range.fromPort !== undefined && range.fromPort === range.toPort && ports.includes(range.fromPort);
}

/** The Checkov rules a world-open range breaks (FSBP EC2.18/EC2.19 cover them all). */
export function worldOpenRuleIds(range: IngressRange): string[] {
    if (coversAllPorts(range)) return ["CKV_AWS_277"];
    const includes = (port: number): boolean =>
        range.fromPort !== undefined && range.toPort !== undefined && range.fromPort <= port && port <= range.toPort;
    return [
        ...(includes(22) ? ["CKV_AWS_24"] : []),
        ...(includes(3389) ? ["CKV_AWS_25"] : []),
        ...(includes(80) ? ["CKV_AWS_260"] : []),
    ];
}

/** `tcp 443`, `tcp 8000-8100`, `all traffic`: how messages name a range. */
export function describeRange(range: IngressRange): string {
    if (coversAllPorts(range)) return "all traffic";
    const ports = range.fromPort === range.toPort ? `${range.fromPort}` : `${range.fromPort}-${range.toPort}`;
    return `${range.protocol} ${ports}`;
}
