# zoo_gen_shaka.sh - the zoo's entries made by Shaka Packager: one run per
# layout and protection writes both a DASH MPD and an HLS master playlist
# over the same files. Every run carries the two video renditions, two audio
# languages (en, fr) and two WebVTT text languages (en, fr).
# Sourced by zoo_gen.sh ($packager, ff helpers, $out, $www, entry, die).

# The test key of the interop tests: tests/interop/scenarios/
# license-clearkey.json answers POST /license with it (a W3C JWK set).
ZOO_KID=4060a865887842679cbf91ae5bae1e72
ZOO_KEY=fc35340837310cc0fb53de97e22a69e0

# shaka_pkg DIR LAYOUT SCHEME - LAYOUT tmpl (live profile: init segment +
# $Number$ segments, a static MPD with SegmentTemplate) or base (on-demand
# profile: one file per stream, SegmentBase + sidx in DASH, EXT-X-BYTERANGE
# in HLS); SCHEME clear, cenc or cbcs (ClearKey, the whole stream encrypted).
shaka_pkg() {
    _sd=$1 _layout=$2 _scheme=$3
    s="$out/src"
    mkdir -p "$_sd"
    set --
    for _st in v0:video:v0 v1:video:v1 a_en:audio:en a_fr:audio:fr en:text:en fr:text:fr; do
        _in=${_st%%:*} _kind=${_st#*:}
        _lang=${_kind#*:} _kind=${_kind%%:*}
        case "$_kind" in
            video) _f="in=$s/$_in.mp4,stream=video" _ext=m4s ;;
            audio) _f="in=$s/$_in.mp4,stream=audio,language=$_lang,hls_group_id=audio,hls_name=$_lang" _ext=m4s ;;
            text) _f="in=$s/$_in.vtt,stream=text,language=$_lang,hls_group_id=text,hls_name=$_lang" _ext=vtt ;;
        esac
        case "$_layout:$_kind" in
            tmpl:text) _f="$_f,segment_template=t_$_in/\$Number\$.vtt" ;;
            tmpl:*) _f="$_f,init_segment=$_in/init.mp4,segment_template=$_in/\$Number\$.$_ext" ;;
            base:text) _f="$_f,output=t_$_in.vtt" ;;
            base:*) _f="$_f,output=$_in.mp4" ;;
        esac
        case "$_kind" in
            text) set -- "$@" "$_f,playlist_name=t_$_in.m3u8" ;;
            *) set -- "$@" "$_f,playlist_name=$_in.m3u8" ;;
        esac
    done
    [ "$_layout" = tmpl ] && set -- "$@" --generate_static_live_mpd
    if [ "$_scheme" != clear ]; then
        set -- "$@" --enable_raw_key_encryption --keys "label=:key_id=$ZOO_KID:key=$ZOO_KEY" \
            --protection_scheme "$_scheme" --protection_systems CommonSystem --clear_lead 0
    fi
    (cd "$_sd" && "$packager" --quiet "$@" --segment_duration 2 --mpd_output manifest.mpd \
        --hls_master_playlist_output master.m3u8 --hls_playlist_type VOD) </dev/null >"$out/packager.log" 2>&1 ||
        { cat "$out/packager.log" >&2; die "Shaka Packager failed on $_sd ($_layout, $_scheme)"; }
}

# shaka_check NAME DIR LAYOUT SCHEME - clear renditions decode to the source
# frames; protected ones carry the scheme in their init data and playlists.
shaka_check() {
    for _r in 0 1; do
        case "$3" in
            tmpl)
                # shellcheck disable=SC2046
                joined "$out/joined.tmp.mp4" "$2/v$_r/init.mp4" $(numbered "$2/v$_r/"[0-9]*.m4s)
                _f="$out/joined.tmp.mp4"
                _init="$2/v$_r/init.mp4"
                ;;
            base) _f="$2/v$_r.mp4" _init="$2/v$_r.mp4" ;;
        esac
        if [ "$4" = clear ]; then
            same_as "$1" "$_f" "$out/ref/src/v$_r.md5"
        else
            grep -qa encv "$_init" || die "$1: v$_r is not encrypted (no encv sample entry)"
            grep -qa "$4" "$_init" || die "$1: v$_r's init data names no $4 scheme"
        fi
    done
    [ "$4" = clear ] && return 0
    case "$4" in cenc) _m=SAMPLE-AES-CTR ;; cbcs) _m=SAMPLE-AES ;; esac
    grep -q "^#EXT-X-KEY:METHOD=$_m," "$2/v0.m3u8" || die "$1: v0.m3u8 has no EXT-X-KEY METHOD=$_m"
    grep -q 'cenc:default_KID' "$2/manifest.mpd" || die "$1: the MPD has no cenc:default_KID"
}

gen_shaka() {
    # layout scheme svplay-arguments (@URL@: the server's base URL)
    while read -r layout scheme args; do
        name="shaka_${layout}_$scheme"
        shaka_pkg "$www/$name" "$layout" "$scheme"
        shaka_check "$name" "$www/$name" "$layout" "$scheme"
        case "$layout" in
            tmpl) grep -q '<SegmentTemplate' "$www/$name/manifest.mpd" || die "$name: no SegmentTemplate" ;;
            base) grep -q '<SegmentBase indexRange=' "$www/$name/manifest.mpd" || die "$name: no SegmentBase" ;;
        esac
        [ "$(grep -c 'TYPE=AUDIO' "$www/$name/master.m3u8")" = 2 ] || die "$name: not two audio renditions"
        [ "$(grep -c 'TYPE=SUBTITLES' "$www/$name/master.m3u8")" = 2 ] || die "$name: not two text renditions"
        entry "${name}_dash" "$name/manifest.mpd" src "$args" fr
        entry "${name}_hls" "$name/master.m3u8" src "$args" fr
    done <<EOF
tmpl clear -
base clear -
tmpl cenc --key $ZOO_KID:$ZOO_KEY
tmpl cbcs --license-url @URL@/license
base cbcs --key $ZOO_KID:$ZOO_KEY
EOF
}
