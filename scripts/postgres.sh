# Sourced by scripts/test.sh: a private PostgreSQL cluster on 127.0.0.1 for the storage tests.
PG_TEST_DIR=""
start_test_postgres() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -z "$bin" ]; then echo "postgres: server not installed; PostgreSQL tests will skip"; return 1; fi
  PG_TEST_DIR="$(mktemp -d /tmp/moodbot-pg.XXXXXX)"
  local port=$(( 20000 + RANDOM % 20000 ))
  local run_as=""
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$PG_TEST_DIR"; run_as="runuser -u postgres --"; fi
  $run_as "$bin/initdb" -D "$PG_TEST_DIR/data" -U moodbot --auth=trust -E UTF8 >/dev/null
  $run_as "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -o "-p $port -k $PG_TEST_DIR -c listen_addresses=127.0.0.1 -c fsync=off" -l "$PG_TEST_DIR/log" -w start >/dev/null
  export MOODBOT_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=moodbot;Database=postgres"
  echo "postgres: test server on 127.0.0.1:$port"
}
stop_test_postgres() {
  if [ -n "$PG_TEST_DIR" ] && [ -d "$PG_TEST_DIR/data" ]; then
    local bin; bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    local run_as=""; if [ "$(id -u)" -eq 0 ]; then run_as="runuser -u postgres --"; fi
    $run_as "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_TEST_DIR"
  fi
}
