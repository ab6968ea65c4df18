/**
 * The one-shot download of a weights file into the model's cache volume: skipped when the file is
 * already there with the right checksum, otherwise fetched to a temporary name, checked against its
 * sha256 and only then moved into place, so a server never sees a partial or wrong file.
 */
import { WeightsFile, weightsUrl } from "../../catalog/weights";

/** Where the fetch job mounts the weights volume. */
export const FETCH_MOUNT = "/weights";

/**
 * The POSIX shell script of the job; its arguments are the target path, the URL, the sha256 and an optional
 * token file. curl reads the token from its standard input (`-K -`), so it never appears in an argument list,
 * and drops it on the redirect to the hub's storage host.
 */
export const FETCH_SCRIPT = [
    "set -eu",
    'target="$1"; url="$2"; sha="$3"; token_file="${4:-}"',
    // Never leave a partial download behind, whatever fails.
    'trap \'rm -f "$target.part"\' EXIT',
    'mkdir -p "$(dirname "$target")"',
    'if [ -f "$target" ] && echo "$sha  $target" | sha256sum -c -s; then echo "weights present: $target"; exit 0; fi',
    'rm -f "$target.part"',
    // Fail on HTTP errors, follow the hub's redirect, give up on a stalled transfer (under 1 byte/s for a minute).
    'set -- -fsSL --retry 3 --retry-delay 1 --connect-timeout 60 --speed-limit 1 --speed-time 60 -o "$target.part" "$url"',
    'if [ -n "$token_file" ]; then printf \'header = "Authorization: Bearer %s"\\n\' "$(cat "$token_file")" | curl -K - "$@"; else curl "$@"; fi',
    'if ! echo "$sha  $target.part" | sha256sum -c -s; then echo "checksum mismatch for $url" >&2; rm -f "$target.part"; exit 1; fi',
    'chmod 0644 "$target.part"',
    'mv "$target.part" "$target"',
    'echo "weights fetched: $target"',
].join("\n");

/** Path of a weights file inside the fetch job. */
export function fetchTarget(weights: WeightsFile): string {
    return [FETCH_MOUNT, weights.subdirectory, weights.file].filter((part) => part !== "").join("/");
}

/** The job's command: `sh -c <script> fetch <target> <url> <sha256> [token file]`. */
export function fetchCommand(weights: WeightsFile, tokenFile?: string): string[] {
    return ["sh", "-c", FETCH_SCRIPT, "fetch", fetchTarget(weights), weightsUrl(weights), weights.sha256, ...(tokenFile ? [tokenFile] : [])];
}
