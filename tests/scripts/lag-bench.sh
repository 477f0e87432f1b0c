#!/usr/bin/env bash
# Times scrapes of the task-lag path (issue 18 "Done when") with the exporter's default flags against the
# ckafka_simulator: 10,000 tasks in one region of which 2,000 are running SINK tasks with a consumer group
# (--lag-sinks: 1,000 read a CKafka instance, 1,000 an elastic topic), 20 ms latency per call and Tencent's
# sliding-window limit of 20 requests/s per action. Compares each scrape with the bound
#   list bound + larger group action's bound, each floor((calls - 1) / 20) s + one round trip,
# which the issue allows 1.15 times. Framework-dependent Release builds; about 3 minutes for 3 runs.
#   tests/scripts/lag-bench.sh [RUNS]
set -euo pipefail

bench_name=lag-bench
source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
cd "$repo"
runs="${1:-3}"
latency_ms=20
rate=20

echo "lag-bench: building the exporter (Release)" >&2
dotnet build -c Release --nologo -v quiet src/DatahubExporter/DatahubExporter.csproj >&2
exporter="$repo/src/DatahubExporter/bin/Release/net10.0/datahub_exporter"

secret_id="AKIDlagBenchSimulatorKeyNotReal00001"
secret_key="lagBenchSecretKeyNotReal0000000"
start_simulator sim --tasks 10000 --resources 0 --plain-names --lag-sinks --regions ap-guangzhou \
  --secret-id "$secret_id" --secret-key "$secret_key"
sim="$simulator"
simulator_fault "{\"Kind\":\"RateLimit\",\"PerSecond\":$rate}"
simulator_fault "{\"Kind\":\"Latency\",\"DelayMs\":$latency_ms}"
write_config "$work/exporter.conf" "$sim" "$secret_id" "$secret_key"
start_exporter "$exporter" "$work/exporter.err" --conf "$work/exporter.conf"

count() { # answered requests of an action since the counters were last reset (refused ones are retried, not counted)
  curl -fsS "$sim/_sim/state" | python3 -c "import json,sys; s=json.load(sys.stdin); print(sum(r['Count'] for r in s['Requests'] if r['Action']=='$1') - sum(e['Count'] for e in s['Errors'] if e['Action']=='$1'))"
}
refused() { # RequestLimitExceeded answers per action
  curl -fsS "$sim/_sim/state" | python3 -c "import json,sys; print(' '.join(f\"{e['Action']}:{e['Count']}\" for e in json.load(sys.stdin)['Errors'] if e['Code'].startswith('RequestLimitExceeded')) or '0')"
}

printf '| run | scrape, s | collection, s | list pages | DescribeGroupOffsets | DescribeDatahubGroupOffsets | bound, s | scrape / bound | refused | series |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for run in $(seq 1 "$runs"); do
  curl -fsS -X DELETE "$sim/_sim/counters" >/dev/null
  # Start each run on a fresh rate window.
  sleep 1.2
  scrape="$(curl -fsS -o "$work/body.txt" -w '%{time_total}' -H 'X-Prometheus-Scrape-Timeout-Seconds: 115' \
    "$base/api/v1/ckafka/datahub_task_lag/metrics")"
  collection="$(sed -n 's/^datahub_exporter_collect_duration_seconds{.*} //p' "$work/body.txt")"
  success="$(sed -n 's/^datahub_exporter_collect_success{.*} //p' "$work/body.txt")"
  series="$(grep -c '^datahub_task_consumer_lag{' "$work/body.txt" || true)"
  pages="$(count DescribeDatahubTasks)"; kafka="$(count DescribeGroupOffsets)"; elastic="$(count DescribeDatahubGroupOffsets)"
  python3 - "$run" "$scrape" "$collection" "$pages" "$kafka" "$elastic" "$(refused)" "$series" "$success" "$latency_ms" "$rate" <<'PY'
import math, sys
run, scrape, collection, pages, kafka, elastic, refused, series, success, latency, rate = sys.argv[1:]
rtt = int(latency) / 1000
bound_of = lambda calls: math.floor((int(calls) - 1) / int(rate)) + rtt
bound = bound_of(pages) + max(bound_of(kafka), bound_of(elastic))
ok = "" if success == "1" else " (collection FAILED)"
print(f"| {run} | {float(scrape):.2f} | {float(collection):.2f} | {pages} | {kafka} | {elastic} | {bound:.2f} | {float(scrape) / bound:.3f}{ok} | {refused} | {series} |")
PY
done
