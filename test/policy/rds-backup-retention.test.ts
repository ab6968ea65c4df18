import { expect } from "chai";
import { rdsBackupRetention } from "../../policy/policies/rds-backup-retention";
import { rdsInstance } from "./fixtures";
import { violations } from "./harness";

describe("policy rds-backup-retention", () => {
    it("passes retention at or above the configured minimum", async () => {
        expect(await violations(rdsBackupRetention, rdsInstance({ backupRetentionPeriod: 30 }), { minBackupRetentionDays: 30 })).to.deep.equal([]);
        expect(await violations(rdsBackupRetention, rdsInstance({ backupRetentionPeriod: 7 }))).to.deep.equal([]);
    });

    it("fails retention below the minimum, which defaults to 7 days", async () => {
        expect(await violations(rdsBackupRetention, rdsInstance({ backupRetentionPeriod: 7 }), { minBackupRetentionDays: 30 })).to.deep.equal([
            "backupRetentionPeriod is 7 day(s); this stack requires at least 30 (CKV_AWS_133, RDS.11).",
        ]);
        expect(await violations(rdsBackupRetention, rdsInstance({ backupRetentionPeriod: undefined }))).to.deep.equal([
            "backupRetentionPeriod is 0 day(s); this stack requires at least 7 (CKV_AWS_133, RDS.11).",
        ]);
    });
});
