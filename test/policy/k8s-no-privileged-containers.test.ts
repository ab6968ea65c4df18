import { expect } from "chai";
import { k8sNoPrivilegedContainers as policy } from "../../policy/policies/k8s-no-privileged-containers";
import { deployment } from "./fixtures";
import { violations } from "./harness";

describe("policy k8s-no-privileged-containers", () => {
    it("passes unprivileged containers", async () => {
        expect(await violations(policy, deployment())).to.deep.equal([]);
    });

    it("fails a privileged container or init container, in every workload type", async () => {
        const privileged = deployment({}, { securityContext: { privileged: true, allowPrivilegeEscalation: false } });
        expect(await violations(policy, privileged)).to.deep.equal(["containers[0] (server) is privileged (PSS baseline, CKV_K8S_16)."]);
        const init = deployment({ initContainers: [{ name: "fetch", image: "busybox:1.36", securityContext: { privileged: true } }] });
        expect(await violations(policy, init)).to.deep.equal(["initContainers[0] (fetch) is privileged (PSS baseline, CKV_K8S_16)."]);
        const pod = { type: "kubernetes:core/v1:Pod", props: { spec: { containers: [{ name: "p", securityContext: { privileged: true } }] } } };
        expect(await violations(policy, pod)).to.deep.equal(["containers[0] (p) is privileged (PSS baseline, CKV_K8S_16)."]);
        const cron = {
            type: "kubernetes:batch/v1:CronJob",
            props: { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "c", securityContext: { privileged: true } }] } } } } } },
        };
        expect(await violations(policy, cron)).to.have.length(1);
    });
});
