#!/usr/bin/env bash
# Installs, from Debian's own repositories, the real programs that the
# config-file tests run the generated files through:
#
#   promtool       <- prometheus
#   amtool         <- prometheus-alertmanager
#   haproxy        <- haproxy        (bookworm 2.6: the dev load balancer's
#                                     configuration, its hitless reload and
#                                     its built-in Prometheus exporter)
#   dnsmasq        <- dnsmasq        (a DNS server whose answers change, for
#                                     the load balancer's name re-resolution)
#   busybox, curl  <- busybox, curl  (the HTTP clients the images' healthchecks
#                                     use; BusyBox also runs the weights fetch)
#   blackbox/postgres/redis exporters <- prometheus-*-exporter
#   prometheus-pushgateway <- prometheus-pushgateway (the applications' API spend)
#   redis-server   <- redis-server
#   postgres/initdb/pg_ctl/pg_isready/psql
#                  <- postgresql-15  (/usr/lib/postgresql/15/bin; on bookworm
#                                     it also ships contrib: pgcrypto, pg_trgm,
#                                     uuid-ossp) + postgresql-client-15
#   ps/pkill       <- procps
#   runuser/setpriv/useradd are in util-linux/passwd, already in the base image.
#
# Service start-up is suppressed with a temporary /usr/sbin/policy-rc.d
# (exit 101), so no system haproxy/dnsmasq/redis/postgres/prometheus is left running to
# clash with the servers that the tests start themselves on free ports.
#
# Idempotent; needs root (CI runs as root; elsewhere: sudo bash .ci/install-servers.sh).
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "install-servers.sh: must run as root (sudo bash .ci/install-servers.sh)" >&2
  exit 1
fi

PACKAGES=(
  prometheus
  prometheus-alertmanager
  prometheus-blackbox-exporter
  prometheus-postgres-exporter
  prometheus-redis-exporter
  prometheus-pushgateway
  haproxy
  dnsmasq
  busybox
  curl
  redis-server
  postgresql-15
  postgresql-client-15
  postgresql-contrib
  procps
)

POLICY=/usr/sbin/policy-rc.d
POLICY_BACKUP=""
if [ -e "$POLICY" ]; then
  POLICY_BACKUP="$(mktemp)"
  cp -p "$POLICY" "$POLICY_BACKUP"
fi
restore_policy() {
  if [ -n "$POLICY_BACKUP" ]; then
    mv -f "$POLICY_BACKUP" "$POLICY"
  else
    rm -f "$POLICY"
  fi
}
trap restore_policy EXIT

printf '#!/bin/sh\n# written by .ci/install-servers.sh: do not start services\nexit 101\n' >"$POLICY"
chmod 0755 "$POLICY"

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${PACKAGES[@]}"

# Belt and braces: if anything got started anyway (e.g. a real init system
# ignoring policy-rc.d), stop it. Errors are ignored: with no init system
# there is nothing to stop.
for svc in haproxy dnsmasq redis-server postgresql prometheus prometheus-alertmanager prometheus-node-exporter prometheus-blackbox-exporter prometheus-postgres-exporter prometheus-redis-exporter prometheus-pushgateway; do
  if command -v service >/dev/null 2>&1; then
    service "$svc" stop >/dev/null 2>&1 || true
  fi
done

# Report what is installed. Only the first line of each version banner is printed, and `sed -n 1p` reads
# the whole banner: `head -n 1` would close the pipe early, and the SIGPIPE that the writer then gets
# fails the script under pipefail (BusyBox's long banner made this happen at random).
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
echo "--- installed server versions ---"
promtool --version 2>&1 | sed -n 1p
amtool --version 2>&1 | sed -n 1p
haproxy -v | sed -n 1p
dnsmasq -v | sed -n 1p
busybox | sed -n 1p
redis-server --version
if [ -n "$PGBIN" ]; then "$PGBIN/postgres" --version; fi
