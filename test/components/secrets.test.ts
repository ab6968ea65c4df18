import { expect } from "chai";
import { SECRET_KEYS } from "../../components/secrets/aws";
import { GENERATED_SECRETS } from "../../components/secrets/generated";
import { ConfiguredSecrets } from "../../stacks/config";

/** Kubernetes Secret data keys: alphanumerics, `-`, `_` and `.`. */
const KUBERNETES_SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
/** Characters of a Secrets Manager secret name, which the store builds as `<prefix>/<key>`. */
const SECRETS_MANAGER_NAME = /^[A-Za-z0-9/_+=.@-]+$/;

describe("secrets", () => {
    it("generates the Postgres, Redis and Grafana admin passwords, each once", () => {
        expect([...GENERATED_SECRETS]).to.deep.equal(["postgresPassword", "redisPassword", "grafanaAdminPassword"]);
        expect(new Set(GENERATED_SECRETS).size).to.equal(GENERATED_SECRETS.length);
    });

    it("stores each secret under its own key, valid in Secrets Manager and in a Kubernetes Secret", () => {
        const keys = Object.values(SECRET_KEYS);
        expect(new Set(keys).size).to.equal(keys.length);
        for (const key of keys) {
            expect(key).to.match(KUBERNETES_SECRET_KEY);
            expect(`genai-prod/${key}`).to.match(SECRETS_MANAGER_NAME);
            expect(key).to.equal(key.toLowerCase());
        }
    });

    it("has a store key for every secret the stack config takes and every password the platform generates", () => {
        // Typed as a record, so the type-check fails when the config gains a secret this list lacks.
        const configured: Record<keyof ConfiguredSecrets, true> = { huggingFaceToken: true, openaiApiKey: true, openrouterApiKey: true, alertSlackWebhookUrl: true };
        for (const name of Object.keys(configured)) expect(SECRET_KEYS, name).to.have.property(name);
        expect(SECRET_KEYS).to.include({ postgresPassword: "postgres-password", redisAuthToken: "redis-auth-token", grafanaAdminPassword: "grafana-admin-password" });
    });
});
