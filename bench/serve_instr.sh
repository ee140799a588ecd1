#!/bin/sh
# bench/serve_instr.sh - serving cost per request: svserver vs nginx, same run.
#
# Counts the user-space instructions each server spends per request with
# callgrind (instruction counts do not depend on the machine's load, unlike
# wall time), then measures both natively with wrk.
#
# Instructions: each server runs under `valgrind --tool=callgrind` (nginx
# with `daemon off; master_process off;`, one process, sendfile on, access
# log off, a config generated in a temporary folder) on a loopback port. A
# small client sends N requests over one keep-alive connection, the server
# is stopped and its total read; then the same with 2N requests. The
# difference divided by N is the cost of one request, without start-up,
# accept and shutdown. Done for a small HLS playlist and a 2 MB segment.
# Prints instructions/request for both and the ratio svserver/nginx (goal
# <= 1.1).
#
# valgrind 3.19 does not know openat2(2): under it svserver's media tree
# takes the fallback of kernels without openat2 (one openat per name), which
# costs a few hundred instructions more than the native path.
#
# Throughput: both servers natively, wrk on each file (best of ROUNDS
# rounds, alternating); prints requests/s and the p99 latency.
#
# usage: bench/serve_instr.sh [BUILD_DIR]   (default: ./build; or SV_BUILD_DIR)
# env:   N (requests in the short run, default 400), DURATION (s per wrk
#        round, 3), ROUNDS (2), CONNECTIONS (wrk, 16), THREADS (wrk, 1),
#        PROFILE=1 also prints svserver's top functions (callgrind_annotate
#        of the 2N playlist run), MAX_RATIO: exit 1 when an instruction
#        ratio is above it (default: report only), SV_ONLY=1 counts
#        svserver alone (no nginx, no wrk: for profiling)
set -eu

BUILD_DIR=${1:-${SV_BUILD_DIR:-build}}
SVSERVER="$BUILD_DIR/apps/svserver/svserver"
N=${N:-400}
DURATION=${DURATION:-3}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-1}
PROFILE=${PROFILE:-}
MAX_RATIO=${MAX_RATIO:-}
SV_ONLY=${SV_ONLY:-}
SEG_BYTES=2097152

for tool in valgrind wrk nginx python3 curl; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
        { echo "bench/serve_instr.sh: $tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$SVSERVER" ] || { echo "bench/serve_instr.sh: $SVSERVER not built" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sv-bench-instr.XXXXXX")
SV_PID=""
NG_PID=""
stop_servers() {
    [ -n "$SV_PID" ] && kill -TERM "$SV_PID" 2>/dev/null && wait "$SV_PID" 2>/dev/null
    [ -n "$NG_PID" ] && kill -TERM "$NG_PID" 2>/dev/null && wait "$NG_PID" 2>/dev/null
    SV_PID=""
    NG_PID=""
}
cleanup() {
    stop_servers || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# One title folder in svserver's data layout; nginx serves the same media/.
MEDIA="$TMP/data/media"
DIR=/media/1/video/720p
mkdir -p "$MEDIA/1/video/720p" "$TMP/nginx/logs"
head -c "$SEG_BYTES" /dev/urandom >"$MEDIA/1/video/720p/seg-1.m4s"
{
    printf '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n'
    printf '#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI="init.mp4"\n'
    i=1
    while [ $i -le 15 ]; do printf '#EXTINF:4.000,\nseg-%d.m4s\n' $i; i=$((i + 1)); done
    printf '#EXT-X-ENDLIST\n'
} >"$MEDIA/1/video/720p/index.m3u8"
# nginx drops to an unprivileged user when started as root.
chmod -R a+rX "$TMP"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# svserver links FFmpeg, which loads libhwy (through libjxl); libhwy's
# start-up measures its timer with RDTSCP, which valgrind refuses on CPUs
# whose CPUID hides it (virtual machines) and svserver dies with SIGILL.
# A preloaded stand-in for that one function lets it start; serving never
# reaches libhwy.
SHIM=""
if ldd "$SVSERVER" | grep -q libhwy; then
    printf '%s\n' '#include <stdint.h>' \
        'uint64_t tr(void) __asm__("_ZN3hwy8platform15TimerResolutionEv");' \
        'uint64_t tr(void) { return 100; }' >"$TMP/hwyshim.c"
    ${CC:-cc} -shared -fPIC -O2 -o "$TMP/hwyshim.so" "$TMP/hwyshim.c"
    SHIM="$TMP/hwyshim.so"
fi

# The client: COUNT sequential GETs of PATH over one keep-alive connection,
# each answer read whole and checked (status 200, Content-Length bytes).
# Every wait is bounded (60 s: callgrind makes the server ~50x slower).
cat >"$TMP/client.py" <<'EOF'
import socket, sys
port, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
s = socket.create_connection(("127.0.0.1", port), timeout=60)
req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: sv-bench\r\nAccept: */*\r\n\r\n"
       % path).encode()
buf = b""
for _ in range(count):
    s.sendall(req)
    while b"\r\n\r\n" not in buf:
        d = s.recv(1 << 20)
        if not d:
            sys.exit("server closed the connection")
        buf += d
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    if lines[0].split()[1] != b"200":
        sys.exit("answer: %r" % lines[0])
    length = [int(l.split(b":", 1)[1]) for l in lines[1:] if l.lower().startswith(b"content-length:")][0]
    while len(buf) < length:
        d = s.recv(1 << 20)
        if not d:
            sys.exit("server closed the connection mid-body")
        buf += d
    buf = buf[length:]
s.close()
EOF

write_nginx_conf() { # PORT FOREGROUND(0/1)
    {
        if [ "$2" = 1 ]; then
            printf 'daemon off;\nmaster_process off;\n'
        else
            printf 'daemon off;\n'
        fi
        cat <<EOF
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types {
        application/vnd.apple.mpegurl m3u8;
        video/mp4 m4s mp4;
    }
    server {
        listen 127.0.0.1:$1;
        location /media/ { root $TMP/data; }
    }
}
EOF
    } >"$TMP/nginx/nginx.conf"
}

# Starts svserver (under WRAP, e.g. valgrind) and sets SV_PORT.
start_sv() {
    rm -f "$TMP/sv.out"
    $WRAP "$SVSERVER" --listen 127.0.0.1:0 --data "$TMP/data" --log-level warn --workers 1 \
        >"$TMP/sv.out" 2>"$TMP/sv.err" &
    SV_PID=$!
    i=0
    until grep -q '^listening on' "$TMP/sv.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 600 ] || { echo "svserver did not start" >&2; cat "$TMP/sv.err" >&2; exit 1; }
        sleep 0.05
    done
    SV_PORT=$(sed -n 's/^listening on http:\/\/127.0.0.1://p' "$TMP/sv.out")
}

# Starts nginx in the foreground (under WRAP) and sets NG_PORT.
start_ng() { # FOREGROUND_SINGLE(0/1)
    NG_PORT=$(free_port)
    write_nginx_conf "$NG_PORT" "$1"
    $WRAP "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" 2>"$TMP/nginx/start.err" &
    NG_PID=$!
    i=0
    until curl -s -o /dev/null "http://127.0.0.1:$NG_PORT/"; do
        i=$((i + 1))
        [ $i -le 600 ] || { echo "nginx did not start" >&2; cat "$TMP/nginx/start.err" >&2; exit 1; }
        sleep 0.05
    done
}

# Instructions of one server run that answers COUNT requests for FILE.
count_run() { # sv|ng FILE COUNT
    out="$TMP/cg.$1.$2.$3"
    WRAP="valgrind --tool=callgrind --callgrind-out-file=$out --dump-instr=no"
    if [ "$1" = sv ]; then
        if [ -n "$SHIM" ]; then
            WRAP="env LD_PRELOAD=$SHIM $WRAP"
        fi
        start_sv
        port=$SV_PORT
    else
        start_ng 1
        port=$NG_PORT
    fi
    python3 "$TMP/client.py" "$port" "$DIR/$2" "$3" || { echo "client failed ($1 $2)" >&2; exit 1; }
    stop_servers
    sed -n 's/^totals: *//p' "$out"
}

per_request() { # sv|ng FILE
    a=$(count_run "$1" "$2" "$N")
    b=$(count_run "$1" "$2" $((2 * N)))
    awk -v a="$a" -v b="$b" -v n="$N" 'BEGIN { printf "%.0f", (b - a) / n }'
}

WRAP=""
# Both must serve the same bytes before anything is counted.
start_sv
start_ng 0
for u in "http://127.0.0.1:$SV_PORT" "http://127.0.0.1:$NG_PORT"; do
    n=$(curl -s -o /dev/null -w '%{size_download}' "$u$DIR/seg-1.m4s")
    [ "$n" = "$SEG_BYTES" ] || { echo "$u served $n bytes, expected $SEG_BYTES" >&2; exit 1; }
done
stop_servers

status=0
echo "callgrind: user-space instructions per request, (I(2N) - I(N)) / N, N=$N, one keep-alive connection"
printf '%-10s %14s %14s %8s\n' "file" "svserver" "nginx" "ratio"
for f in index.m3u8 seg-1.m4s; do
    sv=$(per_request sv "$f")
    ng=0
    [ -n "$SV_ONLY" ] || ng=$(per_request ng "$f")
    ratio=$(awk -v a="$sv" -v b="$ng" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    printf '%-10s %14s %14s %8s\n' "$f" "$sv" "$ng" "$ratio"
    if [ -n "$MAX_RATIO" ] && awk -v r="$ratio" -v m="$MAX_RATIO" 'BEGIN { exit !(r > m) }'; then
        status=1
    fi
done

if [ -n "$PROFILE" ]; then
    # Per function: (Ir in the 2N run - Ir in the N run) / N, so start-up
    # (dynamic linking, SQLite, OpenSSL) drops out.
    echo
    echo "svserver, instructions per playlist request by function (self):"
    for c in "$N" $((2 * N)); do
        callgrind_annotate --inclusive=no --auto=no --threshold=100 "$TMP/cg.sv.index.m3u8.$c" \
            2>/dev/null | sed -n 's/^ *\([0-9,]*\) *( *[0-9.]*%) *\([^ ].*\)$/\1\t\2/p' |
            tr -d , >"$TMP/fn.$c"
    done
    awk -F '\t' -v n="$N" 'NR == FNR { a[$2] = $1; next }
        { d = ($1 - a[$2]) / n; if (d >= 20) printf "%8.0f  %s\n", d, $2 }' \
        "$TMP/fn.$N" "$TMP/fn.$((2 * N))" | sort -rn | head -30
fi

[ -z "$SV_ONLY" ] || exit $status

# Native throughput: rounds alternate between the servers, each keeps its
# best round (with that round's p99), so other load hits both alike.
wrk_run() { # URL -> "rps p99"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1" 2>&1 | awk '
        /^Requests\/sec:/ { rps = $2 }
        $1 == "99%" { p99 = $2 }
        END { print rps + 0, p99 }'
}
best() { # "rps p99" "rps p99" -> the one with more rps
    awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ");
        print (x[1] + 0 >= y[1] + 0 ? a : b) }'
}

WRAP=""
start_sv
start_ng 0
echo
echo "wrk: $ROUNDS rounds x ${DURATION}s, $CONNECTIONS connections, $THREADS thread(s); best round"
printf '%-10s %12s %10s %12s %10s %8s\n' "file" "svserver rps" "p99" "nginx rps" "p99" "ratio"
for f in index.m3u8 seg-1.m4s; do
    sv="0 -"
    ng="0 -"
    r=0
    while [ $r -lt "$ROUNDS" ]; do
        sv=$(best "$sv" "$(wrk_run "http://127.0.0.1:$SV_PORT$DIR/$f")")
        ng=$(best "$ng" "$(wrk_run "http://127.0.0.1:$NG_PORT$DIR/$f")")
        r=$((r + 1))
    done
    set -- $sv $ng
    ratio=$(awk -v a="$1" -v b="$3" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    printf '%-10s %12s %10s %12s %10s %8s\n' "$f" "$1" "$2" "$3" "$4" "$ratio"
done
exit $status
