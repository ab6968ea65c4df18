import { expect } from "chai";
import { dockerPortsBoundToLocalhost as policy } from "../../policy/policies/docker-ports-bound-to-localhost";
import { dockerContainer } from "./fixtures";
import { violations } from "./harness";

describe("policy docker-ports-bound-to-localhost", () => {
    it("passes ports bound to 127.0.0.1, and allowed ports on every interface", async () => {
        expect(await violations(policy, dockerContainer())).to.deep.equal([]);
        const open = dockerContainer({ ports: [{ internal: 8080, external: 8080, ip: "0.0.0.0" }] });
        expect(await violations(policy, open, { allowedPublicPorts: [8080] })).to.deep.equal([]);
    });

    it("fails a port on 0.0.0.0, set or defaulted", async () => {
        expect(await violations(policy, dockerContainer({ ports: [{ internal: 8080, external: 8080, ip: "0.0.0.0" }] }))).to.deep.equal([
            "port 8080->8080 is published on 0.0.0.0; bind it to 127.0.0.1 (CIS Docker 5.14).",
        ]);
        expect(await violations(policy, dockerContainer({ ports: [{ internal: 5432 }] }))).to.deep.equal([
            "port (random)->5432 is published on 0.0.0.0; bind it to 127.0.0.1 (CIS Docker 5.14).",
        ]);
    });

    it("fails publishAllPorts", async () => {
        expect(await violations(policy, dockerContainer({ ports: undefined, publishAllPorts: true }))).to.deep.equal([
            "publishAllPorts is true: every exposed port is published on 0.0.0.0 (CIS Docker 5.14).",
        ]);
    });
});
