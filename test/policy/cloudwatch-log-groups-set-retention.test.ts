import { expect } from "chai";
import { CLOUDWATCH_RETENTION_DAYS, cloudwatchLogGroupsSetRetention as policy } from "../../policy/policies/cloudwatch-log-groups-set-retention";
import { violations } from "./harness";

const logGroup = (props: Record<string, unknown>) => ({ type: "aws:cloudwatch/logGroup:LogGroup", name: "cluster-control-plane", props: { name: "/aws/eks/genai-prod-eks/cluster", ...props } });

describe("policy cloudwatch-log-groups-set-retention", () => {
    it("passes every retention CloudWatch accepts", async () => {
        for (const days of CLOUDWATCH_RETENTION_DAYS) {
            expect(await violations(policy, logGroup({ retentionInDays: days })), `${days}`).to.deep.equal([]);
        }
    });

    it("fails a log group without retention, or with 0 (never expire)", async () => {
        const expected = ["retentionInDays is not set: the log group keeps its events forever (CKV_AWS_66)."];
        expect(await violations(policy, logGroup({}))).to.deep.equal(expected);
        expect(await violations(policy, logGroup({ retentionInDays: 0 }))).to.deep.equal(expected);
    });

    it("fails a retention CloudWatch refuses, naming the accepted values around it", async () => {
        expect(await violations(policy, logGroup({ retentionInDays: 100 }))).to.deep.equal([
            "retentionInDays is 100, which CloudWatch refuses; the nearest accepted values are 90 and 120 (CKV_AWS_66).",
        ]);
        expect(await violations(policy, logGroup({ retentionInDays: 4000 }))).to.deep.equal([
            "retentionInDays is 4000, which CloudWatch refuses; the nearest accepted value is 3653 (CKV_AWS_66).",
        ]);
    });
});
