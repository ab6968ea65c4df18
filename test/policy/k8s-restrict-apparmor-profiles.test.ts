import { expect } from "chai";
import { k8sRestrictApparmorProfiles as policy } from "../../policy/policies/k8s-restrict-apparmor-profiles";
import { deployment } from "./fixtures";
import { FakeResource, violations } from "./harness";

const ANNOTATION = "container.apparmor.security.beta.kubernetes.io/server";

/** A CronJob whose pod template carries annotations: the policy reads the template's metadata. */
const cronJob = (annotations: Record<string, string>): FakeResource => ({
    type: "kubernetes:batch/v1:CronJob",
    name: "backup",
    props: {
        spec: {
            schedule: "0 3 * * *",
            jobTemplate: { spec: { template: { metadata: { annotations }, spec: { containers: [{ name: "server", image: "postgres:15.17-alpine" }] } } } },
        },
    },
});

describe("policy k8s-restrict-apparmor-profiles", () => {
    it("passes the runtime's default, RuntimeDefault or Localhost profiles, and runtime/default or localhost/ annotations", async () => {
        expect(await violations(policy, deployment())).to.deep.equal([]);
        const typed = deployment(
            { securityContext: { runAsNonRoot: true, appArmorProfile: { type: "RuntimeDefault" } } },
            { securityContext: { appArmorProfile: { type: "Localhost", localhostProfile: "k8s-vllm" } } },
        );
        expect(await violations(policy, typed)).to.deep.equal([]);
        expect(await violations(policy, cronJob({ [ANNOTATION]: "runtime/default", "other.io/x": "unconfined" }))).to.deep.equal([]);
        expect(await violations(policy, cronJob({ [ANNOTATION]: "localhost/k8s-backup" }))).to.deep.equal([]);
    });

    it("fails Unconfined on the pod", async () => {
        expect(await violations(policy, deployment({ securityContext: { runAsNonRoot: true, appArmorProfile: { type: "Unconfined" } } }))).to.deep.equal([
            "the pod's securityContext.appArmorProfile.type is Unconfined; only RuntimeDefault or Localhost is allowed (PSS baseline).",
        ]);
    });

    it("fails Unconfined on a container", async () => {
        expect(await violations(policy, deployment({}, { securityContext: { appArmorProfile: { type: "Unconfined" } } }))).to.deep.equal([
            "containers[0] (server) sets appArmorProfile.type Unconfined; only RuntimeDefault or Localhost is allowed (PSS baseline).",
        ]);
    });

    it("fails the legacy annotation set to unconfined, on the pod template of any workload", async () => {
        expect(await violations(policy, cronJob({ [ANNOTATION]: "unconfined" }))).to.deep.equal([
            `the pod's annotation ${ANNOTATION} is unconfined; only runtime/default or localhost/<profile> is allowed (PSS baseline).`,
        ]);
    });
});
