import { ResourceValidationPolicy } from "@pulumi/policy";
import { imagePinProblem } from "../../catalog/rules";
import { validatePodSpecs } from "../lib/kubernetes";
import { asString } from "../lib/props";

/** Images are pinned to a tag other than latest, or a digest (Checkov CKV_K8S_14). */
export const k8sRequirePinnedImages: ResourceValidationPolicy = {
    name: "k8s-require-pinned-images",
    description: "Container images are pinned by a tag other than latest, or by digest (Checkov CKV_K8S_14).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Reference images as repository:version (e.g. vllm/vllm-openai:v0.6.3.post1) or repository@sha256:digest.",
    validateResource: validatePodSpecs((_pod, containers, reportViolation) => {
        for (const c of containers) {
            const image = asString(c.spec.image);
            const problem = image === undefined ? "no image is set" : imagePinProblem(image);
            if (problem) reportViolation(`${c.label}: ${problem} (CKV_K8S_14).`);
        }
    }),
};
