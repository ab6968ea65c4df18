import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES } from "./all-policies";

// Constructing the pack starts its gRPC server: only the Pulumi CLI (or the offline check) loads this file.
new PolicyPack("genai-platform-policy", {
    description: "Budget, GPU and security guardrails for the GenAI model-serving platform",
    policies: ALL_POLICIES,
});
