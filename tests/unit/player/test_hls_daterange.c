/*
 * HLS EXT-X-DATERANGE in a media playlist: START-DATE mapped to the
 * playlist's timeline through the nearest EXT-X-PROGRAM-DATE-TIME before
 * the tag (across a discontinuity whose dates jump), DURATION, END-DATE,
 * PLANNED-DURATION, END-ON-NEXT, SCTE35-OUT/IN/CMD (hex, read as
 * SCTE-35; -IN at the range's end) and X- attributes; malformed tags left
 * out with a warning naming the attribute and value while the playlist
 * still parses; a playlist without dates; and the model: the events on the
 * presentation timeline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "player/manifest/hls.h"
#include "player/model/model.h"

#define SCTE_HEX "0xFC302F000000000000FFFFF014054800008F7FEFFE7369C02EFE0052CCF500000000000A0008435545490000013562DBA30A"

static const char *playlist =
    "#EXTM3U\n"
    "#EXT-X-VERSION:7\n"
    "#EXT-X-TARGETDURATION:4\n"
    "#EXT-X-PLAYLIST-TYPE:VOD\n"
    "#EXT-X-DATERANGE:ID=\"early\",START-DATE=\"2026-01-01T00:00:01.000Z\",DURATION=1\n"
    "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z\n"
    "#EXTINF:4,\nseg0.m4s\n"
    "#EXT-X-DATERANGE:ID=\"ad1\",CLASS=\"com.example.ad\",START-DATE=\"2026-01-01T00:00:06.000Z\","
    "PLANNED-DURATION=10.5,SCTE35-OUT=" SCTE_HEX ",X-AD-ID=\"abc\"\n"
    "#EXTINF:4,\nseg1.m4s\n"
    "#EXT-X-DATERANGE:ID=\"ad1\",CLASS=\"com.example.ad\",START-DATE=\"2026-01-01T00:00:06.000Z\","
    "END-DATE=\"2026-01-01T00:00:09.000Z\",SCTE35-IN=" SCTE_HEX "\n"
    "#EXT-X-DATERANGE:ID=\"ch1\",CLASS=\"chapter\",START-DATE=\"2026-01-01T00:00:02Z\",END-ON-NEXT=YES\n"
    "#EXT-X-DATERANGE:ID=\"ch2\",CLASS=\"chapter\",START-DATE=\"2026-01-01T00:00:07Z\",END-ON-NEXT=YES\n"
    "#EXT-X-DATERANGE:START-DATE=\"2026-01-01T00:00:02Z\"\n"
    "#EXT-X-DATERANGE:ID=\"bad-date\",START-DATE=\"yesterday\"\n"
    "#EXT-X-DATERANGE:ID=\"neg\",START-DATE=\"2026-01-01T00:00:02Z\",DURATION=-1\n"
    "#EXT-X-DATERANGE:ID=\"back\",START-DATE=\"2026-01-01T00:00:02Z\",END-DATE=\"2026-01-01T00:00:01Z\"\n"
    "#EXT-X-DATERANGE:ID=\"eon\",START-DATE=\"2026-01-01T00:00:02Z\",END-ON-NEXT=YES\n"
    "#EXT-X-DATERANGE:ID=\"hex\",START-DATE=\"2026-01-01T00:00:02Z\",SCTE35-CMD=0xFC3Z\n"
    "#EXT-X-DATERANGE:ID=\"crc\",START-DATE=\"2026-01-01T00:00:02Z\",SCTE35-CMD=0xFC300000\n"
    "#EXT-X-DATERANGE:ID=\"q,START-DATE=\"2026\n"
    "#EXT-X-DISCONTINUITY\n"
    "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T01:00:00.000Z\n"
    "#EXTINF:4,\nseg2.m4s\n"
    "#EXT-X-DATERANGE:ID=\"after\",START-DATE=\"2026-01-01T01:00:01.5Z\"\n"
    "#EXTINF:4,\nseg3.m4s\n"
    "#EXT-X-ENDLIST\n";

static int near(double a, double b)
{
    return a - b < 1e-6 && b - a < 1e-6;
}

static const sv__timed_desc *find(const sv__hls_playlist *pl, const char *id, const char *value)
{
    for (size_t i = 0; i < pl->nb_dateranges; i++)
        if (!strcmp(pl->dateranges[i].id, id) && !strcmp(pl->dateranges[i].value, value))
            return &pl->dateranges[i];
    print_error("no event %s %s\n", id, value);
    fail();
    return NULL;
}

static void has_warning(const sv__timed_warnings *w, const char *words)
{
    size_t n = w->count < SV__TIMED_WARNINGS ? w->count : SV__TIMED_WARNINGS;
    for (size_t i = 0; i < n; i++)
        if (strstr(w->messages[i], words))
            return;
    print_error("no warning says \"%s\"; they are:\n", words);
    for (size_t i = 0; i < n; i++)
        print_error("  %s\n", w->messages[i]);
    fail();
}

static void dateranges(void **state)
{
    (void)state;
    sv__hls_playlist *pl = NULL;
    sv__parse_error err;
    int r = sv__hls_parse(playlist, strlen(playlist), "http://127.0.0.1/v.m3u8", NULL, &pl, &err);
    if (r)
        print_error("line %d: %s\n", err.line, err.message);
    assert_int_equal(r, 0);
    assert_int_equal(pl->nb_segments, 4);
    assert_int_equal(pl->nb_dateranges, 6);

    const sv__timed_desc *e = find(pl, "early", ""); /* before any date: the first one */
    assert_int_equal(e->source, SV_TIMED_HLS_DATERANGE);
    assert_string_equal(e->scheme, "");
    assert_true(near(e->start_s, 1.0));
    assert_true(near(e->duration_s, 1.0));
    assert_int_equal(e->scte35.command, -1);

    e = find(pl, "ad1", "SCTE35-OUT");
    assert_string_equal(e->scheme, "com.example.ad");
    assert_true(near(e->start_s, 6.0));
    assert_true(near(e->duration_s, 10.5)); /* planned */
    assert_int_equal(e->payload_size, 50);
    assert_int_equal(e->scte35.command, 5);
    assert_int_equal(e->scte35.out_of_network, 1);
    assert_non_null(strstr(e->attributes, "X-AD-ID=\"abc\""));
    e = find(pl, "ad1", "SCTE35-IN"); /* at the range's end */
    assert_true(near(e->start_s, 9.0));
    assert_true(near(e->duration_s, 3.0));

    e = find(pl, "ch1", ""); /* END-ON-NEXT: up to the next chapter */
    assert_true(near(e->start_s, 2.0));
    assert_true(near(e->duration_s, 5.0));
    e = find(pl, "ch2", "");
    assert_true(e->duration_s < 0);

    e = find(pl, "after", ""); /* the date after the discontinuity: 8 s + 1.5 s */
    assert_true(near(e->start_s, 9.5));

    assert_int_equal(pl->daterange_warnings.count, 8);
    has_warning(&pl->daterange_warnings, "it has no ID");
    has_warning(&pl->daterange_warnings, "bad-date: START-DATE=yesterday is not a valid value");
    has_warning(&pl->daterange_warnings, "neg: DURATION=-1 is not a valid value");
    has_warning(&pl->daterange_warnings, "back: END-DATE is before START-DATE");
    has_warning(&pl->daterange_warnings, "eon: END-ON-NEXT=YES needs a CLASS");
    has_warning(&pl->daterange_warnings, "hex: SCTE35-CMD is not hexadecimal");
    has_warning(&pl->daterange_warnings, "crc: scte35: section_length 0");
    has_warning(&pl->daterange_warnings, "malformed attribute list");
    sv__hls_playlist_free(pl);
}

static void without_dates(void **state)
{
    (void)state;
    static const char *text =
        "#EXTM3U\n#EXT-X-TARGETDURATION:4\n"
        "#EXT-X-DATERANGE:ID=\"a\",START-DATE=\"2026-01-01T00:00:01Z\"\n"
        "#EXTINF:4,\nseg0.ts\n#EXT-X-ENDLIST\n";
    sv__hls_playlist *pl = NULL;
    assert_int_equal(sv__hls_parse(text, strlen(text), "http://127.0.0.1/v.m3u8", NULL, &pl, NULL), 0);
    assert_int_equal(pl->nb_dateranges, 0);
    assert_int_equal(pl->daterange_warnings.count, 1);
    has_warning(&pl->daterange_warnings, "no EXT-X-PROGRAM-DATE-TIME");
    sv__hls_playlist_free(pl);
}

typedef struct taken {
    int events, malformed;
    double start[16];
} taken;

static void on_event(void *opaque, const sv__timed_desc *d)
{
    taken *t = opaque;
    if (t->events < 16)
        t->start[t->events] = d->start_s;
    t->events++;
}

static void on_malformed(void *opaque, const char *msg)
{
    (void)msg;
    ((taken *)opaque)->malformed++;
}

static void model_media_playlist(void **state)
{
    (void)state;
    static const char *master =
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=100000,CODECS=\"avc1.64001f\"\nv.m3u8\n";
    sv__presentation *pres = NULL;
    sv__parse_error err;
    assert_int_equal(sv__model_create(SV__SOURCE_HLS, master, strlen(master),
                                      "http://127.0.0.1/m.m3u8", 0, NULL, &pres, &err), 0);
    sv__rep *rep = &pres->periods[0].tracks[0].reps[0];
    int r = sv__model_hls_media(pres, rep, playlist, strlen(playlist), "http://127.0.0.1/v.m3u8",
                                &err);
    if (r)
        print_error("%s\n", err.message);
    assert_int_equal(r, 0);
    taken t = { 0 };
    sv__model_event_sink sink = { .opaque = &t, .event = on_event, .malformed = on_malformed };
    sv__model_take_events(pres, &sink);
    assert_int_equal(t.events, 6);
    assert_int_equal(t.malformed, 8);
    assert_true(near(t.start[0], 1.0));
    sv__model_destroy(pres);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dateranges),
        cmocka_unit_test(without_dates),
        cmocka_unit_test(model_media_playlist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
