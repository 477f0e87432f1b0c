#!/usr/bin/env bash
# Issue 16 item 4: RSS of the exporter after the API sent three 40 MiB chunked answers (refused: over 16 MiB).
# A tiny Python server on loopback plays the API; the exporter scrapes the tasks path three times, then RSS
# (VmRSS, MiB) is read 10 s and 60 s later.
#   tests/scripts/oversized_rss.sh BINARY      (the NativeAOT binary, or "dotnet path/to/datahub_exporter.dll")
# A measurement, not a test: the machine is shared and noisy.
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 BINARY" >&2; exit 2; }
bench_name=oversized_rss
source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"

cat > "$work/api.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"x" * 65536
        try:
            self.wfile.write(b'%x\r\n{"Response":{"Pad":"\r\n' % len(b'{"Response":{"Pad":"'))
            for _ in range(640):  # 40 MiB
                self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
    def log_message(self, *args):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$work/api.py" > "$work/api.port" & pids+=($!)
for _ in $(seq 50); do [[ -s "$work/api.port" ]] && break; sleep 0.1; done
api_port="$(cat "$work/api.port")"
[[ -n "$api_port" ]] || fail "the Python stand-in for the API did not start"
write_config "$work/exporter.conf" "http://127.0.0.1:$api_port" AKIDrssmeasure000000000001 rss-measure-not-a-real-key-0001
start_exporter "$1" "$work/stderr" --conf="$work/exporter.conf" --api.max-attempts=1
rss() { rss_mib "$pid"; }
echo "idle: $(rss) MiB"
for i in 1 2 3; do curl -s -o /dev/null "$base/api/v1/ckafka/datahub_tasks/metrics"; done
echo "after three refused 40 MiB answers: $(rss) MiB (peak $(rss_mib "$pid" VmHWM))"
sleep 10; echo "10 s later: $(rss) MiB"
sleep 50; echo "60 s later: $(rss) MiB"
{ grep -c "ResponseTooLarge\|over 16" "$work/stderr" || true; } | sed 's/^/log lines about the refused answers: /'
