import { ResourceValidationPolicy } from "@pulumi/policy";
import { looksLikeSecretName } from "../../catalog/rules";
import { validatePodSpecs } from "../lib/kubernetes";
import { asList, asObject, asString } from "../lib/props";

/** No secret-looking environment variable carries a literal value (Checkov CKV_K8S_35). */
export const k8sNoSecretLiteralsInEnv: ResourceValidationPolicy = {
    name: "k8s-no-secret-literals-in-env",
    description:
        "No container has a secret-looking environment variable (PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, CREDENTIAL...) with a literal value (Checkov CKV_K8S_35).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Store the value in a Kubernetes Secret and use env[].valueFrom.secretKeyRef, or mount the secret as a file and pass its path (NAME_FILE).",
    validateResource: validatePodSpecs((_pod, containers, reportViolation) => {
        for (const c of containers) {
            for (const env of asList(c.spec.env).map((e) => asObject(e) ?? {})) {
                const name = asString(env.name) ?? "";
                const value = asString(env.value);
                if (value && looksLikeSecretName(name)) {
                    reportViolation(`${c.label}: env ${name} has a literal value; use valueFrom.secretKeyRef (CKV_K8S_35).`);
                }
            }
        }
    }),
};
