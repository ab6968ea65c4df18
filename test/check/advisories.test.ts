import { expect } from "chai";
import { CATALOG } from "../../catalog";
import { CATALOG_CHECKED_ON, daysBetween, EVIDENCE_MAX_AGE_DAYS } from "../../catalog/evidence";
import { catalogAdvisories, catalogEvidence, dockerFootprint } from "../../scripts/check/advisories";
import { CheckResource } from "../../scripts/check/resources";
import { stackConfigOf } from "../support/dev-stack";

/** The day `days` after the catalog was checked. */
function after(days: number): string {
    return new Date(Date.parse(`${CATALOG_CHECKED_ON}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

describe("check advisories", () => {
    it("says nothing on the day the catalog was checked", () => {
        for (const stack of ["dev", "staging", "prod"] as const) expect(catalogAdvisories(CATALOG, stackConfigOf(stack), CATALOG_CHECKED_ON), stack).to.deep.equal([]);
    });

    it("asks for the catalog's facts to be read again once they are older than 90 days", () => {
        const advisories = catalogAdvisories(CATALOG, stackConfigOf("dev"), after(EVIDENCE_MAX_AGE_DAYS + 1));
        expect(advisories).to.have.length(1);
        expect(advisories[0]).to.match(/^\d+ catalog facts were last read more than 90 days ago \(oldest 2026-12-02\): read their sources again and update catalog\//);
        expect(catalogAdvisories(CATALOG, stackConfigOf("dev"), after(EVIDENCE_MAX_AGE_DAYS))).to.deep.equal([]);
    });

    it("carries evidence, with an address and a read date, for every fact", () => {
        const evidence = catalogEvidence(CATALOG);
        expect(evidence.length).to.be.greaterThan(40);
        for (const { fact, evidence: e } of evidence) {
            expect(e.url, fact).to.match(/^https:\/\//);
            expect(daysBetween(e.read, CATALOG_CHECKED_ON), `${fact} read ${e.read}`).to.be.at.least(0);
        }
    });

    it("warns when the cluster's EKS version nears the end of standard support, and after it", () => {
        const cfg = stackConfigOf("prod");
        const end = CATALOG.eksVersions.find((v) => v.version === cfg.aws.eksVersion)!.standardSupportEnd;
        const left = daysBetween(CATALOG_CHECKED_ON, end);
        expect(catalogAdvisories(CATALOG, cfg, after(left - 91)).filter((a) => a.startsWith("EKS"))).to.deep.equal([]);
        expect(catalogAdvisories(CATALOG, cfg, after(left - 90)).find((a) => a.startsWith("EKS"))).to.equal(
            `EKS 1.35 leaves standard support in 90 days (${end}): move eksVersion to a newer version of catalog/aws.ts; until then the cluster stays on 1.35 under extended support, at the extended-support price`,
        );
        expect(catalogAdvisories(CATALOG, cfg, after(left + 1)).find((a) => a.startsWith("EKS"))).to.contain(`left standard support on ${end}`);
    });

    it("adds up the dev services' memory limits, leaving the one-shot jobs out, and finds the largest CPU ask", () => {
        const container = (name: string, memory: number, cpus: string, restart = "unless-stopped"): CheckResource => ({
            urn: `urn:pulumi:dev::p::docker:index/container:Container::${name}`,
            type: "docker:index/container:Container",
            name,
            custom: true,
            protect: false,
            retainOnDelete: false,
            dependencies: [],
            inputs: { memory, cpus, restart },
            outputs: {},
        });
        const footprint = dockerFootprint([container("a", 1024, "2"), container("b", 512, "1"), container("fetch", 128, "1", "no")], stackConfigOf("dev"));
        expect(footprint).to.deep.equal({ memoryMb: 1536, hostMemoryMb: 8192, largestCpus: 2, hostCpus: 4 });
        expect(dockerFootprint([], stackConfigOf("prod"))).to.equal(undefined);
    });
});
