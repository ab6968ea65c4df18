import { expect } from "chai";
import { launchTemplateImdsv2 as policy } from "../../policy/policies/launch-template-imdsv2";
import { launchTemplate } from "./fixtures";
import { violations } from "./harness";

describe("policy launch-template-imdsv2", () => {
    it("passes IMDSv2 with a hop limit of 2, and a template with the metadata endpoint off", async () => {
        expect(await violations(policy, launchTemplate())).to.deep.equal([]);
        expect(await violations(policy, launchTemplate({ metadataOptions: { httpEndpoint: "disabled" } }))).to.deep.equal([]);
    });

    it("fails a template that accepts IMDSv1", async () => {
        expect(await violations(policy, launchTemplate({ metadataOptions: { httpTokens: "optional" } }))).to.deep.equal([
            "metadataOptions.httpTokens is not \"required\": instances accept IMDSv1 requests (CKV_AWS_79, EC2.170).",
        ]);
        expect(await violations(policy, launchTemplate({ metadataOptions: undefined }))).to.have.length(1);
    });

    it("fails a hop limit above the configured maximum", async () => {
        const template = launchTemplate({ metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } });
        expect(await violations(policy, template, { maxHopLimit: 1 })).to.deep.equal([
            "metadataOptions.httpPutResponseHopLimit is 2; at most 1 is allowed (CKV_AWS_341).",
        ]);
    });
});
