/**
 * The image models' outputs uploader on its own: where the engine writes, what the role may do, and the
 * sidecar's script run under Debian's shells (dash, BusyBox; the image's is bash) with a fake `aws`.
 */
import { expect } from "chai";
import { spawn, spawnSync } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ENGINES } from "../../catalog/engines";
import { WEIGHTS } from "../../catalog/weights";
import { generatedOutputsPath, outputsPrefix, renderOutputsUploadPolicy, UPLOAD_MAX_FAILURES, UPLOAD_SCRIPT, uploaderCommand } from "../../components/inference/model-k8s";

const SHELLS: { name: string; argv: string[] }[] = [
    { name: "dash", argv: ["dash"] },
    { name: "busybox sh", argv: ["busybox", "sh"] },
    { name: "bash", argv: ["bash"] },
].filter((s) => spawnSync(s.argv[0], [...s.argv.slice(1), "-c", "exit 0"]).status === 0);

/** A fake `aws` that logs its arguments and what the source directory holds, and fails while a flag file exists. */
function fakeAws(dir: string): { bin: string; log: string; failFlag: string } {
    const bin = join(dir, "bin");
    const log = join(dir, "aws.log");
    const failFlag = join(dir, "fail");
    mkdirSync(bin);
    writeFileSync(join(bin, "aws"), `#!/bin/sh\necho "$* | $(ls "$3" | tr '\\n' ' ')" >> "${log}"\n[ ! -e "${failFlag}" ]\n`);
    chmodSync(join(bin, "aws"), 0o755);
    return { bin, log, failFlag };
}

const calls = (log: string): string[] => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((l) => l !== "") : []);

async function until(condition: () => boolean, ms = 2000): Promise<void> {
    const end = Date.now() + ms;
    while (!condition()) {
        if (Date.now() > end) throw new Error("timed out");
        await new Promise((r) => setTimeout(r, 20));
    }
}

/** Starts the uploader's script as the container does (`sh -c script name dir url interval`). */
function startUploader(shell: string[], bin: string, source: string, interval: string, credentials = true) {
    const child = spawn(shell[0], [...shell.slice(1), "-c", UPLOAD_SCRIPT, "upload-outputs", source, "s3://bucket/outputs/image/", interval, String(UPLOAD_MAX_FAILURES)], {
        // What EKS Pod Identity's webhook sets in a pod created after its association.
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...(credentials ? { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials" } : {}) },
        stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, exited, stderr: () => stderr };
}

describe("generated outputs upload", () => {
    describe("generatedOutputsPath", () => {
        it("finds ComfyUI's output/ under its base directory, as the engine starts it", () => {
            const comfy = ENGINES.comfyui;
            const command = comfy.command({ model: "image", release: comfy.releases[0], weights: WEIGHTS["sd-turbo"], extraArgs: [] });
            expect(generatedOutputsPath(command)).to.equal("/opt/content/output");
        });

        it("prefers an explicit --output-directory, and knows none without either flag", () => {
            expect(generatedOutputsPath({ args: ["--base-directory", "/b/", "--output-directory", "/out"], env: {} })).to.equal("/out");
            expect(generatedOutputsPath({ args: ["--base-directory", "/b/"], env: {} })).to.equal("/b/output");
            expect(generatedOutputsPath({ args: ["--port", "8188"], env: {} })).to.equal(undefined);
        });
    });

    describe("renderOutputsUploadPolicy", () => {
        it("allows writing objects under the model's prefix and listing that prefix, nothing more", () => {
            const policy = JSON.parse(renderOutputsUploadPolicy("arn:aws:s3:::b", "image"));
            const actions = policy.Statement.flatMap((s: any) => [s.Action].flat());
            expect(actions).to.have.members(["s3:PutObject", "s3:ListBucket"]);
            for (const s of policy.Statement) {
                expect(s.Effect).to.equal("Allow");
                expect(JSON.stringify(s.Resource)).to.not.match(/^"\*"$/);
            }
            expect(policy.Statement.find((s: any) => s.Action === "s3:PutObject").Resource).to.equal("arn:aws:s3:::b/outputs/image/*");
            const list = policy.Statement.find((s: any) => s.Action === "s3:ListBucket");
            expect(list.Resource).to.equal("arn:aws:s3:::b");
            expect(list.Condition).to.deep.equal({ StringLike: { "s3:prefix": "outputs/image/*" } });
            expect(outputsPrefix("image")).to.equal("outputs/image/");
        });
    });

    describe("uploaderCommand", () => {
        it("passes directory, destination, interval and the failures allowed in a row to the script as $1 to $4", () => {
            expect(uploaderCommand("/opt/content/output", "bkt", "image")).to.deep.equal(["/bin/sh", "-c", UPLOAD_SCRIPT, "upload-outputs", "/opt/content/output", "s3://bkt/outputs/image/", "30", "3"]);
        });
    });

    describe("the uploader's script", function () {
        this.timeout(5000);
        let dir: string;
        beforeEach(() => {
            dir = mkdtempSync(join(tmpdir(), "upload-outputs-"));
            mkdirSync(join(dir, "output"));
        });
        afterEach(() => rmSync(dir, { recursive: true, force: true }));

        it("has a shell to run under", () => {
            expect(SHELLS.map((s) => s.name)).to.include("dash");
        });

        for (const shell of SHELLS) {
            it(`${shell.name}: syncs the directory to the destination periodically and quietly, picks up new files, and exits 0 on SIGTERM`, async () => {
                const aws = fakeAws(dir);
                const source = join(dir, "output");
                const uploader = startUploader(shell.argv, aws.bin, source, "0.1");
                await until(() => calls(aws.log).length >= 3);
                writeFileSync(join(source, "late.png"), "png");
                await until(() => calls(aws.log).some((c) => c.includes("late.png")));
                uploader.child.kill("SIGTERM");
                expect(await uploader.exited).to.equal(0);
                const all = calls(aws.log);
                for (const c of all) expect(c.startsWith(`s3 sync ${source} s3://bucket/outputs/image/ --only-show-errors --no-progress |`), c).to.equal(true);
            });

            it(`${shell.name}: on SIGTERM while waiting, uploads at once, a last time, without waiting out the interval`, async () => {
                const aws = fakeAws(dir);
                const source = join(dir, "output");
                const uploader = startUploader(shell.argv, aws.bin, source, "30");
                await until(() => calls(aws.log).length === 1);
                writeFileSync(join(source, "last.png"), "png");
                const stopped = Date.now();
                uploader.child.kill("SIGTERM");
                expect(await uploader.exited).to.equal(0);
                expect(Date.now() - stopped).to.be.below(2000);
                const all = calls(aws.log);
                expect(all).to.have.length(2);
                expect(all[0]).to.not.include("last.png");
                expect(all[1], "the last upload sees what was written before the signal").to.include("last.png");
            });

            it(`${shell.name}: keeps going after a failed upload, and reports a failed last upload in its exit code`, async () => {
                const aws = fakeAws(dir);
                writeFileSync(aws.failFlag, "");
                const uploader = startUploader(shell.argv, aws.bin, join(dir, "output"), "30");
                await until(() => calls(aws.log).length === 1);
                uploader.child.kill("SIGTERM");
                expect(await uploader.exited).to.not.equal(0);
                expect(calls(aws.log)).to.have.length(2);
                expect(uploader.stderr()).to.include("failed (1 in a row)");
            });

            it(`${shell.name}: exits 1 after ${UPLOAD_MAX_FAILURES} failed uploads in a row, so that the restart is counted, and counts again after a success`, async () => {
                const aws = fakeAws(dir);
                writeFileSync(aws.failFlag, "");
                const uploader = startUploader(shell.argv, aws.bin, join(dir, "output"), "0.05");
                await until(() => calls(aws.log).length === UPLOAD_MAX_FAILURES - 1);
                rmSync(aws.failFlag);
                await until(() => calls(aws.log).length >= UPLOAD_MAX_FAILURES + 1);
                writeFileSync(aws.failFlag, "");
                expect(await uploader.exited).to.equal(1);
                expect(uploader.stderr()).to.include(`failed (${UPLOAD_MAX_FAILURES} in a row)`);
            });

            it(`${shell.name}: refuses to start without Pod Identity's credentials, and uploads nothing`, async () => {
                const aws = fakeAws(dir);
                const uploader = startUploader(shell.argv, aws.bin, join(dir, "output"), "0.1", false);
                expect(await uploader.exited).to.equal(1);
                expect(calls(aws.log)).to.deep.equal([]);
                expect(uploader.stderr()).to.include("no EKS Pod Identity credentials");
            });
        }
    });
});
