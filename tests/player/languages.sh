#!/bin/sh
# Audio and subtitle language preferences (--alang, --slang; issue 16).
# Each audio track is a sine of its own frequency, so the audio svplay
# decodes tells which track played: the MD5 of every sample the null audio
# sink was given (--stats audio_md5) must equal the MD5 of ffmpeg's own
# decode of that track, and --stats "tracks" must mark it selected with
# its language and roles.
#
# HLS: EXT-X-MEDIA audio in English (the DEFAULT), Canadian French, and an
# English audio description (CHARACTERISTICS describes-video) listed first;
# subtitles in English, English for the deaf and hard of hearing
# (transcribes-spoken-dialog, describes-music-and-sound) and German.
# DASH: one AdaptationSet per track: English commentary (Role), English
# audio description (Role alternate + Accessibility, the TV-Anytime audio
# purpose 1 DVB-DASH uses), English main, Portuguese and Brazilian
# Portuguese (Role main, lang="pt" and "pt-BR"). A plain preference takes
# the main track of its language, a role takes that role, the first listed
# language present wins, tags match case-insensitively with fallback.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

w="$PL_TMP/www"
mkdir -p "$w/hls" "$w/dash"
# HLS: video alone, then one audio rendition per sine (a 6 s clip).
(cd "$w/hls" && ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
    -f lavfi -i sine=f=440:r=48000 -f lavfi -i sine=f=660:r=48000 \
    -f lavfi -i sine=f=880:r=48000 -t 6 -map 0:v -map 1:a -map 2:a -map 3:a \
    -c:v libx264 -preset ultrafast -g 50 -c:a aac -b:a 64k -f hls -hls_time 2 \
    -hls_playlist_type vod -var_stream_map "v:0,name:v a:0,name:en a:1,name:fr a:2,name:ad" \
    -hls_segment_filename 'seg_%v_%03d.ts' 'out_%v.m3u8') ||
    fail "ffmpeg could not make the HLS renditions"
subs() { # NAME TEXT - a subtitles playlist of one segment holding two cues
    printf 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n%s one\n\n00:00:03.000 --> 00:00:04.000\n%s two\n' \
        "$2" "$2" >"$w/hls/subs_$1.vtt"
    printf '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.0,\nsubs_%s.vtt\n#EXT-X-ENDLIST\n' \
        "$1" >"$w/hls/subs_$1.m3u8"
}
subs en Hello
subs sdh '[music] Hello'
subs de Hallo
cat >"$w/hls/master.m3u8" <<'EOF'
#EXTM3U
#EXT-X-VERSION:3
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English (described)",LANGUAGE="en",AUTOSELECT=YES,DEFAULT=NO,CHARACTERISTICS="public.accessibility.describes-video",URI="out_ad.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",AUTOSELECT=YES,DEFAULT=YES,URI="out_en.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Francais",LANGUAGE="fr-CA",AUTOSELECT=YES,DEFAULT=NO,URI="out_fr.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",AUTOSELECT=YES,DEFAULT=NO,URI="subs_en.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English SDH",LANGUAGE="en",AUTOSELECT=YES,DEFAULT=NO,CHARACTERISTICS="public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound",URI="subs_sdh.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Deutsch",LANGUAGE="de",AUTOSELECT=YES,DEFAULT=NO,URI="subs_de.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=320x240,CODECS="avc1.42c00d,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"
out_v.m3u8
EOF

# DASH: ffmpeg's sets 1..5, then each given its language and descriptors.
(cd "$w/dash" && ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
    -f lavfi -i sine=f=440:r=48000 -f lavfi -i sine=f=660:r=48000 \
    -f lavfi -i sine=f=880:r=48000 -f lavfi -i sine=f=330:r=48000 \
    -f lavfi -i sine=f=550:r=48000 -t 6 -map 0:v -map 1:a -map 2:a -map 3:a -map 4:a -map 5:a \
    -c:v libx264 -preset ultrafast -g 50 -c:a aac -b:a 64k -seg_duration 2 \
    -adaptation_sets "id=0,streams=0 id=1,streams=1 id=2,streams=2 id=3,streams=3 id=4,streams=4 id=5,streams=5" \
    -f dash ffmpeg.mpd) || fail "ffmpeg could not make the DASH sets"
role='<Role schemeIdUri="urn:mpeg:dash:role:2011" value='
awk -v role="$role" '
    /<AdaptationSet id="[1-5]"/ {
        match($0, /id="[1-5]"/); id = substr($0, RSTART + 4, 1)
        lang["1"] = "en"; lang["2"] = "EN"; lang["3"] = "en"; lang["4"] = "pt"; lang["5"] = "pt-BR"
        sub(/<AdaptationSet /, "<AdaptationSet lang=\"" lang[id] "\" ")
        print
        if (id == "1") print role "\"commentary\"/>"
        if (id == "2") { print role "\"alternate\"/>"
                         print "<Accessibility schemeIdUri=\"urn:tva:metadata:cs:AudioPurposeCS:2007\" value=\"1\"/>" }
        if (id >= "3") print role "\"main\"/>"
        next
    }
    { print }' "$w/dash/ffmpeg.mpd" >"$w/dash/manifest.mpd"
[ "$(grep -c '<Role ' "$w/dash/manifest.mpd")" -eq 5 ] || fail "could not add the Role elements"

# The MD5 of ffmpeg's decode of each audio track, as float samples (the
# format the null audio sink is given).
ref() { ffmpeg -nostdin -v error -i "$1" -map 0:a:0 -f f32le - | md5sum | cut -d' ' -f1; }
for t in en fr ad; do
    eval "hls_$t=$(ref "$w/hls/out_$t.m3u8")"
done
i=0
for t in commentary description main pt ptbr; do
    i=$((i + 1))
    ffmpeg -nostdin -v error -i "$w/dash/manifest.mpd" -map "0:a:$((i - 1))" -f f32le - \
        >"$PL_TMP/a.raw" || fail "ffmpeg could not decode DASH audio set $i"
    eval "dash_$t=$(md5sum <"$PL_TMP/a.raw" | cut -d' ' -f1)"
done

pl_serve "$w"

# selected STATS TYPE - "language|label|roles" of the selected track of TYPE.
selected() {
    node -e '
        const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const t = s.tracks.filter(t => t.type === process.argv[2] && t.selected);
        console.log(t.map(t => t.language + "|" + t.label + "|" + t.roles).join(" ") || "none");
    ' "$1" "$2"
}

# play NAME URL WANT_MD5 WANT_TRACK [svplay options...] - one benchmark run;
# the audio decoded must be WANT_MD5's and the selected audio track
# "language|label|roles" WANT_TRACK.
play() {
    r_name=$1 r_url=$2 r_md5=$3 r_track=$4
    shift 4
    pl_play "$r_name" 60 --headless --benchmark --quiet --stats "$PL_TMP/$r_name.json" "$@" "$r_url"
    if [ "$PL_RC" -ne 0 ]; then
        pl_show "$r_name"
        check 1 "$r_name: svplay exited $PL_RC"
        return
    fi
    got_md5=$(pl_json "$PL_TMP/$r_name.json" audio_md5)
    got_track=$(selected "$PL_TMP/$r_name.json" audio)
    [ "$got_md5" = "$r_md5" ] && [ "$got_track" = "$r_track" ]
    check $? "$r_name: audio '$got_track' (want '$r_track'), samples' MD5 $got_md5 (ffmpeg's $r_md5)"
}

hls="$PL_URL/hls/master.m3u8"
play hls_default "$hls" "$hls_en" "en|English|"
play hls_fr "$hls" "$hls_fr" "fr-CA|Francais|" --alang fr
play hls_fr_fr "$hls" "$hls_fr" "fr-CA|Francais|" --alang fr-FR
play hls_en "$hls" "$hls_en" "en|English|" --alang EN
play hls_description "$hls" "$hls_ad" "en|English (described)|description" \
    --alang en:description,en
play hls_first_present "$hls" "$hls_en" "en|English|" --alang de,en,fr
play hls_none_present "$hls" "$hls_en" "en|English|" --alang es,ja

dash="$PL_URL/dash/manifest.mpd"
play dash_default "$dash" "$dash_main" "en||main"
play dash_en "$dash" "$dash_main" "en||main" --alang en
play dash_description "$dash" "$dash_description" "EN||alternate,description" \
    --alang en:description
play dash_commentary "$dash" "$dash_commentary" "en||commentary" --alang en:commentary
play dash_pt_br "$dash" "$dash_ptbr" "pt-BR||main" --alang pt-br
play dash_pt_pt "$dash" "$dash_pt" "pt||main" --alang pt-PT
play dash_first_present "$dash" "$dash_pt" "pt||main" --alang ja,pt,en

# Subtitles: the cues logged come from the track --slang chose.
subtitle() { # NAME WANT_TRACK WANT_FIRST_CUE [svplay options...]
    r_name=$1 r_track=$2 r_cue=$3
    shift 3
    pl_play "$r_name" 60 --headless --benchmark --quiet --stats "$PL_TMP/$r_name.json" \
        --sub-log "$PL_TMP/$r_name.log" "$@" "$hls"
    [ "$PL_RC" -eq 0 ] || pl_show "$r_name"
    got_track=$(selected "$PL_TMP/$r_name.json" text)
    got_cue=$(head -n 1 "$PL_TMP/$r_name.log" | cut -f3)
    [ "$PL_RC" -eq 0 ] && [ "$got_track" = "$r_track" ] && [ "$got_cue" = "$r_cue" ]
    check $? "$r_name: subtitles '$got_track' (want '$r_track'), first cue '$got_cue' (want '$r_cue')"
}
subtitle slang_en "en|English|" "Hello one" --slang en
subtitle slang_caption "en|English SDH|caption" "[music] Hello one" --slang en:caption
subtitle slang_de "de|Deutsch|" "Hallo one" --slang fr,de
subtitle slang_absent "none" "" --slang fr
subtitle slang_sub_wins "de|Deutsch|" "Hallo one" --slang en --sub de

# A malformed list is a usage error naming the entry.
pl_play bad_tag 10 --headless --alang 'en,english!' "$hls"
[ "$PL_RC" -eq 2 ] && grep -q "'english!' is not a language tag" "$PL_TMP/bad_tag.err"
check $? "--alang en,english!: usage error naming 'english!' (exit $PL_RC)"
pl_play bad_role 10 --headless --slang 'en:sdh' "$hls"
[ "$PL_RC" -eq 2 ] && grep -q "'sdh' is not a track role" "$PL_TMP/bad_role.err"
check $? "--slang en:sdh: usage error naming the role 'sdh' (exit $PL_RC)"
pl_finish
