#!/usr/bin/env bash
# Builds the container image of the native binary without a daemon, the way CI can on a machine with no
# registry access: FROM scratch, with the binary, glibc's loader, libc, libm, OpenSSL (libssl, libcrypto; .NET
# loads them at run time for TLS) and the CA certificates copied from this Debian machine, run as the unprivileged
# user 65534. The repository's Dockerfile makes the equivalent image from a distroless glibc base for users who can
# pull one; this script is the path CI takes, with buildah commands instead of a Dockerfile.
#
#   bash tests/scripts/build-image.sh NATIVE_BINARY [TAG]      (TAG: localhost/datahub-exporter:latest)
#
# 1. Assembles and inspects the root filesystem: every shared object the binary and OpenSSL need is present, and
#    the binary runs with the rootfs's own loader and libraries (no host library leaks in).
# 2. With buildah: commits the image as TAG. With podman (runtime runc, cgroupfs): starts tests/ simulator
#    (ckafka_simulator) on loopback, runs the image on the host network against it, scrapes every path the
#    landing page lists, and checks the process runs as uid 65534 and that TLS (OpenSSL) works in the image.
# Where buildah or podman cannot run, that step is skipped with the reason and the script still exits 0; a step
# that runs and fails exits 1 with one line on stderr. Last line of stdout: "image ok: …" or "image rootfs ok: …".
set -euo pipefail

fail() { echo "build-image: $*" >&2; exit 1; }
note() { echo "build-image: $*"; }

binary=${1:-}
tag=${2:-localhost/datahub-exporter:latest}
[ -n "$binary" ] || fail "usage: build-image.sh NATIVE_BINARY [TAG]"
[ -x "$binary" ] || fail "$binary is not an executable file (publish it first: dotnet publish src/DatahubExporter -c Release -r linux-x64 -o DIR)"
repo=$(cd "$(dirname "$0")/../.." && pwd)
uid=65534

work=$(mktemp -d)
container=""
simulator_pid=""
cleanup() {
  [ -z "$container" ] || podman --runtime runc rm -f "$container" >/dev/null 2>&1 || true
  [ -z "$simulator_pid" ] || kill "$simulator_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# podman and buildah on a machine without systemd or ulimit rights (a CI container): cgroupfs, no default ulimits.
if [ -z "${CONTAINERS_CONF:-}" ]; then
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\ncgroup_manager = "cgroupfs"\n' >"$work/containers.conf"
  export CONTAINERS_CONF="$work/containers.conf"
fi

# ---- 1. the root filesystem -----------------------------------------------------------------------------------
rootfs="$work/rootfs"
mkdir -p "$rootfs/usr/local/bin" "$rootfs/etc/ssl/certs" "$rootfs/usr/lib/ssl" "$rootfs/tmp"
install -m 0755 "$binary" "$rootfs/usr/local/bin/datahub_exporter"

libssl=$(ldconfig -p | awk '$1 == "libssl.so.3" && /x86-64/ { print $NF; exit }')
[ -n "$libssl" ] || fail "libssl.so.3 not found (Debian package libssl3); .NET needs it for TLS"
# Every shared object the binary links and OpenSSL pulls in, at the path the host has it (the loader included).
mapfile -t libraries < <( { ldd "$binary"; ldd "$libssl"; echo "$libssl => $libssl"; } |
  awk '/not found/ { print "MISSING " $1; next } $2 == "=>" && $3 ~ /^\// { print $3; next } $1 ~ /^\// { print $1 }' | sort -u)
for lib in "${libraries[@]}"; do
  case "$lib" in MISSING*) fail "a shared object the binary needs is missing on this machine: ${lib#MISSING }" ;; esac
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
  # Debian reaches the loader through /lib64 -> /lib/x86_64-linux-gnu; keep the link and its target.
  if [ -L "$lib" ]; then
    target=$(readlink -f "$lib")
    mkdir -p "$rootfs$(dirname "$target")"
    [ -e "$rootfs$target" ] || cp -L "$lib" "$rootfs$target"
  fi
done

# CA certificates where OpenSSL looks on Debian (its OPENSSLDIR /usr/lib/ssl links to /etc/ssl).
[ -s /etc/ssl/certs/ca-certificates.crt ] || fail "/etc/ssl/certs/ca-certificates.crt is missing (Debian package ca-certificates)"
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
ln -s /etc/ssl/certs "$rootfs/usr/lib/ssl/certs"
ln -s /etc/ssl/certs/ca-certificates.crt "$rootfs/usr/lib/ssl/cert.pem"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:%s:%s:nobody:/nonexistent:/usr/sbin/nologin\n' "$uid" "$uid" >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:%s:\n' "$uid" >"$rootfs/etc/group"
chmod 1777 "$rootfs/tmp"   # .NET's diagnostics sockets; Kubernetes mounts an emptyDir here (read-only root)

# The binary must start with the rootfs's loader and libraries alone.
loader=$(find "$rootfs" -name 'ld-linux-x86-64.so.2' -type f | head -n 1)
[ -n "$loader" ] || fail "no ld-linux-x86-64.so.2 in the root filesystem"
libdirs=$(find "$rootfs" -name '*.so*' -type f -printf '%h\n' | sort -u | paste -sd:)
version=$("$loader" --inhibit-cache --library-path "$libdirs" "$rootfs/usr/local/bin/datahub_exporter" --version) ||
  fail "the binary does not start with the root filesystem's own libraries"
size_kib=$(du -sk "$rootfs" | cut -f1)
note "root filesystem: $(find "$rootfs" -type f | wc -l) files, $((size_kib / 1024)) MiB; $(printf '%s ' "${libraries[@]##*/}")+ CA bundle; runs as $version"

# ---- 2. the image ----------------------------------------------------------------------------------------------
# Checks that a tool runs here at all (not whether it works: a failure past this point is a real one).
usable() { "$@" >"$work/probe.log" 2>&1 || { echo "$(tail -n 1 "$work/probe.log")"; return 1; }; }

if ! command -v buildah >/dev/null 2>&1; then
  echo "image rootfs ok: buildah is not installed (tests/scripts/install-test-tools.sh installs it); no image built"
  exit 0
fi
if ! why=$(usable buildah from --name "dhe-probe-$$" scratch); then
  echo "image rootfs ok: buildah cannot run here ($why); no image built"
  exit 0
fi
buildah rm "dhe-probe-$$" >/dev/null

builder=$(buildah from scratch)
buildah copy --quiet "$builder" "$rootfs" / >/dev/null
# The systemd unit's flags: the listen address (the config comes from the environment or a mounted file).
buildah config --user "$uid:$uid" --workingdir / --port 48080 \
  --entrypoint '["/usr/local/bin/datahub_exporter"]' --cmd '--web.listen-address=:48080' \
  --label org.opencontainers.image.title=datahub_exporter --label "org.opencontainers.image.version=$version" "$builder"
buildah commit --quiet --rm "$builder" "$tag" >/dev/null || fail "buildah commit $tag failed"
note "image $tag built from scratch"

if ! command -v podman >/dev/null 2>&1; then
  echo "image rootfs ok: $tag built; podman is not installed, so it was not run"
  exit 0
fi
image_bytes=$(podman image inspect --format '{{.Size}}' "$tag" 2>/dev/null || echo 0)
if ! why=$(usable podman --runtime runc run --rm --network host "$tag" --version); then
  echo "image rootfs ok: $tag built; podman cannot run it here ($why)"
  exit 0
fi

# ---- 3. run it against the simulator ---------------------------------------------------------------------------
simulator_dll=$(ls "$repo"/src/CkafkaSimulator.Cli/bin/*/net10.0/ckafka_simulator.dll 2>/dev/null | head -n 1 || true)
if [ -z "$simulator_dll" ]; then
  dotnet build "$repo/src/CkafkaSimulator.Cli" -v q >"$work/build.log" 2>&1 || fail "building the simulator failed: $(tail -n 1 "$work/build.log")"
  simulator_dll=$(ls "$repo"/src/CkafkaSimulator.Cli/bin/*/net10.0/ckafka_simulator.dll | head -n 1)
fi
# Its own demo key pair (not a secret), handed to the exporter through the environment as on Kubernetes.
secret_id=AKIDdemoDatahubSimulatorNotARealKey0
secret_key=demoSimulatorSecretKeyNotReal00
dotnet "$simulator_dll" --listen 127.0.0.1:0 --secret-id "$secret_id" --secret-key "$secret_key" --tasks 30 --resources 12 --plain-names >"$work/simulator.out" 2>"$work/simulator.err" &
simulator_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/simulator.out" ] && break
  kill -0 "$simulator_pid" 2>/dev/null || fail "the simulator exited: $(tail -n 1 "$work/simulator.err")"
  sleep 0.2
done
simulator=$(head -n 1 "$work/simulator.out" | tr -d '\r')
[ -n "$simulator" ] || fail "the simulator printed no address within 20 s"

# The config file holds no key (those come from the environment), so mode 0644 for uid 65534 is fine.
mkdir -p "$work/conf"
printf '[common]\nregion = ap-guangzhou,ap-shanghai\nendpoint = %s\n' "$simulator" >"$work/conf/datahub_exporter.conf"
chmod 0755 "$work/conf" && chmod 0644 "$work/conf/datahub_exporter.conf"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$work/conf/tls.key" -out "$work/conf/tls.crt" >/dev/null 2>&1 || fail "openssl could not make a test certificate"
chmod 0644 "$work/conf/tls.key"
printf 'tls_server_config:\n  cert_file: /conf/tls.crt\n  key_file: /conf/tls.key\n' >"$work/conf/web.yml"

container=$(podman --runtime runc run -d --network host -v "$work/conf:/conf:ro" \
  -e TENCENTCLOUD_SECRET_ID="$secret_id" -e TENCENTCLOUD_SECRET_KEY="$secret_key" \
  "$tag" --web.listen-address=127.0.0.1:0 --conf=/conf/datahub_exporter.conf --web.config.file=/conf/web.yml) ||
  fail "podman run $tag failed"
address=""
for _ in $(seq 1 100); do
  address=$(podman logs "$container" 2>&1 | sed -n 's/.*msg="\{0,1\}listening"\{0,1\} address=\([^ ]*\).*/\1/p' | head -n 1)
  [ -n "$address" ] && break
  [ "$(podman inspect --format '{{.State.Running}}' "$container")" = true ] || fail "the container exited: $(podman logs "$container" 2>&1 | tail -n 1)"
  sleep 0.2
done
[ -n "$address" ] || fail "the exporter in the container logged no listening address within 20 s"

pid=$(podman inspect --format '{{.State.Pid}}' "$container")
process_uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
[ "$process_uid" = "$uid" ] || fail "the exporter in the container runs as uid $process_uid, not $uid"
rss_kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")

# TLS from OpenSSL inside the image: the landing page over https lists the scrape paths.
curl -fsS --max-time 10 -k "$address/" >"$work/landing.html" || fail "the landing page over TLS did not answer"
mapfile -t paths < <(grep -o 'href="/api/[^"]*"' "$work/landing.html" | sed 's/href="//; s/"$//' | sort -u)
[ "${#paths[@]}" -gt 0 ] || fail "the landing page lists no scrape path"
series=0
for path in "${paths[@]}"; do
  curl -fsS --max-time 30 -k "$address$path" >"$work/scrape.txt" || fail "scraping $path failed"
  grep -q '^datahub_exporter_collect_success{.*} 1$' "$work/scrape.txt" || fail "$path: no successful collection: $(grep collect_success "$work/scrape.txt" | head -n 2 | tr '\n' ' ')"
  ! grep -q '^datahub_exporter_collect_success{.*} 0$' "$work/scrape.txt" || fail "$path: a region failed: $(grep 'collect_success.* 0$' "$work/scrape.txt" | head -n 1)"
  series=$((series + $(grep -cv '^#' "$work/scrape.txt")))
done
curl -fsS --max-time 10 -k "$address/metrics" | grep -q '^datahub_exporter_build_info' || fail "/metrics has no datahub_exporter_build_info"
# Into a file first: grep -q stopping early would kill podman with SIGPIPE, and pipefail plus the negation would
# then pass a log that holds the key.
podman logs "$container" >"$work/container.log" 2>&1 || true
! grep -qF "$secret_key" "$work/container.log" || fail "the secret key reached the container log"

echo "image ok: $tag ($((image_bytes / 1000000)) MB, from scratch) ran as uid $process_uid with TLS; ${#paths[@]} paths scraped, $series samples; RSS $((rss_kib / 1024)) MiB"
