import { ResourceValidationPolicy } from "@pulumi/policy";
import { imagePinProblem } from "../../catalog/rules";
import { validateTypes } from "../lib/policy";
import { asString } from "../lib/props";
import { DOCKER } from "../lib/types";

/**
 * Docker images are pinned: a RemoteImage's `name`, and a container's `image` unless it is an
 * image id (`sha256:...`, what a container gets from a RemoteImage).
 */
export const dockerPinnedImages: ResourceValidationPolicy = {
    name: "docker-pinned-images",
    description: "Docker images are pinned by a tag other than latest, or by digest (the Docker counterpart of Checkov CKV_K8S_14).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Pull images by repository:version or repository@sha256:digest (components/images.ts holds the versions).",
    validateResource: validateTypes([DOCKER.remoteImage, DOCKER.container], (props, args, reportViolation) => {
        const reference = asString(args.type === DOCKER.remoteImage ? props.name : props.image);
        if (reference === undefined || reference.startsWith("sha256:")) return;
        const problem = imagePinProblem(reference);
        if (problem) reportViolation(`${problem}.`);
    }),
};
