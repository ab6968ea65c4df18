import { ResourceValidationPolicy } from "@pulumi/policy";
import { securityContextOf, validatePodSpecs } from "../lib/kubernetes";
import { asList, asObject, asString } from "../lib/props";

/** The sysctls the standard calls safe: namespaced, and isolated from other pods (up to Kubernetes 1.32). */
export const SAFE_SYSCTLS: readonly string[] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
];

/** Pods set only safe sysctls (Pod Security Standards baseline "Sysctls"). */
export const k8sAllowOnlySafeSysctls: ResourceValidationPolicy = {
    name: "k8s-allow-only-safe-sysctls",
    description: "Pods set only the sysctls the standard calls safe, in securityContext.sysctls (Pod Security Standards baseline).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: `Remove the sysctl from the pod's securityContext.sysctls; only ${SAFE_SYSCTLS.join(", ")} are allowed.`,
    validateResource: validatePodSpecs((pod, _containers, reportViolation) => {
        const unsafe = asList(securityContextOf(pod).sysctls)
            .map((s) => asString(asObject(s)?.name) ?? "(unnamed)")
            .filter((name) => !SAFE_SYSCTLS.includes(name));
        if (unsafe.length > 0) {
            reportViolation(`the pod sets the sysctls ${unsafe.join(", ")}, which are not in the safe set: they can affect the node or other pods (PSS baseline).`);
        }
    }),
};
