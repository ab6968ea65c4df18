import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { ChartEntry } from "../../catalog/charts";

/** A Helm chart pinned to a version, and the repository it comes from (a catalog entry). */
export type PinnedChart = Pick<ChartEntry, "chart" | "version" | "repo">;

/** A Helm release of a pinned chart, named `release.name` in the cluster and `resourceName` in Pulumi. */
export function helmRelease(
    resourceName: string,
    release: { name: string; namespace: pulumi.Input<string>; chart: PinnedChart; values: pulumi.Input<Record<string, unknown>>; createNamespace?: boolean },
    opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        resourceName,
        {
            name: release.name,
            namespace: release.namespace,
            createNamespace: release.createNamespace,
            chart: release.chart.chart,
            version: release.chart.version,
            repositoryOpts: { repo: release.chart.repo },
            values: release.values,
        },
        opts,
    );
}
