# livelib.sh - shared by the live channel tests (sourced after
# tests/backend/backendlib.sh): an admin token, free ports, a channel, a
# publisher (ffmpeg -re -f lavfi over SRT or RTMP) and waiting for the
# channel's playlists.
#
#   live_admin                     before sv_start: an admin account (root)
#   live_token                     after sv_start: $LIVE_TOKEN (admin JWT)
#   live_ports                     $SRT_PORT (UDP) and $RTMP_PORT (TCP), free now
#   live_channel NAME [SETTINGS]   POST /api/v1/channels: $LIVE_KEY
#   live_clip SIZE SECONDS [AUDIO] a lavfi clip made ahead: $SV_TMP/clip-SIZE.mkv
#   live_publish PROTO CLIP LOG [URL]   background ffmpeg -re: $PUB_PID
#   live_wait_segments NAME REND N SECONDS   until REND's playlist lists N segments
#   live_pl NAME REND [QUERY]      the media playlist into $SV_TMP/pl

for _tool in ffmpeg ffprobe python3; do
    command -v "$_tool" >/dev/null 2>&1 ||
        { echo "FAIL: $_tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
done

live_admin() {
    mkdir -p "$SV_DATA"
    echo 'adminpass1' >"$SV_TMP/pw"
    "$SVSERVER" user add root --password-file "$SV_TMP/pw" --region FR --max-streams 1 \
        --role admin --data "$SV_DATA" >/dev/null || fail "cannot add the admin account"
}

live_token() {
    req code -X POST "$SV_URL/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d '{"name":"root","password":"adminpass1"}'
    expect_eq "login" "$code" 200
    LIVE_TOKEN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' \
        "$SV_TMP/body")
}

live_ports() {
    set -- $(python3 -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
t = socket.socket(); t.bind(("127.0.0.1", 0))
print(u.getsockname()[1], t.getsockname()[1])')
    SRT_PORT=$1
    RTMP_PORT=$2
}

live_channel() {
    _settings=${2:-'{}'}
    req code -X POST "$SV_URL/api/v1/channels" -H "Authorization: Bearer $LIVE_TOKEN" \
        -H 'Content-Type: application/json' \
        -d "{\"name\":\"$1\",\"srt_port\":$SRT_PORT,\"rtmp_port\":$RTMP_PORT,\"settings\":$_settings}"
    expect_eq "POST /api/v1/channels $1" "$code" 201
    LIVE_KEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["key"])' \
        "$SV_TMP/body")
}

# live_clip SIZE SECONDS [AUDIO]: $SV_TMP/clip-SIZE.mkv, testsrc2 at SIZE,
# 30 fps, a sine tone (AUDIO 0: none), x264 ultrafast zero latency (GOP
# 1 s), AAC. Made ahead, so the publisher's -re only copies it: encoding
# it live as well would take a core the ladder needs on a 2-core machine.
live_clip() {
    _a="-f lavfi -i sine=frequency=440:sample_rate=48000 -c:a aac -b:a 96k"
    [ "${3:-1}" = 1 ] || _a=""
    # shellcheck disable=SC2086 # _a is a list of options
    ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "testsrc2=size=$1:rate=30" \
        $_a -t "$2" -c:v libx264 -preset ultrafast -tune zerolatency -g 30 -b:v 2500k \
        "$SV_TMP/clip-$1.mkv" || fail "cannot make the $1 clip"
}

# live_publish PROTO CLIP LOG [URL]: ffmpeg -re copying CLIP to the
# channel (SRT: MPEG-TS with the key as passphrase; RTMP: FLV to live/KEY).
live_publish() {
    case "$1" in
        srt) _url=${4:-"srt://127.0.0.1:$SRT_PORT?passphrase=$LIVE_KEY&pbkeylen=16"}; _f=mpegts ;;
        rtmp) _url=${4:-"rtmp://127.0.0.1:$RTMP_PORT/live/$LIVE_KEY"}; _f=flv ;;
    esac
    ffmpeg -hide_banner -loglevel error -nostdin -re -i "$2" -c copy -f "$_f" "$_url" \
        >"$3" 2>&1 &
    PUB_PID=$!
}

# live_loaded: true when this machine runs more than it has cores (load
# average), when real-time figures say more about the neighbours than us.
live_loaded() {
    awk -v c="$(nproc)" '{ exit !($1 > c) }' /proc/loadavg
}

live_pl() {
    req code "$SV_URL/live/$1/$2/index.m3u8${3:+?$3}"
    cp "$SV_TMP/body" "$SV_TMP/pl"
}

live_wait_segments() {
    _i=0
    while :; do
        req code "$SV_URL/live/$1/$2/index.m3u8"
        if [ "$code" = 200 ] && [ "$(grep -c '^seg-' "$SV_TMP/body")" -ge "$3" ]; then
            return 0
        fi
        _i=$((_i + 1))
        [ "$_i" -le "$(($4 * 5))" ] || fail "$1/$2: fewer than $3 segments after $4 s"
        sleep 0.2
    done
}
