#!/usr/bin/env bash
# Issue 8 row 9: RSS of the exporter before, during and after a burst of HTTP/2 (h2load -c 100 -m 100) or
# HTTP/1.1 (h2load --h1 -c 100) scrapes of the tasks path, over TLS, against the built-in simulator (--demo).
# Usage: tests/burst/burst_rss.sh [BINARY] [PORT] [REQUESTS] [SETTLE_SECONDS]
# Needs h2load (Debian: nghttp2-client) and openssl. Prints one line per phase; run it on purpose, not in CI.
set -euo pipefail
binary=${1:-src/DatahubExporter/bin/Debug/net10.0/datahub_exporter}
port=${2:-21010}
requests=${3:-10000}
settle=${4:-60}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/server.key" -out "$dir/server.crt" \
  -days 2 -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n' > "$dir/web.yml"
"$binary" --demo --web.listen-address="127.0.0.1:$port" --web.config.file "$dir/web.yml" --log.level=warn 2>"$dir/stderr" &
pid=$!
url="https://127.0.0.1:$port/api/v1/ckafka/datahub_tasks/metrics"
for _ in $(seq 50); do curl -skf "https://127.0.0.1:$port/-/healthy" >/dev/null 2>&1 && break; sleep 0.2; done
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status"; }
curl -sk "$url" >/dev/null; sleep 5
echo "steady: $(rss) MB"
burst() {
  local peak=0 r
  "$@" >"$dir/h2load.out" 2>&1 &
  local load=$!
  while kill -0 "$load" 2>/dev/null; do r=$(rss); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.2; done
  wait "$load" || true
  echo "  $(grep -E '^requests:' "$dir/h2load.out")"
  echo "  $(grep -E '^finished in' "$dir/h2load.out")"
  echo "  peak during: $peak MB, right after: $(rss) MB"
  for s in 10 30 "$settle"; do sleep $(( s - ${prev:-0} )); prev=$s; echo "  +${s}s: $(rss) MB"; done
  prev=0
}
echo "HTTP/2: h2load -c 100 -m 100 -n $requests"
burst h2load -c 100 -m 100 -n "$requests" "$url"
echo "HTTP/1.1: h2load --h1 -c 100 -n $requests"
burst h2load --h1 -c 100 -n "$requests" "$url"
if grep -q 'level=error' "$dir/stderr"; then echo "errors logged:"; grep 'level=error' "$dir/stderr" | head -5; fi
