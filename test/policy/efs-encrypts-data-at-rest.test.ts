import { expect } from "chai";
import { efsEncryptsDataAtRest as policy } from "../../policy/policies/efs-encrypts-data-at-rest";
import { violations } from "./harness";

const fileSystem = (props: Record<string, unknown>) => ({
    type: "aws:efs/fileSystem:FileSystem",
    name: "addons-weights",
    props: { performanceMode: "generalPurpose", throughputMode: "elastic", ...props },
});

describe("policy efs-encrypts-data-at-rest", () => {
    it("passes an encrypted file system", async () => {
        expect(await violations(policy, fileSystem({ encrypted: true }))).to.deep.equal([]);
    });

    it("fails a file system that is not encrypted, explicitly or by default", async () => {
        const expected = ["encrypted is not true: the file system's data and metadata are stored unencrypted (CKV_AWS_42, EFS.1)."];
        expect(await violations(policy, fileSystem({ encrypted: false }))).to.deep.equal(expected);
        expect(await violations(policy, fileSystem({}))).to.deep.equal(expected);
    });
});
