# zoolib.sh - shared helpers of the stream zoo's tests and of bench/zoo.sh.
# Sourced after SV_BUILD_DIR and SV_SOURCE_DIR are set:
#
#   . "$SV_SOURCE_DIR/tests/zoo/zoolib.sh"
#   zoo_streams                     # generates (or reuses) the zoo; sets ZOO
#   zoo_serve "$ZOO/www"            # sv-faultsrv on 127.0.0.1; sets ZOO_URL
#   zoo_entry hls_ts_muxed          # Z_PATH Z_REF Z_FRAMES Z_ARGS Z_SUBS
#   zoo_svplay_vod hls_ts_muxed     # one real-time run, asserted (check)
#
# The player is $SVPLAY when set, else $SV_SVPLAY (CMake passes the svplay
# target), else the build tree's apps/svplay/svplay. The zoo lives in
# $SV_ZOO_DIR, default $SV_BUILD_DIR/zoo (cached: tests/zoo/zoo_gen.sh).
# Every run gets a private folder $ZOO_TMP, removed on exit; every wait is
# bounded.
set -u

: "${SV_BUILD_DIR:?run through ctest (SV_BUILD_DIR unset)}"
: "${SV_SOURCE_DIR:?run through ctest (SV_SOURCE_DIR unset)}"
ZOO="${SV_ZOO_DIR:-$SV_BUILD_DIR/zoo}"
ZOO_LIB="$SV_SOURCE_DIR/tests/zoo"
ZOO_FS_BIN="$SV_BUILD_DIR/tests/support/sv-faultsrv"
SVPLAY="${SVPLAY:-${SV_SVPLAY:-$SV_BUILD_DIR/apps/svplay/svplay}}"
# The ClearKey license the cbcs entries fetch (the key of zoo_gen_shaka.sh).
ZOO_LICENSE="$SV_SOURCE_DIR/tests/interop/scenarios/license-clearkey.json"
# Limits of every playback (issue 16).
ZOO_MAX_DRIFT=0.040  # s, |audio - video| at any presented frame
ZOO_SUB_SLACK=0.15   # s, a cue shows and clears this close to its times

ZOO_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sv-zoo.XXXXXX") || exit 1
ZOO_FS_PID=""
ZOO_PIDS=""
ZOO_FAILED=0
ZOO_PASSED=0

zoo_cleanup() {
    _status=$?
    for _p in $ZOO_PIDS $ZOO_FS_PID; do
        kill -TERM "$_p" 2>/dev/null
        wait "$_p" 2>/dev/null
    done
    rm -rf "$ZOO_TMP"
    exit "$_status"
}
trap zoo_cleanup EXIT
trap 'exit 1' HUP INT TERM

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# check STATUS MESSAGE - records a result without stopping, so one run
# reports every entry; zoo_finish turns any failure into the exit status.
check() {
    if [ "$1" -eq 0 ]; then
        echo "ok   $2"
        ZOO_PASSED=$((ZOO_PASSED + 1))
    else
        echo "FAIL $2"
        ZOO_FAILED=$((ZOO_FAILED + 1))
    fi
}

zoo_finish() {
    echo "$ZOO_PASSED passed, $ZOO_FAILED failed"
    [ "$ZOO_FAILED" -eq 0 ]
}

for _t in ffmpeg ffprobe node curl awk timeout; do
    command -v "$_t" >/dev/null 2>&1 || fail "$_t is missing: run scripts/install-deps.sh"
done
[ -x "$ZOO_FS_BIN" ] || fail "$ZOO_FS_BIN not built"
[ -x "$SVPLAY" ] || fail "the player $SVPLAY is not built"
. "$SV_SOURCE_DIR/tests/support/target.sh"
ZOO_FS_BIN=$(target_program "$ZOO_FS_BIN") || fail "cannot wrap $ZOO_FS_BIN for the emulator"
SVPLAY=$(target_program "$SVPLAY") || fail "cannot wrap $SVPLAY for the emulator"

# zoo_streams - the zoo, generated once (zoo_gen.sh caches it).
zoo_streams() {
    sh "$ZOO_LIB/zoo_gen.sh" "$ZOO" || fail "tests/zoo/zoo_gen.sh could not make the zoo"
}

# zoo_serve ROOT - sv-faultsrv on ROOT (Range answered with 206), with the
# ClearKey license at POST /license; sets ZOO_URL. Waits at most 5 s.
zoo_serve() {
    rm -f "$ZOO_TMP/port"
    "$ZOO_FS_BIN" --root "$1" --listen 127.0.0.1:0 --port-file "$ZOO_TMP/port" \
        --scenario "$ZOO_LICENSE" 2>"$ZOO_TMP/server.err" &
    ZOO_FS_PID=$!
    _i=0
    while [ ! -s "$ZOO_TMP/port" ]; do
        _i=$((_i + 1))
        kill -0 "$ZOO_FS_PID" 2>/dev/null || fail "sv-faultsrv exited: $(cat "$ZOO_TMP/server.err")"
        [ "$_i" -le 100 ] || fail "sv-faultsrv did not write its port file within 5 s"
        sleep 0.05
    done
    ZOO_URL="http://127.0.0.1:$(cat "$ZOO_TMP/port")"
}

# zoo_entries - the names of the on-demand entries, in table order.
zoo_entries() {
    cut -f1 "$ZOO/zoo.tsv"
}

# zoo_entry NAME - sets Z_PATH Z_REF Z_FRAMES Z_ARGS (with @URL@ replaced by
# the server's URL; "" for none) and Z_SUBS ("" for none).
zoo_entry() {
    _line=$(awk -F'\t' -v n="$1" '$1 == n' "$ZOO/zoo.tsv")
    [ -n "$_line" ] || fail "no entry $1 in $ZOO/zoo.tsv"
    Z_PATH=$(echo "$_line" | cut -f2)
    Z_REF=$(echo "$_line" | cut -f3)
    Z_FRAMES=$(echo "$_line" | cut -f4)
    Z_ARGS=$(echo "$_line" | cut -f5 | sed "s|@URL@|${ZOO_URL:-}|g")
    Z_SUBS=$(echo "$_line" | cut -f6)
    [ "$Z_ARGS" = - ] && Z_ARGS=""
    [ "$Z_SUBS" = - ] && Z_SUBS=""
    return 0
}

# zoo_json FILE EXPR - one value of a JSON file (tests/player/json_get.js).
zoo_json() {
    node "$SV_SOURCE_DIR/tests/player/json_get.js" "$1" "$2"
}

# zoo_hashes FRAMEMD5 - the hash column of stream 0's lines, one per line.
zoo_hashes() {
    grep -v '^#' "$1" | awk -F, 'NF >= 6 && $1 + 0 == 0 { gsub(/ /, "", $6); print $6 }'
}

# zoo_match_vod GOT REFSET - compares the hashes in GOT with the references
# ref/REFSET/v*.md5: frame i must equal frame i of one rendition (ABR may
# switch at any segment). Prints "matched total first_bad" (first_bad 0 when
# all match) and returns 0 when every frame matches and none is missing.
zoo_match_vod() {
    awk '
        FNR == 1 { f++ }
        FILENAME != got { ref[f, FNR] = $1; if (FNR > n) n = FNR; next }
        {
            i++
            hit = 0
            for (r = 1; r < f; r++) if (ref[r, i] == $1) hit = 1
            if (hit) m++; else if (!bad) bad = i
        }
        END { if (!bad && i < n) bad = i + 1; printf "%d %d %d\n", m, n, bad; exit !(m == n && i == n) }
    ' got="$1" "$ZOO/ref/$2/"v*.md5 "$1"
}

# zoo_shown STATS - the text changes svplay's --stats recorded in real time
# ("subtitles": each change with the position it was seen at) as
# "position<TAB>text" lines, newlines in the text as \n; "" is a clear.
zoo_shown() {
    node -e '
        const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        for (const r of s.subtitles || [])
            console.log(r.position_s.toFixed(3) + "\t" + r.text.replace(/\n/g, "\\n"));
    ' "$1"
}

# zoo_cues LOG CUES - every cue of CUES (start, end, text) appears in the
# text changes LOG (zoo_shown) within ZOO_SUB_SLACK of its start and clears within
# ZOO_SUB_SLACK of its end. Prints the first cue that did not and returns 1.
zoo_cues() {
    [ -f "$1" ] || { echo "no subtitle log"; return 1; }
    while IFS="$(printf '\t')" read -r _s _e _text; do
        T="$_text" awk -F'\t' -v s="$_s" -v e="$_e" -v k="$ZOO_SUB_SLACK" '
            found && !done { if ($2 == "" && $1 - e < k && e - $1 < k) ok = 1; done = 1 }
            !found && $2 == ENVIRON["T"] { found = 1; if ($1 - s > k || s - $1 > k) exit 1 }
            END { exit !(found && ok) }' "$1" || { echo "cue '$_text' ($_s-$_e s)"; return 1; }
    done <"$2"
    return 0
}

# zoo_run_svplay NAME URL LIMIT_S ARGS... - svplay in real time, headless,
# with --framemd5 and --stats into $ZOO_TMP/NAME.{framemd5,json}; stdout and
# stderr into NAME.out and NAME.err. Sets Z_RC (124: hit LIMIT_S), Z_WALL (s)
# and Z_END (Unix time when it exited).
zoo_run_svplay() {
    _n=$1 _u=$2 _l=$3
    shift 3
    rm -f "$ZOO_TMP/$_n.framemd5" "$ZOO_TMP/$_n.json"
    _t0=$(date +%s.%N)
    Z_RC=0
    # shellcheck disable=SC2086
    timeout -k 5 "$_l" "$SVPLAY" --headless --realtime --quiet --framemd5 "$ZOO_TMP/$_n.framemd5" \
        --stats "$ZOO_TMP/$_n.json" "$@" "$_u" >"$ZOO_TMP/$_n.out" 2>"$ZOO_TMP/$_n.err" || Z_RC=$?
    Z_END=$(date +%s.%N)
    Z_WALL=$(awk -v a="$_t0" -v b="$Z_END" 'BEGIN { printf "%.2f", b - a }')
    echo "$Z_RC $Z_WALL $Z_END" >"$ZOO_TMP/$_n.result"
}

# zoo_result NAME - Z_RC Z_WALL Z_END of run NAME, from a zoo_run_svplay
# that ran in a background subshell.
zoo_result() {
    read -r Z_RC Z_WALL Z_END <"$ZOO_TMP/$1.result" || fail "run $1 left no result"
}

# zoo_show NAME - the end of svplay's stderr, for a failure report.
zoo_show() {
    if [ -s "$ZOO_TMP/$1.err" ]; then
        echo "  --- $1 stderr (last lines):"
        tail -n 8 "$ZOO_TMP/$1.err" | sed 's/^/  /'
    fi
}

# zoo_stat NAME KEY - one number from svplay's stats of run NAME ("" when
# there are none).
zoo_stat() {
    [ -s "$ZOO_TMP/$1.json" ] || return 0
    zoo_json "$ZOO_TMP/$1.json" "$2"
}

# zoo_round NUMBER - NUMBER with 4 decimals ("" stays "").
zoo_round() {
    case "$1" in
        '' | null | undefined) echo "" ;;
        *) awk -v x="$1" 'BEGIN { printf "%.4f\n", x }' ;;
    esac
}

# zoo_play_vod NAME - the real-time run of on-demand entry NAME (after
# zoo_entry NAME), unchecked: zoo_run_svplay with the entry's options.
zoo_play_vod() {
    _extra=""
    # Arguments are words without blanks (paths under $ZOO_TMP, keys, URLs).
    [ -n "$Z_SUBS" ] && _extra="--sub $Z_SUBS --sub-log $ZOO_TMP/$1.subs"
    # shellcheck disable=SC2086
    zoo_run_svplay "$1" "$ZOO_URL/$Z_PATH" $((Z_FRAMES / 30 + 60)) $_extra $Z_ARGS
}

# zoo_start_vod NAME - starts the run of entry NAME in the background, so
# that several entries play at the same time (each player takes a few
# percent of a core); zoo_svplay_vod NAME then waits for it and asserts.
zoo_start_vod() {
    zoo_entry "$1"
    (zoo_play_vod "$1") &
    echo "$!" >"$ZOO_TMP/$1.pid"
    ZOO_PIDS="$ZOO_PIDS $!"
}

# zoo_svplay_vod NAME - plays on-demand entry NAME once in real time and
# asserts (check) what issue 16 asks of every entry:
#   - exit status 0 and no error in the stats;
#   - every presented frame equal to ffmpeg's decode of the source (frame i
#     of one of the renditions), none missing or added;
#   - dropped_frames 0;
#   - max_av_drift_s under ZOO_MAX_DRIFT;
#   - played_s the content's duration, within one frame;
#   - real time: the wall clock took at least 95 % of the content;
#   - with a subtitle language, each of its cues shown and cleared on time.
# Sets Z_SHOWN Z_DROPPED Z_DRIFT Z_PLAYED for bench/zoo.sh.
# After zoo_start_vod NAME it waits for that run instead of playing again.
zoo_svplay_vod() {
    _name=$1
    zoo_entry "$_name"
    _dur=$(awk -v f="$Z_FRAMES" 'BEGIN { printf "%.3f", f / 30 }')
    if [ -f "$ZOO_TMP/$_name.pid" ]; then
        _pid=$(cat "$ZOO_TMP/$_name.pid")
        wait "$_pid"
        rm -f "$ZOO_TMP/$_name.pid"
        _left=""
        for _p in $ZOO_PIDS; do
            [ "$_p" = "$_pid" ] || _left="$_left $_p"
        done
        ZOO_PIDS=$_left
        zoo_result "$_name"
    else
        zoo_play_vod "$_name"
    fi
    Z_SHOWN=0
    [ -s "$ZOO_TMP/$_name.framemd5" ] && Z_SHOWN=$(zoo_hashes "$ZOO_TMP/$_name.framemd5" | wc -l)
    Z_DROPPED=$(zoo_stat "$_name" dropped_frames)
    Z_DRIFT=$(zoo_round "$(zoo_stat "$_name" max_av_drift_s)")
    Z_PLAYED=$(zoo_round "$(zoo_stat "$_name" played_s)")
    _err=$(zoo_stat "$_name" error)
    [ "$Z_RC" -eq 0 ] && [ "$_err" = null ]
    check $? "$_name: exit status $Z_RC, error ${_err:-(no stats)}"
    [ "$Z_RC" -eq 0 ] && [ "$_err" = null ] || zoo_show "$_name"
    zoo_hashes "$ZOO_TMP/$_name.framemd5" >"$ZOO_TMP/$_name.md5" 2>/dev/null
    _m=$(zoo_match_vod "$ZOO_TMP/$_name.md5" "$Z_REF")
    _st=$?
    set -- $_m
    _first=""
    [ "${3:-0}" != 0 ] && _first=" (first different or missing: frame $3)"
    check "$_st" "$_name: $Z_SHOWN frames presented, $1 of $2 equal ffmpeg's decode of the source$_first"
    [ "$Z_DROPPED" = 0 ]
    check $? "$_name: dropped_frames ${Z_DROPPED:-?} (want 0)"
    awk -v d="$Z_DRIFT" -v m="$ZOO_MAX_DRIFT" 'BEGIN { exit !(d != "" && d + 0 == d && d >= 0 && d < m) }'
    check $? "$_name: max_av_drift_s ${Z_DRIFT:-?} < $ZOO_MAX_DRIFT"
    awk -v p="$Z_PLAYED" -v d="$_dur" 'BEGIN { x = p - d; exit !(p != "" && x <= 1 / 30 + 1e-6 && -x <= 1 / 30 + 1e-6) }'
    check $? "$_name: played_s ${Z_PLAYED:-?} = $_dur s within one frame"
    awk -v w="$Z_WALL" -v d="$_dur" 'BEGIN { exit !(w >= d * 0.95) }'
    check $? "$_name: real time, $Z_WALL s wall clock for $_dur s of media"
    if [ -n "$Z_SUBS" ]; then
        zoo_shown "$ZOO_TMP/$_name.json" >"$ZOO_TMP/$_name.shown"
        _bad=$(zoo_cues "$ZOO_TMP/$_name.shown" "$ZOO/src/$Z_SUBS.cues")
        check $? "$_name: --sub $Z_SUBS, every cue shown and cleared within $ZOO_SUB_SLACK s${_bad:+ (not: $_bad)}"
    fi
    echo "info $_name: audio_frames $(zoo_stat "$_name" audio_frames), silence $(zoo_stat "$_name" audio_silence_frames), rebuffers $(zoo_stat "$_name" rebuffer_count), switches $(zoo_stat "$_name" switches), startup $(zoo_round "$(zoo_stat "$_name" startup_time_s)") s"
}

# The live entries of tests/zoo/zoo_live.sh: name and path under its folder.
ZOO_LIVE_ENTRIES="live_hls_ts:live_hls_ts/live.m3u8
live_hls_fmp4:live_hls_fmp4/master.m3u8
live_dash_timeline:live_dash_timeline/manifest.mpd
live_dash_number:live_dash_number/manifest.mpd"

# zoo_live_path NAME - the manifest path of live entry NAME.
zoo_live_path() {
    _p=$(echo "$ZOO_LIVE_ENTRIES" | awk -F: -v n="$1" '$1 == n { print $2 }')
    [ -n "$_p" ] || fail "no live entry $1 (one of: $(echo "$ZOO_LIVE_ENTRIES" | cut -d: -f1 | tr '\n' ' '))"
    echo "$_p"
}

# zoo_live_snapshot LIVEDIR NAME - keeps a copy of the live entry's media
# playlist or MPD as it is now (while live: ffmpeg rewrites the MPD as a
# static one when it stops) in $ZOO_TMP/NAME.manifest.
zoo_live_snapshot() {
    case "$2" in
        live_hls_fmp4) cp "$1/live_hls_fmp4/s1.m3u8" "$ZOO_TMP/$2.manifest" ;;
        *) cp "$1/$(zoo_live_path "$2")" "$ZOO_TMP/$2.manifest" ;;
    esac
}

# zoo_live_target NAME - the largest latency behind the encoder the entry
# allows, seconds, from its snapshot: the delay its manifest asks players
# to keep (HLS: three target durations, RFC 8216 6.3.3; DASH:
# suggestedPresentationDelay, else three maxSegmentDuration) plus one
# segment (the one being encoded is not listed yet) plus 0.5 s for the
# encoder and the fetches.
zoo_live_target() {
    _mf="$ZOO_TMP/$1.manifest"
    if grep -q '^#EXTM3U' "$_mf"; then
        _td=$(sed -n 's/^#EXT-X-TARGETDURATION:\([0-9]*\).*/\1/p' "$_mf")
        awk -v t="$_td" 'BEGIN { printf "%.1f", 3 * t + t + 0.5 }'
    else
        # Durations as ffmpeg writes them: PT<seconds>S.
        _spd=$(sed -n 's/.*suggestedPresentationDelay="PT\([0-9.]*\)S".*/\1/p' "$_mf")
        _msd=$(sed -n 's/.*maxSegmentDuration="PT\([0-9.]*\)S".*/\1/p' "$_mf")
        awk -v d="$_spd" -v m="$_msd" 'BEGIN { if (d == "") d = 3 * m; printf "%.1f", d + m + 0.5 }'
    fi
}

# zoo_match_live GOT - GOT's hashes must be consecutive frames of the live
# input (ref/live/v0.md5) from wherever the player joined. Prints "k matched
# total first_bad last" (k and last: the 1-based frames of live.mp4 shown
# first and last, 0 when not one of its frames) and returns 0 when all
# match.
zoo_match_live() {
    awk '
        FILENAME != got { ref[FNR] = $1; at[$1] = FNR; next }
        FNR == 1 { k = ($1 in at) ? at[$1] : 0 }
        { n++; if (k && ref[k + n - 1] == $1) m++; else if (!bad) bad = n; last = ($1 in at) ? at[$1] : 0 }
        END { printf "%d %d %d %d %d\n", k, m, n, bad, last; exit !(k && n && m == n) }
    ' got="$1" "$ZOO/ref/live/v0.md5" "$1"
}

# zoo_svplay_live START_EPOCH NAME FRAMES - asserts (check) run NAME
# of a live entry (zoo_run_svplay with --frames FRAMES, result saved):
#   - exit status 0, no error;
#   - FRAMES frames presented, consecutive frames of the live input;
#   - dropped_frames 0, no stall (rebuffer_count 0);
#   - max_av_drift_s under ZOO_MAX_DRIFT;
#   - latency behind the encoder, at the first frame and when the player
#     quit, within zoo_live_target (and not ahead of it).
zoo_svplay_live() {
    _epoch=$1 _name=$2 _want=$3
    zoo_result "$_name"
    Z_SHOWN=0
    [ -s "$ZOO_TMP/$_name.framemd5" ] && Z_SHOWN=$(zoo_hashes "$ZOO_TMP/$_name.framemd5" | wc -l)
    Z_DROPPED=$(zoo_stat "$_name" dropped_frames)
    Z_DRIFT=$(zoo_round "$(zoo_stat "$_name" max_av_drift_s)")
    _err=$(zoo_stat "$_name" error)
    _rebuf=$(zoo_stat "$_name" rebuffer_count)
    [ "$Z_RC" -eq 0 ] && [ "$_err" = null ]
    check $? "$_name: exit status $Z_RC, error ${_err:-(no stats)}"
    [ "$Z_RC" -eq 0 ] && [ "$_err" = null ] || zoo_show "$_name"
    zoo_hashes "$ZOO_TMP/$_name.framemd5" >"$ZOO_TMP/$_name.md5" 2>/dev/null
    _m=$(zoo_match_live "$ZOO_TMP/$_name.md5")
    _st=$?
    set -- $_m
    _k=$1 _last=$5
    _first=""
    [ "${4:-0}" != 0 ] && _first=" (first different: $4)"
    [ "$_st" -eq 0 ] && [ "$3" -eq "$_want" ]
    check $? "$_name: $3 frames presented (want $_want), $2 consecutive frames of the live input from frame $_k$_first"
    [ "$Z_DROPPED" = 0 ] && [ "$_rebuf" = 0 ]
    check $? "$_name: dropped_frames ${Z_DROPPED:-?}, rebuffers ${_rebuf:-?} (want 0 and 0)"
    awk -v d="$Z_DRIFT" -v m="$ZOO_MAX_DRIFT" 'BEGIN { exit !(d != "" && d + 0 == d && d >= 0 && d < m) }'
    check $? "$_name: max_av_drift_s ${Z_DRIFT:-?} < $ZOO_MAX_DRIFT"
    _target=$(zoo_live_target "$_name")
    _load=$(zoo_stat "$_name" load_unix_s)
    _startup=$(zoo_stat "$_name" startup_time_s)
    # Frame k (1-based) of live.mp4 left the encoder at epoch + (k - 1) / 30.
    _lat=$(awk -v k="$_k" -v z="$_last" -v e="$_epoch" -v l="$_load" -v s="$_startup" -v end="$Z_END" 'BEGIN {
        if (k < 1 || z < 1 || l == "" || l == "null") { print "? ?"; exit }
        printf "%.2f %.2f", l + s - e - (k - 1) / 30, end - e - (z - 1) / 30 }')
    set -- $_lat
    Z_LATENCY=$1
    awk -v a="$1" -v b="$2" -v t="$_target" 'BEGIN {
        exit !(a != "?" && a >= -0.5 && a <= t && b >= -0.5 && b <= t) }'
    check $? "$_name: latency behind the encoder $1 s at the first frame, $2 s at the last (at most $_target s)"
}
