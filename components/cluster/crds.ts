/**
 * CustomResourceDefinitions of the charts that ship them in their `crds/` directory, which Helm
 * installs once and never upgrades. Pulumi applies them instead, server-side, from the chart's own
 * files at its pinned version: bumping a chart's version in catalog/charts.ts upgrades its CRDs in the
 * same `pulumi up`, before the release that needs them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../../catalog/charts";

const RAW = "https://raw.githubusercontent.com";

/** kube-prometheus-stack's CRDs (its `crds` subchart), read at the tag of the pinned chart. */
export const KUBE_PROMETHEUS_STACK_CRDS = [
    "alertmanagerconfigs",
    "alertmanagers",
    "podmonitors",
    "probes",
    "prometheusagents",
    "prometheuses",
    "prometheusrules",
    "scrapeconfigs",
    "servicemonitors",
    "thanosrulers",
] as const;

/** The CRD files of kube-prometheus-stack at a chart version. */
export function kubePrometheusStackCrdUrls(version: string = CHARTS.kubePrometheusStack.version): string[] {
    return KUBE_PROMETHEUS_STACK_CRDS.map(
        (crd) => `${RAW}/prometheus-community/helm-charts/kube-prometheus-stack-${version}/charts/kube-prometheus-stack/charts/crds/crds/crd-${crd}.yaml`,
    );
}

/**
 * The load balancer controller's CRDs (TargetGroupBinding, IngressClassParams, ...) at a chart version;
 * not its Gateway API CRDs (`gateway-crds.yaml`), whose controllers the platform turns off.
 */
export function loadBalancerControllerCrdUrls(version: string = CHARTS.loadBalancerController.version): string[] {
    return [`${RAW}/kubernetes-sigs/aws-load-balancer-controller/v${version}/helm/aws-load-balancer-controller/crds/crds.yaml`];
}

/** CRDs applied from their files; a chart's release depends on them and is installed with `skipCrds`. */
export function chartCrds(name: string, urls: readonly string[], opts: pulumi.ComponentResourceOptions): k8s.yaml.v2.ConfigGroup {
    return new k8s.yaml.v2.ConfigGroup(name, { files: [...urls] }, opts);
}
