#!/usr/bin/env bash
# Deploys a stack with `pulumi up`: `npm run up -- dev`.
# Uses the local file backend when the user is not logged in to any Pulumi backend.
set -euo pipefail
stack="${1:-}"
shift || true
cd "$(dirname "$0")/.."

if [ -z "$stack" ] || [ ! -f "Pulumi.${stack}.yaml" ]; then
  echo "usage: npm run up -- <stack> [pulumi up flags]; stacks: $(ls Pulumi.*.yaml | sed -E 's/Pulumi\.(.*)\.yaml/\1/' | grep -v '^Pulumi$' | tr '\n' ' ')" >&2
  exit 2
fi
if ! command -v pulumi >/dev/null 2>&1; then
  echo "The Pulumi CLI is not installed: install it from https://www.pulumi.com/docs/install/ (e.g. 'curl -fsSL https://get.pulumi.com | sh'), then run this again." >&2
  exit 1
fi
platform=$(sed -n -E 's/^  genai-platform:platform: *([a-z]+).*/\1/p' "Pulumi.${stack}.yaml")
if [ "$platform" = "docker" ] && ! docker info >/dev/null 2>&1; then
  echo "The ${stack} stack runs on the local Docker engine, which is not running or not installed: install Docker (https://docs.docker.com/engine/install/) and start it, then run this again." >&2
  exit 1
fi
[ -d node_modules ] || npm ci

if ! pulumi whoami >/dev/null 2>&1; then
  mkdir -p .pulumi
  export PULUMI_BACKEND_URL="file://$(pwd)/.pulumi"
  # The local backend encrypts secrets with a passphrase; keep it outside the repository.
  if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    passfile="${HOME}/.config/genai-platform/${stack}.passphrase"
    if [ ! -f "$passfile" ]; then
      mkdir -p "$(dirname "$passfile")"
      umask 077
      head -c 32 /dev/urandom | base64 > "$passfile"
      echo "Generated a secrets passphrase for stack ${stack} in ${passfile}." >&2
    fi
    export PULUMI_CONFIG_PASSPHRASE_FILE="$passfile"
  fi
  echo "Not logged in to a Pulumi backend: using the local file backend in .pulumi/" >&2
fi

pulumi stack select "$stack" 2>/dev/null || pulumi stack init "$stack"
exec pulumi up --stack "$stack" "$@"
