#!/usr/bin/env bash
# The benchmark suite's smoke run (called by .ci/run): every scenario of silkstream-loadgen, for a
# few seconds with small numbers, on the debug build, on SQLite and on PostgreSQL, and over three
# instances on PostgreSQL and Redis (bench/cluster.sh), so that the suite keeps working. No figure is judged: it fails only when a scenario errors or a flash sale
# breaks its invariant (confirmed + remaining = allocated). The real run is bench/run.sh.
#
#   scripts/bench-smoke.sh        # PostgreSQL from SILKSTREAM_TEST_DATABASE_URL, Redis from
#                                 # SILKSTREAM_TEST_REDIS_URL (what needs one is skipped without
#                                 # it, unless SILKSTREAM_REQUIRE_BACKENDS=1)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

WORK="$(mktemp -d)"
PG_ADMIN_URL="${SILKSTREAM_TEST_DATABASE_URL:-}"
cleanup() {
  bench_stop_server "$WORK/server.log" || true
  if [[ -n "$PG_ADMIN_URL" ]]; then bench_drop_pg_database "$PG_ADMIN_URL"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian) for the catalog read"
  apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi

cargo build --quiet -p silkstream-server -p silkstream-loadgen
BIN=target/debug/silkstream
LOADGEN=target/debug/silkstream-loadgen
OUT="$WORK/results.json"
PLOTS="$WORK/plots"
export LOADGEN_POSTGRES_URL="$PG_ADMIN_URL"

backends=(sqlite)
if [[ -n "$PG_ADMIN_URL" ]]; then
  backends+=(postgres)
elif [[ "${SILKSTREAM_REQUIRE_BACKENDS:-}" == 1 ]]; then
  echo "FAIL: SILKSTREAM_REQUIRE_BACKENDS=1 but SILKSTREAM_TEST_DATABASE_URL is not set"; exit 1
fi

echo "==> bench smoke: per-order baselines (100 transactions each)"
dbbase_args=(--transactions 100 --duration 5 --warmup 0 --sqlite-connections 1 --pg-connections 10)
[[ -n "$PG_ADMIN_URL" ]] || dbbase_args+=(--postgres-url "")
"$LOADGEN" --out "$OUT" dbbase "${dbbase_args[@]}"

for backend in "${backends[@]}"; do
  echo "==> bench smoke on $backend"
  if [[ "$backend" == sqlite ]]; then
    url="sqlite:$WORK/bench.db"
  else
    bench_pg_database "$PG_ADMIN_URL" "silkstream_bench_smoke_$$"
    url="$PG_URL"
  fi
  bench_start_server "$BIN" "$backend" "$url" "$WORK/server.log"
  export LOADGEN_SERVER="$SERVER" LOADGEN_ADMIN_TOKEN="$ADMIN" LOADGEN_SERVER_PID="$SERVER_PID"
  # 200 units for more demand than that: the sale sells out, so the check covers sold_out too.
  "$LOADGEN" --out "$OUT" --plots "$PLOTS" flash --backend "$backend" --buyers 50 \
    --connections 10 --duration 2 --warmup 0.5 --units 200
  "$LOADGEN" --out "$OUT" flash --backend "$backend" --transport ws --buyers 10 \
    --connections 10 --duration 1 --warmup 0.2 --units 100000
  "$LOADGEN" --out "$OUT" catalog --backend "$backend" --connections 10 --threads 1 \
    --duration 2 --warmup 0
  bench_stop_server "$WORK/server.log"
  if [[ "$backend" == postgres ]]; then bench_drop_pg_database "$PG_ADMIN_URL"; fi
  : >"$WORK/server.log"

  # The orders export on a fresh server: 1,200 orders, more than two of its 500-order pages.
  if [[ "$backend" == sqlite ]]; then
    url="sqlite:$WORK/bench-export.db"
  else
    bench_pg_database "$PG_ADMIN_URL" "silkstream_bench_smoke_export_$$"
    url="$PG_URL"
  fi
  bench_start_server "$BIN" "$backend" "$url" "$WORK/server.log"
  export LOADGEN_SERVER="$SERVER" LOADGEN_ADMIN_TOKEN="$ADMIN" LOADGEN_SERVER_PID="$SERVER_PID"
  "$LOADGEN" --out "$OUT" export --backend "$backend" --orders 1200 --connections 10
  bench_stop_server "$WORK/server.log"
  if [[ "$backend" == postgres ]]; then bench_drop_pg_database "$PG_ADMIN_URL"; fi
  : >"$WORK/server.log"
done

echo "==> bench smoke: fan-out and idle connections with their baselines (bench/fanout.sh)"
RESULTS="$OUT" PLOTS="$PLOTS" PROFILE=debug SKIP_BUILD=1 BENCH_SIZES=small bench/fanout.sh

REDIS_URL="${SILKSTREAM_TEST_REDIS_URL:-}"
if [[ -n "$PG_ADMIN_URL" && -n "$REDIS_URL" ]]; then
  echo "==> bench smoke: three instances on PostgreSQL and Redis (bench/cluster.sh)"
  BENCH_RESULTS="$OUT" BENCH_OUT="$PLOTS" BENCH_POSTGRES_URL="$PG_ADMIN_URL" \
    BENCH_REDIS_URL="$REDIS_URL" BENCH_PROFILE=debug SKIP_BUILD=1 BENCH_SIZES=smoke bench/cluster.sh
elif [[ "${SILKSTREAM_REQUIRE_BACKENDS:-}" == 1 ]]; then
  echo "FAIL: SILKSTREAM_REQUIRE_BACKENDS=1 but the three-instance run needs SILKSTREAM_TEST_DATABASE_URL and SILKSTREAM_TEST_REDIS_URL"; exit 1
else
  echo "==> bench smoke: three instances skipped (they need SILKSTREAM_TEST_DATABASE_URL and SILKSTREAM_TEST_REDIS_URL)"
fi

"$LOADGEN" --out "$OUT" --plots "$PLOTS" plot >/dev/null
echo "bench smoke: every scenario ran; no flash sale oversold ($(ls "$PLOTS" | wc -l) plots drawn)"
