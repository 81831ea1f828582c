#!/usr/bin/env bash
# A local PostgreSQL streaming standby (a hot standby: read-only, kept current by streaming the
# primary's WAL) for trying DATABASE_READ_URLS. It lives in its own data directory on its own port
# and never changes the primary's configuration.
#
#   scripts/standby.sh up       pg_basebackup -R of the primary into $STANDBY_DIR/standby, start it on $STANDBY_PORT
#   scripts/standby.sh status   the primary's view of its replication (pg_stat_replication) and the standby's
#   scripts/standby.sh lag      ms from a commit on the primary to the standby replaying it (scripts/replica-lag.mjs)
#   scripts/standby.sh down     stop what `up` started and remove $STANDBY_DIR
#
# Settings (environment):
#   PRIMARY_HOST=127.0.0.1 PRIMARY_PORT=5432 PRIMARY_USER=postgres   the server to copy
#   STANDBY_PORT=5433 STANDBY_DIR=/tmp/sen-standby                   where the standby lives
#   PG_BIN=/usr/lib/postgresql/15/bin                                initdb, pg_ctl, pg_basebackup (same major version as the primary)
#   SCRATCH_PRIMARY_PORT=5434   also make a throwaway PRIMARY cluster (initdb, in $STANDBY_DIR/primary, allowing
#                               replication from 127.0.0.1) on this port and copy that instead: for a machine whose
#                               main cluster refuses replication connections and must not be reconfigured.
#
# The primary must accept a replication connection from this host (a `replication` line in its
# pg_hba.conf: the database keyword `all` does not cover replication) and have wal_level replica or
# logical and max_wal_senders > 0. `up` checks this first and says which is missing.
set -euo pipefail

PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
PRIMARY_USER=${PRIMARY_USER:-postgres}
STANDBY_PORT=${STANDBY_PORT:-5433}
STANDBY_DIR=${STANDBY_DIR:-/tmp/sen-standby}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
SCRATCH_PRIMARY_PORT=${SCRATCH_PRIMARY_PORT:-}

# PostgreSQL refuses to run as root: run its programs as the postgres user then.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
primary_port() { echo "${SCRATCH_PRIMARY_PORT:-$PRIMARY_PORT}"; }
on_primary() { psql -X -At -h "$PRIMARY_HOST" -p "$(primary_port)" -U "$PRIMARY_USER" -d postgres "$@"; }
on_standby() { psql -X -At -h 127.0.0.1 -p "$STANDBY_PORT" -U "$PRIMARY_USER" -d postgres "$@"; }

# Settings of a cluster made here (the Debian packages keep postgresql.conf and pg_hba.conf in
# /etc, so a copied data directory has none of its own).
own_config() {
  local dir=$1 port=$2
  cat >"$dir/postgresql.conf" <<EOF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$STANDBY_DIR'
shared_buffers = 128MB
hot_standby = on
wal_level = replica
max_wal_senders = 4
log_line_prefix = '%m [%p] %a '
# Every statement in the log, so the log shows which queries reached this server.
log_statement = 'all'
EOF
  cat >"$dir/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 trust
local replication all trust
host replication all 127.0.0.1/32 trust
EOF
  chown postgres "$dir/postgresql.conf" "$dir/pg_hba.conf" 2>/dev/null || true
}

up() {
  mkdir -p "$STANDBY_DIR"
  chown postgres "$STANDBY_DIR" 2>/dev/null || true
  if [ -n "$SCRATCH_PRIMARY_PORT" ]; then
    echo "making a scratch primary cluster on port $SCRATCH_PRIMARY_PORT in $STANDBY_DIR/primary"
    as_pg "$PG_BIN/initdb" -D "$STANDBY_DIR/primary" -U "$PRIMARY_USER" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    own_config "$STANDBY_DIR/primary" "$SCRATCH_PRIMARY_PORT"
    as_pg "$PG_BIN/pg_ctl" -D "$STANDBY_DIR/primary" -l "$STANDBY_DIR/primary.log" -w start >/dev/null
  fi
  echo "primary $PRIMARY_HOST:$(primary_port): wal_level=$(on_primary -c 'SHOW wal_level'), max_wal_senders=$(on_primary -c 'SHOW max_wal_senders')"
  if ! err=$(psql -X -At "host=$PRIMARY_HOST port=$(primary_port) user=$PRIMARY_USER replication=true" -c 'IDENTIFY_SYSTEM' 2>&1 >/dev/null); then
    echo "the primary refuses a replication connection from this host:"
    echo "  $err"
    echo "it needs a pg_hba.conf line such as 'host replication $PRIMARY_USER 127.0.0.1/32 trust' (and a reload);"
    echo "this script does not change the primary. SCRATCH_PRIMARY_PORT=5434 $0 up makes a scratch primary to copy instead."
    exit 2
  fi
  echo "pg_basebackup -R of the primary into $STANDBY_DIR/standby"
  local started=$(date +%s%N)
  as_pg pg_basebackup -h "$PRIMARY_HOST" -p "$(primary_port)" -U "$PRIMARY_USER" -D "$STANDBY_DIR/standby" -R -X stream -c fast
  echo "  copied $(du -sh "$STANDBY_DIR/standby" | cut -f1) in $(( ($(date +%s%N) - started) / 1000000 )) ms"
  own_config "$STANDBY_DIR/standby" "$STANDBY_PORT"
  as_pg "$PG_BIN/pg_ctl" -D "$STANDBY_DIR/standby" -l "$STANDBY_DIR/standby.log" -w start >/dev/null
  echo "standby up on 127.0.0.1:$STANDBY_PORT (in recovery: $(on_standby -c 'SELECT pg_is_in_recovery()')); log: $STANDBY_DIR/standby.log"
  echo "point the app at it: DATABASE_READ_URLS=postgres://$PRIMARY_USER@127.0.0.1:$STANDBY_PORT/<database>"
}

status() {
  echo "primary (pg_stat_replication):"
  on_primary -c "SELECT application_name, client_addr, state, sync_state, write_lag, flush_lag, replay_lag FROM pg_stat_replication" | sed 's/^/  /'
  echo "standby: in recovery $(on_standby -c 'SELECT pg_is_in_recovery()'), last replayed transaction at $(on_standby -c 'SELECT pg_last_xact_replay_timestamp()')"
}

lag() {
  node "$(dirname "$0")/replica-lag.mjs" "postgres://$PRIMARY_USER@$PRIMARY_HOST:$(primary_port)/postgres" "postgres://$PRIMARY_USER@127.0.0.1:$STANDBY_PORT/postgres" "${PROBES:-20}"
}

down() {
  case "$STANDBY_DIR" in ''|/|/tmp|/var/lib/postgresql*|/etc/*) echo "refusing to remove STANDBY_DIR=$STANDBY_DIR"; exit 64 ;; esac
  for cluster in standby primary; do
    if [ -f "$STANDBY_DIR/$cluster/postmaster.pid" ]; then as_pg "$PG_BIN/pg_ctl" -D "$STANDBY_DIR/$cluster" -m fast -w stop >/dev/null && echo "stopped the $cluster in $STANDBY_DIR"; fi
  done
  rm -rf "$STANDBY_DIR"
  echo "removed $STANDBY_DIR"
}

case "${1:-}" in
  up) up ;;
  status) status ;;
  lag) lag ;;
  down) down ;;
  *) sed -n '2,20p' "$0"; exit 64 ;;
esac
