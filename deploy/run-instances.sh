#!/usr/bin/env bash
# Starts N silkstream instances on one PostgreSQL (and Redis) for a trial on a laptop, on ports
# BASE_PORT, BASE_PORT+1, …, and optionally nginx in front of them (deploy/nginx.conf). Stays in
# the foreground; Ctrl-C stops everything it started. See deploy/README.md.
#
#   SILKSTREAM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/silkstream \
#   SILKSTREAM_REDIS_URL=redis://127.0.0.1:6379 \
#   deploy/run-instances.sh 3 8081 --nginx 8080
#
# Every other SILKSTREAM_* variable in the environment reaches every instance. The binary is
# SILKSTREAM_BIN, else target/release/silkstream, else target/debug/silkstream.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 N BASE_PORT [--nginx PORT]" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
count=$1 base_port=$2
shift 2
nginx_port=""
if [[ $# -gt 0 ]]; then
  [[ $1 == --nginx && $# -eq 2 ]] || usage
  nginx_port=$2
fi
[[ $count =~ ^[1-9][0-9]*$ && $base_port =~ ^[0-9]+$ ]] || usage
: "${SILKSTREAM_DATABASE_URL:?set SILKSTREAM_DATABASE_URL to a postgres:// URL (instances share it)}"
case $SILKSTREAM_DATABASE_URL in
  postgres:* | postgresql:*) ;;
  *) echo "several instances need PostgreSQL; SQLite is the one-instance deployment" >&2; exit 2 ;;
esac

bin=${SILKSTREAM_BIN:-}
if [[ -z $bin ]]; then
  for candidate in target/release/silkstream target/debug/silkstream; do
    [[ -x $candidate ]] && { bin=$candidate; break; }
  done
fi
[[ -n $bin && -x $bin ]] || { echo "no silkstream binary: cargo build --release -p silkstream-server" >&2; exit 1; }

run_dir=${RUN_DIR:-target/instances}
mkdir -p "$run_dir"
pids=()
stopping=""
stop_all() {
  stopping=1
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop_all INT TERM EXIT

# Migrations once, first, so that a failure shows here rather than in every instance's log
# (`serve` applies them too; sqlx holds an advisory lock while it does, so instances never race).
"$bin" migrate

# nginx in front sends the client's address in X-Forwarded-For: believe it from this host.
if [[ -n $nginx_port && -z ${SILKSTREAM_TRUSTED_PROXIES:-} ]]; then
  export SILKSTREAM_TRUSTED_PROXIES=127.0.0.1
fi

upstreams=""
for ((i = 0; i < count; i++)); do
  port=$((base_port + i))
  SILKSTREAM_BIND=127.0.0.1:$port "$bin" serve >"$run_dir/instance-$i.log" 2>&1 &
  pids+=("$!")
  upstreams+="server 127.0.0.1:$port max_fails=1 fail_timeout=2s;"$'\n        '
  echo "instance $i: http://127.0.0.1:$port (pid $!, log $run_dir/instance-$i.log)"
done

if [[ -n $nginx_port ]]; then
  command -v nginx >/dev/null || { echo "nginx is not installed (apt install nginx-light)" >&2; exit 1; }
  prefix=$(cd "$run_dir" && pwd)/nginx
  mkdir -p "$prefix"
  # Fill in the template's placeholders (see the head of deploy/nginx.conf).
  conf=$(<deploy/nginx.conf)
  conf=${conf//'{{listen}}'/127.0.0.1:$nginx_port}
  conf=${conf//'{{upstreams}}'/${upstreams%$'\n        '}}
  conf=${conf//'{{prefix}}'/$prefix}
  printf '%s\n' "$conf" >"$prefix/nginx.conf"
  nginx -c "$prefix/nginx.conf" -p "$prefix" &
  pids+=("$!")
  echo "nginx: http://127.0.0.1:$nginx_port (pid $!, logs in $prefix)"
fi

for ((i = 0; i < count; i++)); do
  port=$((base_port + i))
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  echo "instance $i: $(curl -sS "http://127.0.0.1:$port/readyz" || echo 'not ready; see its log')"
done
echo "Ctrl-C stops them all."
wait -n || true
[[ -n $stopping ]] || echo "a process ended; stopping the rest" >&2
