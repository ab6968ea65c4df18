/**
 * Where a fact about a pinned artifact comes from: a public address and the day it was read.
 * Every runtime fact of the catalog carries one, so a reader can check it and knows when to re-read it.
 */
export interface Evidence {
    /** Public address of the source: a docs page, release notes, or an upstream file (with line) at a tag. */
    readonly url: string;
    /** Day the source was read, `YYYY-MM-DD`. */
    readonly read: string;
    /** What the source shows, when the address alone does not say it. */
    readonly note?: string;
}

/** The day the catalog's facts were last read against their sources. */
export const CATALOG_CHECKED_ON = "2026-12-02";

/** Evidence read on the catalog's check day. */
export function readOn(url: string, note?: string): Evidence {
    return note === undefined ? { url, read: CATALOG_CHECKED_ON } : { url, read: CATALOG_CHECKED_ON, note };
}

/** Days after which a fact is due to be read again; the check prints an advisory past it. */
export const EVIDENCE_MAX_AGE_DAYS = 90;

const DAY_MS = 86_400_000;

/** Whole days from `from` to `to` (both `YYYY-MM-DD`); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
    return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** `YYYY-MM-DD` of a date, in UTC. */
export function isoDay(date: Date): string {
    return date.toISOString().slice(0, 10);
}
