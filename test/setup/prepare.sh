#!/usr/bin/env bash
# Run by `npm test` before the suite: makes sure the real programs the tests
# drive are installed (Debian packages), then starts PostgreSQL and Redis on
# loopback. Safe to run again: what is there already is left alone.
set -euo pipefail
cd "$(dirname "$0")/../.."

# postgresql, redis-server: the stores generated code is tested against;
# adr-tools: proves records are readable by `adr`; tmux: the interactive
# questionnaire test; chromium: the real-browser tests.
packages=(postgresql redis-server adr-tools tmux chromium)
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages the tests need: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "The tests need these Debian packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
fi

bash .ci/services.sh >/dev/null
