/*
 * The WebVTT cue reader (player/webvtt.c): timings in both forms, tags and
 * character references, blocks that are not cues, X-TIMESTAMP-MAP, and the
 * files it must refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "player/manifest/webvtt.h"
#include "streamverse/common.h"

static int parse(const char *text, sv__webvtt *v, sv__parse_error *err)
{
    memset(err, 0, sizeof(*err));
    return sv__webvtt_parse(text, strlen(text), NULL, v, err);
}

static void cues_and_text(void **state)
{
    sv__webvtt v;
    sv__parse_error err;

    (void)state;
    assert_int_equal(parse("\xef\xbb\xbfWEBVTT - a title\r\nKind: captions\r\n\r\n"
                           "NOTE this is\r\nnot a cue --> at all\r\n\r\n"
                           "STYLE\r\n::cue { color: lime }\r\n\r\n"
                           "intro\r\n00:00:01.500 --> 00:00:03.250 align:start line:10%\r\n"
                           "<b>Bold</b> &amp; <i>it</i> &lt;3&gt;\r\n<v.loud Ann>second line</v>\r\n"
                           "\r\n"
                           "01:02:03.004 --> 01:02:04.000\r\n<c.red>x</c>&nbsp;y &unknown;\r\n"
                           "\r\n00:59.000 --> 01:00.000\r\nno hours\r\n",
                           &v, &err),
                     0);
    assert_int_equal(v.nb_cues, 3);
    assert_false(v.has_map);
    assert_true(v.cues[0].start == 1.5 && v.cues[0].end == 3.25);
    assert_string_equal(v.cues[0].text, "Bold & it <3>\nsecond line");
    /* align:start line:10% - a box from 10 % down, the lines to the left. */
    assert_true(v.cues[0].has_style);
    assert_int_equal(v.cues[0].style.text_align, SV_CUE_ALIGN_START);
    assert_true(v.cues[0].style.y == 10 && v.cues[0].style.height == 90);
    assert_true(v.cues[0].style.x == 0 && v.cues[0].style.width == 100);
    assert_int_equal(v.cues[0].style.display_align, SV_CUE_ALIGN_START);
    assert_false(v.cues[1].has_style);
    assert_true(v.cues[1].start == 3723.004);
    assert_string_equal(v.cues[1].text, "x\xc2\xa0y &unknown;");
    assert_true(v.cues[2].start == 59.0 && v.cues[2].end == 60.0);
    assert_string_equal(v.cues[2].text, "no hours");
    sv__webvtt_free(&v);
}

static void timestamp_map(void **state)
{
    sv__webvtt v;
    sv__parse_error err;

    (void)state;
    assert_int_equal(parse("WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:10.000,MPEGTS:900000\n\n"
                           "00:00:11.000 --> 00:00:12.000\nhi\n",
                           &v, &err),
                     0);
    assert_true(v.has_map);
    assert_true(v.map_local == 10.0);
    assert_int_equal(v.map_mpegts, 900000);
    assert_int_equal(v.nb_cues, 1);
    sv__webvtt_free(&v);
    /* An empty file with only the signature has no cues. */
    assert_int_equal(parse("WEBVTT\n", &v, &err), 0);
    assert_int_equal(v.nb_cues, 0);
    sv__webvtt_free(&v);
}

static void settings(void **state)
{
    sv__webvtt v;
    sv__parse_error err;

    (void)state;
    assert_int_equal(parse("WEBVTT\n\n00:01.000 --> 00:02.000 position:30% size:40% align:center\na\n\n"
                           "00:03.000 --> 00:04.000 position:90% size:40%\tline:5%,end\nb\n\n"
                           "00:05.000 --> 00:06.000 line:-1 vertical:rl region:x\nc\n",
                           &v, &err),
                     0);
    assert_int_equal(v.nb_cues, 3);
    /* Centred on 30 %: from 10 % to 50 %, at the bottom. */
    assert_true(v.cues[0].style.x == 10 && v.cues[0].style.width == 40);
    assert_int_equal(v.cues[0].style.display_align, SV_CUE_ALIGN_END);
    assert_int_equal(v.cues[0].style.text_align, SV_CUE_ALIGN_CENTER);
    /* Centred on 90 %, 40 % wide: kept inside the picture. */
    assert_true(v.cues[1].style.x == 60 && v.cues[1].style.y == 5);
    /* An integer line and vertical text: the host's default place. */
    assert_false(v.cues[2].has_style);
    sv__webvtt_free(&v);
}

static void refused(void **state)
{
    static const char *const bad[] = {
        "",
        "WEBVTTX\n\n00:01.000 --> 00:02.000\na\n",
        "<html>\n",
        "WEBVTT\n\n00:01.000 -> 00:02.000\na\n",      /* an id without timing */
        "WEBVTT\n\n00:02.000 --> 00:01.000\na\n",     /* ends before it starts */
        "WEBVTT\n\n00:01.00 --> 00:02.000\na\n",      /* two-digit milliseconds */
        "WEBVTT\n\n00:61.000 --> 01:02.000\na\n",     /* 61 seconds */
        "WEBVTT\n\n00:01.000 --> 00:02.000x\na\n",
        "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:1\n\n",       /* LOCAL missing */
        "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:1 2,LOCAL:00:00.000\n\n",
    };
    sv__webvtt v;
    sv__parse_error err;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(bad[i], &v, &err), SV_ERR_PARSE);
        assert_true(err.message[0] != '\0');
        assert_null(v.cues);
    }
    assert_int_equal(parse("WEBVTT\n\n00:02.000 --> 00:01.000\na\n", &v, &err), SV_ERR_PARSE);
    assert_int_equal(err.line, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cues_and_text),
        cmocka_unit_test(timestamp_map),
        cmocka_unit_test(settings),
        cmocka_unit_test(refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
