import { expect } from "chai";
import { dockerStackFitsHost as policy } from "../../policy/policies/docker-stack-fits-host";
import { DOCKER } from "../../policy/lib/types";
import { stackViolations, urnOf } from "./harness";

const container = (name: string, memory: number, cpus: string, restart = "unless-stopped") => ({ type: DOCKER.container, name, props: { memory, cpus, restart } });
const HOST = { hostMemoryMb: 8192, hostCpus: 4 };

describe("policy docker-stack-fits-host", () => {
    it("passes a stack whose services fit the host, one-shot jobs left out of the sum", async () => {
        const resources = [container("llm", 4096, "2"), container("image", 4096, "4"), container("fetch", 1024, "1", "no")];
        expect(await stackViolations(policy, resources, HOST)).to.deep.equal([]);
    });

    it("fails memory limits over the host's budget, naming the largest", async () => {
        const resources = [container("llm", 4096, "2"), container("image", 4000, "2"), container("db", 512, "1")];
        expect(await stackViolations(policy, resources, HOST)).to.deep.equal([
            { message: "the containers' memory limits add up to 8608 MiB, over the host budget of 8192 MiB (largest: llm 4096 MiB, image 4000 MiB, db 512 MiB).", urn: undefined },
        ]);
    });

    it("fails a container asking for more CPUs than the Docker engine has", async () => {
        const big = container("llm", 1024, "6");
        expect(await stackViolations(policy, [big], HOST)).to.deep.equal([
            { message: "llm asks for 6 CPUs; the Docker engine has 4, and Docker refuses the container.", urn: urnOf(big) },
        ]);
    });

    it("checks nothing without a host budget (cloud stacks)", async () => {
        expect(await stackViolations(policy, [container("x", 100_000, "64")], { hostMemoryMb: 0, hostCpus: 0 })).to.deep.equal([]);
    });
});
