#!/usr/bin/env bash
# The scaled-out deployment's benchmarks (docs/BENCHMARKS.md, "Several instances"): three
# instances of `silkstream` on one fresh PostgreSQL database and the machine's Redis, each on a
# free port, with the bench settings of bench/lib.sh; then
#   - the cross-instance fan-out: orders placed on instance A, 1,000 viewers spread over B and
#     C, beside the same viewers on A itself, in the same run (`silkstream-loadgen fanout
#     --viewer-server B,C`; results under `fanout-cluster`);
#   - the flash sale over three instances: buyers spread over A, B and C, beside every buyer on
#     A, in the same run, with the ratio (`silkstream-loadgen flash --server A,B,C`; results
#     under `flash-postgres-cluster`); each side measured in turn, one, all, all, one (twice at
#     full size: `--rounds 4`), so that a drift over the run weighs on both sides alike; the
#     sale's invariant is checked after each step.
# Results are merged into the results file like the other scenarios'; everything started here
# is stopped by its pid on exit, and the database is dropped (with the deployment's keys in
# Redis).
#
#   bench/cluster.sh                      full sizes, release build (a few minutes)
#   BENCH_SIZES=small bench/cluster.sh    seconds per scenario
#
# Environment:
#   BENCH_SIZES          full (default), small, or smoke (scripts/bench-smoke.sh)
#   BENCH_OUT            results directory (default docs/bench): $BENCH_OUT/results.json
#   BENCH_RESULTS        the results file itself (default $BENCH_OUT/results.json)
#   BENCH_POSTGRES_URL   PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres)
#   BENCH_REDIS_URL      Redis (default redis://127.0.0.1:6379)
#   BENCH_PROFILE        release (default); debug only to check the script
#   BENCH_INSTANCES      3 (default; at least 2)
#   CLUSTER_SCENARIOS    "fanout flash" (default) or one of them
#   SKIP_BUILD=1         use the binaries already built
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

SIZES="${BENCH_SIZES:-full}"
OUT_DIR="${BENCH_OUT:-docs/bench}"
RESULTS="${BENCH_RESULTS:-$OUT_DIR/results.json}"
PG_ADMIN_URL="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379}"
PROFILE="${BENCH_PROFILE:-release}"
INSTANCES="${BENCH_INSTANCES:-3}"
SCENARIOS="${CLUSTER_SCENARIOS:-fanout flash}"

case "$SIZES" in
  full)
    FANOUT=(--viewers 1000 --steps 1,20,50,100 --step-secs 5 --drain-secs 2)
    FLASH=(--buyers 500,2000 --connections 200 --duration 10 --warmup 2 --units 2000000 --rounds 4)
    ;;
  small)
    FANOUT=(--viewers 60 --steps 1,5 --step-secs 2 --drain-secs 1)
    FLASH=(--buyers 60 --connections 12 --duration 2 --warmup 0.5 --units 100000 --rounds 2)
    ;;
  smoke)
    # scripts/bench-smoke.sh: that it runs, nothing judged.
    FANOUT=(--viewers 30 --steps 1,5 --step-secs 1 --drain-secs 1)
    FLASH=(--buyers 30 --connections 6 --duration 1 --warmup 0.3 --units 100000 --rounds 2)
    ;;
  *) echo "BENCH_SIZES is full, small or smoke, not $SIZES"; exit 2 ;;
esac
(( INSTANCES >= 2 )) || { echo "BENCH_INSTANCES must be at least 2"; exit 2; }

if [[ "$PROFILE" == release ]]; then BIN=target/release; BUILD=(--release); else BIN=target/debug; BUILD=(); fi
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  echo "==> $PROFILE build"
  cargo build "${BUILD[@]}" -p silkstream-server -p silkstream-loadgen
fi
LOADGEN="$BIN/silkstream-loadgen"

pg_isready -q -d "$PG_ADMIN_URL" || { echo "FAIL: no PostgreSQL at $PG_ADMIN_URL"; exit 1; }
redis_host_port="${REDIS_URL#redis://}"; redis_host_port="${redis_host_port%%/*}"
REDIS_CLI=(redis-cli -h "${redis_host_port%:*}" -p "${redis_host_port##*:}")
if command -v redis-cli >/dev/null; then
  [[ "$("${REDIS_CLI[@]}" ping 2>/dev/null)" == PONG ]] || { echo "FAIL: no Redis at $REDIS_URL"; exit 1; }
fi

WORK="$(mktemp -d)"
mkdir -p "$(dirname "$RESULTS")" "$OUT_DIR"
PIDS=()
URLS=()
DEPLOYMENT_KEY=""
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for i in "${!PIDS[@]}"; do
    if grep -q "panicked" "$WORK/instance-$i.log" 2>/dev/null; then
      echo "FAIL: instance $i panicked:"; grep -A3 "panicked" "$WORK/instance-$i.log"; rc=1
    fi
  done
  # The deployment's keys in Redis (its counters' hashes; heartbeats expire by themselves).
  if [[ -n "$DEPLOYMENT_KEY" ]] && command -v redis-cli >/dev/null; then
    "${REDIS_CLI[@]}" --scan --pattern "silkstream:$DEPLOYMENT_KEY:*" 2>/dev/null \
      | xargs -r "${REDIS_CLI[@]}" del >/dev/null 2>&1 || true
  fi
  bench_drop_pg_database "$PG_ADMIN_URL"
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

echo "==> a fresh PostgreSQL database and $INSTANCES instances on Redis $REDIS_URL"
bench_pg_database "$PG_ADMIN_URL" "silkstream_bench_cluster_$$"
env "${BENCH_ENV[@]}" "$BIN/silkstream" migrate --database-url "$PG_URL" >"$WORK/migrate.log" 2>&1 \
  || { echo "FAIL: migrate:"; cat "$WORK/migrate.log"; exit 1; }
ADMIN="$(env "${BENCH_ENV[@]}" "$BIN/silkstream" token create --role admin --name "bench cluster" \
  --database-url "$PG_URL" 2>>"$WORK/migrate.log" | tail -n1)"
[[ "$ADMIN" == ss_* ]] || { echo "FAIL: no admin token:"; cat "$WORK/migrate.log"; exit 1; }

# start_instance I: on a free port; sets PID_I and URL_I. The port is free when asked for, but
# another process may take it before the instance binds it: the instance then exits ("cannot
# listen") and is started again on another port. What answers must be this instance: its own
# log says it listens on that address, and (with ss) the port's only listener is its pid.
start_instance() {
  local i="$1" log="$WORK/instance-$i.log" port pid attempt
  for attempt in 1 2 3 4 5; do
    port="$(bench_free_port)"
    : >"$log"
    # The bench's settings, Redis, and the one info line that names the address it listens on.
    env "${BENCH_ENV[@]}" SILKSTREAM_REDIS_URL="$REDIS_URL" \
      SILKSTREAM_LOG="warn,silkstream_server::cli=info" \
      "$BIN/silkstream" serve --database-url "$PG_URL" --bind "127.0.0.1:$port" >>"$log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    # Its port answers (curl awaits it; an instance that could not bind exits, and whatever
    # answers instead is caught below), and it is still this instance that runs.
    curl -s -o /dev/null --retry 300 --retry-connrefused --retry-delay 0 --retry-max-time 60 \
      "http://127.0.0.1:$port/healthz" || true
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "instance $i did not start on port $port (attempt $attempt):"; tail -n3 "$log"
      continue
    fi
    grep -q "listening.*127.0.0.1:$port" "$log" || { echo "FAIL: instance $i never listened:"; cat "$log"; return 1; }
    if command -v ss >/dev/null; then
      local owners
      owners="$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | sort -u | tr '\n' ' ')"
      if [[ "$owners" != "pid=$pid " ]]; then
        echo "FAIL: port $port is listened on by [$owners], not by instance $i (pid $pid)"; return 1
      fi
    fi
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null \
      || { echo "FAIL: instance $i does not answer /healthz:"; cat "$log"; return 1; }
    printf -v "PID_$i" '%s' "$pid"
    printf -v "URL_$i" '%s' "http://127.0.0.1:$port"
    echo "instance $i: http://127.0.0.1:$port (pid $pid, log $log)"
    return 0
  done
  echo "FAIL: instance $i could not get a port"; return 1
}

# Waits until the instance at $1 says Redis is up (/readyz), so that no scenario starts on an
# instance still hearing the others through its log reads only.
wait_redis_up() {
  for _ in $(seq 1 100); do
    if curl -sf "$1/readyz" | grep -q '"redis":"up"'; then return 0; fi
    sleep 0.1
  done
  echo "FAIL: $1 does not report Redis up:"; curl -s "$1/readyz"; return 1
}

ALL_PIDS=()
for i in $(seq 0 $((INSTANCES - 1))); do
  start_instance "$i"
  pid_var="PID_$i" url_var="URL_$i"
  ALL_PIDS+=("${!pid_var}")
  URLS+=("${!url_var}")
done
for url in "${URLS[@]}"; do wait_redis_up "$url"; done
DEPLOYMENT_KEY="$(psql "$PG_URL" -Atc "SELECT cluster_key FROM deployment WHERE id = 1" 2>/dev/null || true)"

A="${URLS[0]}"
OTHERS="$(IFS=,; echo "${URLS[*]:1}")"
OTHER_PIDS="$(IFS=,; echo "${ALL_PIDS[*]:1}")"
EVERY="$(IFS=,; echo "${URLS[*]}")"
EVERY_PID="$(IFS=,; echo "${ALL_PIDS[*]}")"
export LOADGEN_ADMIN_TOKEN="$ADMIN"
# Feeds are sockets; the fan-out opens a thousand.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

for scenario in $SCENARIOS; do
  case "$scenario" in
    fanout)
      echo "==> fan-out over instances: orders on A, viewers on A, then on the $((INSTANCES - 1)) others"
      "$LOADGEN" --server "$A" --server-pid "${ALL_PIDS[0]}" --out "$RESULTS" --plots "$OUT_DIR" \
        fanout --viewer-server "$OTHERS" --viewer-server-pid "$OTHER_PIDS" "${FANOUT[@]}"
      ;;
    flash)
      echo "==> flash sale over $INSTANCES instances, beside one, on PostgreSQL"
      "$LOADGEN" --server "$EVERY" --server-pid "$EVERY_PID" --out "$RESULTS" --plots "$OUT_DIR" \
        flash --backend postgres "${FLASH[@]}"
      ;;
    *) echo "unknown scenario $scenario (fanout, flash)"; exit 2 ;;
  esac
done
for i in "${!ALL_PIDS[@]}"; do
  kill -0 "${ALL_PIDS[$i]}" 2>/dev/null || { echo "FAIL: instance $i died during the run:"; tail "$WORK/instance-$i.log"; exit 1; }
done
echo "results: $RESULTS (keys $(for s in $SCENARIOS; do [[ $s == fanout ]] && printf 'fanout-cluster ' || printf 'flash-postgres-cluster '; done))"
