#!/usr/bin/env bash
# Starts the real stores the generated code is tested against, on loopback only:
#   PostgreSQL on 127.0.0.1:${PGPORT:-55432}, Redis on 127.0.0.1:${REDIS_PORT:-56379}.
# Prints the environment to use: eval "$(bash .ci/services.sh)".
# Idempotent: a server that already answers is left alone.
set -euo pipefail

PGPORT="${PGPORT:-55432}"
REDIS_PORT="${REDIS_PORT:-56379}"
STATE_DIR="${AUTH_DECIDE_SERVICES_DIR:-${TMPDIR:-/tmp}/auth-decide-services}"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"

mkdir -p "$STATE_DIR"
chmod 755 "$STATE_DIR"
touch "$STATE_DIR/postgres.log" && chown postgres:postgres "$STATE_DIR/postgres.log"

if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --daemonize yes --logfile "$STATE_DIR/redis.log" --dir "$STATE_DIR" >&2
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

if ! "$PGBIN/pg_isready" -h 127.0.0.1 -p "$PGPORT" >/dev/null 2>&1; then
  PGDATA="$STATE_DIR/pg"
  # PostgreSQL refuses to run as root; use its own system user.
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    su postgres -s /bin/sh -c "'$PGBIN/initdb' -D '$PGDATA' -A trust -U postgres" >"$STATE_DIR/initdb.log" 2>&1
  fi
  su postgres -s /bin/sh -c "'$PGBIN/pg_ctl' -D '$PGDATA' -l '$STATE_DIR/postgres.log' -w \
    -o \"-h 127.0.0.1 -p $PGPORT -k '$PGDATA'\" start" >&2
  "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE ROLE authdecide LOGIN PASSWORD 'authdecide' CREATEDB" >&2 2>/dev/null || true
  "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE authdecide_test OWNER authdecide" >&2 2>/dev/null || true
fi

echo "export DATABASE_URL=postgres://authdecide:authdecide@127.0.0.1:$PGPORT/authdecide_test"
echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
