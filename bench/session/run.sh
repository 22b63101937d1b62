#!/usr/bin/env bash
# Scaffolds the session method for Express with the Redis store into a temporary JavaScript project
# (cookie sessions at /browser-app, session tokens at /native-apps), installs the peer
# (express-session, connect-redis) and the load generator (autocannon) there, and runs bench.mjs in
# one go. Needs REDIS_URL (eval "$(bash .ci/services.sh)").
# Usage (from the repository root, after npm run build): bash bench/session/run.sh [duration] [connections] [rounds]
set -euo pipefail
: "${REDIS_URL:?REDIS_URL is not set; run: eval \"\$(bash .ci/services.sh)\"}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/session-bench-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
printf '{ "name": "session-bench", "private": true, "type": "module" }\n' > package.json
node "$ROOT/bin/auth-decide.js" scaffold --method session --variant cookie --boundary browser-app --stack express --store redis --lang js --out auth --dir "$WORK" --yes >&2
node "$ROOT/bin/auth-decide.js" scaffold --method session --variant token --boundary native-apps --dir "$WORK" --yes --no-install >&2
npm install --no-save --no-audit --no-fund autocannon@^9 express-session@^1.18.2 connect-redis@^9.0.0 >&2
cp "$ROOT/bench/session/bench.mjs" "$ROOT/bench/middleware-bench.mjs" "$WORK/"
node bench.mjs --auth-dir auth --duration "${1:-10}" --connections "${2:-50}" --rounds "${3:-3}"
