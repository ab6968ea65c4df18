/**
 * Reads back, from a rendered nginx.conf, the share of a model's traffic each version gets:
 * the sum of the weights of its upstream's servers, by the track each server line names.
 */
export function nginxTrackShares(conf: string, model: string): { stable: number; canary: number } {
    const upstream = new RegExp(`upstream model_${model.replace(/-/g, "_")} \\{([^}]*)\\}`).exec(conf);
    if (!upstream) throw new Error(`no upstream for model ${model}`);
    const totals = { stable: 0, canary: 0 };
    for (const line of upstream[1].split("\n")) {
        const server = /server \S+ weight=(\d+);\s+# (stable|canary)/.exec(line);
        if (server) totals[server[2] as "stable" | "canary"] += Number(server[1]);
    }
    const sum = totals.stable + totals.canary;
    return { stable: Math.round((100 * totals.stable) / sum), canary: Math.round((100 * totals.canary) / sum) };
}
