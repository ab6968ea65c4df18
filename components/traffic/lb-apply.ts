/**
 * How the dev load balancer's configuration reaches it without replacing its container: the program
 * writes haproxy.cfg into a host directory the container mounts read-only, checks it with the running
 * HAProxy, and sends the master process SIGUSR2; HAProxy's master-worker reload keeps its listening
 * sockets, so no request fails while the new weights take over.
 */

/** The file inside the mounted directory. */
export const LB_CONFIG_FILE = "haproxy.cfg";
/** Where the directory is mounted in the container (the image's default config path). */
export const LB_CONFIG_MOUNT = "/usr/local/etc/haproxy";

/**
 * The apply script (POSIX sh), reading the new configuration on standard input. Its environment:
 * GENAI_LB_CONFIG_DIR, the host directory; GENAI_LB_CHECK, a command that validates a file given as
 * its argument (empty to skip, before the proxy exists); GENAI_LB_RELOAD, the command that reloads.
 */
export const LB_APPLY_SCRIPT = [
    "set -eu",
    'dir="$GENAI_LB_CONFIG_DIR"',
    'mkdir -p "$dir"',
    `next="$dir/${LB_CONFIG_FILE}.next"`,
    'cat > "$next"',
    'chmod 0644 "$next"',
    'if [ -n "${GENAI_LB_CHECK:-}" ] && ! sh -c "$GENAI_LB_CHECK \\"\\$1\\"" check "$next"; then rm -f "$next"; echo "the new load balancer configuration is invalid; the running one is kept" >&2; exit 1; fi',
    `mv "$next" "$dir/${LB_CONFIG_FILE}"`,
    'if [ -n "${GENAI_LB_RELOAD:-}" ]; then sh -c "$GENAI_LB_RELOAD"; fi',
    'echo "load balancer configuration applied"',
].join("\n");

/** The check and reload commands for the dev container, through the Docker CLI; both skip a container that is not running. */
export function dockerLbCommands(containerName: string): { check: string; reload: string } {
    const running = `[ "$(docker inspect -f '{{.State.Running}}' ${containerName} 2>/dev/null)" = true ]`;
    return {
        // The file is checked where the container sees it: the mounted directory.
        check: `check_file() { ! ${running} || docker exec ${containerName} haproxy -c -q -f ${LB_CONFIG_MOUNT}/$(basename "$1"); }; check_file`,
        reload: `! ${running} || docker kill --signal USR2 ${containerName} >/dev/null`,
    };
}
