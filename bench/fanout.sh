#!/usr/bin/env bash
# The fan-out and idle-connection scenarios (docs/BENCHMARKS.md), with their baselines: the bare
# tokio-tungstenite broadcast server (crates/loadgen/src/bin/bare-broadcast.rs) and Node's ws
# (bench/node-ws/server.js), started here, driven by the same client in the same run.
#
#   bench/fanout.sh            the full run (1,000 and 10,000 viewers; idle to the machine's cap)
#   bench/fanout.sh --smoke    seconds: 50 viewers, steps 1 and 5 orders/s, 2 s each
#
# Silkstream: when SILKSTREAM_URL, SILKSTREAM_ADMIN_TOKEN and SILKSTREAM_PID are set (for a server
# already running), that server is driven (it must run with the settings below); otherwise this script
# starts the server itself on a fresh SQLite file, once for the fan-out and again, fresh, for the
# idle scenario (so that memory freed by the fan-out run does not hide what idle sockets cost).
# The settings the benchmark raises, and why:
#   SILKSTREAM_MAX_WEBSOCKETS, SILKSTREAM_MAX_CONNECTIONS   10,000 viewers and the idle cap
#   SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE(_TOTAL)             one guest buyer per viewer
#   SILKSTREAM_ORDERS_PER_BUYER_PER_MINUTE                  orders at up to 200/s
#
# Environment: PROFILE (release; `debug` for a quick check), OUT (target/bench), RESULTS (the
# results file the scenarios merge into, $OUT/results.json), PLOTS (SVG plots' directory, $OUT),
# BENCH_SIZES=small (as --smoke), SKIP_BUILD=1,
# FANOUT_VIEWERS, FANOUT_STEPS, FANOUT_STEP_SECS, IDLE_COUNTS, IDLE_HOLD_SECS, SOURCE_ADDRS,
# CHAT_VIEWERS, CHAT_STEPS, CHAT_RATE, CHAT_STEP_SECS,
# BARE_BIND, NODE_BIND, SERVER_BIND, SCENARIOS ("fanout idle"; "chat" is the room's chat beside the
# same orders without it: 10,000 viewers, 5 orders/s, 50 messages/s).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROFILE=${PROFILE:-release}
OUT=${OUT:-$ROOT/target/bench}
VIEWERS=${FANOUT_VIEWERS:-1000,10000}
STEPS=${FANOUT_STEPS:-1,5,20,50,100,200}
STEP_SECS=${FANOUT_STEP_SECS:-5}
IDLE_COUNTS=${IDLE_COUNTS:-1000,10000,max}
CHAT_VIEWERS=${CHAT_VIEWERS:-10000}
CHAT_STEPS=${CHAT_STEPS:-5}
CHAT_RATE=${CHAT_RATE:-50}
CHAT_STEP_SECS=${CHAT_STEP_SECS:-10}
IDLE_HOLD_SECS=${IDLE_HOLD_SECS:-3}
SOURCE_ADDRS=${SOURCE_ADDRS:-8}
BARE_BIND=${BARE_BIND:-127.0.0.1:18081}
NODE_BIND=${NODE_BIND:-127.0.0.1:18082}
SERVER_BIND=${SERVER_BIND:-127.0.0.1:18080}
SCENARIOS=${SCENARIOS:-fanout idle}
RESULTS=${RESULTS:-$OUT/results.json}
PLOTS=${PLOTS:-$OUT}
if [[ "${1:-}" == "--smoke" || "${BENCH_SIZES:-}" == small ]]; then
  VIEWERS=50 STEPS=1,5 STEP_SECS=2 IDLE_COUNTS=50,200 IDLE_HOLD_SECS=1
  CHAT_VIEWERS=50 CHAT_STEPS=5 CHAT_RATE=20 CHAT_STEP_SECS=2
fi

if [[ "$PROFILE" == "release" ]]; then BIN=$ROOT/target/release; BUILD=(--release); else BIN=$ROOT/target/debug; BUILD=(); fi
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  cargo build "${BUILD[@]}" --manifest-path "$ROOT/Cargo.toml" -p silkstream-server -p silkstream-loadgen
fi
if [[ ! -d "$ROOT/bench/node-ws/node_modules" ]]; then
  (cd "$ROOT/bench/node-ws" && npm ci --no-audit --no-fund)
fi
mkdir -p "$OUT" "$PLOTS"
WORK=$(mktemp -d)
# Sockets are files: take the whole hard limit (20,000 per process on the bench machine).
ulimit -n "$(ulimit -Hn)"

STARTED=()
cleanup() {
  for pid in "${STARTED[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${STARTED[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Waits until something accepts connections at $1 (host:port): curl retries a refused
# connection itself, up to 30 s; any answer (a WebSocket server refuses plain HTTP) means it
# listens. Exit 7 is "could not connect".
wait_listening() {
  local rc=0
  curl -s -o /dev/null --retry 300 --retry-connrefused --retry-delay 0 --retry-max-time 30 \
    "http://$1/" || rc=$?
  if [[ $rc == 7 ]]; then echo "nothing listens on $1:" >&2; cat "$2" >&2; return 1; fi
}

start_baselines() {
  "$BIN/bare-broadcast" --bind "$BARE_BIND" >"$WORK/bare.log" 2>&1 &
  BARE_PID=$!; STARTED+=("$BARE_PID")
  node "$ROOT/bench/node-ws/server.js" --bind "$NODE_BIND" >"$WORK/node.log" 2>&1 &
  NODE_PID=$!; STARTED+=("$NODE_PID")
  wait_listening "$BARE_BIND" "$WORK/bare.log"
  wait_listening "$NODE_BIND" "$WORK/node.log"
}

stop() {
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}

OWN_SERVER=0
start_silkstream() {
  if [[ -n "${SILKSTREAM_URL:-}" && -n "${SILKSTREAM_ADMIN_TOKEN:-}" && -n "${SILKSTREAM_PID:-}" ]]; then
    URL=$SILKSTREAM_URL ADMIN=$SILKSTREAM_ADMIN_TOKEN SPID=$SILKSTREAM_PID
    return
  fi
  OWN_SERVER=1
  local db="sqlite:$WORK/bench-$RANDOM.db"
  export SILKSTREAM_DATABASE_URL=$db SILKSTREAM_BIND=$SERVER_BIND SILKSTREAM_LOG=${SILKSTREAM_LOG:-warn}
  export SILKSTREAM_MAX_WEBSOCKETS=30000 SILKSTREAM_MAX_CONNECTIONS=30000
  export SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE=1000000 SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE_TOTAL=1000000
  export SILKSTREAM_ORDERS_PER_BUYER_PER_MINUTE=1000000
  "$BIN/silkstream" migrate >"$WORK/migrate.log" 2>&1
  ADMIN=$("$BIN/silkstream" token create --role admin --name bench | tail -n 1)
  "$BIN/silkstream" serve >"$WORK/server.log" 2>&1 &
  SPID=$!; STARTED+=("$SPID")
  URL="http://$SERVER_BIND"
  curl -sf --retry 100 --retry-connrefused --retry-delay 0 --retry-max-time 60 "$URL/healthz" >/dev/null
}

LOADGEN=("$BIN/silkstream-loadgen")
common() {
  echo --server "$URL" --server-pid "$SPID" \
    --bare "ws://$BARE_BIND" --bare-pid "$BARE_PID" --node "ws://$NODE_BIND" --node-pid "$NODE_PID" \
    --source-addrs "$SOURCE_ADDRS"
}

for scenario in $SCENARIOS; do
  start_baselines
  start_silkstream
  # The admin token reaches the loadgen through its environment, not its command line.
  export LOADGEN_ADMIN_TOKEN=$ADMIN
  case $scenario in
    fanout)
      # shellcheck disable=SC2046
      "${LOADGEN[@]}" fanout $(common) --viewers "$VIEWERS" --steps "$STEPS" \
        --step-secs "$STEP_SECS" --out "$RESULTS" --plots "$PLOTS"
      ;;
    chat)
      # The room's chat beside the same orders without it (docs/live-room.md): one session,
      # CHAT_VIEWERS viewers, orders at CHAT_STEPS a second, written to by CHAT_RATE messages
      # a second; no baselines (the comparison is the same server without chat).
      "${LOADGEN[@]}" fanout --server "$URL" --server-pid "$SPID" --source-addrs "$SOURCE_ADDRS" \
        --viewers "$CHAT_VIEWERS" --steps "$CHAT_STEPS" --chat-rates "0,$CHAT_RATE" \
        --step-secs "$CHAT_STEP_SECS" --drain-secs "${CHAT_DRAIN_SECS:-2}" --out "$RESULTS" --plots "$PLOTS"
      ;;
    idle)
      # shellcheck disable=SC2046
      "${LOADGEN[@]}" idle $(common) --counts "$IDLE_COUNTS" --hold-secs "$IDLE_HOLD_SECS" \
        --out "$RESULTS" --plots "$PLOTS"
      ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
  stop "$BARE_PID" "$NODE_PID"
  if [[ $OWN_SERVER == 1 ]]; then stop "$SPID"; fi
done
echo "results: $RESULTS (keys fanout, fanout-chat, idle), plots in $PLOTS"
