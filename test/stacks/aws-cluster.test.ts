/**
 * The cloud cluster as it has to come up and change on AWS: add-ons that take over a new cluster's
 * own components, monitoring that scrapes only what EKS exposes, the order of creation and deletion,
 * rollouts and chart CRD upgrades, and subnets only in zones that offer every node type.
 */
import { expect } from "chai";
import { parse } from "yaml";
import { CHARTS } from "../../catalog/charts";
import { kubePrometheusStackCrdUrls, loadBalancerControllerCrdUrls } from "../../components/cluster/crds";
import { PROGRESS_DEADLINE_SECONDS, ROLLOUT_TIMEOUT } from "../../components/inference/model-k8s";
import { NULL_RECEIVER, renderAlertmanagerConfig } from "../../components/observability/config-files";
import { ALWAYS_FIRING_ALERTS } from "../../components/observability/k8s";
import { zonesOffering } from "../../components/network/aws";
import { instanceTypeOfferings, ProgramRun, runProgram } from "../harness";
import { stackConfigOf } from "../support/dev-stack";
import { evaluatedStack, program } from "../support/stacks";

const T = {
    addon: "aws:eks/addon:Addon",
    release: "kubernetes:helm.sh/v3:Release",
    configGroup: "kubernetes:yaml/v2:ConfigGroup",
    cluster: "aws:eks/cluster:Cluster",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    deployment: "kubernetes:apps/v1:Deployment",
    binding: "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding",
    subnet: "aws:ec2/subnet:Subnet",
    podIdentity: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
};
const OFFERINGS = "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings";

for (const stack of ["staging", "prod"] as const) {
    describe(`${stack} cluster on AWS: add-ons, monitoring, ordering`, () => {
        let run: ProgramRun;
        const cfg = stackConfigOf(stack);
        before(async () => {
            run = await evaluatedStack(stack);
        });
        const kps = () => run.one(T.release, "observability-kube-prometheus-stack");

        describe("add-ons and monitoring", () => {
            it("lets every EKS add-on take over the components a new cluster already runs", () => {
                const addons = run.ofType(T.addon);
                expect(addons.map((a) => a.inputs.addonName)).to.include.members(["vpc-cni", "coredns", "kube-proxy"]);
                for (const a of addons) expect(a.inputs, a.name).to.include({ resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "OVERWRITE" });
            });

            it("scrapes no control-plane component EKS keeps out of reach, nor kube-proxy's metrics bound to 127.0.0.1", () => {
                const values = kps().inputs.values;
                for (const component of ["kubeScheduler", "kubeControllerManager", "kubeEtcd", "kubeProxy"]) expect(values[component], component).to.deep.equal({ enabled: false });
            });

            it("routes Watchdog and InfoInhibitor, which fire by design, to a receiver that sends nothing, before any other route", () => {
                const am = parse(run.one("kubernetes:core/v1:Secret", "observability-alertmanager-config").inputs.stringData["alertmanager.yaml"]);
                expect(am.route.routes[0]).to.deep.equal({ receiver: "null", matchers: ['alertname=~"Watchdog|InfoInhibitor"'] });
                expect(am.receivers).to.deep.include({ name: "null" });
                expect(am.route.receiver).to.equal("default");
            });

            it("mounts the node journal and the host's machine id into Alloy, as chart 1.11.1 names them", () => {
                const values = run.one(T.release, "observability-alloy").inputs.values;
                expect(run.one(T.release, "observability-alloy").inputs.version).to.equal("1.11.1");
                expect(values.alloy.mounts.varlog, "mounts the host's /var/log, the journal included").to.equal(true);
                expect(values.alloy.mounts.extra).to.deep.equal([{ name: "host-etc-machine-id", mountPath: "/etc/machine-id", readOnly: true }]);
                expect(values.controller.volumes.extra).to.deep.equal([{ name: "host-etc-machine-id", hostPath: { path: "/etc/machine-id", type: "File" } }]);
                expect(values.crds).to.deep.equal({ create: false });
            });

            it("labels GPU nodes with their GPU for the cluster autoscaler, before the device plugin advertises them", () => {
                const gpu = run.ofType(T.nodeGroup).filter((ng) => ng.inputs.labels["genai.io/role"] === "gpu");
                expect(gpu).to.have.length(cfg.aws.gpuNodeGroups.length);
                for (const ng of gpu) expect(ng.inputs.labels["k8s.amazonaws.com/accelerator"], ng.name).to.equal("nvidia-a10g");
                const system = run.one(T.nodeGroup, "cluster-system").inputs.labels;
                expect(system).to.not.have.property("k8s.amazonaws.com/accelerator");
            });
        });

        describe("ordering and updates", () => {
            it("keeps the cluster's and the nodes' role policies until the cluster and its node groups are gone", () => {
                expect(run.one(T.cluster, "cluster-cluster").dependsOn).to.include(`${T.attachment}::cluster-cluster`);
                const nodePolicies = run.ofType(T.attachment).filter((a) => a.inputs.role === "cluster-nodes").map((a) => `${T.attachment}::${a.name}`);
                expect(nodePolicies).to.have.length(3);
                for (const ng of run.ofType(T.nodeGroup)) expect(ng.dependsOn, ng.name).to.include.members(nodePolicies);
            });

            it("starts Alertmanager only once its Pod Identity association (and its role's policy) exists", () => {
                expect(kps().dependsOn).to.include(`${T.podIdentity}::alert-topic-publisher`);
                expect(run.one(T.podIdentity, "alert-topic-publisher").dependsOn).to.include("aws:iam/rolePolicy:RolePolicy::alert-topic-publisher");
            });

            it("attaches a Pod Identity role's policies before the add-on whose pods use it starts", () => {
                for (const addon of ["aws-ebs-csi-driver", "aws-efs-csi-driver"]) {
                    const policies = run.ofType(T.attachment).filter((a) => a.inputs.role === `cluster-${addon}`);
                    expect(policies, addon).to.have.length(1);
                    expect(run.one(T.addon, `cluster-${addon}`).dependsOn).to.include(`${T.attachment}::${policies[0].name}`);
                }
            });

            it("creates a model's first pods after its TargetGroupBinding, so the controller gives them the ALB readiness gate", () => {
                for (const d of modelDeployments(run)) {
                    expect(d.dependsOn, d.name).to.include(`${T.binding}::${d.name}-targets`);
                    expect(run.one(T.binding, `${d.name}-targets`).dependsOn).to.include("kubernetes:helm.sh/v3:Release::addons-lb-controller");
                }
            });

            it("gives a rollout at least as long to progress as Pulumi waits for it", () => {
                const waitSeconds = Number(/^(\d+)m$/.exec(ROLLOUT_TIMEOUT)![1]) * 60;
                expect(PROGRESS_DEADLINE_SECONDS).to.be.at.least(waitSeconds);
                for (const d of modelDeployments(run)) expect(d.inputs.spec.progressDeadlineSeconds, d.name).to.be.at.least(waitSeconds);
            });

            it("replaces Grafana's pod before starting the new one: its volume is ReadWriteOnce", () => {
                const grafana = kps().inputs.values.grafana;
                expect(grafana.persistence).to.include({ enabled: true });
                expect(grafana.deploymentStrategy).to.deep.equal({ type: "Recreate" });
            });

            it("applies the charts' CRDs from the pinned chart versions before the charts, so a version bump upgrades them", () => {
                const kpsCrds = run.one(T.configGroup, "observability-kube-prometheus-stack-crds").inputs.files;
                expect(kpsCrds).to.deep.equal(kubePrometheusStackCrdUrls());
                expect(kpsCrds).to.have.length(10);
                for (const url of kpsCrds) expect(url).to.contain(`/kube-prometheus-stack-${CHARTS.kubePrometheusStack.version}/`);
                expect(kps().inputs.values.crds).to.deep.equal({ enabled: false });
                expect(kps().dependsOn).to.include(`${T.configGroup}::observability-kube-prometheus-stack-crds`);

                const lbCrds = run.one(T.configGroup, "addons-lb-controller-crds").inputs.files;
                expect(lbCrds).to.deep.equal(loadBalancerControllerCrdUrls());
                expect(lbCrds[0]).to.contain(`/v${CHARTS.loadBalancerController.version}/`).and.match(/\/crds\/crds\.yaml$/);
                const lb = run.one(T.release, "addons-lb-controller");
                expect(lb.inputs.skipCrds).to.equal(true);
                expect(lb.dependsOn).to.include(`${T.configGroup}::addons-lb-controller-crds`);
                // Another version means other files: the CRDs follow the catalog's pin.
                expect(kubePrometheusStackCrdUrls("99.0.0")[0]).to.contain("kube-prometheus-stack-99.0.0/");
            });
        });

        describe("zones", () => {
            it("places the subnets by zone ID in zones that offer every node group's instance type", () => {
                const subnets = run.ofType(T.subnet);
                const ids = [...new Set(subnets.map((s) => s.inputs.availabilityZoneId))].sort();
                expect(ids).to.deep.equal(["use1-az1", "use1-az2", "use1-az3"].slice(0, cfg.aws.availabilityZones));
                for (const s of subnets) expect(s.inputs.availabilityZone, s.name).to.equal(undefined);
                expect(run.invokes).to.include(OFFERINGS);
            });
        });
    });
}

describe("zones offering the GPU types", () => {
    const offerings = (missing: Record<string, string[]>) => ({
        [OFFERINGS]: (inputs: Record<string, any>) => {
            const all = instanceTypeOfferings(inputs) as { instanceTypes: string[]; locations: string[]; locationTypes: string[] };
            const keep = all.locations.map((zone, i) => !(missing[zone] ?? []).includes(all.instanceTypes[i]));
            expect(inputs.locationType).to.equal("availability-zone-id");
            expect(inputs.filters[0].values).to.include.members(["g5.2xlarge", "g5.4xlarge", "m6i.large"]);
            return { ...all, instanceTypes: all.instanceTypes.filter((_, i) => keep[i]), locations: all.locations.filter((_, i) => keep[i]), locationTypes: all.locationTypes.filter((_, i) => keep[i]) };
        },
    });

    it("skips a zone that lacks one of the types", async () => {
        const run = await runProgram("staging", program, { invokes: offerings({ "use1-az1": ["g5.4xlarge"] }) });
        const zones = run.ofType(T.subnet).filter((s) => s.inputs.tags.tier === "private").map((s) => s.inputs.availabilityZoneId);
        expect(zones).to.deep.equal(["use1-az2", "use1-az3"]);
    });

    it("keeps the region's zone order and needs every type in one zone", () => {
        const offer = (zoneId: string, types: string[]) => types.map((instanceType) => ({ zoneId, instanceType }));
        const offered = [...offer("z1", ["a"]), ...offer("z2", ["a", "b"]), ...offer("z3", ["b"]), ...offer("z4", ["b", "a"])];
        expect(zonesOffering(["z1", "z2", "z3", "z4"], offered, ["a", "b"], 2)).to.deep.equal(["z2", "z4"]);
        // Too few: the deployment stops with the types and the zones that offer them.
        expect(() => zonesOffering(["z1", "z2", "z3", "z4"], offered, ["a", "b"], 3)).to.throw("only 2 zone(s) of the region offer every node group's instance type (a, b): z2, z4; availabilityZones asks for 3");
    });
});

describe("Alertmanager's receiver that sends nothing", () => {
    it("is there only for the alerts named, matched before the critical route", () => {
        const am = parse(renderAlertmanagerConfig({ silencedAlerts: ALWAYS_FIRING_ALERTS }));
        expect(am.route.routes.map((r: any) => r.receiver)).to.deep.equal([NULL_RECEIVER, "critical"]);
        expect(am.receivers.find((r: any) => r.name === NULL_RECEIVER)).to.deep.equal({ name: NULL_RECEIVER });
        const plain = parse(renderAlertmanagerConfig({}));
        expect(plain.receivers.map((r: any) => r.name)).to.deep.equal(["default", "critical"]);
        expect(plain.route.routes.map((r: any) => r.receiver)).to.deep.equal(["critical"]);
    });
});

/** The model servers' Deployments (the data stores' exporters are Deployments too, tested on their own). */
function modelDeployments(run: ProgramRun) {
    return run.ofType("kubernetes:apps/v1:Deployment").filter((d) => d.name.startsWith("model-"));
}
