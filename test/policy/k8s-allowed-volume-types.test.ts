import { expect } from "chai";
import { k8sAllowedVolumeTypes as policy } from "../../policy/policies/k8s-allowed-volume-types";
import { deployment } from "./fixtures";
import { violations } from "./harness";

const ALLOWED_VOLUMES = [
    { name: "shm", emptyDir: { medium: "Memory" } },
    { name: "weights", persistentVolumeClaim: { claimName: "llm-weights" } },
    { name: "sql", configMap: { name: "postgres-init-sql" } },
    { name: "token", secret: { secretName: "hf-token" } },
    { name: "sa", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
    { name: "info", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } },
    { name: "scratch", ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"] } } } },
    { name: "secrets-store", csi: { driver: "secrets-store.csi.k8s.io" } },
];

describe("policy k8s-allowed-volume-types", () => {
    it("passes the eight volume types the restricted profile allows", async () => {
        expect(await violations(policy, deployment({ volumes: ALLOWED_VOLUMES }))).to.deep.equal([]);
    });

    it("fails each volume of another type, hostPath and network storage alike", async () => {
        const volumes = [...ALLOWED_VOLUMES, { name: "docker", hostPath: { path: "/var/run/docker.sock" } }, { name: "models", nfs: { server: "10.0.0.5", path: "/models" } }];
        const allowed = "configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret";
        expect(await violations(policy, deployment({ volumes }))).to.deep.equal([
            `volume docker is of type hostPath; the restricted profile allows only ${allowed} (PSS restricted).`,
            `volume models is of type nfs; the restricted profile allows only ${allowed} (PSS restricted).`,
        ]);
    });
});
