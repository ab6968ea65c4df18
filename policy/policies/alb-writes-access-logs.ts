import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../lib/policy";
import { asObject, asString } from "../lib/props";
import { AWS } from "../lib/types";

/** Application load balancers write access logs to an S3 bucket (Checkov CKV_AWS_91, FSBP ELB.5). */
export const albWritesAccessLogs: ResourceValidationPolicy = {
    name: "alb-writes-access-logs",
    description: "Application load balancers write access logs to an S3 bucket: accessLogs.enabled with a bucket (Checkov CKV_AWS_91, FSBP ELB.5).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Set accessLogs: { enabled: true, bucket: <bucket name>, prefix: \"alb-logs\" } on the load balancer " +
        "(components/traffic/alb.ts; the bucket needs SSE-S3 and a policy that lets ELB log delivery write, as components/data/bucket.ts sets).",
    validateResource: validateTypes(AWS.loadBalancers, (props, _args, reportViolation) => {
        if ((asString(props.loadBalancerType) ?? "application") !== "application") return;
        const logs = asObject(props.accessLogs);
        if (logs?.enabled !== true) {
            reportViolation("accessLogs.enabled is not true: no record of the requests the load balancer served (CKV_AWS_91, ELB.5).");
        } else if (!asString(logs.bucket)) {
            reportViolation("accessLogs.enabled is true but accessLogs.bucket names no bucket: the logs have nowhere to go (CKV_AWS_91, ELB.5).");
        }
    }),
};
