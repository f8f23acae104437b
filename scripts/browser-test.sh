#!/usr/bin/env bash
# The pages in a real browser: Debian's headless Chromium, driven by playwright-core from npm
# (pinned in tests/browser/package.json), runs tests/browser/flash-sale.test.mjs against the demo
# server (the debug binary, `serve --demo` on a fresh database): a host runs a flash sale from the
# studio console, two guests order from their live pages in Kazakh (KZT) and Vietnamese (VND),
# the console and the operations dashboard count their orders, the guests chat and the host
# moderates, /docs renders offline.
#
#   scripts/browser-test.sh          # SQLite, then PostgreSQL if SILKSTREAM_TEST_DATABASE_URL is set
#   SILKSTREAM_UPDATE_SCREENSHOTS=1 scripts/browser-test.sh   # also copies the SQLite run's
#                                                             # screenshots to docs/screenshots/
#
# Screenshots and, on failure, Playwright traces go to target/browser-artifacts/<backend>/: the
# pages at work, and buyer-<locale>.png, the buyer page in each of the 16 locales at phone size
# (full page) for the reviewers of the translations.
# Installs chromium with apt when /usr/bin/chromium is missing (CI runs as root) and the npm
# packages with `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${SILKSTREAM_CHROMIUM:-/usr/bin/chromium}"
ROOT="$(pwd)"
ARTIFACTS="target/browser-artifacts"
WORK="$(mktemp -d)"
SERVER_PID=""
MEDIA_PID=""
PG_DB=""

cleanup() {
  if [[ -n "$MEDIA_PID" ]]; then kill "$MEDIA_PID" 2>/dev/null || true; fi
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [[ -n "$PG_DB" ]]; then psql "$SILKSTREAM_TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ ! -x "$CHROMIUM" ]]; then
  echo "installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
"$CHROMIUM" --version 2>/dev/null

# The reviewers' screenshots of the buyer page in all 16 locales need fonts for the Thai, Khmer,
# Lao, Myanmar and Chinese scripts (Debian's Chromium brings only DejaVu and Liberation).
if ! fc-list : family 2>/dev/null | grep -q "Noto Sans Myanmar" || ! fc-list : family 2>/dev/null | grep -q "Noto Sans CJK"; then
  echo "installing the Noto fonts"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq fonts-noto-core fonts-noto-cjk >/dev/null
fi

command -v node >/dev/null || { echo "FAIL: node (20 or newer) is needed for the browser test"; exit 1; }
# npm ci again only when the lock file changed since the last install.
if ! cmp -s tests/browser/package-lock.json tests/browser/node_modules/.package-lock.json.installed 2>/dev/null; then
  echo "installing playwright-core (npm ci)"
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  cp tests/browser/package-lock.json tests/browser/node_modules/.package-lock.json.installed
fi

cargo build --quiet -p silkstream-server --bin silkstream
BIN="target/debug/silkstream"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The session's stream in the browser test: a small HLS stream (tests/browser/fixtures/hls/, see
# its README) served from another origin, as a media CDN would (with CORS), which the server
# lists in its media_origins.
MEDIA_PORT="$(free_port)"
python3 - "$MEDIA_PORT" "$ROOT/tests/browser/fixtures/hls" >"$WORK/media.log" 2>&1 <<'PY' &
import functools, http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t", "": "application/octet-stream"}
    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), functools.partial(Handler, directory=sys.argv[2])).serve_forever()
PY
MEDIA_PID=$!
MEDIA_ORIGIN="http://127.0.0.1:$MEDIA_PORT"
curl -sf --retry 30 --retry-connrefused --retry-max-time 30 "$MEDIA_ORIGIN/stream.m3u8" >/dev/null \
  || { echo "FAIL: the media server did not start:"; cat "$WORK/media.log"; exit 1; }

# Starts the demo server on DATABASE_URL and waits for /healthz; its output (tokens, page URLs)
# is in $WORK/serve.log, which the test parses.
start_server() {
  local url="$1"
  PORT="$(free_port)"
  SILKSTREAM_LOG=warn "$BIN" serve --demo --database-url "$url" --bind "127.0.0.1:$PORT" \
    --media-origins "$MEDIA_ORIGIN" \
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
}

FAILED=0
browser_test() {
  local name="$1" url="$2"
  echo "==> browser test over $name"
  rm -rf "${ARTIFACTS:?}/$name"; mkdir -p "$ARTIFACTS/$name"
  start_server "$url"
  if (cd tests/browser && \
      SILKSTREAM_BASE_URL="http://127.0.0.1:$PORT" \
      SILKSTREAM_DEMO_OUTPUT="$WORK/serve.log" \
      SILKSTREAM_ARTIFACTS="$ROOT/$ARTIFACTS/$name" \
      SILKSTREAM_CHROMIUM="$CHROMIUM" \
      SILKSTREAM_MEDIA_URL="$MEDIA_ORIGIN/stream.m3u8" \
      node --test --test-reporter=spec flash-sale.test.mjs); then
    if grep -q "panicked" "$WORK/serve.log"; then
      FAILED=1; echo "FAIL: the server panicked during the browser test:"; cat "$WORK/serve.log"
    fi
  else
    FAILED=1
    echo "--- the server's log ($name):"; cat "$WORK/serve.log"
    echo "--- screenshots and traces: $ARTIFACTS/$name/"
  fi
  stop_server
}

browser_test sqlite "sqlite:$WORK/browser.db"

if [[ -n "${SILKSTREAM_TEST_DATABASE_URL:-}" ]]; then
  PG_DB="silkstream_browser_$$"
  psql "$SILKSTREAM_TEST_DATABASE_URL" -qc "CREATE DATABASE \"$PG_DB\"" >/dev/null
  browser_test postgres "${SILKSTREAM_TEST_DATABASE_URL%/*}/$PG_DB"
elif [[ "${SILKSTREAM_REQUIRE_BACKENDS:-}" == 1 ]]; then
  echo "FAIL: SILKSTREAM_REQUIRE_BACKENDS=1 but SILKSTREAM_TEST_DATABASE_URL is not set"; exit 1
fi

if [[ "$FAILED" != 0 ]]; then echo "FAIL: the browser test failed (artifacts in $ARTIFACTS/)"; exit 1; fi

if [[ "${SILKSTREAM_UPDATE_SCREENSHOTS:-}" == 1 ]]; then
  mkdir -p docs/screenshots
  cp "$ARTIFACTS"/sqlite/{host-console,host-picker,host-stream,host-chat,ops-dashboard,buyer-desktop,buyer-phone,buyer-stream,buyer-chat}.png docs/screenshots/
  echo "screenshots copied to docs/screenshots/"
fi
echo "browser test: passed on every backend"
