#!/usr/bin/env bash
# The whole benchmark suite, one command, on a fresh machine (docs/BENCHMARKS.md):
#
#   bench/run.sh                      # full sizes (about 15 minutes on 2 cores)
#   BENCH_SIZES=small bench/run.sh    # seconds per scenario, small numbers
#
# It builds the release binaries, installs what it needs (wrk from Debian; PostgreSQL must be
# installed, it is started if down), and for each backend starts the server on a fresh database
# (a new SQLite file; a new PostgreSQL database) with the settings the benchmark needs
# (bench/lib.sh says which and why), then runs every scenario of silkstream-loadgen: the
# per-order transaction baselines (dbbase), the flash sale over HTTP and over the WebSocket, the
# catalog read, the orders export (on a server of its own, fresh, so that it exports exactly the
# orders it placed), and the fan-out and idle-connection scenarios with their baselines
# (bench/fanout.sh); then the scaled-out deployment, three instances on PostgreSQL and Redis
# (bench/cluster.sh: the fan-out across instances and the flash sale over three instances, each
# beside one instance). Results: one JSON file, SVG plots and a Markdown summary in docs/bench/.
#
# Environment:
#   BENCH_SIZES          full (default) or small
#   BENCH_OUT            results directory (default docs/bench)
#   BENCH_POSTGRES_URL   PostgreSQL server to use (default postgres://postgres@127.0.0.1:5432/postgres);
#                        set it empty to run on SQLite only
#   BENCH_BACKENDS       "sqlite postgres" (default) or one of them
#   BENCH_REDIS_URL      Redis for the several-instance scenarios (default redis://127.0.0.1:6379;
#                        started if down); set it empty, or leave PostgreSQL out, to skip them
#   BENCH_PROFILE        release (default); debug only to check the script quickly
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

SIZES="${BENCH_SIZES:-full}"
OUT_DIR="${BENCH_OUT:-docs/bench}"
PG_ADMIN_URL="${BENCH_POSTGRES_URL-postgres://postgres@127.0.0.1:5432/postgres}"
BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
REDIS_URL="${BENCH_REDIS_URL-redis://127.0.0.1:6379}"
WORK="target/bench"
mkdir -p "$WORK" "$OUT_DIR"
OUT="$OUT_DIR/results.json"
LOG="$WORK/server.log"

cleanup() {
  bench_stop_server "$LOG" || true
  if [[ -n "$PG_ADMIN_URL" ]]; then bench_drop_pg_database "$PG_ADMIN_URL"; fi
}
trap cleanup EXIT

case "$SIZES" in
  full)
    FLASH=(--buyers 500,2000,10000 --connections 200 --duration 10 --warmup 2 --units 2000000)
    FLASH_WS=(--buyers 200 --connections 200 --duration 10 --warmup 2 --units 2000000)
    DBBASE=(--duration 10 --warmup 1 --sqlite-connections 1,4 --pg-connections 10,50)
    CATALOG=(--connections 100 --threads 2 --duration 10 --warmup 2)
    EXPORT=(--orders 100000 --connections 50)
    ;;
  small)
    FLASH=(--buyers 50,200 --connections 20 --duration 2 --warmup 0.5 --units 100000)
    FLASH_WS=(--buyers 20 --connections 20 --duration 2 --warmup 0.5 --units 100000)
    DBBASE=(--duration 2 --warmup 0.2 --transactions 1000 --sqlite-connections 1 --pg-connections 10,50)
    CATALOG=(--connections 20 --threads 2 --duration 2 --warmup 1)
    EXPORT=(--orders 5000 --connections 20)
    ;;
  *) echo "BENCH_SIZES is full or small, not $SIZES"; exit 2 ;;
esac

echo "==> tools"
if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian)"
  apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi
if [[ -n "$PG_ADMIN_URL" ]] && ! pg_isready -q -d "$PG_ADMIN_URL"; then
  echo "PostgreSQL is down; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -d "$PG_ADMIN_URL" && break; sleep 1; done
  pg_isready -q -d "$PG_ADMIN_URL" || { echo "FAIL: no PostgreSQL at $PG_ADMIN_URL (set BENCH_POSTGRES_URL= to skip it)"; exit 1; }
fi
[[ -n "$PG_ADMIN_URL" ]] || BACKENDS="${BACKENDS//postgres/}"
if [[ "$BACKENDS" != *postgres* ]]; then REDIS_URL=""; fi
if [[ -n "$REDIS_URL" ]]; then
  redis_at="${REDIS_URL#redis://}"; redis_at="${redis_at%%/*}"
  redis=(redis-cli -h "${redis_at%:*}" -p "${redis_at##*:}")
  if [[ "$("${redis[@]}" ping 2>/dev/null)" != PONG ]]; then
    echo "Redis is down; starting it"
    redis-server --daemonize yes --bind "${redis_at%:*}" --port "${redis_at##*:}" --save "" --appendonly no >/dev/null
    for _ in $(seq 1 30); do [[ "$("${redis[@]}" ping 2>/dev/null)" == PONG ]] && break; sleep 1; done
    [[ "$("${redis[@]}" ping 2>/dev/null)" == PONG ]] || { echo "FAIL: no Redis at $REDIS_URL (set BENCH_REDIS_URL= to skip the several-instance scenarios)"; exit 1; }
  fi
fi
# The idle-connection scenario opens thousands of sockets.
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

if [[ "${BENCH_PROFILE:-release}" == release ]]; then
  echo "==> release build"
  cargo build --release -p silkstream-server -p silkstream-loadgen
  BIN=target/release/silkstream
  LOADGEN=target/release/silkstream-loadgen
else
  # Only to check the script itself: debug figures mean nothing.
  echo "==> debug build (BENCH_PROFILE=$BENCH_PROFILE: the figures are not the server's)"
  cargo build -p silkstream-server -p silkstream-loadgen
  BIN=target/debug/silkstream
  LOADGEN=target/debug/silkstream-loadgen
fi

echo "==> machine"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs) ($(nproc) cores)"
  echo "memory: $(free -h | awk '/^Mem:/ {print $2}')"
  echo "kernel: $(uname -r)"
  echo "sizes: $SIZES, build: ${BENCH_PROFILE:-release}"
} | tee "$OUT_DIR/machine.txt"

rm -f "$OUT"
echo "==> per-order transaction baselines"
"$LOADGEN" --out "$OUT" dbbase "${DBBASE[@]}" --sqlite-dir "$WORK" --postgres-url "$PG_ADMIN_URL" \
  $( [[ "$BACKENDS" == *sqlite* ]] || echo --no-sqlite )

for backend in $BACKENDS; do
  echo "==> $backend"
  : >"$LOG"
  if [[ "$backend" == sqlite ]]; then
    rm -f "$WORK"/bench.db*
    url="sqlite:$WORK/bench.db"
  else
    bench_pg_database "$PG_ADMIN_URL" "silkstream_bench"
    url="$PG_URL"
  fi
  bench_start_server "$BIN" "$backend" "$url" "$LOG"
  export LOADGEN_SERVER="$SERVER" LOADGEN_ADMIN_TOKEN="$ADMIN" LOADGEN_SERVER_PID="$SERVER_PID"
  "$LOADGEN" --out "$OUT" --plots "$OUT_DIR" flash --backend "$backend" "${FLASH[@]}"
  "$LOADGEN" --out "$OUT" flash --backend "$backend" --transport ws "${FLASH_WS[@]}"
  "$LOADGEN" --out "$OUT" catalog --backend "$backend" "${CATALOG[@]}"
  bench_stop_server "$LOG"
  if [[ "$backend" == postgres ]]; then bench_drop_pg_database "$PG_ADMIN_URL"; fi

  echo "==> $backend: orders export (a fresh server)"
  : >"$LOG"
  if [[ "$backend" == sqlite ]]; then
    rm -f "$WORK"/bench-export.db*
    url="sqlite:$WORK/bench-export.db"
  else
    bench_pg_database "$PG_ADMIN_URL" "silkstream_bench_export"
    url="$PG_URL"
  fi
  bench_start_server "$BIN" "$backend" "$url" "$LOG"
  export LOADGEN_SERVER="$SERVER" LOADGEN_ADMIN_TOKEN="$ADMIN" LOADGEN_SERVER_PID="$SERVER_PID"
  "$LOADGEN" --out "$OUT" export --backend "$backend" "${EXPORT[@]}"
  bench_stop_server "$LOG"
  if [[ "$backend" == postgres ]]; then bench_drop_pg_database "$PG_ADMIN_URL"; fi
done

# Fan-out and idle connections, with their bare tokio-tungstenite and Node `ws` baselines, once:
# the script of that part starts a fresh SQLite server of its own for each of the two scenarios
# (an idle reading must not follow a fan-out run on the same process) and merges its results
# into the same file.
echo "==> fan-out and idle connections (bench/fanout.sh)"
RESULTS="$OUT" PLOTS="$OUT_DIR" PROFILE="${BENCH_PROFILE:-release}" SKIP_BUILD=1 \
  BENCH_SIZES="$SIZES" bench/fanout.sh

# The scaled-out deployment: three instances on a fresh PostgreSQL database of their own and
# Redis, started and stopped by the script, which merges its results into the same file.
if [[ -n "$REDIS_URL" ]]; then
  echo "==> several instances (bench/cluster.sh)"
  BENCH_OUT="$OUT_DIR" BENCH_RESULTS="$OUT" BENCH_POSTGRES_URL="$PG_ADMIN_URL" \
    BENCH_REDIS_URL="$REDIS_URL" BENCH_PROFILE="${BENCH_PROFILE:-release}" SKIP_BUILD=1 \
    BENCH_SIZES="$SIZES" bench/cluster.sh
else
  echo "==> several instances: skipped (they need PostgreSQL and Redis)"
fi

echo "==> plots and summary"
"$LOADGEN" --out "$OUT" --plots "$OUT_DIR" plot
"$LOADGEN" --out "$OUT" summary --markdown >"$OUT_DIR/summary.md"
echo
echo "results: $OUT (JSON), $OUT_DIR/summary.md (tables), $OUT_DIR/*.svg (plots), $OUT_DIR/machine.txt"
