#!/usr/bin/env bash
# Scaffolds a fresh Express + SQLite API-key project (JavaScript, ESM) into a temp folder, installs
# it, and runs bench.mjs against it. Run from the repository root after `npm ci && npm run build`:
#   bash bench/api-key/run.sh [--duration 8] [--rounds 5] [--connections 20]
set -euo pipefail
project="$(mktemp -d "${TMPDIR:-/tmp}/api-key-bench-XXXXXX")"
trap 'rm -rf "$project"' EXIT
echo '{"name":"api-key-bench","private":true,"type":"module"}' > "$project/package.json"
node bin/auth-decide.js scaffold --method api-key --stack express --store sqlite --lang js \
  --dir "$project" --out src/auth --yes >&2
node bench/api-key/bench.mjs --project "$project" --auth-dir src/auth "$@"
