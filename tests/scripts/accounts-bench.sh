#!/usr/bin/env bash
# Several accounts at scale (issue 17), measured in one run against the CKafka simulator on loopback:
#   tests/scripts/accounts-bench.sh [--binary FILE] [--accounts N] [--tasks N] [--latency-ms N] [--big-tasks N]
# 1. N accounts (default 50) x 2 regions x --tasks (500) tasks, every API answer delayed --latency-ms (200):
#    the time of one full scrape of the tasks path, the time of the same accounts scraped one after another with
#    ?account=, their ratio, and the exporter's RSS 10 s after the full scrape.
# 2. One account of --big-tasks (10,000) tasks, no latency: RSS 1 s after a sweep of the tasks path.
# --binary reuses a build (the NativeAOT binary for the issue's figures); without it the framework-dependent build
# is published and measured (say so when quoting the figures). A measurement, not a test: the machine is shared.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

binary=""
accounts=50
tasks=500
latency=200
big=10000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --accounts) accounts="$2"; shift 2 ;;
    --tasks) tasks="$2"; shift 2 ;;
    --latency-ms) latency="$2"; shift 2 ;;
    --big-tasks) big="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "accounts-bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

fail() { echo "accounts-bench: $*" >&2; exit 1; }
command -v curl >/dev/null || fail "needs curl"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [[ -z "$binary" ]]; then
  echo "accounts-bench: publishing the framework-dependent build" >&2
  dotnet publish src/DatahubExporter -c Release -p:PublishAot=false -o "$work/fdd" --nologo -v quiet >&2
  binary="$work/fdd/datahub_exporter"
fi
dotnet build -c Release --nologo -v quiet src/CkafkaSimulator.Cli/CkafkaSimulator.Cli.csproj >&2
simulator_bin="$repo/src/CkafkaSimulator.Cli/bin/Release/net10.0/ckafka_simulator"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
rss_mib() { awk '$1 == "VmRSS:" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# Starts a simulator with $1 tasks; sets $simulator (its URL). Bounded at 30 s.
start_simulator() {
  "$simulator_bin" --listen 127.0.0.1:0 --tasks "$1" --resources 10 --plain-names --all-running >"$work/sim$1.out" 2>"$work/sim$1.err" &
  pids+=($!)
  for _ in $(seq 1 300); do
    [[ -s "$work/sim$1.out" ]] && break
    sleep 0.1
  done
  simulator="$(head -n 1 "$work/sim$1.out")"
  [[ "$simulator" == http://* ]] || fail "the simulator did not start: $(cat "$work/sim$1.err")"
}

# Starts the exporter on config $1; sets $pid and $base. Bounded at 60 s.
start_exporter() {
  "$binary" --conf "$1" --web.listen-address=127.0.0.1:0 --scrape.default-timeout=300 2>"$1.log" &
  pid=$!
  pids+=("$pid")
  base=""
  for _ in $(seq 1 1200); do
    base="$(grep -o 'msg=listening address=[^ ,]*' "$1.log" | head -n 1 | cut -d= -f3 || true)"
    [[ -n "$base" ]] && return 0
    kill -0 "$pid" 2>/dev/null || fail "$binary exited: $(tail -n 3 "$1.log")"
    sleep 0.05
  done
  fail "the exporter did not log its listening address in 60 s"
}

# One scrape of the tasks path with query $1; fails unless every collection succeeded. Prints nothing.
scrape() {
  local body
  body="$(curl -sf --max-time 300 "$base/api/v1/ckafka/datahub_tasks/metrics$1")" || fail "scrape $1 failed"
  grep -q '^datahub_exporter_collect_success{.*} 0$' <<<"$body" && fail "a collection failed in scrape $1"
  return 0
}

# ---- 1. N accounts x 2 regions x tasks at latency ---------------------------------------------------------
start_simulator "$tasks"
curl -sf -X POST -H 'Content-Type: application/json' -d "{\"Kind\":\"Latency\",\"DelayMs\":$latency}" "${simulator%/}/_sim/faults" >/dev/null \
  || fail "could not set the latency fault"
conf="$work/accounts.conf"
{
  printf '[common]\nsecret_id = AKIDdemoDatahubSimulatorNotARealKey0\nsecret_key = demoSimulatorSecretKeyNotReal00\n'
  printf 'region = ap-guangzhou,ap-shanghai\nendpoint = %s\n' "$simulator"
  for i in $(seq -w 1 "$accounts"); do printf '\n[account.a%s]\n' "$i"; done
} >"$conf"
chmod 600 "$conf"
start_exporter "$conf"
echo "accounts-bench: $accounts accounts x 2 regions x $tasks tasks, ${latency} ms per API answer" >&2
# One account first, untimed: the framework-dependent build would otherwise time its JIT in the full scrape.
scrape "?account=a$(seq -w 1 "$accounts" | head -n 1)"
t0="$(now_ms)"; scrape ""; full=$(( $(now_ms) - t0 ))
sleep 10
rss_full="$(rss_mib "$pid")"
t0="$(now_ms)"
for i in $(seq -w 1 "$accounts"); do scrape "?account=a$i"; done
one_by_one=$(( $(now_ms) - t0 ))
kill "$pid"; wait "$pid" 2>/dev/null || true

# ---- 2. One account of 10,000 tasks ---------------------------------------------------------------------
start_simulator "$big"
conf="$work/big.conf"
printf '[common]\nsecret_id = AKIDdemoDatahubSimulatorNotARealKey0\nsecret_key = demoSimulatorSecretKeyNotReal00\nregion = ap-guangzhou\nendpoint = %s\n' \
  "$simulator" >"$conf"
chmod 600 "$conf"
start_exporter "$conf"
scrape ""
sleep 1
rss_big="$(rss_mib "$pid")"

echo "| binary | full scrape | one account at a time (sum) | ratio | RSS 10 s after full scrape | RSS 1 s after a ${big}-task sweep |"
echo "|---|---|---|---|---|---|"
awk -v b="$(basename "$binary")" -v f="$full" -v o="$one_by_one" -v r1="$rss_full" -v r2="$rss_big" \
  'BEGIN { printf "| %s | %.1f s | %.1f s | 1/%.0f | %s MiB | %s MiB |\n", b, f / 1000, o / 1000, o / f, r1, r2 }'
