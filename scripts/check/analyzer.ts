/**
 * Runs the policy pack the way `pulumi preview --policy-pack` does, and speaks the Analyzer gRPC protocol
 * to it: GetAnalyzerInfo, Configure, ConfigureStack, Analyze per resource, and AnalyzeStack. Enforcement levels, config and unknown values are therefore handled by the
 * pack's own server code, exactly as under the CLI. The pack's process loads the pack from its folder
 * with the CLI's environment, as the CLI's `run-policy-pack` does, but through the check's transpile
 * cache instead of a type-checking ts-node (scripts/check/pack-host.ts); the check reads the port the
 * pack prints, and the process ends with the check, however the check ends.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { JavaScriptValue, Struct } from "google-protobuf/google/protobuf/struct_pb";
import { JsonSchema } from "./json-schema";
import { EnforcementLevel, PolicyMetadata, PolicySettings } from "./policy-config";
import { CheckResource } from "./resources";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest } from "./wire";

/** One policy violation as the pack reports it. */
export interface AnalyzerDiagnostic {
    readonly policyName: string;
    readonly enforcementLevel: EnforcementLevel;
    /** The resource's URN; empty for a stack-level violation that names none. */
    readonly urn: string;
    /** The pack's message: the policy's description, a new line, then the violation's text. */
    readonly message: string;
    readonly description: string;
}

export interface PackInfo {
    readonly name: string;
    readonly version: string;
    readonly policies: PolicyMetadata[];
}

/** What the CLI passes a pack in its environment (constructEnv of the CLI's analyzer plugin). */
export interface PackEnvironment {
    readonly project: string;
    readonly stack: string;
}

/** The pack did not start or its server failed: not the input's fault. */
class PolicyPackError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyPackError";
    }
}

const START_TIMEOUT_MS = 60_000;
const MAX_MESSAGE_BYTES = 400 * 1024 * 1024;
/** The Analyzer service's methods the check calls with requests it encodes itself. */
const ANALYZE = "/pulumirpc.Analyzer/Analyze";
const ANALYZE_STACK = "/pulumirpc.Analyzer/AnalyzeStack";
/**
 * Analyze requests in flight at once: enough for a whole stack, so that the pack always has the next
 * resource at hand while this process is busy evaluating the program and rarely reads answers.
 */
const ANALYZE_IN_FLIGHT = 4096;
/** How Node loads TypeScript in the pack's process, and what the process runs. */
const REGISTER = path.resolve(__dirname, "..", "offline", "register.js");
const PACK_HOST = path.resolve(__dirname, "pack-host.ts");

/** A running policy pack: one process for the whole check, killed by `close`. */
export class PolicyPackProcess {
    private readonly child: ChildProcess;
    private readonly port: Promise<number>;
    private readonly exited: Promise<void>;
    private stderr = "";
    private client?: AnalyzerClient;
    private readonly killOnExit = (): void => {
        this.child.kill("SIGKILL");
    };

    private constructor(packDir: string, environment: PackEnvironment) {
        this.child = spawn(process.execPath, ["--max-semi-space-size=64", "-r", REGISTER, PACK_HOST], {
            cwd: packDir,
            env: {
                ...process.env,
                PULUMI_NODEJS_PROJECT: environment.project,
                PULUMI_NODEJS_STACK: environment.stack,
                PULUMI_NODEJS_DRY_RUN: "true",
                PULUMI_PROJECT: environment.project,
                PULUMI_STACK: environment.stack,
                PULUMI_DRY_RUN: "true",
            },
            // The pack's standard input stays open as long as the check runs: the pack exits when it closes.
            stdio: ["pipe", "pipe", "pipe"],
        });
        this.exited = new Promise((resolve) => {
            if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
            else this.child.once("exit", () => resolve());
        });
        this.child.stdin?.on("error", () => undefined);
        process.once("exit", this.killOnExit);
        this.child.stderr?.on("data", (chunk: Buffer) => {
            this.stderr = (this.stderr + chunk.toString()).slice(-8192);
        });
        this.port = new Promise<number>((resolve, reject) => {
            let stdout = "";
            const timer = setTimeout(() => reject(new PolicyPackError(`the policy pack did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
            this.child.stdout?.on("data", (chunk: Buffer) => {
                stdout += chunk.toString();
                const match = /^(\d+)\s*$/m.exec(stdout);
                if (match) {
                    clearTimeout(timer);
                    resolve(Number(match[1]));
                }
            });
            this.child.once("error", (error) => {
                clearTimeout(timer);
                reject(new PolicyPackError(`the policy pack could not be started: ${error.message}`));
            });
            this.child.once("exit", (code, signal) => {
                clearTimeout(timer);
                reject(new PolicyPackError(`the policy pack exited (${signal ?? `code ${code}`}) before serving: ${this.stderrTail()}`));
            });
        });
        // The port promise may settle before anyone awaits it; the rejection is reported by `connect`.
        this.port.catch(() => undefined);
    }

    /** Starts the pack in `packDir` now; the first call that needs it waits until it serves. */
    static start(packDir: string, environment: PackEnvironment): PolicyPackProcess {
        return new PolicyPackProcess(packDir, environment);
    }

    private stderrTail(): string {
        const lines = this.stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "");
        return lines.slice(-3).join(" | ") || "no output";
    }

    private async connect(): Promise<AnalyzerClient> {
        if (!this.client) {
            const port = await this.port;
            this.client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
                "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
                "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
            });
        }
        return this.client;
    }

    private call<Req, Res>(
        method: (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown,
        request: Req,
    ): Promise<Res> {
        return new Promise((resolve, reject) => {
            method(request, (error, response) => {
                if (error) reject(new PolicyPackError(`the policy pack failed: ${error.details || error.message}`));
                else resolve(response);
            });
        });
    }

    /** The pack's name, version and policies with their config schemas (GetAnalyzerInfo). */
    async info(): Promise<PackInfo> {
        const client = await this.connect();
        const info = await this.call<Empty, pb.AnalyzerInfo>((r, cb) => client.getAnalyzerInfo(r, cb), new Empty());
        const levels = levelNames();
        return {
            name: info.getName(),
            version: info.getVersion(),
            policies: info.getPoliciesList().map((p) => {
                const schema = p.getConfigschema();
                return {
                    name: p.getName(),
                    description: p.getDescription(),
                    enforcementLevel: levels.get(p.getEnforcementlevel()) ?? "advisory",
                    configSchema: schema
                        ? {
                              properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, JsonSchema>,
                              required: schema.getRequiredList(),
                          }
                        : undefined,
                };
            }),
        };
    }

    /** Configures every policy's enforcement level and properties (Configure), then the stack (ConfigureStack). */
    async configure(config: ReadonlyMap<string, Required<PolicySettings>>, environment: PackEnvironment): Promise<void> {
        const client = await this.connect();
        const request = new pb.ConfigureAnalyzerRequest();
        const levels = new Map([...levelNames()].map(([k, v]) => [v, k]));
        for (const [name, settings] of config) {
            const policyConfig = new pb.PolicyConfig();
            policyConfig.setEnforcementlevel(levels.get(settings.enforcementLevel) ?? pb.EnforcementLevel.ADVISORY);
            policyConfig.setProperties(Struct.fromJavaScript(toStructValue(settings.properties)));
            request.getPolicyconfigMap().set(name, policyConfig);
        }
        await this.call<pb.ConfigureAnalyzerRequest, Empty>((r, cb) => client.configure(r, cb), request);
        const stackRequest = new pb.AnalyzerStackConfigureRequest();
        stackRequest.setStack(environment.stack);
        stackRequest.setProject(environment.project);
        stackRequest.setDryRun(true);
        await this.call<pb.AnalyzerStackConfigureRequest, pb.AnalyzerStackConfigureResponse>((r, cb) => client.configureStack(r, cb), stackRequest);
    }

    /**
     * Analyses resources as they come (Analyze), once `configured` has resolved: the check hands each one
     * over while the program is still being evaluated, so the pack's process works meanwhile instead of
     * waiting for the last. `finish` resolves with the diagnostics in the order the resources were added.
     */
    startAnalysis(configured: Promise<void>): { add(resource: CheckResource): void; finish(): Promise<AnalyzerDiagnostic[]> } {
        const queue: CheckResource[] = [];
        const results: AnalyzerDiagnostic[][] = [];
        let next = 0;
        let active = 0;
        let ready = false;
        let finished = false;
        let failure: unknown;
        let settle: (() => void) | undefined;
        const done = new Promise<void>((resolve) => (settle = resolve));
        const check = (): void => {
            if ((finished && active === 0 && next === queue.length) || (failure !== undefined && active === 0)) settle?.();
        };
        const pump = (): void => {
            while (ready && failure === undefined && active < ANALYZE_IN_FLIGHT && next < queue.length) {
                const index = next++;
                const resource = queue[index];
                active++;
                this.connect()
                    .then((client) => this.rawCall(client, ANALYZE, encodeAnalyzeRequest(resource, resource.inputs)))
                    .then(
                        (response) => (results[index] = diagnostics(response, resource.urn)),
                        (error: unknown) => (failure ??= error),
                    )
                    .finally(() => {
                        active--;
                        pump();
                        check();
                    });
            }
        };
        configured.then(
            () => {
                ready = true;
                pump();
                check();
            },
            (error: unknown) => {
                failure ??= error;
                check();
            },
        );
        return {
            add: (resource) => {
                queue.push(resource);
                pump();
            },
            finish: async () => {
                finished = true;
                check();
                await done;
                if (failure !== undefined) throw failure;
                return results.flat();
            },
        };
    }

    /** Runs the stack policies on all resources' outputs, with parents and dependencies (AnalyzeStack). */
    async analyzeStack(resources: readonly CheckResource[]): Promise<AnalyzerDiagnostic[]> {
        const client = await this.connect();
        const request = encodeAnalyzeStackRequest(resources.map((resource) => ({ resource, properties: resource.outputs })));
        return diagnostics(await this.rawCall(client, ANALYZE_STACK, request), "");
    }

    /** A unary call whose request is already in wire format (scripts/check/wire.ts). */
    private rawCall(client: AnalyzerClient, method: string, request: Buffer): Promise<pb.AnalyzeResponse> {
        return new Promise((resolve, reject) => {
            client.makeUnaryRequest(
                method,
                (bytes: Buffer) => bytes,
                (bytes: Buffer) => pb.AnalyzeResponse.deserializeBinary(new Uint8Array(bytes)),
                request,
                (error: grpc.ServiceError | null, response?: pb.AnalyzeResponse) => {
                    if (error || !response) reject(new PolicyPackError(`the policy pack failed: ${error?.details || error?.message || "no response"}`));
                    else resolve(response);
                },
            );
        });
    }

    /** The process id of the pack. */
    get pid(): number | undefined {
        return this.child.pid;
    }

    /** Closes the connection and kills the pack; resolves once the process is gone. Safe to call more than once. */
    close(): Promise<void> {
        this.client?.close();
        this.child.kill("SIGKILL");
        this.child.stdin?.destroy();
        process.removeListener("exit", this.killOnExit);
        return this.exited;
    }
}

function levelNames(): Map<pb.EnforcementLevel, EnforcementLevel> {
    const L = pb.EnforcementLevel;
    return new Map<pb.EnforcementLevel, EnforcementLevel>([
        [L.ADVISORY, "advisory"],
        [L.MANDATORY, "mandatory"],
        [L.REMEDIATE, "remediate"],
        [L.DISABLED, "disabled"],
    ]);
}

/** A property bag as a protobuf Struct accepts it: JSON values only, undefined dropped. */
function toStructValue(value: Readonly<Record<string, unknown>>): { [key: string]: JavaScriptValue } {
    return JSON.parse(JSON.stringify(value));
}


function diagnostics(response: pb.AnalyzeResponse, defaultUrn: string): AnalyzerDiagnostic[] {
    const levels = levelNames();
    return response.getDiagnosticsList().map((d) => ({
        policyName: d.getPolicyname(),
        enforcementLevel: levels.get(d.getEnforcementlevel()) ?? "advisory",
        urn: d.getUrn() || defaultUrn,
        message: d.getMessage(),
        description: d.getDescription(),
    }));
}
