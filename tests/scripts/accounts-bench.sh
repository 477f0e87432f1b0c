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

bench_name=accounts-bench
source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
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

if [[ -z "$binary" ]]; then
  echo "accounts-bench: publishing the framework-dependent build" >&2
  dotnet publish src/DatahubExporter -c Release -p:PublishAot=false -o "$work/fdd" --nologo -v quiet >&2
  binary="$work/fdd/datahub_exporter"
fi
# Starts the exporter on config $1 (its log: $1.log); sets $pid and $base.
start() { start_exporter "$binary" "$1.log" --conf "$1" --scrape.default-timeout=300; }

# One scrape of the tasks path with query $1; fails unless every collection succeeded. Prints nothing.
scrape() {
  local body
  body="$(curl -sf --max-time 300 "$base/api/v1/ckafka/datahub_tasks/metrics$1")" || fail "scrape $1 failed"
  grep -q '^datahub_exporter_collect_success{.*} 1$' <<<"$body" || fail "no successful collection in scrape $1"
  grep -q '^datahub_exporter_collect_success{.*} 0$' <<<"$body" && fail "a collection failed in scrape $1"
  return 0
}

# ---- 1. N accounts x 2 regions x tasks at latency ---------------------------------------------------------
start_simulator sim --tasks "$tasks" --resources 10 --plain-names --all-running
simulator_fault "{\"Kind\":\"Latency\",\"DelayMs\":$latency}"
conf="$work/accounts.conf"
{
  printf '[common]\nsecret_id = AKIDdemoDatahubSimulatorNotARealKey0\nsecret_key = demoSimulatorSecretKeyNotReal00\n'
  printf 'region = ap-guangzhou,ap-shanghai\nendpoint = %s\n' "$simulator"
  for i in $(seq -w 1 "$accounts"); do printf '\n[account.a%s]\n' "$i"; done
} >"$conf"
chmod 600 "$conf"
start "$conf"
echo "accounts-bench: $accounts accounts x 2 regions x $tasks tasks, ${latency} ms per API answer" >&2
# One account first, untimed: the framework-dependent build would otherwise time its JIT in the full scrape.
scrape "?account=a$(seq -w 1 "$accounts" | head -n 1)"
t0="$(now_ms)"; scrape ""; full=$(( $(now_ms) - t0 ))
sleep 10
rss_full="$(rss_mib "$pid")"
t0="$(now_ms)"
for i in $(seq -w 1 "$accounts"); do scrape "?account=a$i"; done
one_by_one=$(( $(now_ms) - t0 ))
stop_exporter "$pid"

# ---- 2. One account of 10,000 tasks ---------------------------------------------------------------------
start_simulator big --tasks "$big" --resources 10 --plain-names --all-running
conf="$work/big.conf"
write_config "$conf" "$simulator"
start "$conf"
scrape ""
sleep 1
rss_big="$(rss_mib "$pid")"

echo "| binary | full scrape | one account at a time (sum) | ratio | RSS 10 s after full scrape | RSS 1 s after a ${big}-task sweep |"
echo "|---|---|---|---|---|---|"
awk -v b="$(basename "$binary")" -v f="$full" -v o="$one_by_one" -v r1="$rss_full" -v r2="$rss_big" \
  'BEGIN { printf "| %s | %.1f s | %.1f s | 1/%.0f | %s MiB | %s MiB |\n", b, f / 1000, o / 1000, o / f, r1, r2 }'
