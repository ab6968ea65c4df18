import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ALL_POLICIES } from "../policy/all-policies";
import { platformAlertRules } from "../components/observability/alerts";
import { alertInputsOf } from "../stacks/alert-inputs";
import { stackConfigOf } from "./support/dev-stack";
import { PROJECT_DIR } from "../scripts/offline/stack-files";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");

describe("project", () => {
    it("starts the README with the command that installs and tests, then the one that deploys dev", () => {
        const commands = read("README.md")
            .split("\n")
            .filter((line) => line.trim() !== "" && !line.startsWith("#") && !line.startsWith("```"))
            .slice(0, 2);
        expect(commands).to.deep.equal(["npm ci && npm test", "npm run up -- dev"]);
    });

    it("lists every policy of the pack in the README's table once, advisory exactly where the policy is", () => {
        const readme = read("README.md");
        const table = readme.slice(readme.indexOf("### Policy pack"), readme.indexOf("CI (`.github/workflows/`)"));
        const rows = table
            .split("\n")
            .filter((l) => l.startsWith("| ") && !l.startsWith("| id ") && !l.startsWith("|---"))
            .map((l) => l.split("|")[1].trim());
        const listed = rows.map((r) => ({ name: r.replace(" (advisory)", ""), advisory: r.endsWith("(advisory)") }));
        const pack = ALL_POLICIES.map((p) => ({ name: p.name, advisory: p.enforcementLevel === "advisory" }));
        expect([...listed].sort((a, b) => a.name.localeCompare(b.name))).to.deep.equal([...pack].sort((a, b) => a.name.localeCompare(b.name)));
    });

    it("lists every alert rule of every stack in the README's alert table", () => {
        const readme = read("README.md");
        const table = readme.slice(readme.indexOf("## Alerts"), readme.indexOf("## Rollouts"));
        const listed = table
            .split("\n")
            .filter((l) => l.startsWith("| ") && !l.startsWith("| alert "))
            .flatMap((l) => l.split("|")[1].split(",").map((n) => n.trim()));
        // The stack files set no account budget: the account spend rules render with one.
        const configs = [...(["dev", "staging", "prod"] as const).map((stack) => stackConfigOf(stack)), stackConfigOf("prod", { accountMonthlyBudgetUsd: "25000" })];
        const rendered = configs.flatMap((cfg) => platformAlertRules(alertInputsOf(cfg)).map((r) => r.name));
        expect([...new Set(listed)].sort()).to.deep.equal([...new Set(rendered)].sort());
    });

    it("runs the README's test command in CI, with the real servers required", () => {
        const ci = read(".ci/run");
        expect(ci).to.contain("npm ci && npm test");
        expect(ci).to.contain("install-servers.sh");
        expect(ci).to.contain("GENAI_REQUIRE_REAL_SERVERS=1");
    });

    it("says in one line how to install the Pulumi CLI when it is missing, and exits non-zero", () => {
        const run = spawnSync("bash", ["scripts/up.sh", "dev"], { cwd: PROJECT_DIR, env: { PATH: "/usr/bin:/bin", HOME: "/tmp" }, encoding: "utf8" });
        expect(run.status).to.equal(1);
        expect(run.stderr.trim().split("\n")).to.have.length(1);
        expect(run.stderr).to.match(/Pulumi CLI is not installed: install it from https:\/\/www\.pulumi\.com\/docs\/install\//);
    });

    it("refuses an unknown stack with the list of stacks", () => {
        const run = spawnSync("bash", ["scripts/up.sh", "qa"], { cwd: PROJECT_DIR, encoding: "utf8" });
        expect(run.status).to.equal(2);
        expect(run.stderr).to.contain("stacks: dev prod staging");
    });

    it("keeps CI credentials in GitHub environments: every job that reads a secret other than its GitHub token runs in one", () => {
        for (const file of ["pull-request.yml", "deploy.yml"]) {
            const workflow = parse(read(`.github/workflows/${file}`));
            expect(JSON.stringify(workflow.env ?? {}), `${file} workflow-level env`).to.not.contain("secrets.");
            for (const [name, job] of Object.entries<Record<string, unknown>>(workflow.jobs)) {
                const secrets = (JSON.stringify(job).match(/secrets\.[A-Z_]+/g) ?? []).filter((s) => s !== "secrets.GITHUB_TOKEN");
                if (secrets.length > 0) expect(job.environment, `${file} job ${name} reads ${secrets.join(", ")}`).to.be.a("string");
            }
        }
        expect(read(".github/workflows/pull-request.yml")).to.contain("AWS_PREVIEW_ROLE_ARN").and.not.contain("AWS_DEPLOY_ROLE_ARN");
    });

    it("pins every dependency to an exact version", () => {
        for (const file of ["package.json", "policy/package.json"]) {
            const pkg = JSON.parse(read(file));
            for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
                expect(version, `${file} ${name}`).to.match(/^\d+\.\d+\.\d+$/);
            }
        }
    });

    it("type-checks in strict mode", () => {
        const tsconfig = JSON.parse(read("tsconfig.json"));
        expect(tsconfig.compilerOptions.strict).to.equal(true);
        expect(JSON.parse(read("package.json")).scripts.test).to.match(/^npm run typecheck && /);
    });
});
