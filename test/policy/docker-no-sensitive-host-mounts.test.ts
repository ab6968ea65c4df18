import { expect } from "chai";
import * as os from "os";
import * as path from "path";
import { dockerNoSensitiveHostMounts as policy } from "../../policy/policies/docker-no-sensitive-host-mounts";
import { dockerContainer } from "./fixtures";
import { violations } from "./harness";

/** A dev container with the given genai.component role, labelled as the docker provider declares labels. */
const container = (role: string | undefined, props: Record<string, unknown>) =>
    dockerContainer({ labels: role === undefined ? [] : [{ label: "genai.project", value: "genai-platform" }, { label: "genai.component", value: role }], ...props });
const volume = (hostPath: string, readOnly = true) => ({ volumes: [{ hostPath, containerPath: "/mnt", readOnly }] });
const LB_DIR = path.join(os.homedir(), ".genai-platform", "dev", "lb");
const LB_GRANT = { stackGrants: [{ role: "lb", hostPath: "~/.genai-platform/dev/lb" }] };

describe("policy docker-no-sensitive-host-mounts", () => {
    it("passes named volumes, tmpfs and volume mounts, which are no host paths", async () => {
        const props = { volumes: [{ volumeName: "genai-dev-postgres-data", containerPath: "/var/lib/postgresql/data" }], mounts: [{ type: "volume", source: "x", target: "/x" }], tmpfs: { "/tmp": "rw" } };
        expect(await violations(policy, container("postgres", props))).to.deep.equal([]);
    });

    it("passes exactly the catalog's HOST_ACCESS grants: the path, read-only, for the grant's role (also as a bind mount)", async () => {
        expect(await violations(policy, container("docker-api-proxy", volume("/var/run/docker.sock")))).to.deep.equal([]);
        expect(await violations(policy, container("node-exporter", volume("/")))).to.deep.equal([]);
        expect(await violations(policy, container("node-exporter", { mounts: [{ type: "bind", source: "/", target: "/host", readOnly: true }] }))).to.deep.equal([]);
    });

    it("passes a stack grant the same way, ~ being the home directory of the user running Pulumi", async () => {
        expect(await violations(policy, container("lb", volume(LB_DIR)), LB_GRANT)).to.deep.equal([]);
        expect(await violations(policy, container("lb", volume("/srv/genai/lb/")), { stackGrants: [{ role: "lb", hostPath: "/srv/genai/lb" }] })).to.deep.equal([]);
    });

    it("fails the Docker socket in any other role, however its path is spelled, and a stack grant cannot allow it", async () => {
        expect(await violations(policy, container("alloy", volume("/var/run/docker.sock")))).to.deep.equal([
            "volumes[0] mounts the Docker socket /var/run/docker.sock in role alloy: whoever holds it controls the host; HOST_ACCESS grants it only to docker-api-proxy, read-only (CIS Docker 5.31).",
        ]);
        const grant = { stackGrants: [{ role: "alloy", hostPath: "/run/docker.sock" }] };
        expect(await violations(policy, container("alloy", volume("//var/lib/../../run/./docker.sock/")), grant)).to.deep.equal([
            "volumes[0] mounts the Docker socket /run/docker.sock in role alloy: whoever holds it controls the host; HOST_ACCESS grants it to no role (CIS Docker 5.31).",
        ]);
    });

    it("fails a granted path mounted writable", async () => {
        expect(await violations(policy, container("docker-api-proxy", volume("/var/run/docker.sock", false)))).to.deep.equal([
            "volumes[0] mounts /var/run/docker.sock writable; it is granted to role docker-api-proxy read-only only (CIS Docker 5.31).",
        ]);
        expect(await violations(policy, container("lb", { mounts: [{ type: "bind", source: LB_DIR, target: "/usr/local/etc/haproxy" }] }), LB_GRANT)).to.deep.equal([
            `mounts[0] mounts ${LB_DIR} writable; it is granted to role lb read-only only (CIS Docker 5.5).`,
        ]);
    });

    it("fails sensitive host directories by name, in any role the grant does not name", async () => {
        expect(await violations(policy, container("grafana", volume("/")))).to.deep.equal([
            "volumes[0] mounts the host's / (sensitive: the host's root), which no HOST_ACCESS grant gives role grafana (CIS Docker 5.5).",
        ]);
        expect(await violations(policy, container("node-exporter", { mounts: [{ type: "bind", source: "/etc", target: "/host/etc", readOnly: true }] }))).to.deep.equal([
            "mounts[0] mounts the host's /etc (sensitive: /etc), which no HOST_ACCESS grant gives role node-exporter (CIS Docker 5.5).",
        ]);
        const inside = { volumes: [{ hostPath: "/proc/1/root", containerPath: "/p", readOnly: true }, { hostPath: "/home/alice/.aws", containerPath: "/a", readOnly: true }] };
        expect(await violations(policy, container("lb", inside), LB_GRANT)).to.deep.equal([
            "volumes[0] mounts the host's /proc/1/root (sensitive: /proc), which no HOST_ACCESS grant gives role lb (CIS Docker 5.5).",
            "volumes[1] mounts the host's /home/alice/.aws (sensitive: /home), which no HOST_ACCESS grant gives role lb (CIS Docker 5.5).",
        ]);
    });

    it("fails a stack grant that names a system directory: only paths below a home directory or outside the sensitive ones may be granted", async () => {
        expect(await violations(policy, container("lb", volume("/etc/haproxy")), { stackGrants: [{ role: "lb", hostPath: "/etc/haproxy" }] })).to.deep.equal([
            "volumes[0] mounts the host's /etc/haproxy (sensitive: /etc), which no HOST_ACCESS grant gives role lb (CIS Docker 5.5).",
        ]);
    });

    it("fails any other host path that is not granted to the container's role, or in a container without a role", async () => {
        const grant = { stackGrants: [{ role: "lb", hostPath: "/srv/genai/lb" }] };
        expect(await violations(policy, container("redis", volume("/srv/genai/lb")), grant)).to.deep.equal([
            "volumes[0] mounts host path /srv/genai/lb, which no HOST_ACCESS grant gives role redis (CIS Docker 5.5).",
        ]);
        expect(await violations(policy, container(undefined, volume("/srv/data")))).to.deep.equal([
            "volumes[0] mounts host path /srv/data, which no HOST_ACCESS grant gives a container without a genai.component label (CIS Docker 5.5).",
        ]);
    });
});
