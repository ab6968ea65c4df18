import { expect } from "chai";
import { dockerPinnedImages as policy } from "../../policy/policies/docker-pinned-images";
import { dockerContainer } from "./fixtures";
import { violations } from "./harness";

const image = (name: string) => ({ type: "docker:index/remoteImage:RemoteImage", props: { name, keepLocally: true } });

describe("policy docker-pinned-images", () => {
    it("passes pinned remote images, and containers that run an image id", async () => {
        expect(await violations(policy, image("postgres:15.13-alpine"))).to.deep.equal([]);
        expect(await violations(policy, dockerContainer())).to.deep.equal([]);
    });

    it("fails latest and untagged remote images", async () => {
        expect(await violations(policy, image("nginx:latest"))).to.deep.equal(["image nginx:latest uses the latest tag."]);
        expect(await violations(policy, image("grafana/grafana"))).to.deep.equal(["image grafana/grafana has no tag, which means latest."]);
    });

    it("fails a container that names an unpinned image directly", async () => {
        expect(await violations(policy, dockerContainer({ image: "redis" }))).to.deep.equal(["image redis has no tag, which means latest."]);
    });
});
