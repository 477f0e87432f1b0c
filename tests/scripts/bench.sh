#!/usr/bin/env bash
# Run the BenchmarkDotNet suite in Release with a short in-process job (a few minutes in all).
#   tests/scripts/bench.sh                 every benchmark
#   tests/scripts/bench.sh '*Exposition*'  only those matching a BenchmarkDotNet --filter glob
# Results: the summary table on stdout; markdown/CSV/HTML reports under artifacts/bench/results/.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

filter="${1:-*}"
dotnet build -c Release --nologo -v quiet tests/DatahubExporter.Benchmarks/DatahubExporter.Benchmarks.csproj >&2
exec "$repo/tests/DatahubExporter.Benchmarks/bin/Release/net10.0/datahub_exporter_benchmarks" \
  --filter "$filter" --artifacts "$repo/artifacts/bench"
