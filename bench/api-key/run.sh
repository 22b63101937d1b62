#!/usr/bin/env bash
# Scaffolds API keys for Express with SQLite into a temporary JavaScript project, installs it with
# the peer (passport-headerapikey) and the load generator (autocannon), and runs bench.mjs there.
# Usage (from the repository root, after npm ci && npm run build):
#   bash bench/api-key/run.sh [duration] [connections] [rounds]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/api-key-bench-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
printf '{ "name": "api-key-bench", "private": true, "type": "module" }\n' > package.json
node "$ROOT/bin/auth-decide.js" scaffold --method api-key --stack express --store sqlite --lang js --out auth --dir "$WORK" --yes >&2
npm install --no-save --no-audit --no-fund autocannon@^9 passport@^0.7 passport-headerapikey@^1.2 >&2
cp "$ROOT/bench/api-key/bench.mjs" "$ROOT/bench/middleware-bench.mjs" "$WORK/"
node bench.mjs --auth-dir auth --duration "${1:-8}" --connections "${2:-20}" --rounds "${3:-5}"
