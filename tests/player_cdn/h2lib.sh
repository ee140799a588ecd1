# h2lib.sh - a TLS edge with HTTP/2 and a short title for the player's
# HTTP/2 test (cdn_http2.sh) and bench/http2.sh. Sourced, with
# SV_SOURCE_DIR and SV_BUILD_DIR set. Gives $H2_TMP (a private folder,
# removed on exit with the edge stopped), $SVPLAY, fail and ok, and:
#
#   h2_title DIR SECONDS   a title made with ffmpeg -f lavfi (320x180 H.264,
#                          30 fps, 1 s GOPs, AAC), packaged into DIR/hls
#                          (fMP4, master.m3u8, 1 s segments) and DIR/dash
#                          (manifest.mpd, 1 s segments); DIR/ref.md5 holds
#                          ffmpeg's hash of each decoded video frame
#   h2_testca DIR          a throw-away CA and a server certificate for
#                          127.0.0.1 (scripts/tls-edge.sh testca), and a
#                          self-signed one (DIR/untrusted.pem, .key)
#   h2_edge_start DIR ROOT nginx serving ROOT over TLS on 127.0.0.1 with
#                          HTTP/2 offered (nginx-h2.conf.in), the
#                          certificate from h2_testca DIR; sets H2_URL
#                          (https://127.0.0.1:PORT) and H2_EDGE (its folder),
#                          and H2_URL_UNTRUSTED (the next port: the same
#                          files with the self-signed certificate)
#   h2_edge_stop           stops it (also done on exit by the caller's trap)
#   h2_pin DIR             the sha256// pin of DIR/server.pem's public key

set -u
: "${SV_BUILD_DIR:?run through ctest (SV_BUILD_DIR unset)}"
: "${SV_SOURCE_DIR:?run through ctest (SV_SOURCE_DIR unset)}"
H2_NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
SVPLAY="${SVPLAY:-$SV_BUILD_DIR/apps/svplay/svplay}"
H2_EDGE=""
H2_URL=""
H2_URL_UNTRUSTED=""
H2_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sv-h2.XXXXXX") || exit 1

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

ok() {
    echo "ok: $*"
}

h2_cleanup() {
    _st=$?
    h2_edge_stop
    rm -rf "$H2_TMP"
    exit "$_st"
}
trap h2_cleanup EXIT
trap 'exit 1' HUP INT TERM

for _t in ffmpeg openssl node; do
    command -v "$_t" >/dev/null 2>&1 || fail "$_t is missing; run scripts/install-deps.sh"
done
[ -x "$SVPLAY" ] || fail "$SVPLAY is not built"

h2_ff() {
    ffmpeg -nostdin -hide_banner -loglevel error -y "$@" || fail "ffmpeg $*"
}

h2_title() {
    _d=$1
    mkdir -p "$_d/src" "$_d/hls" "$_d/dash" || fail "cannot create $_d"
    h2_ff -f lavfi -i "testsrc2=size=320x180:rate=30:duration=$2" \
        -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$2" \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 30 -keyint_min 30 -sc_threshold 0 \
        -c:a aac -b:a 64k -shortest "$_d/src/av.mp4"
    h2_ff -i "$_d/src/av.mp4" -map 0:a -map 0:v -c copy -f hls -hls_time 1 \
        -hls_playlist_type vod -hls_segment_type fmp4 -master_pl_name master.m3u8 \
        -hls_segment_filename "$_d/hls/s%v_%03d.m4s" \
        -var_stream_map "a:0,agroup:aud,default:yes v:0,agroup:aud" "$_d/hls/s%v.m3u8"
    (cd "$_d/dash" && h2_ff -i "$_d/src/av.mp4" -map 0:v -map 0:a -c copy -f dash \
        -seg_duration 1 -use_template 1 -use_timeline 1 manifest.mpd)
    ffmpeg -nostdin -v error -i "$_d/src/av.mp4" -map 0:v:0 -fps_mode passthrough \
        -f framemd5 "$_d/ref.framemd5" || fail "ffmpeg cannot decode $_d/src/av.mp4"
    grep -v '^#' "$_d/ref.framemd5" | awk -F, '{ gsub(/ /, "", $6); print $6 }' >"$_d/ref.md5"
    [ -s "$_d/ref.md5" ] || fail "no reference frames for $_d"
}

h2_testca() {
    sh "$SV_SOURCE_DIR/scripts/tls-edge.sh" testca "$1" || fail "cannot make the test CA"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
        -keyout "$1/untrusted.key" -out "$1/untrusted.pem" 2>/dev/null ||
        fail "cannot make the self-signed certificate"
}

h2_pin() {
    _h=$(openssl x509 -in "$1/server.pem" -pubkey -noout | openssl pkey -pubin -outform der |
        openssl dgst -sha256 -binary | openssl base64 -A) || fail "cannot hash $1/server.pem's key"
    echo "sha256//$_h"
}

h2_edge_start() {
    [ -x "$H2_NGINX" ] || fail "nginx is missing; run scripts/install-deps.sh (nginx-light)"
    "$H2_NGINX" -V 2>&1 | grep -q -- --with-http_v2_module ||
        fail "this nginx lacks the http_v2 module"
    H2_EDGE="$H2_TMP/edge"
    mkdir -p "$H2_EDGE/tmp" || fail "cannot create $H2_EDGE"
    # nginx workers of a root master run as nobody: let them into the folders.
    chmod 755 "$H2_TMP" "$H2_EDGE"
    chmod -R a+rX "$2"
    _tries=0
    while :; do
        # A random port in 20000-31999, under the ephemeral range (as
        # scripts/edges.sh); a taken one fails to bind and another is tried.
        _port=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 12000 + 20000))
        sed -e "s|@PREFIX@|$H2_EDGE|g" -e "s|@LISTEN@|127.0.0.1:$_port|g" \
            -e "s|@LISTEN_UNTRUSTED@|127.0.0.1:$((_port + 1))|g" \
            -e "s|@CERT@|$1/server.pem|g" -e "s|@KEY@|$1/server.key|g" -e "s|@ROOT@|$2|g" \
            -e "s|@CERT_UNTRUSTED@|$1/untrusted.pem|g" -e "s|@KEY_UNTRUSTED@|$1/untrusted.key|g" \
            "$SV_SOURCE_DIR/tests/player_cdn/nginx-h2.conf.in" >"$H2_EDGE/nginx.conf" ||
            fail "cannot write $H2_EDGE/nginx.conf"
        rm -f "$H2_EDGE/nginx.pid"
        if "$H2_NGINX" -e "$H2_EDGE/error.log" -p "$H2_EDGE" -c "$H2_EDGE/nginx.conf" \
            2>>"$H2_EDGE/error.log"; then
            _i=0
            while [ ! -s "$H2_EDGE/nginx.pid" ] && [ $_i -lt 50 ]; do
                _i=$((_i + 1))
                sleep 0.05
            done
            [ -s "$H2_EDGE/nginx.pid" ] && break
        fi
        _tries=$((_tries + 1))
        [ $_tries -lt 20 ] || { cat "$H2_EDGE/error.log" >&2; fail "nginx did not start"; }
    done
    H2_URL="https://127.0.0.1:$_port"
    H2_URL_UNTRUSTED="https://127.0.0.1:$((_port + 1))"
}

# h2_json FILE EXPR - one value of a JSON file (node), e.g. h2_json s.json
# http2_requests, h2_json s.json error.message; null prints "null".
h2_json() {
    node -e 'const v = process.argv[2].split(".").reduce((o, k) => o == null ? o : o[k],
        JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")));
        console.log(typeof v === "object" && v !== null ? JSON.stringify(v) : String(v))' "$1" "$2"
}

# h2_hashes FRAMEMD5 - the hash column of stream 0's lines of a framemd5 file.
h2_hashes() {
    grep -v '^#' "$1" | awk -F, 'NF >= 6 && $1 + 0 == 0 { gsub(/ /, "", $6); print $6 }'
}

h2_edge_stop() {
    [ -n "$H2_EDGE" ] && [ -s "$H2_EDGE/nginx.pid" ] || return 0
    _pid=$(cat "$H2_EDGE/nginx.pid")
    kill -TERM "$_pid" 2>/dev/null
    _i=0
    while kill -0 "$_pid" 2>/dev/null && [ $_i -lt 100 ]; do
        _i=$((_i + 1))
        sleep 0.05
    done
    rm -f "$H2_EDGE/nginx.pid"
}
