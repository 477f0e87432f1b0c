#!/usr/bin/env bash
# Sourced by the measuring scripts (footprint.sh, accounts-bench.sh, lag-bench.sh, oversized_rss.sh): one scratch
# folder and one cleanup, the simulator and the exporter started and waited for in one way, RSS read in one way.
# The caller sets bench_name (the prefix of its messages) before sourcing. Every wait is bounded.

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
work="$(mktemp -d)"
pids=()
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap bench_cleanup EXIT

fail() { echo "${bench_name:-bench}: $*" >&2; exit 1; }
command -v curl >/dev/null || fail "needs curl"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# rss_mib PID [KEY]: VmRSS (or KEY, e.g. VmHWM) of PID in MiB, one decimal.
rss_mib() { awk -v k="${2:-VmRSS}:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# The ckafka_simulator CLI, built once in Release; sets $simulator_bin.
build_simulator() {
  dotnet build -c Release --nologo -v quiet "$repo/src/CkafkaSimulator.Cli/CkafkaSimulator.Cli.csproj" >&2
  simulator_bin="$repo/src/CkafkaSimulator.Cli/bin/Release/net10.0/ckafka_simulator"
}

# start_simulator NAME ARGS...: starts the simulator on a free loopback port with ARGS; sets $simulator (its URL,
# no trailing slash). Bounded at 30 s.
start_simulator() {
  local name="$1"; shift
  [[ -n "${simulator_bin:-}" ]] || build_simulator
  "$simulator_bin" --listen 127.0.0.1:0 "$@" >"$work/$name.out" 2>"$work/$name.err" &
  local sim_pid=$!
  pids+=("$sim_pid")
  for _ in $(seq 1 300); do
    [[ -s "$work/$name.out" ]] && break
    kill -0 "$sim_pid" 2>/dev/null || fail "the simulator exited: $(tail -n 3 "$work/$name.err")"
    sleep 0.1
  done
  simulator="$(head -n 1 "$work/$name.out")"
  simulator="${simulator%/}"
  [[ "$simulator" == http://* ]] || fail "the simulator did not start: $(cat "$work/$name.err")"
}

# simulator_fault JSON: adds a fault (e.g. {"Kind":"Latency","DelayMs":20}) through the admin API.
simulator_fault() {
  curl -fsS -X POST -H 'Content-Type: application/json' -d "$1" "$simulator/_sim/faults" >/dev/null || fail "could not add the fault $1"
}

# write_config FILE ENDPOINT [SECRET_ID SECRET_KEY]: a [common] section for one region (more lines may be
# appended), mode 600. The keys default to the simulator's demo pair.
write_config() {
  printf '[common]\nsecret_id = %s\nsecret_key = %s\nregion = ap-guangzhou\nendpoint = %s\n' \
    "${3:-AKIDdemoDatahubSimulatorNotARealKey0}" "${4:-demoSimulatorSecretKeyNotReal00}" "$2" >"$1"
  chmod 600 "$1"
}

# start_exporter BINARY LOG ARGS...: starts the exporter (a file, or "dotnet x.dll") on a free loopback port with
# ARGS and the NAME=VALUE pairs of the array exporter_env, if set; sets $pid and $base (its URL) from its
# listening line. Bounded at 60 s.
start_exporter() {
  local binary="$1" log="$2"; shift 2
  # shellcheck disable=SC2086 # BINARY may be "dotnet path/to/datahub_exporter.dll"
  env ${exporter_env[@]+"${exporter_env[@]}"} $binary --web.listen-address=127.0.0.1:0 "$@" 2>"$log" &
  pid=$!
  pids+=("$pid")
  base=""
  for _ in $(seq 1 1200); do
    base="$(grep -o 'msg=listening address=[^ ,]*' "$log" | head -n 1 | cut -d= -f3 || true)"
    [[ -n "$base" ]] && return 0
    kill -0 "$pid" 2>/dev/null || fail "$binary exited: $(tail -n 3 "$log")"
    sleep 0.05
  done
  fail "$binary did not log its listening address in 60 s"
}

# stop_exporter PID: stops it and forgets it, so the cleanup never signals a PID the system has given to another process.
stop_exporter() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local kept=() p
  for p in "${pids[@]}"; do [[ "$p" == "$1" ]] || kept+=("$p"); done
  pids=("${kept[@]}")
}
