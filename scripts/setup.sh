#!/usr/bin/env bash
# Sets up a fresh clone: checks Node.js, installs pnpm 10 if missing, installs the workspace dependencies and
# builds every package (`pnpm build`). Idempotent: a second run only verifies and rebuilds what changed.
# Debian packages that tests need are installed by install-system-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "heartline needs Node.js 20 or newer (found: $(node -v 2>/dev/null || echo none))." >&2
  exit 1
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm -v | cut -d. -f1)" -lt 10 ]; then
  echo "setup: installing pnpm 10 with npm (corepack is not used: it fails against some registries)"
  npm install -g pnpm@10 >/dev/null
fi

echo "setup: installing workspace dependencies with pnpm $(pnpm -v)"
if [ "${CI:-}" = "true" ]; then
  pnpm install --frozen-lockfile --reporter=append-only
else
  pnpm install --reporter=silent
fi
echo "setup: building the workspace (pnpm build)"
pnpm run --silent build
echo "setup: done (Node $(node -v), pnpm $(pnpm -v))"
