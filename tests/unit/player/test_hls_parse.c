/*
 * HLS parser scenarios: a master playlist with audio/subtitle groups, content
 * steering and I-frame variants; VOD fMP4 with EXT-X-MAP, byte ranges and
 * keys; a live window with discontinuities; and malformed playlists, each
 * refused with the line and reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "player/manifest/hls.h"

static sv__hls_playlist *parse_ok(const char *text, const char *url)
{
    sv__hls_playlist *pl = NULL;
    sv__parse_error err;
    int ret = sv__hls_parse(text, strlen(text), url, NULL, &pl, &err);
    if (ret != 0)
        print_error("parse failed: line %d: %s\n", err.line, err.message);
    assert_int_equal(ret, 0);
    return pl;
}

static void master_with_groups_and_steering(void **state)
{
    const char *text =
        "#EXTM3U\n"
        "#EXT-X-VERSION:7\n"
        "#EXT-X-INDEPENDENT-SEGMENTS\n"
        "#EXT-X-CONTENT-STEERING:SERVER-URI=\"/api/v1/steering?t=1\",PATHWAY-ID=\"cdn-a\"\n"
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES,"
        "AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio/en.m3u8\"\n"
        "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Deutsch\",LANGUAGE=\"de\","
        "URI=\"subs/de.m3u8\"\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=330000,AVERAGE-BANDWIDTH=300000,RESOLUTION=426x240,"
        "CODECS=\"avc1.4d4015,mp4a.40.2\",FRAME-RATE=29.970,AUDIO=\"aud\",SUBTITLES=\"subs\","
        "PATHWAY-ID=\"cdn-a\"\n"
        "v240/index.m3u8\r\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=5500000,RESOLUTION=1920x1080,CODECS=\"avc1.640028\","
        "AUDIO=\"aud\"\n"
        "  https://cdn-b.example/t/v1080/index.m3u8  \n"
        "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI=\"v240/iframes.m3u8\"\n"
        "#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES-CTR,URI=\"data:text/plain;base64,AAAA\","
        "KEYFORMAT=\"org.w3.clearkey\"\n";
    sv__hls_playlist *pl = parse_ok(text, "http://127.0.0.1:8080/media/t/master.m3u8");
    (void)state;

    assert_true(pl->is_master);
    assert_int_equal(pl->version, 7);
    assert_true(pl->independent_segments);
    assert_string_equal(pl->steering_uri, "http://127.0.0.1:8080/api/v1/steering?t=1");
    assert_string_equal(pl->steering_pathway, "cdn-a");
    assert_int_equal(pl->nb_variants, 3);
    const sv__hls_variant *v = &pl->variants[0];
    assert_string_equal(v->uri, "http://127.0.0.1:8080/media/t/v240/index.m3u8");
    assert_int_equal(v->bandwidth, 330000);
    assert_int_equal(v->average_bandwidth, 300000);
    assert_int_equal(v->width, 426);
    assert_int_equal(v->height, 240);
    assert_true(v->frame_rate > 29.96 && v->frame_rate < 29.98);
    assert_string_equal(v->codecs, "avc1.4d4015,mp4a.40.2");
    assert_string_equal(v->audio, "aud");
    assert_string_equal(v->subtitles, "subs");
    assert_string_equal(v->pathway_id, "cdn-a");
    assert_string_equal(pl->variants[1].uri, "https://cdn-b.example/t/v1080/index.m3u8");
    assert_string_equal(pl->variants[1].pathway_id, ".");
    assert_true(pl->variants[2].iframe_only);
    assert_string_equal(pl->variants[2].uri, "http://127.0.0.1:8080/media/t/v240/iframes.m3u8");

    assert_int_equal(pl->nb_renditions, 2);
    assert_int_equal(pl->renditions[0].type, SV_HLS_AUDIO);
    assert_string_equal(pl->renditions[0].language, "en");
    assert_true(pl->renditions[0].is_default);
    assert_string_equal(pl->renditions[0].uri, "http://127.0.0.1:8080/media/t/audio/en.m3u8");
    assert_int_equal(pl->renditions[1].type, SV_HLS_SUBTITLES);
    assert_false(pl->renditions[1].is_default);

    assert_int_equal(pl->nb_session_keys, 1);
    assert_int_equal(pl->session_keys[0].method, SV_HLS_KEY_SAMPLE_AES_CTR);
    assert_string_equal(pl->session_keys[0].keyformat, "org.w3.clearkey");
    sv__hls_playlist_free(pl);
}

static void vod_fmp4_with_map_ranges_and_keys(void **state)
{
    const char *text =
        "#EXTM3U\n"
        "#EXT-X-VERSION:7\n"
        "#EXT-X-TARGETDURATION:4\n"
        "#EXT-X-PLAYLIST-TYPE:VOD\n"
        "#EXT-X-MEDIA-SEQUENCE:1\n"
        "#EXT-X-MAP:URI=\"video.mp4\",BYTERANGE=\"720@0\"\n"
        "#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\",IV=0x00000000000000000000000000000abc\n"
        "#EXTINF:4.000,first\n"
        "#EXT-X-BYTERANGE:1000@720\n"
        "video.mp4\n"
        "#EXTINF:4.0,\n"
        "#EXT-X-BYTERANGE:1500\n"
        "video.mp4\n"
        "#EXT-X-KEY:METHOD=NONE\n"
        "#EXT-X-DISCONTINUITY\n"
        "#EXT-X-MAP:URI=\"other_init.mp4\"\n"
        "#EXTINF:2.5\n"
        "tail.m4s\n"
        "#EXT-X-ENDLIST\n";
    sv__hls_playlist *pl = parse_ok(text, "https://h.example/a/b/index.m3u8");
    (void)state;

    assert_false(pl->is_master);
    assert_int_equal(pl->type, SV_HLS_TYPE_VOD);
    assert_true(pl->endlist);
    assert_true(pl->target_duration == 4.0);
    assert_int_equal(pl->nb_segments, 3);
    assert_true(pl->duration > 10.49 && pl->duration < 10.51);

    const sv__hls_segment *s = pl->segments;
    assert_string_equal(s[0].uri, "https://h.example/a/b/video.mp4");
    assert_string_equal(s[0].title, "first");
    assert_int_equal(s[0].sequence, 1);
    assert_int_equal(s[0].offset, 720);
    assert_int_equal(s[0].length, 1000);
    /* No offset: starts where the previous sub-range ended. */
    assert_int_equal(s[1].offset, 1720);
    assert_int_equal(s[1].length, 1500);
    assert_true(s[1].start == 4.0);
    assert_int_equal(s[2].length, -1);
    assert_true(s[2].start == 8.0);
    assert_int_equal(s[2].sequence, 3);

    assert_int_equal(s[0].key, 0);
    assert_int_equal(s[1].key, 0);
    assert_int_equal(s[2].key, -1);
    assert_int_equal(pl->keys[0].method, SV_HLS_KEY_AES128);
    assert_true(pl->keys[0].has_iv);
    assert_int_equal(pl->keys[0].iv[15], 0xbc);
    assert_int_equal(pl->keys[0].iv[14], 0x0a);
    assert_int_equal(pl->keys[0].iv[0], 0);
    assert_string_equal(pl->keys[0].uri, "https://h.example/a/b/key.bin");

    assert_int_equal(pl->nb_maps, 2);
    assert_int_equal(s[0].map, 0);
    assert_int_equal(pl->maps[0].offset, 0);
    assert_int_equal(pl->maps[0].length, 720);
    assert_int_equal(s[2].map, 1);
    assert_int_equal(pl->maps[1].length, -1);
    assert_false(s[1].discontinuity);
    assert_true(s[2].discontinuity);
    assert_int_equal(s[2].discontinuity_sequence, 1);
    sv__hls_playlist_free(pl);
}

static void live_window(void **state)
{
    const char *text =
        "#EXTM3U\n"
        "#EXT-X-TARGETDURATION:2\n"
        "#EXT-X-MEDIA-SEQUENCE:1234\n"
        "#EXT-X-DISCONTINUITY-SEQUENCE:7\n"
        "#EXT-X-PROGRAM-DATE-TIME:2026-11-20T10:00:00.000Z\n"
        "#EXTINF:2.002,\nseg1234.ts\n"
        "#EXTINF:2.002,\nseg1235.ts\n"
        "#EXT-X-GAP\n#EXTINF:2.002,\nseg1236.ts\n";
    sv__hls_playlist *pl = parse_ok(text, "http://127.0.0.1/live/index.m3u8");
    (void)state;

    assert_false(pl->endlist);
    assert_int_equal(pl->type, SV_HLS_TYPE_NONE);
    assert_int_equal(pl->nb_segments, 3);
    assert_int_equal(pl->segments[0].sequence, 1234);
    assert_int_equal(pl->segments[2].sequence, 1236);
    assert_int_equal(pl->segments[2].discontinuity_sequence, 7);
    assert_string_equal(pl->segments[0].program_date_time, "2026-11-20T10:00:00.000Z");
    assert_null(pl->segments[1].program_date_time);
    assert_true(pl->segments[2].gap);
    assert_int_equal(pl->segments[0].map, -1);
    sv__hls_playlist_free(pl);
}

static void expect_error(const char *text, int line, const char *fragment)
{
    sv__hls_playlist *pl = NULL;
    sv__parse_error err;
    int ret = sv__hls_parse(text, strlen(text), "http://h/x.m3u8", NULL, &pl, &err);
    assert_int_equal(ret, SV_ERR_PARSE);
    assert_null(pl);
    if (!strstr(err.message, fragment) || err.line != line)
        print_error("got line %d: %s; want line %d containing '%s'\n", err.line, err.message,
                    line, fragment);
    assert_int_equal(err.line, line);
    assert_non_null(strstr(err.message, fragment));
}

static void malformed_playlists_say_where(void **state)
{
    (void)state;
    expect_error("", 0, "empty");
    expect_error("<html>not found</html>\n", 1, "#EXTM3U");
    expect_error("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:abc,\nseg.ts\n", 3, "EXTINF");
    expect_error("#EXTM3U\n#EXT-X-TARGETDURATION:4\nseg.ts\n", 3, "without a preceding EXTINF");
    expect_error("#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1x1\nv.m3u8\n", 2, "BANDWIDTH");
    expect_error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n", 2, "without a URI");
    expect_error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1\n", 2, "malformed");
    expect_error("#EXTM3U\n#EXTINF:4,\ns.ts\n", 0, "TARGETDURATION");
    expect_error("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n#EXT-X-BYTERANGE:10\ns.ts\n", 5,
                 "without offset");
    expect_error("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:METHOD=AES-128\n", 3,
                 "needs a URI");
    expect_error("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=12\n",
                 3, "IV");
    expect_error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n#EXT-X-TARGETDURATION:4\n", 0,
                 "mixes");
    expect_error("#EXTM3U\n#EXT-X-TARGETDURATION:-4\n", 2, "decimal integer");
    expect_error("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n"
                 "#EXT-X-BYTERANGE:9223372036854775807@9223372036854775807\ns.ts\n",
                 5, "overflows");
}

static void bom_blank_lines_and_unknown_tags(void **state)
{
    const char *text = "\xEF\xBB\xBF#EXTM3U\n\n#EXT-X-FUTURE-TAG:X=1\n# a comment\n"
                       "#EXT-X-TARGETDURATION:6\n#EXTINF:6,\n\n  a.ts\n";
    sv__hls_playlist *pl = parse_ok(text, "http://h/p/x.m3u8");
    (void)state;
    assert_int_equal(pl->nb_segments, 1);
    assert_string_equal(pl->segments[0].uri, "http://h/p/a.ts");
    sv__hls_playlist_free(pl);
}

/* Input over the size limit is refused with the limit named. */
static void oversized_playlist_names_the_limit(void **state)
{
    size_t n = (size_t)SV_HLS_MAX_BYTES + 1;
    char *text = malloc(n);
    sv__hls_playlist *pl = NULL;
    sv__parse_error err;

    (void)state;
    assert_non_null(text);
    memset(text, ' ', n);
    assert_int_equal(sv__hls_parse(text, n, "http://h/x.m3u8", NULL, &pl, &err), SV_ERR_OVERFLOW);
    assert_non_null(strstr(err.message, "over the limit of 32 MiB"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(master_with_groups_and_steering),
        cmocka_unit_test(vod_fmp4_with_map_ranges_and_keys),
        cmocka_unit_test(live_window),
        cmocka_unit_test(malformed_playlists_say_where),
        cmocka_unit_test(bom_blank_lines_and_unknown_tags),
        cmocka_unit_test(oversized_playlist_names_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
