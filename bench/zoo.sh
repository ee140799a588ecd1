#!/bin/sh
# The stream zoo (issue 16) played by svplay and by two peers, in real time,
# over loopback HTTP (sv-faultsrv):
#   svplay  --headless --realtime --framemd5 --stats (tests/zoo/zoolib.sh)
#   mpv     --no-config --vo=null --ao=null, real time (the null audio
#           output paces it); a Lua script reads its frame-drop-count,
#           estimated-frame-number and the largest |avsync| it saw
#   ffmpeg  -re -i URL -map 0:v:0 -f null - (frames from -progress; it has
#           no clock to drop against and no A/V drift to measure)
#   bench/zoo.sh [BUILD_DIR]
# Every on-demand entry of tests/zoo/zoo_gen.sh, then the four live entries
# of tests/zoo/zoo_live.sh (each joined by the three players at once, for
# LIVE_FRAMES frames, default 240). ENTRIES="name ..." plays only those
# on-demand entries ("none": none); LIVE=0 leaves the live ones out. Protected entries: svplay as the zoo
# tests run it (a key, or the license server); the peers get the content
# key through libavformat's decryption_key option, the only way they take
# one (no license requests).
# Prints one row per entry: for each player whether it plays (exit status 0
# and at least 95 % of the content's frames presented or dropped), frames
# presented, dropped frames and the largest A/V drift (ms) where the player
# measures them ("-" otherwise); then the goal: svplay plays every entry a
# peer plays, and drops no more frames than mpv on each.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
SV_SOURCE_DIR=$src
SV_BUILD_DIR=$(cd "${1:-$src/build}" && pwd)
export SV_SOURCE_DIR SV_BUILD_DIR
. "$src/tests/zoo/zoolib.sh"
command -v mpv >/dev/null 2>&1 || fail "mpv is missing: run scripts/install-deps.sh"
set +e
live_frames=${LIVE_FRAMES:-240}

cat >"$ZOO_TMP/zoo.lua" <<'LUA'
-- Reports what mpv played when the file ends: frames (the last estimated
-- frame number + 1), frames dropped by the video output and the decoder,
-- and the largest |A/V difference| observed.
local maxd, last = 0, { fn = -1, fd = 0, dd = 0 }
mp.observe_property("avsync", "number", function(_, v)
    if v and math.abs(v) > maxd then maxd = math.abs(v) end
end)
local function snap()
    last.fn = mp.get_property_number("estimated-frame-number", last.fn)
    last.fd = mp.get_property_number("frame-drop-count", last.fd)
    last.dd = mp.get_property_number("decoder-frame-drop-count", last.dd)
end
mp.add_periodic_timer(0.05, snap)
mp.register_event("end-file", function()
    snap()
    io.stderr:write(string.format("zoo-mpv %d %d %.4f\n", last.fn + 1, last.fd + last.dd, maxd))
end)
LUA

# key_of ARGS - the content key of an entry's svplay arguments ("" when
# clear): the --key value's KEY, or the zoo's key for a license server.
key_of() {
    case "$1" in
        *--key*) echo "$1" | sed 's/.*--key [0-9a-f]*:\([0-9a-f]*\).*/\1/' ;;
        *--license-url*) echo "$ZOO_KEY" ;;
        *) echo "" ;;
    esac
}
ZOO_KEY=fc35340837310cc0fb53de97e22a69e0

# plays RC SHOWN DROPPED WANT - "yes" or "no".
plays() {
    awk -v rc="$1" -v s="${2:-0}" -v d="${3:-0}" -v w="$4" 'BEGIN {
        d = (d == "-" || d == "") ? 0 : d
        print (rc == 0 && s + d >= 0.95 * w) ? "yes" : "no" }'
}

# ms SECONDS - milliseconds, "-" when unknown.
ms() {
    case "$1" in '' | '-' | null | undefined) echo "-" ;; *) awk -v x="$1" 'BEGIN { printf "%.0f", x * 1000 }' ;; esac
}

# run_mpv NAME URL LIMIT KEY [ARGS...] - sets M_RC M_FRAMES M_DROPPED M_DRIFT.
run_mpv() {
    _n=$1 _u=$2 _l=$3 _k=$4
    shift 4
    [ -n "$_k" ] && set -- "$@" "--demuxer-lavf-o=decryption_key=$_k"
    M_RC=0
    timeout -k 5 "$_l" mpv --no-config --vo=null --ao=null --really-quiet \
        --script="$ZOO_TMP/zoo.lua" "$@" "$_u" >"$ZOO_TMP/$_n.mpv.out" 2>"$ZOO_TMP/$_n.mpv.err" ||
        M_RC=$?
    set -- $(grep '^zoo-mpv ' "$ZOO_TMP/$_n.mpv.err" | tail -n 1) - 0 - -
    M_FRAMES=$2 M_DROPPED=$3 M_DRIFT=$4
}

# run_ffmpeg NAME URL LIMIT KEY [FRAMES] - sets F_RC F_FRAMES; with FRAMES
# it stops after that many video frames (live).
run_ffmpeg() {
    _n=$1 _u=$2 _l=$3 _k=$4 _fr=${5:-}
    set --
    [ -n "$_k" ] && set -- -decryption_key "$_k"
    set -- "$@" -i "$_u" -map 0:v:0
    [ -n "$_fr" ] && set -- "$@" -frames:v "$_fr"
    F_RC=0
    timeout -k 5 "$_l" ffmpeg -nostdin -v error -re "$@" -f null - \
        -progress "$ZOO_TMP/$_n.ffmpeg.progress" >/dev/null 2>"$ZOO_TMP/$_n.ffmpeg.err" || F_RC=$?
    F_FRAMES=$(sed -n 's/^frame=//p' "$ZOO_TMP/$_n.ffmpeg.progress" 2>/dev/null | tail -n 1)
    F_FRAMES=${F_FRAMES:-0}
}

rows="$ZOO_TMP/rows"
: >"$rows"
# row NAME WANT - one table row from the S_* M_* F_* results.
row() {
    printf '%s %s %s %s %s %s %s %s %s %s %s %s\n' "$1" \
        "$(plays "$S_RC" "$S_FRAMES" "$S_DROPPED" "$2")" "$S_FRAMES" "${S_DROPPED:--}" "$(ms "$S_DRIFT")" \
        "$(plays "$M_RC" "$M_FRAMES" "$M_DROPPED" "$2")" "$M_FRAMES" "$M_DROPPED" "$(ms "$M_DRIFT")" \
        "$(plays "$F_RC" "$F_FRAMES" - "$2")" "$F_FRAMES" "$2" >>"$rows"
}

zoo_streams
zoo_serve "$ZOO/www"
entries=${ENTRIES:-$(zoo_entries)}
[ "$entries" = none ] && entries=""
for name in $entries; do
    echo "playing $name" >&2
    zoo_svplay_vod "$name" >>"$ZOO_TMP/svplay.log"
    S_RC=$Z_RC S_FRAMES=$Z_SHOWN S_DROPPED=$Z_DROPPED S_DRIFT=$Z_DRIFT
    key=$(key_of "$Z_ARGS")
    url="$ZOO_URL/$Z_PATH"
    run_mpv "$name" "$url" $((Z_FRAMES / 30 + 60)) "$key"
    run_ffmpeg "$name" "$url" $((Z_FRAMES / 30 + 60)) "$key"
    row "$name" "$Z_FRAMES"
done
kill -TERM "$ZOO_FS_PID" 2>/dev/null
wait "$ZOO_FS_PID" 2>/dev/null
ZOO_FS_PID=""

# bench_live NAME... - one live generator; each entry joined by the three
# players at once, LIVE_FRAMES frames each.
bench_live() {
    live="$ZOO_TMP/live"
    sh "$ZOO_LIB/zoo_live.sh" "$ZOO" "$live" 2>"$ZOO_TMP/gen.err" &
    ZOO_PIDS=$!
    i=0
    while [ ! -f "$live/ready" ]; do
        kill -0 "$ZOO_PIDS" 2>/dev/null || fail "the live generator stopped: $(cat "$ZOO_TMP/gen.err")"
        i=$((i + 1))
        [ "$i" -le 450 ] || fail "the live streams were not ready within 45 s"
        sleep 0.1
    done
    zoo_serve "$live"
    epoch=$(cat "$live/start_epoch")
    lim=$((live_frames / 30 + 40))
    for name in "$@"; do
        echo "playing $name" >&2
        zoo_live_snapshot "$live" "$name"
        url="$ZOO_URL/$(zoo_live_path "$name")"
        (zoo_run_svplay "$name" "$url" "$lim" --frames "$live_frames") &
        sp=$!
        (run_mpv "$name" "$url" "$lim" "" --frames="$live_frames"
         echo "$M_RC $M_FRAMES $M_DROPPED $M_DRIFT" >"$ZOO_TMP/$name.mpv.result") &
        mp=$!
        run_ffmpeg "$name" "$url" "$lim" "" "$live_frames"
        wait "$sp"
        wait "$mp"
        read -r M_RC M_FRAMES M_DROPPED M_DRIFT <"$ZOO_TMP/$name.mpv.result"
        zoo_svplay_live "$epoch" "$name" "$live_frames" >>"$ZOO_TMP/svplay.log"
        S_RC=$Z_RC S_FRAMES=$Z_SHOWN S_DROPPED=$Z_DROPPED S_DRIFT=$Z_DRIFT
        row "$name" "$live_frames"
    done
}
[ "${LIVE:-1}" = 0 ] || bench_live $(echo "$ZOO_LIVE_ENTRIES" | cut -d: -f1)

echo "stream zoo: svplay vs mpv vs ffmpeg, real time over loopback (drift in ms; '-': not measured)"
awk 'BEGIN {
        printf "%-24s | %-6s %6s %5s %6s | %-6s %6s %5s %6s | %-6s %6s | %6s\n", "entry", "svplay", "frames", "drop", "drift",
               "mpv", "frames", "drop", "drift", "ffmpeg", "frames", "of"
    }
    {
        printf "%-24s | %-6s %6s %5s %6s | %-6s %6s %5s %6s | %-6s %6s | %6s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12
        n++
        if (($6 == "yes" || $10 == "yes") && $2 != "yes") { miss_play = miss_play " " $1 }
        else if ($2 == "yes" && $6 == "yes" && $4 + 0 > $8 + 0) { miss_drop = miss_drop " " $1 }
        else met++
    }
    END {
        printf "\ngoal: svplay plays every entry either peer plays, and drops no more frames than mpv on each\n"
        printf "  met on %d of %d entries\n", met, n
        if (miss_play != "") printf "  a peer plays, svplay does not:%s\n", miss_play
        if (miss_drop != "") printf "  svplay drops more than mpv:%s\n", miss_drop
        printf "  %s\n", (met == n) ? "MET" : "MISSED"
    }' "$rows"
echo "svplay's checks (tests/zoo/zoolib.sh), failures only:"
grep '^FAIL' "$ZOO_TMP/svplay.log" | sed 's/^/  /' || echo "  none"
