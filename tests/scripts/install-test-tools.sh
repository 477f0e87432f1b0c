#!/usr/bin/env bash
# Installs the Debian tools some tests drive when they are missing: nghttp2-client (nghttp, h2load: the HTTP/2
# stream-limit test and tests/burst/burst_rss.sh), systemd (systemd-analyze verifies the example unit), openssl
# and curl (TLS tests), buildah, podman and runc (tests/scripts/build-image.sh builds and runs the container
# image), chromium-headless-shell (the /status page checked in a real browser). Tests that need one of them skip
# with the reason where it is missing; CI runs this first so that nothing is skipped on a fresh machine.
# Idempotent: installs nothing when all are present.
# Last line of stdout: "test tools ok". On failure: one line on stderr saying why, non-zero exit.
set -euo pipefail

fail() { echo "install-test-tools: $*" >&2; exit 1; }

missing=()
command -v nghttp >/dev/null 2>&1 && command -v h2load >/dev/null 2>&1 || missing+=(nghttp2-client)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v buildah >/dev/null 2>&1 || missing+=(buildah)
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || missing+=(runc)
[ -x /usr/bin/chromium-headless-shell ] || [ -x /usr/bin/chromium ] || missing+=(chromium-headless-shell)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "test tools ok"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || fail "apt-get not found; install ${missing[*]} with your package manager"
[ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1 || fail "installing ${missing[*]} needs root"
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
install() { DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >"$log" 2>&1; }

echo "install-test-tools: installing ${missing[*]}" >&2
if ! install; then
  # A fresh machine has no package lists yet.
  "${sudo[@]}" apt-get update >"$log" 2>&1 || fail "apt-get update failed: $(tail -n 1 "$log")"
  install || fail "apt-get install ${missing[*]} failed: $(tail -n 1 "$log")"
fi
echo "test tools ok"
