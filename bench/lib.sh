# Shared by bench/run.sh and scripts/bench-smoke.sh (sourced, not run): starting the server on a
# fresh database with the settings the benchmark needs, its admin token, stopping it.
#
# The settings the bench changes, and why (docs/BENCHMARKS.md repeats them):
#   SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE(_TOTAL)  10 / 300 by default: the flash sale signs up
#                                                10,000 guest buyers from one address
#   SILKSTREAM_ORDERS_PER_BUYER_PER_MINUTE       60 by default: buyers order as fast as the
#                                                server answers
#   SILKSTREAM_FEED_ORDERS_PER_SECOND            5 by default: the same over the WebSocket
#   SILKSTREAM_MAX_CONNECTIONS / _MAX_WEBSOCKETS room for the fan-out and idle scenarios
#   SILKSTREAM_LOG=warn                          no per-request log line
# Everything else (synchronous=FULL on SQLite, synchronous_commit on PostgreSQL, the sale's
# per-buyer limit checked on every order) is as in production.

BENCH_ENV=(
  SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE=1000000
  SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE_TOTAL=1000000
  SILKSTREAM_ORDERS_PER_BUYER_PER_MINUTE=1000000
  SILKSTREAM_FEED_ORDERS_PER_SECOND=1000000
  SILKSTREAM_MAX_CONNECTIONS=60000
  SILKSTREAM_MAX_WEBSOCKETS=60000
  SILKSTREAM_LOG=warn
)

SERVER_PID=""
PG_DB=""

bench_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# bench_start_server BIN NAME DATABASE_URL LOG: migrates, makes an admin token ($ADMIN), starts
# the server ($SERVER, $SERVER_PID) and waits for /healthz.
bench_start_server() {
  local bin="$1" name="$2" url="$3" log="$4"
  ADMIN="$(env "${BENCH_ENV[@]}" "$bin" token create --role admin --name "bench $name" \
    --database-url "$url" 2>>"$log" | tail -n1)"
  if [[ "$ADMIN" != ss_* ]]; then echo "FAIL: could not make an admin token on $name:"; cat "$log"; return 1; fi
  local port; port="$(bench_free_port)"
  SERVER="http://127.0.0.1:$port"
  env "${BENCH_ENV[@]}" "$bin" serve --database-url "$url" --bind "127.0.0.1:$port" >>"$log" 2>&1 &
  SERVER_PID=$!
  # Ready when /healthz answers: curl retries a refused connection itself, up to 60 s.
  if ! curl -sf --retry 60 --retry-connrefused --retry-max-time 60 "$SERVER/healthz" >/dev/null; then
    echo "FAIL: the server did not start on $name:"; cat "$log"; return 1
  fi
  echo "server on $name: $SERVER (pid $SERVER_PID, log $log)"
}

bench_stop_server() {
  local log="$1"
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
  if grep -q "panicked" "$log" 2>/dev/null; then
    echo "FAIL: the server panicked:"; grep -A3 "panicked" "$log"; return 1
  fi
}

# bench_pg_database ADMIN_URL NAME: a fresh PostgreSQL database ($PG_DB) and its URL ($PG_URL).
bench_pg_database() {
  local admin_url="$1"
  PG_DB="$2"
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null
  psql "$admin_url" -qc "CREATE DATABASE \"$PG_DB\"" >/dev/null
  PG_URL="${admin_url%/*}/$PG_DB"
}

bench_drop_pg_database() {
  local admin_url="$1"
  if [[ -n "$PG_DB" ]]; then
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
    PG_DB=""
  fi
}
