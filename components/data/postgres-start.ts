/**
 * The dev Postgres container's start: the server runs as usual, and once it answers on its local socket
 * the owner role's password is set from the secret file. A retained data directory initialised under an
 * earlier password (a destroyed and recreated stack, a rotation) thereby accepts the current one.
 */

/**
 * POSIX sh. Environment: GENAI_PG_START, the command that runs the server in the foreground;
 * GENAI_PG_SOCKET_DIR and GENAI_PG_PORT, where its local socket is; GENAI_PG_USER, the role;
 * GENAI_PG_PASSWORD_FILE, the secret file. The password never appears in a process argument or a log line.
 */
export const POSTGRES_START_SCRIPT = [
    "set -eu",
    // An unreadable or empty file would set an empty password (psql takes a failed `cat` as ""): refuse to start instead.
    '[ -r "$GENAI_PG_PASSWORD_FILE" ] && [ -s "$GENAI_PG_PASSWORD_FILE" ] || { echo "cannot read the password file $GENAI_PG_PASSWORD_FILE" >&2; exit 1; }',
    'server=""',
    // Postgres' fast shutdown on SIGINT, which is the image's stop signal too.
    'trap \'[ -z "$server" ] || kill -INT "$server" 2>/dev/null\' INT TERM',
    'sh -c "exec $GENAI_PG_START" &',
    "server=$!",
    "reconciled=no",
    'while [ "$reconciled" = no ]; do',
    '    kill -0 "$server" 2>/dev/null || { wait "$server"; exit $?; }',
    '    if pg_isready -q -h "$GENAI_PG_SOCKET_DIR" -p "$GENAI_PG_PORT" -U "$GENAI_PG_USER" -d postgres; then',
    '        if printf "SET log_min_duration_statement = -1;\\nSET log_statement = none;\\n\\\\set pw \\`cat %s\\`\\nALTER ROLE :\\"role\\" PASSWORD :\'pw\';\\n" "$GENAI_PG_PASSWORD_FILE" \\',
    '            | psql -q -X -v ON_ERROR_STOP=1 -v role="$GENAI_PG_USER" -h "$GENAI_PG_SOCKET_DIR" -p "$GENAI_PG_PORT" -U "$GENAI_PG_USER" -d postgres >/dev/null; then',
    "            reconciled=yes",
    '            echo "password of role $GENAI_PG_USER reconciled with the secret file"',
    "        fi",
    "    fi",
    '    [ "$reconciled" = yes ] || sleep 1',
    "done",
    // Wait out signals: the container ends with the server, and with its exit status.
    'while :; do status=0; wait "$server" || status=$?; kill -0 "$server" 2>/dev/null || exit "$status"; done',
].join("\n");
