#!/bin/sh
# HTTP/2 and TLS settings against a real edge: nginx with TLS on 127.0.0.1
# and http2 on (nginx-h2.conf.in), its certificate signed by a test CA made
# here (scripts/tls-edge.sh testca), serving a 6 s title made here with
# ffmpeg -f lavfi as HLS (fMP4) and DASH (h2lib.sh). Checks:
#   1. svplay --ca-file decodes the HLS manifest as fast as it comes
#      (--framemd5), then plays the DASH one in real time: every
#      request of each over HTTP/2 and on one connection (the stats and
#      nginx's log agree), every frame decoded, none dropped in real time,
#      every frame's hash equal to ffmpeg's decode of the source (HLS);
#   1b. a master playlist on 127.0.0.1 naming its two media playlists on
#      localhost (the same edge, another host for libcurl): the two
#      requests start together, and the second waits for the first one's
#      connection (CURLOPT_PIPEWAIT) instead of opening its own: two
#      connections in all, one per host (without the wait: three);
#   2. --http1 with the right --pin-pubkey plays over HTTP/1.1 (nginx logs
#      HTTP/1.1 for each request);
#   3. without the CA, with a CA file that is no PEM, and with a wrong pin,
#      playback fails at once (one attempt, exit 1) with an error naming
#      the host or the file and the cause, and with the wrong pin nginx
#      never sees a request;
#   4. with two CDNs, the preferred one showing a self-signed certificate:
#      the refusal fails over to the other at once and the title plays.
. "$SV_SOURCE_DIR/tests/player_cdn/h2lib.sh"

SECONDS_=6
T="$H2_TMP/title"
CA="$H2_TMP/ca"
h2_title "$T" "$SECONDS_"
frames=$(wc -l <"$T/ref.md5")
[ "$frames" -eq $((SECONDS_ * 30)) ] || fail "the source has $frames frames, expected $((SECONDS_ * 30))"
h2_testca "$CA"
h2_edge_start "$CA" "$T"
LOG="$H2_EDGE/access.log"
ok "edge $H2_URL (TLS, http2), title of $frames frames"

# play NAME LIMIT ARGS... - svplay headless in the background; NAME.json
# holds its stats, NAME.err its messages. wait_play NAME collects it (RC).
play() {
    _n=$1
    _l=$2
    shift 2
    timeout -k 5 "$_l" "$SVPLAY" --headless --quiet --stats "$H2_TMP/$_n.json" "$@" \
        >"$H2_TMP/$_n.out" 2>"$H2_TMP/$_n.err" &
    eval "PID_$_n=$!"
}
wait_play() {
    RC=0
    eval "wait \$PID_$1" || RC=$?
}
show() {
    echo "--- svplay $1 stderr:" >&2
    tail -n 20 "$H2_TMP/$1.err" >&2
    [ -f "$H2_TMP/$1.json" ] && grep -E '"(error|http|conn|dropped|decoded)' "$H2_TMP/$1.json" >&2
}
expect() { # WHAT GOT WANT
    [ "$2" = "$3" ] || fail "$1: got $2, expected $3"
    ok "$1 = $2"
}
# log_of PATH_PREFIX [FROM_LINE] - nginx's log lines for one run's files.
log_of() {
    tail -n +"${2:-1}" "$LOG" | awk -v p="$1" '$5 ~ "^" p'
}

# --- 1: HTTP/2, one connection per run, frames equal ffmpeg's.
# One after the other: the real-time run alone keeps its frames on time on
# a loaded machine.
play hls 25 --ca-file "$CA/ca.pem" --framemd5 "$H2_TMP/hls.framemd5" "$H2_URL/hls/master.m3u8"
wait_play hls
[ "$RC" -eq 0 ] || { show hls; fail "HLS over HTTP/2: svplay exited $RC"; }
play dash 25 --ca-file "$CA/ca.pem" "$H2_URL/dash/manifest.mpd"
wait_play dash
[ "$RC" -eq 0 ] || { show dash; fail "DASH over HTTP/2: svplay exited $RC"; }
for run in hls dash; do
    s="$H2_TMP/$run.json"
    [ "$run" = hls ] && path=/hls/ || path=/dash/
    expect "$run: error" "$(h2_json "$s" error)" null
    expect "$run: decoded frames" "$(h2_json "$s" decoded_frames)" "$frames"
    [ "$run" = hls ] || expect "$run: dropped frames (real time)" "$(h2_json "$s" dropped_frames)" 0
    served=$(log_of "$path" | wc -l)
    [ "$served" -ge $((SECONDS_ * 2)) ] || fail "$run: nginx logged only $served requests"
    expect "$run: requests over HTTP/2 (stats; nginx logged $served)" \
        "$(h2_json "$s" http2_requests)" "$served"
    expect "$run: requests over HTTP/1.x (stats)" "$(h2_json "$s" http1_requests)" 0
    expect "$run: nginx's protocols" "$(log_of "$path" | awk '{ print $2 }' | sort -u)" HTTP/2.0
    expect "$run: connections opened (stats)" "$(h2_json "$s" connections_opened)" 1
    expect "$run: connections nginx saw" "$(log_of "$path" | awk '{ print $1 }' | sort -u | wc -l)" 1
    p50=$(h2_json "$s" segment_fetch_p50_s)
    p95=$(h2_json "$s" segment_fetch_p95_s)
    awk -v a="$p50" -v b="$p95" 'BEGIN { exit !(a > 0 && b >= a && b < 5) }' ||
        fail "$run: segment fetch times p50 $p50 s, p95 $p95 s"
    ok "$run: segment fetch p50 $p50 s, p95 $p95 s"
done
h2_hashes "$H2_TMP/hls.framemd5" >"$H2_TMP/hls.md5"
cmp -s "$H2_TMP/hls.md5" "$T/ref.md5" ||
    fail "hls: frame hashes differ from ffmpeg's ($(wc -l <"$H2_TMP/hls.md5") presented)"
ok "hls: all $frames frame hashes equal ffmpeg's decode"

# --- 1b: two requests starting together to a new host share its connection.
LOCAL=$(echo "$H2_URL" | sed 's/127\.0\.0\.1/localhost/')
sed -e "s|^s\([01]\)\.m3u8|$LOCAL/hls/s\1.m3u8|" \
    -e "s|URI=\"s\([01]\)\.m3u8\"|URI=\"$LOCAL/hls/s\1.m3u8\"|" "$T/hls/master.m3u8" >"$T/hls/remote.m3u8"
[ "$(grep -c "$LOCAL/hls/s[01].m3u8" "$T/hls/remote.m3u8")" -eq 2 ] ||
    fail "remote.m3u8 does not name both media playlists on localhost"
from=$(($(wc -l <"$LOG") + 1))
play remote 25 --ca-file "$CA/ca.pem" --benchmark "$H2_URL/hls/remote.m3u8"
wait_play remote
[ "$RC" -eq 0 ] || { show remote; fail "two hosts: svplay exited $RC"; }
s="$H2_TMP/remote.json"
expect "two hosts: decoded frames" "$(h2_json "$s" decoded_frames)" "$frames"
expect "two hosts: requests over HTTP/2" "$(h2_json "$s" http2_requests)" \
    "$(log_of /hls/ "$from" | wc -l)"
expect "two hosts: connections opened (stats)" "$(h2_json "$s" connections_opened)" 2
for host in 127.0.0.1 localhost; do
    expect "two hosts: connections nginx saw for $host" \
        "$(log_of /hls/ "$from" | awk -v h="$host" '$7 == h { print $1 }' | sort -u | wc -l)" 1
done

# --- 2: --http1, with the right pin.
PIN=$(h2_pin "$CA")
from=$(($(wc -l <"$LOG") + 1))
play h1 25 --ca-file "$CA/ca.pem" --pin-pubkey "$PIN" --http1 --benchmark \
    "$H2_URL/dash/manifest.mpd"
wait_play h1
[ "$RC" -eq 0 ] || { show h1; fail "--http1: svplay exited $RC"; }
s="$H2_TMP/h1.json"
served=$(log_of /dash/ "$from" | wc -l)
expect "http1: decoded frames" "$(h2_json "$s" decoded_frames)" "$frames"
expect "http1: requests over HTTP/1.x (stats; nginx logged $served)" \
    "$(h2_json "$s" http1_requests)" "$served"
expect "http1: requests over HTTP/2 (stats)" "$(h2_json "$s" http2_requests)" 0
expect "http1: nginx's protocols" "$(log_of /dash/ "$from" | awk '{ print $2 }' | sort -u)" \
    HTTP/1.1
ok "http1: $(h2_json "$s" connections_opened) connections opened"

# --- 3: refusals, at once and naming the host.
# refused NAME WANT_MESSAGE ARGS... - svplay exits 1 within 5 s, its stats'
# error message holds WANT_MESSAGE, and it made one attempt.
refused() {
    _n=$1
    _want=$2
    shift 2
    _t0=$(date +%s.%N)
    play "$_n" 20 "$@" "$H2_URL/hls/master.m3u8"
    wait_play "$_n"
    _t=$(awk -v a="$_t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    [ "$RC" -eq 1 ] || { show "$_n"; fail "$_n: svplay exited $RC, expected 1"; }
    _msg=$(h2_json "$H2_TMP/$_n.json" error.message)
    case "$_msg" in
    *"$_want"*"(1 attempt)"*) ;;
    *) show "$_n"; fail "$_n: error '$_msg' lacks '$_want' (1 attempt)" ;;
    esac
    grep -q "svplay: error: .*$_want" "$H2_TMP/$_n.err" || { show "$_n"; fail "$_n: not on stderr"; }
    awk -v t="$_t" 'BEGIN { exit !(t < 5) }' || fail "$_n: took $_t s"
    ok "$_n: exit 1 in $_t s: $_msg"
}
refused no_ca "TLS: the certificate of 127.0.0.1 is not trusted"
echo "not a certificate" >"$H2_TMP/bad.pem"
refused bad_ca "TLS: cannot load the CA file $H2_TMP/bad.pem (tls_ca_file)" --ca-file "$H2_TMP/bad.pem"
from=$(($(wc -l <"$LOG") + 1))
refused wrong_pin "TLS: the public key of 127.0.0.1 does not match the pinned key" \
    --ca-file "$CA/ca.pem" --pin-pubkey "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
expect "requests nginx served to the wrong pin" "$(tail -n +"$from" "$LOG" | wc -l)" 0

# --- 4: a CDN whose certificate is refused is failed over at once.
play cdns 25 --ca-file "$CA/ca.pem" --benchmark --cdn "untrusted=$H2_URL_UNTRUSTED/dash/,1" \
    --cdn "good=$H2_URL/dash/,2" "$H2_URL/dash/manifest.mpd"
wait_play cdns
[ "$RC" -eq 0 ] || { show cdns; fail "two CDNs, one untrusted: svplay exited $RC"; }
s="$H2_TMP/cdns.json"
expect "cdns: decoded frames" "$(h2_json "$s" decoded_frames)" "$frames"
change="$(h2_json "$s" cdn_changes.0.from) -> $(h2_json "$s" cdn_changes.0.to)"
expect "cdns: the first CDN change" "$change ($(h2_json "$s" cdn_changes.0.reason))" \
    "untrusted -> good (network error)"

rc=0
"$SVPLAY" --headless --ca-file "$H2_TMP/none.pem" "$H2_URL/hls/master.m3u8" \
    2>"$H2_TMP/usage.err" || rc=$?
expect "exit status for an unreadable --ca-file" "$rc" 2
grep -q "cannot read --ca-file" "$H2_TMP/usage.err" || fail "no clear usage error for --ca-file"
ok "HTTP/2 and TLS checks passed"
