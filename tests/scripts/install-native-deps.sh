#!/usr/bin/env bash
# Installs what a NativeAOT publish needs from Debian when it is missing: clang (the linker driver the
# ILCompiler calls) and zlib1g-dev (libz, which the native runtime links). Idempotent: installs nothing
# when both are present. Runs apt-get update first only when the package lists are missing or stale
# enough that the install fails without it.
# Last line of stdout: "native deps ok". On failure: one line on stderr saying why, non-zero exit.
set -euo pipefail

fail() { echo "install-native-deps: $*" >&2; exit 1; }

has_clang() { command -v clang >/dev/null 2>&1; }
# The zlib1g-dev package is what puts libz.so (the unversioned link name) and zlib.h in place.
has_zlib_dev() { dpkg-query -W -f='${Status}' zlib1g-dev 2>/dev/null | grep -q 'install ok installed'; }

missing=()
has_clang || missing+=(clang)
has_zlib_dev || missing+=(zlib1g-dev)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "native deps ok"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || fail "apt-get not found; install ${missing[*]} with your package manager"

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "installing ${missing[*]} needs root (run as root or install sudo)"
  sudo=(sudo)
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

install() {
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >"$log" 2>&1
}

echo "install-native-deps: installing ${missing[*]}" >&2
if ! install; then
  # A fresh container has no package lists (or stale ones whose .debs are gone): update, then retry once.
  "${sudo[@]}" apt-get update >"$log" 2>&1 || fail "apt-get update failed: $(tail -n 1 "$log")"
  install || fail "apt-get install ${missing[*]} failed: $(tail -n 1 "$log")"
fi

has_clang || fail "clang is still not on PATH after installing it"
has_zlib_dev || fail "zlib1g-dev is still not installed"
echo "native deps ok"
