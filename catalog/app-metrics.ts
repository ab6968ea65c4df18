/**
 * Metrics the platform's users publish from their own applications, which the platform's alerts read.
 * The applications push them to the Pushgateway (catalog/images.ts `pushgateway`, and the
 * prometheus-pushgateway chart in the cloud); Prometheus scrapes it with `honor_labels`, so the pushed
 * `job` and labels stay as the application set them.
 */

/** A counter an application increments and pushes, cumulative since the application started. */
export interface PushedCounter {
    readonly metric: string;
    readonly help: string;
    /** Labels the application sets on each series; the alerts sum over them. */
    readonly labels: readonly string[];
    /** The push URL's path below the gateway, with `<label>` placeholders (PUT replaces the application's group). */
    readonly pushPath: string;
}

/**
 * Spend on external model APIs (OpenAI, OpenRouter, ...), in US dollars: each application adds the cost of
 * every call (the provider's usage figures times its price) and pushes its running total. A restarted
 * application starts again from 0, which Prometheus' `increase()` reads as a counter reset.
 */
export const API_SPEND: PushedCounter = {
    metric: "genai_api_spend_usd_total",
    help: "Spend on external model APIs in USD since the application started.",
    labels: ["provider"],
    pushPath: "/metrics/job/<application>/instance/<replica>",
};
