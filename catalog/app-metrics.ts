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

/**
 * What each dev backup container (components/data/backup.ts) tells the stack's Pushgateway after every run and at
 * every poll of its schedule: the time its newest backup was written (from the file) and whether its last run
 * succeeded (from the file the run leaves), so a restarted gateway learns both again within a poll. Pushed under
 * `/metrics/job/<job>/source/<source>` (POST: each push replaces only the metrics it carries), scraped with
 * `honor_labels`; the backup alerts read them.
 */
export const BACKUP_METRICS = {
    job: "genai-backup",
    /** Unix time of the newest backup of a source, from its file's modification time. */
    lastSuccess: "genai_backup_last_success_timestamp_seconds",
    /** 1 when the source's last backup run succeeded, 0 when it failed (pushed after every run). */
    lastRunSucceeded: "genai_backup_last_run_success",
} as const;
