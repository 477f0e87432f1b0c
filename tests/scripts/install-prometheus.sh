#!/usr/bin/env bash
# Provisions the prometheus and promtool binaries into <repo>/.tools/prometheus/bin for the tests.
# Order: $PROMETHEUS_BIN_DIR (if it holds both), an earlier provisioning, then the Debian package
# unpacked with dpkg -x (no service is installed or started). Idempotent.
# Last line of stdout: the bin directory. On failure: one line on stderr saying why, non-zero exit.
set -euo pipefail

fail() { echo "install-prometheus: $*" >&2; exit 1; }

has_both() { [ -x "$1/prometheus" ] && [ -x "$1/promtool" ]; }

if [ -n "${PROMETHEUS_BIN_DIR:-}" ]; then
  if has_both "$PROMETHEUS_BIN_DIR"; then
    echo "$PROMETHEUS_BIN_DIR"
    exit 0
  fi
  echo "install-prometheus: PROMETHEUS_BIN_DIR=$PROMETHEUS_BIN_DIR lacks prometheus or promtool; provisioning instead" >&2
fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin_dir="$repo_root/.tools/prometheus/bin"

if has_both "$bin_dir"; then
  echo "$bin_dir"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || fail "apt-get not found; install Prometheus and set PROMETHEUS_BIN_DIR"
command -v dpkg >/dev/null 2>&1 || fail "dpkg not found; install Prometheus and set PROMETHEUS_BIN_DIR"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

download() { (cd "$work" && apt-get download prometheus) >"$work/apt.log" 2>&1; }

if ! download; then
  # A fresh container has no package lists; apt-get download then cannot find the package.
  apt-get update >"$work/update.log" 2>&1 || fail "apt-get update failed: $(tail -n 1 "$work/update.log")"
  download || fail "apt-get download prometheus failed: $(tail -n 1 "$work/apt.log")"
fi

deb="$(ls "$work"/prometheus_*.deb 2>/dev/null | head -n 1 || true)"
[ -n "$deb" ] || fail "apt-get download produced no prometheus .deb"

dpkg -x "$deb" "$work/root" || fail "dpkg -x $deb failed"
has_both "$work/root/usr/bin" || fail "the prometheus package holds no usr/bin/prometheus and usr/bin/promtool"

# Copy into a sibling directory and rename, so a concurrent run never sees half a bin dir.
mkdir -p "$repo_root/.tools/prometheus"
staging="$(mktemp -d "$repo_root/.tools/prometheus/.bin.XXXXXX")"
cp "$work/root/usr/bin/prometheus" "$work/root/usr/bin/promtool" "$staging/"
chmod 0755 "$staging/prometheus" "$staging/promtool"
if ! mv -T "$staging" "$bin_dir" 2>/dev/null; then
  rm -rf "$staging"
  has_both "$bin_dir" || fail "could not move the binaries into $bin_dir"
fi

"$bin_dir/promtool" --version >/dev/null 2>&1 || fail "$bin_dir/promtool does not run"
echo "$bin_dir"
