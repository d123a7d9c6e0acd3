#!/usr/bin/env bash
# Installs Debian's PostgreSQL server when missing, starts a private throw-away cluster on 127.0.0.1 as the
# postgres user (trust authentication, local port only, nothing else on the machine changed), creates a database
# and prints the URL for TEST_DATABASE_URL. Stop it with: .ci/postgres.sh stop DIR
#   usage: eval "$(.ci/postgres.sh start)"   -> exports TEST_DATABASE_URL and PG_TEST_DIR
set -euo pipefail
PORT="${PG_TEST_PORT:-54329}"

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

case "${1:-start}" in
  start)
    if [ -z "$(pg_bin)" ]; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -q >&2
      apt-get install -y -q postgresql >&2
    fi
    BIN="$(pg_bin)"
    DIR="$(mktemp -d /tmp/hs-pg-XXXXXX)"
    chown postgres:postgres "$DIR"
    su postgres -c "'$BIN/initdb' -D '$DIR/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >&2
    su postgres -c "'$BIN/pg_ctl' -D '$DIR/data' -l '$DIR/log' -w -o \"-c listen_addresses=127.0.0.1 -p $PORT -k '$DIR'\" start" >&2
    su postgres -c "'$BIN/createdb' -h 127.0.0.1 -p $PORT -U postgres hs_test" >&2
    echo "export PG_TEST_DIR='$DIR'"
    echo "export TEST_DATABASE_URL='postgres://postgres@127.0.0.1:$PORT/hs_test'"
    ;;
  stop)
    DIR="${2:?usage: postgres.sh stop DIR}"
    su postgres -c "'$(pg_bin)/pg_ctl' -D '$DIR/data' -m fast stop" >&2 || true
    rm -rf "$DIR"
    ;;
esac
