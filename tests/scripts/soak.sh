#!/usr/bin/env bash
# Soak the real exporter binary (Release) against the in-process CKafka simulator.
#   tests/scripts/soak.sh [--minutes N] [--scrapers N] [--json PATH] [any other option of the soak program]
#   tests/scripts/soak.sh --figures [--baseline-ref REF]   issue 7's figures; REF (e.g. main) is built as the "before" column
# Defaults: 3 minutes, 50 concurrent scrapers. Prints a markdown report, writes a JSON report, and exits
# non-zero when an invariant fails (see tests/DatahubExporter.Soak/SoakRun.cs for the method).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

minutes=3
scrapers=50
json="${TMPDIR:-/tmp}/datahub_exporter-soak-$(date -u +%Y%m%dT%H%M%SZ).json"
extra=()
figures=0
baseline_ref=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --minutes=*) minutes="${1#*=}"; shift ;;
    --scrapers) scrapers="$2"; shift 2 ;;
    --scrapers=*) scrapers="${1#*=}"; shift ;;
    --json) json="$2"; shift 2 ;;
    --json=*) json="${1#*=}"; shift ;;
    --figures) figures=1; shift ;;
    --baseline-ref) baseline_ref="$2"; shift 2 ;;
    --baseline-ref=*) baseline_ref="${1#*=}"; shift ;;
    -h|--help)
      sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
      exit 0 ;;
    *) extra+=("$1"); shift ;;
  esac
done

echo "soak: building the exporter and the soak driver (Release)" >&2
dotnet build -c Release --nologo -v quiet src/DatahubExporter/DatahubExporter.csproj >&2
dotnet build -c Release --nologo -v quiet tests/DatahubExporter.Soak/DatahubExporter.Soak.csproj >&2

exporter="$repo/src/DatahubExporter/bin/Release/net10.0/datahub_exporter"
driver="$repo/tests/DatahubExporter.Soak/bin/Release/net10.0/datahub_exporter_soak"
if [[ $figures == 1 ]]; then
  baseline=()
  if [[ -n $baseline_ref ]]; then
    # The "before" binary, built from REF in a scratch directory outside the worktree.
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
    git archive "$baseline_ref" | tar -x -C "$scratch"
    echo "soak: building $baseline_ref as the baseline (Release)" >&2
    dotnet build -c Release --nologo -v quiet "$scratch/src/DatahubExporter/DatahubExporter.csproj" >&2
    baseline=(--baseline "$scratch/src/DatahubExporter/bin/Release/net10.0/datahub_exporter")
  fi
  "$driver" --exporter "$exporter" --figures "${baseline[@]}"
  exit $?
fi
exec "$driver" --exporter "$exporter" --minutes "$minutes" --scrapers "$scrapers" --json "$json" "${extra[@]}"
