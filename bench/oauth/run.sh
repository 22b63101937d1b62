#!/usr/bin/env bash
# Scaffolds the OAuth resource-server variant for Express into a temporary JavaScript project,
# installs it plus the peer (express-oauth2-jwt-bearer) and the load generator (autocannon) there,
# and runs bench.mjs in one go. Everything runs on Node 22, which oidc-provider 9 needs.
# Usage (from the repository root, after npm run build): bash bench/oauth/run.sh [duration] [connections]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/oauth-bench-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

node22="$(npx -y -p node@22 node -p 'process.execPath')"
node22_version="$("$node22" -p 'process.versions.node')"
# better-sqlite3 may have to build against Node 22's headers: the node@22 package ships only the
# binary, the headers come from the matching node-<platform>-<arch> package (as in .ci/run).
mkdir "$WORK/headers"
(cd "$WORK/headers" && npm pack --silent "node-$("$node22" -p 'process.platform + "-" + process.arch')@$node22_version" >/dev/null && tar xzf ./*.tgz)
export PATH="$(dirname "$node22"):$PATH"
export npm_config_nodedir="$WORK/headers/package"

mkdir "$WORK/project"
cd "$WORK/project"
printf '{ "name": "oauth-bench", "private": true, "type": "module" }\n' > package.json
node "$ROOT/bin/auth-decide.js" scaffold --method oauth --variant resource-server --stack express --lang js --out auth --dir "$WORK/project" --yes >&2
npm install --no-save --no-audit --no-fund autocannon@^9 express-oauth2-jwt-bearer@^1 >&2
cp "$ROOT/bench/oauth/bench.mjs" "$ROOT/bench/middleware-bench.mjs" .
node bench.mjs --auth-dir auth --duration "${1:-10}" --connections "${2:-50}"
