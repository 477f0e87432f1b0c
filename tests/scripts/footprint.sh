#!/usr/bin/env bash
# Footprint of the shipped NativeAOT binary next to the framework-dependent build, against the CKafka simulator
# with 10,000 tasks (one region, on loopback):
#   tests/scripts/footprint.sh [--native FILE] [--fdd FILE] [--tasks N] [--scrapers N] [--load-seconds N]
#                              [--env NAME=VALUE]... [--only native|fdd] [--api-rate-limit N] [--smaps DIR]
# Prints one markdown table: file size, time to the first successful scrape, RSS idle, 2 s and 25 s after three
# sweeps of both paths, peak under N concurrent scrapers (curl --parallel, Prometheus' headers, gzip) and 30 s after.
# --native/--fdd reuse existing builds instead of publishing; --env passes a variable (e.g. DOTNET_GCgen0size=...)
# to both exporters, for trying runtime settings without a rebuild. RSS is VmRSS (peak: VmHWM) in MiB.
# The exporter runs with its default flags (--api.rate-limit 20, as an operator runs it and as issues 7 and 9
# measured), plus --scrape.default-timeout=60 for the sweeps' curl. --api-rate-limit 1000 is the older, harsher rig:
# collections back to back at whatever pace the simulator allows. --smaps DIR keeps /proc/PID/smaps at each point.
# A measurement, not a test: the machine is shared and noisy, so compare the columns of one run.
set -euo pipefail

bench_name=footprint
source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
cd "$repo"

native=""
fdd=""
tasks=10000
scrapers=50
load_seconds=20
only=""
rate=""
smaps_dir=""
exporter_env=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --native) native="$2"; shift 2 ;;
    --fdd) fdd="$2"; shift 2 ;;
    --tasks) tasks="$2"; shift 2 ;;
    --scrapers) scrapers="$2"; shift 2 ;;
    --load-seconds) load_seconds="$2"; shift 2 ;;
    --env) exporter_env+=("$2"); shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --api-rate-limit) rate="$2"; shift 2 ;;
    --smaps) smaps_dir="$2"; mkdir -p "$smaps_dir"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "footprint: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [[ "$only" != "fdd" && -z "$native" ]]; then
  echo "footprint: publishing the NativeAOT binary (README command)" >&2
  bash tests/scripts/install-native-deps.sh >&2
  dotnet publish src/DatahubExporter -c Release -r linux-x64 -o "$work/native" --nologo -v quiet >&2
  native="$work/native/datahub_exporter"
fi
if [[ "$only" != "native" && -z "$fdd" ]]; then
  echo "footprint: publishing the framework-dependent build" >&2
  dotnet publish src/DatahubExporter -c Release -p:PublishAot=false -o "$work/fdd" --nologo -v quiet >&2
  fdd="$work/fdd/datahub_exporter"
fi

echo "footprint: starting the simulator with $tasks tasks" >&2
start_simulator sim --tasks "$tasks" --resources 1000 --plain-names --all-running
write_config "$work/exporter.conf" "$simulator"

tasks_path=/api/v1/ckafka/datahub_tasks/metrics
resources_path=/api/v1/ckafka/connect_resources/metrics
# Keeps the process's smaps under --smaps DIR as LABEL-POINT.smaps (nothing without --smaps).
keep_smaps() { [[ -z "$smaps_dir" ]] || cp "/proc/$1/smaps" "$smaps_dir/$2.smaps"; }

# Starts an exporter with the measured flags; sets $pid and $base.
start() {
  start_exporter "$1" "$2" --conf "$work/exporter.conf" ${rate:+--api.rate-limit=$rate} --scrape.default-timeout=60
}

stop() { stop_exporter "$1"; }

# True when one scrape of PATH answered 200 with every collection successful.
scrape_ok() {
  local body
  body="$(curl -sf --max-time 60 "$base$1")" || return 1
  grep -q '^datahub_exporter_collect_success{.*} 1$' <<<"$body" && ! grep -q '^datahub_exporter_collect_success{.*} 0$' <<<"$body"
}

measure() {
  local label="$1" binary="$2"
  local size first idle swept settled peak after t0

  if [[ -d "$(dirname "$binary")" && "$label" == "framework-dependent" ]]; then
    # Its publish folder (the .NET runtime it needs on top is not counted).
    size="$(du -sb --exclude='*.pdb' "$(dirname "$binary")" | awk '{ printf "%.1f MiB (folder; + .NET runtime)", $1 / 1048576 }')"
  else
    size="$(stat -c %s "$binary" | awk '{ printf "%.1f MiB", $1 / 1048576 }')"
  fi

  # Time to the first successful scrape: process start to the first complete answer of the tasks path.
  t0="$(now_ms)"
  start "$binary" "$work/$label.first.log"
  local ok=""
  for _ in $(seq 1 600); do
    if scrape_ok "$tasks_path"; then ok=1; break; fi
    sleep 0.1
  done
  [[ -n "$ok" ]] || fail "$label: no successful scrape within the time allowed: $(tail -n 3 "$work/$label.first.log")"
  first="$(( $(now_ms) - t0 )) ms"
  stop "$pid"

  start "$binary" "$work/$label.log"
  sleep 5
  idle="$(rss_mib "$pid" VmRSS)"
  keep_smaps "$pid" "$label-idle"

  for _ in 1 2 3; do
    scrape_ok "$tasks_path" || fail "$label: a sweep of the tasks path failed"
    scrape_ok "$resources_path" || fail "$label: a sweep of the resources path failed"
  done
  sleep 2
  swept="$(rss_mib "$pid" VmRSS)"
  keep_smaps "$pid" "$label-swept"
  # What it holds between sweeps (the idle trimmer checks every second, so this should equal the figure above).
  sleep 23
  settled="$(rss_mib "$pid" VmRSS)"
  keep_smaps "$pid" "$label-settled"

  # N scrapers at once, each a new scrape as soon as its last answered, for load_seconds.
  local urls=() deadline
  for i in $(seq 1 "$scrapers"); do
    if (( i % 2 )); then urls+=("$base$tasks_path"); else urls+=("$base$resources_path"); fi
  done
  deadline=$(( $(date +%s) + load_seconds ))
  while (( $(date +%s) < deadline )); do
    curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max "$scrapers" --max-time 60 \
      -H 'Accept: text/plain;version=0.0.4;q=0.5,*/*;q=0.1' -H 'Accept-Encoding: gzip' -H 'X-Prometheus-Scrape-Timeout-Seconds: 10' \
      $(printf -- '-o /dev/null %s ' "${urls[@]}") || true
  done
  peak="$(rss_mib "$pid" VmHWM)"

  sleep 30
  after="$(rss_mib "$pid" VmRSS)"
  keep_smaps "$pid" "$label-after"
  kill -0 "$pid" 2>/dev/null || fail "$label exited during the run: $(tail -n 3 "$work/$label.log")"
  stop "$pid"

  results+=("$label|$size|$first|$idle|$swept|$settled|$peak|$after")
}

results=()
[[ "$only" == "fdd" ]] || measure native "$native"
[[ "$only" == "native" ]] || measure framework-dependent "$fdd"

echo
echo "Footprint against $tasks tasks and 1,000 resources (one region), $scrapers concurrent scrapers for ${load_seconds} s, --api.rate-limit ${rate:-20 (default)}${exporter_env[*]:+, env: ${exporter_env[*]}}"
echo
rows=("file size" "time to first successful scrape" "RSS idle (MiB)" "RSS 2 s after 3 sweeps of both paths (MiB)" \
  "RSS 25 s after those sweeps (MiB)" "RSS peak under $scrapers scrapers (MiB)" "RSS 30 s after the load (MiB)")
header="| |"
rule="|---|"
for r in "${results[@]}"; do
  header+=" ${r%%|*} |"
  rule+="---:|"
done
echo "$header"
echo "$rule"
for i in "${!rows[@]}"; do
  line="| ${rows[$i]} |"
  for r in "${results[@]}"; do
    line+=" $(cut -d'|' -f$((i + 2)) <<<"$r") |"
  done
  echo "$line"
done
