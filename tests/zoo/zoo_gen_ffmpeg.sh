# zoo_gen_ffmpeg.sh - the zoo's entries made by ffmpeg's hls and dash muxers.
# Sourced by zoo_gen.sh, which defines ff, same_as, joined, numbered, entry,
# die, $out, $www, $FRAMES and the sources in $out/src.

# hls_pkg DIR TYPE LAYOUT FLAGS V0 V1 AUDIO - the hls muxer on two video
# renditions and one audio track, stream copy. TYPE mpegts or fmp4; LAYOUT
# muxed (audio in each variant, playlists v0, v1) or groups (audio an
# EXT-X-MEDIA rendition s0, video s1 and s2); FLAGS its -hls_flags
# (single_file: one file per playlist, EXT-X-BYTERANGE). Sets HLS_VIDEO to
# the video playlists' names, lowest bandwidth first.
hls_pkg() {
    _hd=$1 _type=$2 _layout=$3 _flags=$4
    shift 4
    mkdir -p "$_hd"
    case "$_type" in mpegts) _ext=ts ;; fmp4) _ext=m4s ;; esac
    case "$_layout" in
        muxed)
            set -- -i "$1" -i "$2" -i "$3" -map 0:v -map 2:a -map 1:v -map 2:a \
                -var_stream_map "v:0,a:0 v:1,a:1"
            _pl=v HLS_VIDEO="v0.m3u8 v1.m3u8"
            ;;
        groups)
            set -- -i "$1" -i "$2" -i "$3" -map 2:a -map 0:v -map 1:v \
                -var_stream_map "a:0,agroup:aud,default:yes,language:en v:0,agroup:aud v:1,agroup:aud"
            _pl=s HLS_VIDEO="s1.m3u8 s2.m3u8"
            ;;
    esac
    case "$_flags" in
        *single_file*) ;;
        *) set -- "$@" -hls_segment_filename "$_hd/${_pl}%v_%03d.$_ext" ;;
    esac
    [ "$_type" = fmp4 ] && set -- "$@" -hls_fmp4_init_filename init.mp4
    ff "$@" -c copy -f hls -hls_time 2 -hls_playlist_type vod -hls_segment_type "$_type" \
        -hls_flags "$_flags" -master_pl_name master.m3u8 "$_hd/${_pl}%v.m3u8"
}

# hls_check NAME DIR REFSET [PREFIX] - each video playlist of DIR decodes to
# its reference (ref/REFSET/PREFIXr.md5, default prefix v).
hls_check() {
    _r=0
    for _p in $HLS_VIDEO; do
        same_as "$1" "$2/$_p" "$out/ref/$3/${4:-v}$_r.md5"
        _r=$((_r + 1))
    done
}

# hls_join OUT A B - a media playlist that plays A's segments, then after an
# EXT-X-DISCONTINUITY B's (from the folders a/ and b/ beside OUT).
hls_join() {
    awk -v part=a/ -v head=1 -f "$zoo_dir/hls_body.awk" "$2" >"$1"
    echo '#EXT-X-DISCONTINUITY' >>"$1"
    awk -v part=b/ -v head=0 -f "$zoo_dir/hls_body.awk" "$3" >>"$1"
    echo '#EXT-X-ENDLIST' >>"$1"
}

# hls_discont NAME TYPE LAYOUT - parts A and B packaged on their own, played
# back to back through EXT-X-DISCONTINUITY (B's timestamps start at 0 again;
# fMP4 repeats EXT-X-MAP with B's init segment).
hls_discont() {
    _xd="$www/$1"
    s="$out/src"
    hls_pkg "$_xd/a" "$2" "$3" independent_segments "$s/pa_v0.mp4" "$s/pa_v1.mp4" "$s/pa_a.mp4"
    hls_check "$1" "$_xd/a" parts a
    hls_pkg "$_xd/b" "$2" "$3" independent_segments "$s/pb_v0.mp4" "$s/pb_v1.mp4" "$s/pb_a.mp4"
    hls_check "$1" "$_xd/b" parts b
    for _m in "$_xd/a/"*.m3u8; do
        _m=$(basename "$_m")
        [ "$_m" = master.m3u8 ] && continue
        hls_join "$_xd/$_m" "$_xd/a/$_m" "$_xd/b/$_m"
        [ "$(grep -c '^#EXT-X-DISCONTINUITY$' "$_xd/$_m")" = 1 ] || die "$1: $_m has no discontinuity"
    done
    cp "$_xd/a/master.m3u8" "$_xd/master.m3u8"
    entry "$1" "$1/master.m3u8" parts - -
}

gen_ffmpeg_hls() {
    s="$out/src"
    # name type layout flags
    while read -r name type layout flags; do
        hls_pkg "$www/$name" "$type" "$layout" "$flags" "$s/v0.mp4" "$s/v1.mp4" "$s/a_en.mp4"
        hls_check "$name" "$www/$name" src
        case "$flags" in
            *single_file*)
                grep -q '^#EXT-X-BYTERANGE' "$www/$name/${HLS_VIDEO%% *}" ||
                    die "$name: single_file wrote no EXT-X-BYTERANGE"
                ;;
        esac
        entry "$name" "$name/master.m3u8" src - -
    done <<'EOF'
hls_ts_muxed mpegts muxed independent_segments
hls_ts_groups mpegts groups independent_segments
hls_fmp4_muxed fmp4 muxed independent_segments+discont_start
hls_fmp4_groups fmp4 groups independent_segments
hls_ts_single mpegts muxed single_file+independent_segments
hls_fmp4_single fmp4 groups single_file+independent_segments
EOF
    grep -q '^#EXT-X-DISCONTINUITY' "$www/hls_fmp4_muxed/v0.m3u8" ||
        die "hls_fmp4_muxed: discont_start wrote no EXT-X-DISCONTINUITY"
    hls_discont hls_ts_discont mpegts muxed
    hls_discont hls_fmp4_discont fmp4 groups
}

# dash_pkg DIR V0 V1 AUDIO ARGS... - the dash muxer, two video
# representations (ids 0, 1) in one AdaptationSet, audio (2) in another.
dash_pkg() {
    _dd=$1 _v0=$2 _v1=$3 _a=$4
    shift 4
    mkdir -p "$_dd"
    (cd "$_dd" && ff -i "$_v0" -i "$_v1" -i "$_a" -map 0:v -map 1:v -map 2:a -c copy \
        -f dash -seg_duration 2 "$@" -adaptation_sets "id=0,streams=v id=1,streams=a" manifest.mpd)
}

# dash_check NAME DIR REFSET [PREFIX] - each video representation's bytes
# (one file, or init + segments) decode to its reference.
dash_check() {
    for _r in 0 1; do
        if [ -f "$2/manifest-stream$_r.mp4" ]; then
            _f="$2/manifest-stream$_r.mp4"
        else
            # shellcheck disable=SC2046
            joined "$out/joined.tmp.mp4" "$2/init-stream$_r.m4s" $(numbered "$2/chunk-stream$_r-"*.m4s)
            _f="$out/joined.tmp.mp4"
        fi
        same_as "$1" "$_f" "$out/ref/$3/${4:-v}$_r.md5"
    done
}

# dash_expect NAME PATTERN - the MPD uses the addressing the entry is for.
dash_expect() {
    grep -q "$2" "$www/$1/manifest.mpd" || die "$1: the MPD has no $2"
}

# box_range FILE TYPE - "first last" byte of FILE's first top-level box TYPE,
# from ffprobe's trace of the boxes it reads (it prints each box's size and
# the offset of its payload, 8 bytes after its start).
box_range() {
    ffprobe -v trace "$1" 2>&1 | awk -v t="type:'$2'" '
        index($0, t) && index($0, "parent:'\''root'\''") {
            for (i = 1; i < NF; i++) if ($i == "sz:") { printf "%d %d\n", $(i + 2) - 8, $(i + 2) - 8 + $(i + 1) - 1; exit }
        }'
}

# dash_sidx_base NAME FROM - FROM's files (ffmpeg -single_file 1
# -global_sidx 1) addressed the on-demand way: each Representation's
# SegmentList replaced by a SegmentBase whose indexRange is the file's sidx,
# so the player finds the segments from the sidx alone.
dash_sidx_base() {
    _bd="$www/$1"
    mkdir -p "$_bd"
    cp "$www/$2/"manifest-stream*.mp4 "$_bd/"
    _ranges=
    for _f in "$_bd/"manifest-stream*.mp4; do
        _sidx=$(box_range "$_f" sidx)
        [ -n "$_sidx" ] || die "$1: no sidx box in $_f"
        _ranges="$_ranges $(basename "$_f"):${_sidx% *}-${_sidx#* }"
    done
    awk -v ranges="$_ranges" '
        BEGIN { n = split(ranges, r, " "); for (i = 1; i <= n; i++) { split(r[i], kv, ":"); sidx[kv[1]] = kv[2] } }
        /<BaseURL>/ { f = $0; sub(/.*<BaseURL>/, "", f); sub(/<\/BaseURL>.*/, "", f) }
        /<SegmentList/ {
            split(sidx[f], b, "-")
            ind = $0; sub(/<SegmentList.*/, "", ind)
            printf "%s<SegmentBase indexRange=\"%s\">\n%s\t<Initialization range=\"0-%d\" />\n%s</SegmentBase>\n", ind, sidx[f], ind, b[1] - 1, ind
            skip = 1; next
        }
        skip && /<\/SegmentList>/ { skip = 0; next }
        skip { next }
        { sub(/isoff-live:2011/, "isoff-on-demand:2011"); print }' "$www/$2/manifest.mpd" >"$_bd/manifest.mpd"
    [ "$(grep -c '<SegmentBase indexRange=' "$_bd/manifest.mpd")" = 3 ] || die "$1: not 3 SegmentBase"
    grep -q '<SegmentList\|<SegmentURL' "$_bd/manifest.mpd" && die "$1: a SegmentList is left"
    entry "$1" "$1/manifest.mpd" src - -
}

# dash_periods NAME - two Periods of 4 s, parts A and B each packaged by the
# dash muxer (A with a SegmentTimeline, B with $Number$), in an MPD of ours
# around the AdaptationSets ffmpeg wrote, with a BaseURL per Period.
dash_periods() {
    _pd="$www/$1"
    s="$out/src"
    dash_pkg "$_pd/p0" "$s/pa_v0.mp4" "$s/pa_v1.mp4" "$s/pa_a.mp4" -use_template 1 -use_timeline 1
    dash_check "$1" "$_pd/p0" parts a
    dash_pkg "$_pd/p1" "$s/pb_v0.mp4" "$s/pb_v1.mp4" "$s/pb_a.mp4" -use_template 1 -use_timeline 0
    dash_check "$1" "$_pd/p1" parts b
    {
        echo '<?xml version="1.0" encoding="utf-8"?>'
        echo '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011"'
        echo '     type="static" mediaPresentationDuration="PT8.0S" maxSegmentDuration="PT2.0S" minBufferTime="PT4.0S">'
        for _p in 0 1; do
            echo "  <Period id=\"p$_p\" start=\"PT$((_p * 4)).0S\" duration=\"PT4.0S\">"
            echo "    <BaseURL>p$_p/</BaseURL>"
            # ffmpeg writes one element per line; copy its AdaptationSets.
            sed -n '/<AdaptationSet/,/<\/AdaptationSet>/p' "$_pd/p$_p/manifest.mpd"
            echo '  </Period>'
        done
        echo '</MPD>'
    } >"$_pd/manifest.mpd"
    [ "$(grep -c '<AdaptationSet' "$_pd/manifest.mpd")" = 4 ] ||
        die "$1: the template did not take 4 AdaptationSets"
    entry "$1" "$1/manifest.mpd" parts - -
}

gen_ffmpeg_dash() {
    s="$out/src"
    # name, what its MPD must hold, dash muxer options
    while read -r name expect opts; do
        # shellcheck disable=SC2086
        dash_pkg "$www/$name" "$s/v0.mp4" "$s/v1.mp4" "$s/a_en.mp4" $opts
        dash_check "$name" "$www/$name" src
        dash_expect "$name" "$expect"
        entry "$name" "$name/manifest.mpd" src - -
    done <<'EOF'
dash_number media="chunk-stream$RepresentationID$-$Number%05d$.m4s" -use_template 1 -use_timeline 0
dash_timeline <SegmentTimeline> -use_template 1 -use_timeline 1
dash_list <SegmentURL -use_template 0
dash_single <SegmentURL -single_file 1
dash_single_sidx <SegmentURL -single_file 1 -global_sidx 1
EOF
    grep -q SegmentTimeline "$www/dash_number/manifest.mpd" && die "dash_number: the MPD has a SegmentTimeline"
    # Without -global_sidx each segment has a sidx of its own (indexRange);
    # with it, one sidx after the moov indexes them all.
    grep -q 'indexRange=' "$www/dash_single/manifest.mpd" || die "dash_single: no per-segment sidx"
    grep -q 'indexRange=' "$www/dash_single_sidx/manifest.mpd" && die "dash_single_sidx: per-segment sidx"
    dash_sidx_base dash_sidx_base dash_single_sidx
    dash_periods dash_periods
}
