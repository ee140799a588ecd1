/*
 * HLS into the presentation model: ffmpeg's hls muxer output (TS, and fMP4
 * in one file with EXT-X-MAP and byte ranges), a master playlist shaped like
 * ffmpeg's var_stream_map output plus alternate audio groups, subtitles and
 * an I-frame stream, muxed audio, content steering pathways, and a live
 * playlist refreshed across sequence numbers, discontinuities, keys, gaps
 * and its end; plus source detection and refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "player/model/model.h"

/* Segment i of rep by value, and a pointer to such a copy that lives to the
 * end of the enclosing block (sv__rep_segment). */
#define SEG(rep, i) sv__rep_segment((rep), (size_t)(i))
#define SEGP(rep, i) (&(sv__segment[1]){ SEG(rep, i) }[0])

/* The URL of segment i of rep (sv__segment_url), in one of a few buffers
 * so an assertion can compare two. */
static const char *seg_url(const sv__rep *rep, size_t i)
{
    static char bufs[4][SV__URL_MAX];
    static unsigned next;
    const char *u = sv__segment_url(rep, SEGP(rep, i), bufs[next++ % 4], SV__URL_MAX);
    return u ? u : "(no URL)";
}

#define BASE "http://127.0.0.1:8080/media/t1/"

static int near(double a, double b)
{
    return a - b < 1e-6 && b - a < 1e-6;
}

static sv__presentation *create_ok(const char *text, const char *url)
{
    sv__presentation *pres = NULL;
    sv__parse_error err;
    int ret = sv__model_create(SV__SOURCE_HLS, text, strlen(text), url, 0, NULL, &pres, &err);
    if (ret != 0)
        print_error("create failed: %d line %d: %s\n", ret, err.line, err.message);
    assert_int_equal(ret, 0);
    return pres;
}

static void media_ok(sv__presentation *pres, sv__rep *rep, const char *text, const char *url)
{
    sv__parse_error err;
    int ret = sv__model_hls_media(pres, rep, text, strlen(text), url, &err);
    if (ret != 0)
        print_error("media failed: %d line %d: %s\n", ret, err.line, err.message);
    assert_int_equal(ret, 0);
}

/* ffmpeg -f hls -hls_time 2 -hls_playlist_type vod, 7 s of TS. */
static const char *ffmpeg_ts =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
    "#EXT-X-PLAYLIST-TYPE:VOD\n"
    "#EXTINF:2.000000,\nindex0.ts\n#EXTINF:2.000000,\nindex1.ts\n"
    "#EXTINF:2.000000,\nindex2.ts\n#EXTINF:1.000000,\nindex3.ts\n#EXT-X-ENDLIST\n";

static void ffmpeg_ts_media_playlist_alone(void **state)
{
    sv__presentation *pres = create_ok(ffmpeg_ts, BASE "v/index.m3u8");
    (void)state;

    assert_int_equal(pres->kind, SV__SOURCE_HLS);
    assert_false(pres->live);
    assert_true(near(pres->duration, 7));
    assert_true(near(pres->refresh_s, 0));
    assert_int_equal(pres->nb_periods, 1);
    assert_int_equal(pres->periods[0].nb_tracks, 1);
    const sv__track *t = &pres->periods[0].tracks[0];
    assert_int_equal(t->type, SV_TRACK_VIDEO);
    assert_int_equal(t->nb_reps, 1);
    const sv__rep *r = &t->reps[0];
    assert_int_equal(r->seg_state, SV__SEGS_READY);
    assert_string_equal(r->playlist_url, BASE "v/index.m3u8");
    assert_int_equal(r->nb_segs, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_true(near(SEG(r, i).start, 2.0 * (double)i));
        assert_int_equal(SEG(r, i).number, (int64_t)i);
        assert_int_equal(SEG(r, i).disc, 0);
        assert_null(SEG(r, i).init);
        assert_null(SEG(r, i).key);
        assert_int_equal(SEG(r, i).length, -1);
    }
    assert_string_equal(seg_url(r, 3), BASE "v/index3.ts");
    assert_true(near(SEG(r, 3).duration, 1));
    assert_int_equal(sv__model_find_segment(r, 6.5), 3);
    assert_int_equal(sv__model_find_segment(r, 3.9995), 2); /* 1 ms tolerance */
    assert_int_equal(sv__model_find_segment(r, -3), 0);
    assert_int_equal(sv__model_find_segment(r, 7), -1);
    assert_int_equal(sv__model_find_number(r, 2), 2);
    assert_int_equal(sv__model_find_number(r, 4), -1);
    sv__model_destroy(pres);
}

/* ffmpeg -hls_segment_type fmp4 -hls_flags single_file: byte ranges. */
static const char *ffmpeg_fmp4 =
    "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
    "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"index.m4s\",BYTERANGE=\"808@0\"\n"
    "#EXTINF:2.000000,\n#EXT-X-BYTERANGE:69329@808\nindex.m4s\n"
    "#EXTINF:2.000000,\n#EXT-X-BYTERANGE:76123@70137\nindex.m4s\n"
    "#EXTINF:2.000000,\n#EXT-X-BYTERANGE:74564@146260\nindex.m4s\n"
    "#EXTINF:1.000000,\n#EXT-X-BYTERANGE:39521@220824\nindex.m4s\n#EXT-X-ENDLIST\n";

static void ffmpeg_fmp4_byteranges(void **state)
{
    sv__presentation *pres = create_ok(ffmpeg_fmp4, BASE "f/index.m3u8");
    static const int64_t off[] = { 808, 70137, 146260, 220824 };
    static const int64_t len[] = { 69329, 76123, 74564, 39521 };
    (void)state;

    const sv__rep *r = &pres->periods[0].tracks[0].reps[0];
    assert_int_equal(r->nb_segs, 4);
    const sv__resource *init = SEG(r, 0).init;
    assert_non_null(init);
    assert_string_equal(init->url, BASE "f/index.m4s");
    assert_int_equal(init->offset, 0);
    assert_int_equal(init->length, 808);
    for (size_t i = 0; i < 4; i++) {
        assert_ptr_equal(SEG(r, i).init, init);
        assert_string_equal(seg_url(r, i), BASE "f/index.m4s");
        assert_int_equal(SEG(r, i).offset, off[i]);
        assert_int_equal(SEG(r, i).length, len[i]);
    }
    assert_true(near(pres->duration, 7));
    sv__model_destroy(pres);
}

/* ffmpeg var_stream_map master (audio group, audio-only variant), with a
 * second audio group, German audio, subtitles, captions and I-frames, and
 * the variants out of bandwidth order. */
static const char *master =
    "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud-hi\",NAME=\"English\",DEFAULT=YES,LANGUAGE=\"en\","
    "URI=\"audio/en_128k.m3u8\"\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud-lo\",NAME=\"English\",DEFAULT=YES,LANGUAGE=\"en\","
    "URI=\"audio/en_64k.m3u8\"\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud-lo\",NAME=\"Deutsch\",LANGUAGE=\"de\","
    "URI=\"audio/de_64k.m3u8\"\n"
    "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English CC\",LANGUAGE=\"en\","
    "URI=\"subs/en.m3u8\"\n"
    "#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"CC1\",INSTREAM-ID=\"CC1\"\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=2200000,AVERAGE-BANDWIDTH=2000000,RESOLUTION=1280x720,"
    "FRAME-RATE=25.000,CODECS=\"avc1.64001f,mp4a.40.2\",AUDIO=\"aud-hi\",SUBTITLES=\"subs\","
    "CLOSED-CAPTIONS=\"cc\"\nv720/index.m3u8\n\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=290400,RESOLUTION=160x90,CODECS=\"avc1.42c00d,mp4a.40.2\","
    "AUDIO=\"aud-lo\",SUBTITLES=\"subs\"\nv90/index.m3u8\n\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=730400,RESOLUTION=320x180,CODECS=\"avc1.42c014,mp4a.40.2\","
    "AUDIO=\"aud-lo\",SUBTITLES=\"subs\"\nv180/index.m3u8\n\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=70400,CODECS=\"mp4a.40.2\",AUDIO=\"aud-lo\"\n"
    "audio/en_64k.m3u8\n"
    "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=40000,RESOLUTION=320x180,CODECS=\"avc1.42c014\","
    "URI=\"v180/iframes.m3u8\"\n";

static void master_tracks(void **state)
{
    sv__presentation *pres = create_ok(master, BASE "master.m3u8");
    static const int64_t bw[] = { 290400, 730400, 2200000 };
    static const char *const uri[] = { BASE "v90/index.m3u8", BASE "v180/index.m3u8",
                                       BASE "v720/index.m3u8" };
    (void)state;

    assert_false(pres->live);
    assert_int_equal(pres->nb_cdns, 0);
    const sv__period *p = &pres->periods[0];
    assert_int_equal(p->nb_tracks, 4);

    const sv__track *v = &p->tracks[0];
    assert_int_equal(v->type, SV_TRACK_VIDEO);
    assert_int_equal(v->index, 0);
    assert_int_equal(v->nb_reps, 3); /* no audio-only, no I-frame variant */
    assert_string_equal(v->codecs, "");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(v->reps[i].index, i);
        assert_int_equal(v->reps[i].bandwidth, bw[i]);
        assert_string_equal(v->reps[i].playlist_url, uri[i]);
        assert_int_equal(v->reps[i].seg_state, SV__SEGS_NEED_PLAYLIST);
    }
    assert_int_equal(v->reps[2].average_bandwidth, 2000000);
    assert_int_equal(v->reps[2].width, 1280);
    assert_true(near(v->reps[2].frame_rate, 25));

    const sv__track *en = &p->tracks[1], *de = &p->tracks[2], *subs = &p->tracks[3];
    assert_int_equal(en->type, SV_TRACK_AUDIO);
    assert_int_equal(en->index, 0);
    assert_string_equal(en->label, "English");
    assert_string_equal(en->language, "en");
    assert_true(en->is_default);
    assert_false(en->muxed);
    assert_int_equal(en->nb_reps, 2);
    /* aud-lo serves the cheaper variants, so it comes first. */
    assert_string_equal(en->reps[0].id, "aud-lo");
    assert_string_equal(en->reps[0].playlist_url, BASE "audio/en_64k.m3u8");
    assert_string_equal(en->reps[1].id, "aud-hi");
    assert_int_equal(en->reps[1].index, 1);
    assert_string_equal(en->codecs, "mp4a.40.2");
    assert_int_equal(de->type, SV_TRACK_AUDIO);
    assert_int_equal(de->index, 1);
    assert_string_equal(de->language, "de");
    assert_false(de->is_default);
    assert_int_equal(de->nb_reps, 1);
    assert_int_equal(subs->type, SV_TRACK_TEXT);
    assert_int_equal(subs->index, 0);
    assert_string_equal(subs->reps[0].playlist_url, BASE "subs/en.m3u8");

    /* Loading a variant's media playlist makes it READY and sets timing. */
    sv__rep *mid = &pres->periods[0].tracks[0].reps[1];
    media_ok(pres, mid, ffmpeg_fmp4, BASE "v180/index.m3u8");
    assert_int_equal(mid->seg_state, SV__SEGS_READY);
    assert_int_equal(mid->nb_segs, 4);
    assert_string_equal(seg_url(mid, 1), BASE "v180/index.m4s");
    assert_true(near(pres->duration, 7));
    assert_true(near(pres->periods[0].duration, 7));
    assert_int_equal(pres->periods[0].tracks[0].reps[0].seg_state, SV__SEGS_NEED_PLAYLIST);

    /* A master where a media playlist belongs keeps the old segments. */
    sv__parse_error err;
    assert_int_equal(sv__model_hls_media(pres, mid, master, strlen(master), BASE "x.m3u8", &err),
                     SV_ERR_PARSE);
    assert_non_null(strstr(err.message, "master"));
    assert_int_equal(mid->nb_segs, 4);
    assert_int_equal(mid->seg_state, SV__SEGS_READY);
    sv__model_destroy(pres);
}

static void muxed_audio_and_pathways(void **state)
{
    const char *text =
        "#EXTM3U\n"
        "#EXT-X-CONTENT-STEERING:SERVER-URI=\"/steer\",PATHWAY-ID=\"cdn-b\"\n"
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"Main\",DEFAULT=YES,LANGUAGE=\"en\"\n"
        "#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI=\"skd://k1\",KEYFORMAT=\"com.apple.streamingkeydelivery\"\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS=\"avc1.4d401e,mp4a.40.2\",AUDIO=\"aac\",PATHWAY-ID=\"cdn-a\"\n"
        "http://a.example:8001/t1/lo.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=3000000,CODECS=\"avc1.4d401e,mp4a.40.2\",AUDIO=\"aac\",PATHWAY-ID=\"cdn-a\"\n"
        "http://a.example:8001/t1/hi.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS=\"avc1.4d401e,mp4a.40.2\",AUDIO=\"aac\",PATHWAY-ID=\"cdn-b\"\n"
        "http://b.example:8002/t1/lo.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=3000000,CODECS=\"avc1.4d401e,mp4a.40.2\",AUDIO=\"aac\",PATHWAY-ID=\"cdn-b\"\n"
        "http://b.example:8002/t1/hi.m3u8\n";
    sv__presentation *pres = create_ok(text, "http://origin.example/t1/master.m3u8");
    (void)state;

    assert_string_equal(pres->steering_uri, "http://origin.example/steer");
    assert_int_equal(pres->nb_cdns, 2);
    assert_string_equal(pres->cdns[0].id, "cdn-a");
    assert_string_equal(pres->cdns[0].base_url, "http://a.example:8001/");
    assert_string_equal(pres->cdns[1].id, "cdn-b");
    assert_string_equal(pres->cdns[1].base_url, "http://b.example:8002/");
    const sv__period *p = &pres->periods[0];
    assert_int_equal(p->nb_tracks, 2);
    const sv__track *v = &p->tracks[0], *a = &p->tracks[1];
    /* The steering pathway's variants form the ladder. */
    assert_int_equal(v->nb_reps, 2);
    assert_string_equal(v->reps[0].playlist_url, "http://b.example:8002/t1/lo.m3u8");
    assert_string_equal(v->reps[1].playlist_url, "http://b.example:8002/t1/hi.m3u8");
    assert_string_equal(v->codecs, "avc1.4d401e,mp4a.40.2");
    assert_true(v->encrypted);
    assert_int_equal(a->type, SV_TRACK_AUDIO);
    assert_true(a->muxed);
    assert_true(a->encrypted);
    assert_int_equal(a->nb_reps, 1);
    assert_int_equal(a->reps[0].seg_state, SV__SEGS_READY);
    assert_int_equal(a->reps[0].nb_segs, 0);
    assert_null(a->reps[0].playlist_url);
    sv__model_destroy(pres);
}

#define LIVE_HEAD "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:4\n"
#define KEY "#EXT-X-KEY:METHOD=AES-128,URI=\"/keys/k7\",IV=0x000102030405060708090a0b0c0d0e0f\n"

static const char *live1 =
    LIVE_HEAD "#EXT-X-MEDIA-SEQUENCE:100\n#EXT-X-DISCONTINUITY-SEQUENCE:3\n" KEY
    "#EXTINF:4.0,\ns100.ts\n#EXTINF:4.0,\ns101.ts\n#EXTINF:4.0,\ns102.ts\n"
    "#EXTINF:4.0,\ns103.ts\n#EXT-X-DISCONTINUITY\n#EXT-X-KEY:METHOD=NONE\n"
    "#EXTINF:4.0,\nad104.ts\n#EXTINF:4.0,\nad105.ts\n";
static const char *live2 =
    LIVE_HEAD "#EXT-X-MEDIA-SEQUENCE:102\n#EXT-X-DISCONTINUITY-SEQUENCE:3\n" KEY
    "#EXTINF:4.0,\ns102.ts\n#EXTINF:4.0,\ns103.ts\n#EXT-X-DISCONTINUITY\n#EXT-X-KEY:METHOD=NONE\n"
    "#EXTINF:4.0,\nad104.ts\n#EXTINF:4.0,\nad105.ts\n#EXT-X-GAP\n#EXTINF:4.0,\ns106.ts\n"
    "#EXTINF:4.0,\ns107.ts\n";

static void live_refresh(void **state)
{
    sv__presentation *pres = create_ok(live1, BASE "live/v.m3u8");
    sv__rep *r = &pres->periods[0].tracks[0].reps[0];
    (void)state;

    assert_true(pres->live);
    assert_true(near(pres->duration, 0));
    assert_true(pres->periods[0].duration < 0);
    assert_true(near(pres->refresh_s, 4));
    /* 24 s listed; three target durations from the end is 12 s: s103. */
    assert_true(near(pres->live_start, 12));
    assert_int_equal(r->nb_segs, 6);
    assert_int_equal(SEG(r, 0).number, 100);
    assert_int_equal(SEG(r, 3).disc, 3);
    assert_int_equal(SEG(r, 4).disc, 4);
    const sv__key *k = SEG(r, 0).key;
    assert_non_null(k);
    assert_int_equal(k->method, SV__KEY_AES128);
    assert_string_equal(k->uri, "http://127.0.0.1:8080/keys/k7");
    assert_true(k->has_iv);
    assert_int_equal(k->iv[15], 0x0f);
    assert_ptr_equal(SEG(r, 3).key, k);
    assert_null(SEG(r, 4).key);
    assert_true(pres->periods[0].tracks[0].encrypted);

    /* The window slides by two: numbers and times keep their meaning. */
    media_ok(pres, r, live2, BASE "live/v.m3u8");
    assert_int_equal(r->nb_segs, 6);
    assert_int_equal(SEG(r, 0).number, 102);
    assert_true(near(SEG(r, 0).start, 8));
    long i = sv__model_find_number(r, 106);
    assert_int_equal(i, 4);
    assert_true(near(SEG(r, i).start, 24));
    assert_true(SEG(r, i).gap);
    assert_false(SEG(r, i + 1).gap);
    assert_string_equal(seg_url(r, 2), BASE "live/ad104.ts");
    assert_int_equal(SEG(r, 2).disc, 4);
    assert_true(near(pres->refresh_s, 4));
    assert_true(near(pres->live_start, 20));
    assert_int_equal(sv__model_find_segment(r, 30), 5);

    /* Unchanged on reload: retry after half the target duration. */
    media_ok(pres, r, live2, BASE "live/v.m3u8");
    assert_true(near(pres->refresh_s, 2));
    assert_true(near(SEG(r, 0).start, 8));

    /* The stream ends: VOD from now on. */
    char ended[2048];
    snprintf(ended, sizeof(ended), "%s#EXTINF:2.5,\ns108.ts\n#EXT-X-ENDLIST\n", live2);
    media_ok(pres, r, ended, BASE "live/v.m3u8?edge=2"); /* after a redirect */
    assert_string_equal(r->playlist_url, BASE "live/v.m3u8?edge=2");
    assert_false(pres->live);
    assert_true(near(pres->refresh_s, 0));
    assert_int_equal(r->nb_segs, 7);
    assert_true(near(SEG(r, 6).start, 32));
    assert_true(near(pres->duration, 34.5)); /* s108 ends at 32 + 2.5 */
    sv__model_destroy(pres);
}

static void live_variants_share_a_timeline(void **state)
{
    const char *two =
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000000,RESOLUTION=640x360\nlo.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1280x720\nhi.m3u8\n";
    const char *hi =
        LIVE_HEAD "#EXT-X-MEDIA-SEQUENCE:103\n#EXT-X-START:TIME-OFFSET=-9.5\n"
        "#EXTINF:4.0,\nh103.ts\n#EXTINF:4.0,\nh104.ts\n#EXTINF:4.0,\nh105.ts\n"
        "#EXTINF:4.0,\nh106.ts\n";
    sv__presentation *pres = create_ok(two, BASE "live/master.m3u8");
    sv__track *t = &pres->periods[0].tracks[0];
    (void)state;

    media_ok(pres, &t->reps[0], live1, BASE "live/lo.m3u8");
    media_ok(pres, &t->reps[1], hi, BASE "live/hi.m3u8");
    assert_true(pres->live);
    assert_true(near(SEG(&t->reps[1], 0).start, 12)); /* 103 started at 12 s in lo */
    assert_true(near(SEG(&t->reps[1], 3).start, 24));
    /* EXT-X-START -9.5 s from the end (28 s): inside h104, which starts at 16. */
    assert_true(near(pres->live_start, 16));
    sv__model_destroy(pres);
}

/* Trick play (issue 18): the I-frame playlists of the primary pathway
 * become the period's trick track, sorted by bandwidth (an image playlist
 * is not among them), never a rung of the ladder; an I-frame playlist's
 * entries are byte ranges with their times. */
static void iframe_track(void **state)
{
    static const char text[] =
        "#EXTM3U\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS=\"avc1.42c01e\"\nv360.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=320x180,CODECS=\"avc1.42c00d\"\nv180.m3u8\n"
        "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,RESOLUTION=640x360,CODECS=\"avc1.42c01e\","
        "URI=\"i360.m3u8\"\n"
        "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=40000,RESOLUTION=320x180,CODECS=\"avc1.42c00d\","
        "URI=\"i180.m3u8\"\n"
        "#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=9000,RESOLUTION=800x450,CODECS=\"jpeg\","
        "URI=\"images.m3u8\"\n";
    static const char iframes[] =
        "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        "#EXT-X-I-FRAMES-ONLY\n#EXT-X-MAP:URI=\"v/init.mp4\"\n"
        "#EXTINF:2.000,\n#EXT-X-BYTERANGE:9157@84\nv/1.m4s\n"
        "#EXTINF:2.000,\n#EXT-X-BYTERANGE:11006@84\nv/2.m4s\n"
        "#EXTINF:1.500,\n#EXT-X-BYTERANGE:7000@84\nv/3.m4s\n#EXT-X-ENDLIST\n";
    sv__presentation *pres = create_ok(text, BASE "master.m3u8");
    (void)state;

    const sv__period *p = &pres->periods[0];
    assert_int_equal(p->tracks[0].nb_reps, 2);
    assert_non_null(p->trick);
    sv__track *t = p->trick;
    assert_int_equal(t->type, SV_TRACK_VIDEO);
    assert_int_equal(t->nb_reps, 2);
    assert_int_equal(t->reps[0].bandwidth, 40000);
    assert_int_equal(t->reps[0].height, 180);
    assert_string_equal(t->reps[0].codecs, "avc1.42c00d");
    assert_string_equal(t->reps[0].playlist_url, BASE "i180.m3u8");
    assert_int_equal(t->reps[0].seg_state, SV__SEGS_NEED_PLAYLIST);
    assert_int_equal(t->reps[1].bandwidth, 90000);
    assert_int_equal(t->reps[1].index, 1);

    media_ok(pres, &t->reps[0], iframes, BASE "i180.m3u8");
    sv__rep *r = &t->reps[0];
    assert_int_equal(r->seg_state, SV__SEGS_READY);
    assert_int_equal(r->nb_segs, 3);
    assert_true(near(SEG(r, 1).start, 2));
    assert_true(near(SEG(r, 2).start, 4));
    assert_true(near(SEG(r, 2).duration, 1.5));
    assert_int_equal(SEG(r, 1).offset, 84);
    assert_int_equal(SEG(r, 1).length, 11006);
    assert_string_equal(seg_url(r, 1), BASE "v/2.m4s");
    assert_string_equal(SEG(r, 0).init->url, BASE "v/init.mp4");
    assert_int_equal(sv__model_find_segment(r, 3.9), 1);
    assert_true(near(pres->duration, 5.5));
    sv__model_destroy(pres);

    /* Shaka Packager's trick_play_factor stream: an ordinary variant at its
     * key-frame rate beside a 25 fps one is the trick track's, not a rung. */
    pres = create_ok("#EXTM3U\n"
                     "#EXT-X-STREAM-INF:BANDWIDTH=797148,RESOLUTION=320x240,FRAME-RATE=25.000\nv.m3u8\n"
                     "#EXT-X-STREAM-INF:BANDWIDTH=45228,RESOLUTION=320x240,FRAME-RATE=0.500\nt.m3u8\n",
                     BASE "m.m3u8");
    assert_int_equal(pres->periods[0].tracks[0].nb_reps, 1);
    assert_string_equal(pres->periods[0].tracks[0].reps[0].playlist_url, BASE "v.m3u8");
    assert_non_null(pres->periods[0].trick);
    assert_int_equal(pres->periods[0].trick->nb_reps, 1);
    assert_string_equal(pres->periods[0].trick->reps[0].playlist_url, BASE "t.m3u8");
    sv__model_destroy(pres);
    /* A slideshow alone (no faster variant) stays the video. */
    pres = create_ok("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,FRAME-RATE=0.500\ns.m3u8\n",
                     BASE "m.m3u8");
    assert_int_equal(pres->periods[0].tracks[0].nb_reps, 1);
    assert_null(pres->periods[0].trick);
    sv__model_destroy(pres);

    /* No I-frame playlist: no trick track. */
    pres = create_ok("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n", BASE "m.m3u8");
    assert_null(pres->periods[0].trick);
    sv__model_destroy(pres);
}

static void detect_and_refusals(void **state)
{
    sv__presentation *pres = NULL;
    sv__parse_error err;
    const char *only_iframes =
        "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"i.m3u8\"\n";
    const char *bad = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:x,\na.ts\n";
    (void)state;

    assert_int_equal(sv__model_detect((const uint8_t *)"\xEF\xBB\xBF#EXTM3U\n", 11, NULL, NULL),
                     SV__SOURCE_HLS);
    const char *mpd = "<?xml version=\"1.0\"?>\n<!-- x --><MPD xmlns=\"urn:mpeg:dash\">";
    assert_int_equal(sv__model_detect((const uint8_t *)mpd, strlen(mpd), "http://h/a", NULL),
                     SV__SOURCE_DASH);
    assert_int_equal(sv__model_detect(NULL, 0, "http://h/a.M3U8?token=1", NULL), SV__SOURCE_HLS);
    assert_int_equal(sv__model_detect((const uint8_t *)"{}", 2, "http://h/x",
                                      "application/dash+xml; charset=utf-8"), SV__SOURCE_DASH);
    assert_int_equal(sv__model_detect((const uint8_t *)"\0\0\0\x20" "ftyp", 8, "http://h/v.mp4",
                                      "video/mp4"), SV__SOURCE_FILE);

    assert_int_equal(sv__model_create(SV__SOURCE_HLS, only_iframes, strlen(only_iframes),
                                      BASE "m.m3u8", 0, NULL, &pres, &err), SV_ERR_UNSUPPORTED);
    assert_null(pres);
    assert_non_null(strstr(err.message, "variant"));
    assert_int_equal(sv__model_create(SV__SOURCE_HLS, bad, strlen(bad), BASE "m.m3u8", 0, NULL,
                                      &pres, &err), SV_ERR_PARSE);
    assert_int_equal(err.line, 3);
    assert_null(pres);

    assert_int_equal(sv__model_create(SV__SOURCE_FILE, NULL, 0, "http://h/v.mp4", 0, NULL, &pres,
                                      &err), 0);
    assert_int_equal(pres->kind, SV__SOURCE_FILE);
    assert_string_equal(seg_url(&pres->periods[0].tracks[0].reps[0], 0), "http://h/v.mp4");
    sv__model_destroy(pres);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ffmpeg_ts_media_playlist_alone),
        cmocka_unit_test(ffmpeg_fmp4_byteranges),
        cmocka_unit_test(master_tracks),
        cmocka_unit_test(iframe_track),
        cmocka_unit_test(muxed_audio_and_pathways),
        cmocka_unit_test(live_refresh),
        cmocka_unit_test(live_variants_share_a_timeline),
        cmocka_unit_test(detect_and_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
