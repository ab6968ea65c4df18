import { ResourceValidationPolicy } from "@pulumi/policy";
import { securityContextOf, validatePodSpecs } from "../lib/kubernetes";
import { asObject, asStrings } from "../lib/props";

/** The one capability the restricted profile lets a container add back. */
const ADDABLE = "NET_BIND_SERVICE";

/**
 * Every container drops ALL capabilities and adds back at most NET_BIND_SERVICE (Pod Security
 * Standards restricted "Capabilities"; Checkov CKV_K8S_37 capabilities assigned, CKV_K8S_28 NET_RAW,
 * CKV_K8S_25 added capabilities). Names are compared exactly, as Pod Security admission does.
 */
export const k8sDropAllCapabilities: ResourceValidationPolicy = {
    name: "k8s-drop-all-capabilities",
    description:
        "Every container, init container and ephemeral container drops ALL capabilities and adds back at most NET_BIND_SERVICE " +
        "(Pod Security Standards restricted; Checkov CKV_K8S_37, CKV_K8S_28, CKV_K8S_25).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set securityContext: { capabilities: { drop: [\"ALL\"] } } on every container and init container; a server that binds a port " +
        "below 1024 may add [\"NET_BIND_SERVICE\"], or better listen on a high port.",
    validateResource: validatePodSpecs((_pod, containers, reportViolation) => {
        for (const c of containers) {
            const capabilities = asObject(securityContextOf(c.spec).capabilities);
            if (!asStrings(capabilities?.drop).includes("ALL")) {
                reportViolation(`${c.label} does not drop ALL capabilities (securityContext.capabilities.drop) (PSS restricted, CKV_K8S_37, CKV_K8S_28).`);
            }
            const added = asStrings(capabilities?.add).filter((cap) => cap !== ADDABLE);
            if (added.length > 0) {
                reportViolation(`${c.label} adds ${added.join(", ")}; only ${ADDABLE} may be added (PSS restricted, CKV_K8S_25).`);
            }
        }
    }),
};
