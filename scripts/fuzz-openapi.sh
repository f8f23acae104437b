#!/usr/bin/env bash
# The OpenAPI fuzz pass: schemathesis reads /openapi.json from a real server (the debug binary,
# `serve --demo` on a fresh database) and sends generated requests, valid and invalid, to every
# operation, once per role. It fails on any 5xx and on any answer that breaks its own description
# (a status the operation does not document, a body that does not match the documented schema, a
# wrong content type). Fixed seed, bounded examples: the same run every time.
#
#   scripts/fuzz-openapi.sh                 # SQLite, then PostgreSQL if SILKSTREAM_TEST_DATABASE_URL is set
#   FUZZ_MAX_EXAMPLES=100 FUZZ_SEED=7 scripts/fuzz-openapi.sh
#
# Needs python3 (with venv) and the package index for the pinned tests/fuzz/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

SEED="${FUZZ_SEED:-20261202}"
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-25}"
WORK="$(mktemp -d)"
VENV="${FUZZ_VENV:-target/fuzz-venv}"
SERVER_PID=""
PG_DB=""

cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [[ -n "$PG_DB" ]]; then psql "$SILKSTREAM_TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ ! -x "$VENV/bin/st" ]] || ! cmp -s tests/fuzz/requirements.txt "$VENV/requirements.txt"; then
  echo "installing schemathesis into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/fuzz/requirements.txt
  cp tests/fuzz/requirements.txt "$VENV/requirements.txt"
fi

cargo build --quiet -p silkstream-server --bin silkstream
BIN="target/debug/silkstream"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts the demo server on DATABASE_URL and waits for /healthz; the tokens are in $WORK/serve.log.
start_server() {
  local url="$1"
  PORT="$(free_port)"
  SILKSTREAM_LOG=warn "$BIN" serve --demo --database-url "$url" --bind "127.0.0.1:$PORT" \
    >"$WORK/serve.log" 2>&1 &
  SERVER_PID=$!
  # Ready when /healthz answers: curl retries a refused connection itself, up to 60 s.
  if curl -sf --retry 60 --retry-connrefused --retry-max-time 60 \
      "http://127.0.0.1:$PORT/healthz" >/dev/null; then
    return 0
  fi
  echo "FAIL: the server did not start:"; cat "$WORK/serve.log"; exit 1
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  if grep -q "panicked" "$WORK/serve.log"; then
    echo "FAIL: the server panicked during the fuzz pass:"; grep -A3 "panicked" "$WORK/serve.log"; exit 1
  fi
}

token_of() { grep -oP "^\s+$1\s+\Kss_\S+" "$WORK/serve.log"; }

FAILED=0
# One schemathesis run; extra arguments select operations.
fuzz() {
  local label="$1" token="$2"; shift 2
  echo "--- $label"
  if "$VENV/bin/st" --no-color run "http://127.0.0.1:$PORT/openapi.json" \
      -H "Authorization: Bearer $token" \
      --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
      --seed "$SEED" --max-examples "$MAX_EXAMPLES" --workers 1 \
      --phases examples,coverage,fuzzing \
      --request-timeout 10 --generation-database none \
      "$@" >"$WORK/st.log" 2>&1; then
    grep -E "^Test cases:|generated|passed|failures" "$WORK/st.log" | tail -n 2
  else
    FAILED=1
    cat "$WORK/st.log"
  fi
}

fuzz_backend() {
  local name="$1" url="$2"
  echo "==> fuzz over $name (seed $SEED, at most $MAX_EXAMPLES examples per operation)"
  start_server "$url"
  local admin host operator buyer
  admin="$(token_of admin)"; host="$(token_of host)"; operator="$(token_of operator)"; buyer="$(token_of buyer)"
  # Revoking a token is fuzzed last, by itself: it may revoke the tokens of the runs before it.
  for role in buyer host operator admin; do
    fuzz "$name as $role" "$(token_of "$role")" --exclude-path-regex '/revoke$'
  done
  fuzz "$name as admin (token revocation)" "$admin" --include-path-regex '/revoke$'
  stop_server
}

fuzz_backend sqlite "sqlite:$WORK/fuzz.db"

if [[ -n "${SILKSTREAM_TEST_DATABASE_URL:-}" ]]; then
  PG_DB="silkstream_fuzz_$$"
  psql "$SILKSTREAM_TEST_DATABASE_URL" -qc "CREATE DATABASE \"$PG_DB\"" >/dev/null
  fuzz_backend postgres "${SILKSTREAM_TEST_DATABASE_URL%/*}/$PG_DB"
elif [[ "${SILKSTREAM_REQUIRE_BACKENDS:-}" == 1 ]]; then
  echo "FAIL: SILKSTREAM_REQUIRE_BACKENDS=1 but SILKSTREAM_TEST_DATABASE_URL is not set"; exit 1
fi

if [[ "$FAILED" != 0 ]]; then echo "FAIL: the fuzz pass found answers that break the API's description"; exit 1; fi
echo "fuzz pass: no 5xx, every answer matches the OpenAPI description"
