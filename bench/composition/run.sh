#!/usr/bin/env bash
# Scaffolds API keys and session tokens for Express with SQLite into a temporary JavaScript project, installs it
# and the load generator (autocannon), and runs bench.mjs: the same route behind a one-method boundary
# and behind a two-method boundary, in one run.
# Usage (from the repository root, after npm run build): bash bench/composition/run.sh [duration] [connections] [rounds]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/composition-bench-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
printf '{ "name": "composition-bench", "private": true, "type": "module" }\n' > package.json
node "$ROOT/bin/auth-decide.js" scaffold --method api-key --stack express --store sqlite --lang js --out auth --dir "$WORK" --yes --no-install >&2
node "$ROOT/bin/auth-decide.js" scaffold --method session --variant token --boundary apps --dir "$WORK" --yes >&2
npm install --no-save --no-audit --no-fund autocannon@^9 >&2
cp "$ROOT/bench/composition/bench.mjs" "$ROOT/bench/middleware-bench.mjs" "$WORK/"
node bench.mjs --auth-dir auth --duration "${1:-8}" --connections "${2:-20}" --rounds "${3:-5}"
