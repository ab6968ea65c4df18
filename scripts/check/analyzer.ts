/**
 * Runs the policy pack the way `pulumi preview --policy-pack` does: starts it with
 * @pulumi/pulumi/cmd/run-policy-pack from the pack's folder (`<engine address> .`, the arguments
 * the CLI's pulumi-analyzer-policy shim passes), reads the port it prints, and speaks the Analyzer
 * gRPC protocol to it: GetAnalyzerInfo, Configure, ConfigureStack, Analyze per resource, then
 * AnalyzeStack. Enforcement levels, config and unknown values are therefore handled by the pack's
 * own server code, exactly as under the CLI.
 */
import { ChildProcess, spawn } from "child_process";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { JavaScriptValue, Struct } from "google-protobuf/google/protobuf/struct_pb";
import { JsonSchema } from "./json-schema";
import { EnforcementLevel, PolicyMetadata, PolicySettings } from "./policy-config";
import { CheckResource } from "./resources";

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
/** The CLI passes its engine's address first; run-policy-pack drops it, the pack never calls the engine. */
const ENGINE_ADDRESS_PLACEHOLDER = "127.0.0.1:0";
const MAX_MESSAGE_BYTES = 400 * 1024 * 1024;

/** A running policy pack: one process for the whole check, killed by `close`. */
export class PolicyPackProcess {
    private readonly child: ChildProcess;
    private readonly port: Promise<number>;
    private stderr = "";
    private client?: AnalyzerClient;
    private readonly killOnExit = (): void => {
        this.child.kill("SIGKILL");
    };

    private constructor(packDir: string, environment: PackEnvironment) {
        const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
        this.child = spawn(process.execPath, [runPolicyPack, ENGINE_ADDRESS_PLACEHOLDER, "."], {
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
            stdio: ["ignore", "pipe", "pipe"],
        });
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

    /** Runs the resource policies on every resource's inputs (Analyze), all requests in flight at once. */
    async analyze(resources: readonly CheckResource[]): Promise<AnalyzerDiagnostic[]> {
        const client = await this.connect();
        const responses = await Promise.all(
            resources.map(async (resource) => {
                const request = new pb.AnalyzeRequest();
                request.setUrn(resource.urn);
                request.setType(resource.type);
                request.setName(resource.name);
                request.setProperties(Struct.fromJavaScript(toStructValue(resource.inputs)));
                request.setOptions(resourceOptions(resource));
                const response = await this.call<pb.AnalyzeRequest, pb.AnalyzeResponse>((r, cb) => client.analyze(r, cb), request);
                return diagnostics(response, resource.urn);
            }),
        );
        return responses.flat();
    }

    /** Runs the stack policies on all resources' outputs, with parents and dependencies (AnalyzeStack). */
    async analyzeStack(resources: readonly CheckResource[]): Promise<AnalyzerDiagnostic[]> {
        const client = await this.connect();
        const request = new pb.AnalyzeStackRequest();
        request.setResourcesList(
            resources.map((resource) => {
                const r = new pb.AnalyzerResource();
                r.setUrn(resource.urn);
                r.setType(resource.type);
                r.setName(resource.name);
                r.setProperties(Struct.fromJavaScript(toStructValue(resource.outputs)));
                r.setOptions(resourceOptions(resource));
                r.setParent(resource.parent ?? "");
                r.setDependenciesList([...resource.dependencies]);
                return r;
            }),
        );
        return diagnostics(await this.call<pb.AnalyzeStackRequest, pb.AnalyzeResponse>((r, cb) => client.analyzeStack(r, cb), request), "");
    }

    /** Closes the connection and kills the pack. Safe to call more than once. */
    close(): void {
        this.client?.close();
        this.child.kill("SIGKILL");
        process.removeListener("exit", this.killOnExit);
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

function resourceOptions(resource: CheckResource): pb.AnalyzerResourceOptions {
    const options = new pb.AnalyzerResourceOptions();
    options.setProtect(resource.protect);
    options.setParent(resource.parent ?? "");
    return options;
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
