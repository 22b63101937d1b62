#!/usr/bin/env bash
# Scaffolds the JWT login-endpoint template for Express + SQLite into a temporary JavaScript project,
# installs it plus the peer (express-jwt) and the load generator (autocannon) there, and runs
# bench.mjs in one go.
# Usage (from the repository root, after npm run build): bash bench/jwt/run.sh [duration] [connections]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/jwt-bench-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
printf '{ "name": "jwt-bench", "private": true, "type": "module" }\n' > package.json
node "$ROOT/bin/auth-decide.js" scaffold --method jwt --variant login-endpoint --stack express --store sqlite \
  --lang js --out auth --dir "$WORK" --yes >&2
npm install --no-save --no-audit --no-fund autocannon@^9 express-jwt@^8 >&2
cp "$ROOT/bench/jwt/bench.mjs" "$ROOT/bench/middleware-bench.mjs" "$WORK/"
node bench.mjs --auth-dir auth --duration "${1:-10}" --connections "${2:-50}"
