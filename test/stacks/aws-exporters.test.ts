import { expect } from "chai";
import { IMAGES } from "../../catalog/images";
import { platformAlertRules } from "../../components/observability/alerts";
import { alertInputsOf } from "../../stacks/alert-inputs";
import { stackConfigOf } from "../support/dev-stack";
import { mockSecretValue, ProgramRun } from "../harness";
import { evaluatedStack } from "../support/stacks";

describe("staging: the data stores' exporters in the cluster (DatabaseDown and RedisDown in the cloud)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await evaluatedStack("staging");
    });

    const container = (name: string) => run.one("kubernetes:apps/v1:Deployment", `data-store-exporters-${name}`).inputs.spec.template.spec.containers[0];

    it("runs the catalog's exporters in the monitoring namespace, scraped by a PodMonitor each", () => {
        expect(container("postgres").image).to.equal(IMAGES.postgresExporter.ref);
        expect(container("redis").image).to.equal(IMAGES.redisExporter.ref);
        for (const name of ["postgres", "redis"]) {
            const deployment = run.one("kubernetes:apps/v1:Deployment", `data-store-exporters-${name}`);
            expect(deployment.inputs.metadata.namespace).to.equal("monitoring");
            const monitor = run.one("kubernetes:monitoring.coreos.com/v1:PodMonitor", `data-store-exporters-${name}-monitor`).inputs;
            expect(monitor.metadata.labels).to.deep.equal({ release: "kube-prometheus-stack" });
            expect(monitor.spec.selector.matchLabels).to.deep.equal(deployment.inputs.spec.selector.matchLabels);
        }
    });

    it("points them at RDS (TLS required) and ElastiCache (rediss), with the secrets as mounted files only", () => {
        const pg = Object.fromEntries(container("postgres").env.map((e: any) => [e.name, e.value]));
        expect(pg.DATA_SOURCE_URI).to.match(/^.+:\d+\/genai\?sslmode=require$/);
        expect(pg.DATA_SOURCE_PASS_FILE).to.equal("/etc/genai/secrets/password");
        const redis = Object.fromEntries(container("redis").env.map((e: any) => [e.name, e.value]));
        expect(redis.REDIS_ADDR).to.match(/^rediss:\/\/.+:6379$/);
        expect(redis.REDIS_PASSWORD_FILE).to.equal("/etc/genai/secrets/passwords.json");
        for (const name of ["postgres", "redis"]) {
            const env = JSON.stringify(container(name).env);
            for (const secret of ["secrets-postgresPassword", "secrets-redisPassword"].map(mockSecretValue)) expect(env, name).to.not.contain(secret);
            const secret = run.one("kubernetes:core/v1:Secret", `data-store-exporters-${name}`);
            expect([...secret.secretInputs], name).to.include("stringData");
        }
        const passwords = JSON.parse(run.one("kubernetes:core/v1:Secret", "data-store-exporters-redis").inputs.stringData["passwords.json"]);
        expect(Object.keys(passwords)).to.deep.equal([redis.REDIS_ADDR]);
        expect(Object.values(passwords)).to.deep.equal([mockSecretValue("secrets-redisPassword")]);
    });

    it("runs them under the restricted profile, as the images' users, with small limits", () => {
        for (const [name, image] of [["postgres", IMAGES.postgresExporter], ["redis", IMAGES.redisExporter]] as const) {
            const pod = run.one("kubernetes:apps/v1:Deployment", `data-store-exporters-${name}`).inputs.spec.template.spec;
            expect(pod.securityContext).to.deep.include({ runAsNonRoot: true, runAsUser: image.user.uid, seccompProfile: { type: "RuntimeDefault" } });
            expect(pod.containers[0].securityContext).to.deep.equal({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
            expect(pod.containers[0].resources.limits).to.deep.equal({ cpu: "200m", memory: "64Mi" });
        }
    });

    it("renders DatabaseDown and RedisDown for the cloud from the exporters' gauges", () => {
        const rules = platformAlertRules(alertInputsOf(stackConfigOf("staging")));
        expect(rules.filter((r) => r.name === "DatabaseDown" || r.name === "RedisDown").map((r) => r.measure)).to.deep.equal(["pg_up", "redis_up"]);
    });
});
