/*
 * DASH EventStream in an MPD: two Periods with events (timescale,
 * presentationTimeOffset, messageData, text content, base64 content, an
 * SCTE-35 splice_insert as urn:scte:scte35:2013:bin and as
 * urn:scte:scte35:2014:xml+bin Signal/Binary), InbandEventStream
 * announcements, and malformed Events and EventStreams left out with a
 * warning naming the element, attribute and value while the MPD still
 * parses; then the model: Events on the presentation timeline, handed over
 * once per load and again after a refresh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "player/manifest/dash.h"
#include "player/model/model.h"

/* The ANSI/SCTE 35 splice_insert sample (test_scte35.c), base64. */
#define SCTE_B64 "/DAvAAAAAAAA///wFAVIAACPf+/+c2nALv4AUsz1AAAAAAAKAAhDVUVJAAABNWLbowo="

static const char *mpd_text =
    "<?xml version=\"1.0\"?>\n"
    "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\"\n"
    "     mediaPresentationDuration=\"PT20S\" minBufferTime=\"PT2S\">\n"
    "  <Period id=\"p0\" duration=\"PT10S\">\n"
    "    <EventStream schemeIdUri=\"urn:example:chapters\" value=\"v1\" timescale=\"1000\"\n"
    "                 presentationTimeOffset=\"500\">\n"
    "      <Event presentationTime=\"2500\" duration=\"1500\" id=\"1\" messageData=\"intro\"/>\n"
    "      <Event presentationTime=\"4500\" id=\"2\">  chapter two  </Event>\n"
    "      <Event presentationTime=\"x\" id=\"3\"/>\n"
    "      <Event presentationTime=\"6000\" duration=\"-4\" id=\"4\"/>\n"
    "      <Event presentationTime=\"7000\"/>\n"
    "    </EventStream>\n"
    "    <EventStream schemeIdUri=\"urn:example:b64\" contentEncoding=\"base64\">\n"
    "      <Event presentationTime=\"3\" id=\"b\">aGVs\n bG8=</Event>\n"
    "      <Event presentationTime=\"4\" id=\"c\">not*base64</Event>\n"
    "    </EventStream>\n"
    "    <EventStream value=\"no scheme\"><Event presentationTime=\"1\" id=\"z\"/></EventStream>\n"
    "    <EventStream schemeIdUri=\"urn:example:x\" timescale=\"0\">"
    "<Event presentationTime=\"1\" id=\"y\"/></EventStream>\n"
    "    <AdaptationSet mimeType=\"video/mp4\">\n"
    "      <InbandEventStream schemeIdUri=\"urn:scte:scte35:2013:bin\"/>\n"
    "      <SegmentTemplate media=\"v-$Number$.m4s\" initialization=\"v-init.mp4\" duration=\"2\"/>\n"
    "      <Representation id=\"v\" bandwidth=\"100000\" codecs=\"avc1.64001f\" width=\"320\" height=\"180\">\n"
    "        <InbandEventStream schemeIdUri=\"urn:example:id3\" value=\"1\"/>\n"
    "      </Representation>\n"
    "    </AdaptationSet>\n"
    "  </Period>\n"
    "  <Period id=\"p1\" duration=\"PT10S\">\n"
    "    <EventStream schemeIdUri=\"urn:scte:scte35:2013:bin\" timescale=\"90000\">\n"
    "      <Event presentationTime=\"180000\" duration=\"2700000\" id=\"1207959695\">" SCTE_B64 "</Event>\n"
    "      <Event presentationTime=\"270000\" id=\"99\">/DAvAAAA</Event>\n"
    "    </EventStream>\n"
    "    <EventStream schemeIdUri=\"urn:scte:scte35:2014:xml+bin\" timescale=\"10\">\n"
    "      <Event presentationTime=\"50\" id=\"s1\"><Signal xmlns=\"http://www.scte.org/schemas/35/2016\">"
    "<Binary>" SCTE_B64 "</Binary></Signal></Event>\n"
    "    </EventStream>\n"
    "    <AdaptationSet mimeType=\"video/mp4\">\n"
    "      <SegmentTemplate media=\"w-$Number$.m4s\" initialization=\"w-init.mp4\" duration=\"2\"/>\n"
    "      <Representation id=\"w\" bandwidth=\"100000\" codecs=\"avc1.64001f\" width=\"320\" height=\"180\"/>\n"
    "    </AdaptationSet>\n"
    "  </Period>\n"
    "</MPD>\n";

static int near(double a, double b)
{
    return a - b < 1e-6 && b - a < 1e-6;
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

static void event_streams(void **state)
{
    (void)state;
    sv__dash_mpd *mpd = NULL;
    sv__parse_error err;
    int r = sv__dash_parse(mpd_text, strlen(mpd_text), "http://127.0.0.1/m.mpd", NULL, &mpd, &err);
    if (r)
        print_error("line %d: %s\n", err.line, err.message);
    assert_int_equal(r, 0);
    const sv__dash_period *p0 = &mpd->periods[0], *p1 = &mpd->periods[1];

    assert_int_equal(p0->nb_events, 4);
    const sv__timed_desc *e = &p0->events[0];
    assert_int_equal(e->source, SV_TIMED_DASH_EVENT_STREAM);
    assert_string_equal(e->scheme, "urn:example:chapters");
    assert_string_equal(e->value, "v1");
    assert_string_equal(e->id, "1");
    assert_true(near(e->start_s, 2.0)); /* (2500 - 500) / 1000 */
    assert_true(near(e->duration_s, 1.5));
    assert_int_equal(e->payload_size, 5);
    assert_memory_equal(e->payload, "intro", 5);
    assert_int_equal(e->scte35.command, -1);
    e = &p0->events[1];
    assert_true(near(e->start_s, 4.0));
    assert_true(e->duration_s < 0);
    assert_int_equal(e->payload_size, strlen("chapter two"));
    assert_memory_equal(e->payload, "chapter two", e->payload_size);
    e = &p0->events[2]; /* no @id: its time names it */
    assert_string_equal(e->id, "@7000");
    e = &p0->events[3];
    assert_string_equal(e->scheme, "urn:example:b64");
    assert_true(near(e->start_s, 3.0));
    assert_int_equal(e->payload_size, 5);
    assert_memory_equal(e->payload, "hello", 5);

    assert_int_equal(p1->nb_events, 2);
    e = &p1->events[0];
    assert_true(near(e->start_s, 2.0));
    assert_true(near(e->duration_s, 30.0));
    assert_int_equal(e->payload_size, 50);
    assert_int_equal(e->scte35.command, 5);
    assert_int_equal(e->scte35.event_id, 0x4800008f);
    assert_int_equal(e->scte35.out_of_network, 1);
    e = &p1->events[1];
    assert_string_equal(e->scheme, "urn:scte:scte35:2014:xml+bin");
    assert_true(near(e->start_s, 5.0));
    assert_int_equal(e->scte35.command, 5);

    /* Left out, each with the element, attribute and value. */
    assert_int_equal(mpd->event_warnings.count, 6);
    has_warning(&mpd->event_warnings, "Event@presentationTime \"x\" is not an unsigned integer");
    has_warning(&mpd->event_warnings, "Event@duration \"-4\"");
    has_warning(&mpd->event_warnings, "Event id \"c\" of urn:example:b64: its content is not base64");
    has_warning(&mpd->event_warnings, "EventStream without schemeIdUri");
    has_warning(&mpd->event_warnings, "EventStream@timescale \"0\"");
    has_warning(&mpd->event_warnings, "Event id \"99\" of urn:scte:scte35:2013:bin: scte35:");

    assert_int_equal(p0->nb_inband, 2);
    assert_string_equal(p0->inband[0].scheme_id_uri, "urn:scte:scte35:2013:bin");
    assert_string_equal(p0->inband[1].scheme_id_uri, "urn:example:id3");
    assert_string_equal(p0->inband[1].value, "1");
    assert_int_equal(p1->nb_inband, 0);
    sv__dash_mpd_free(mpd);
}

typedef struct taken {
    int events, malformed;
    double start[16];
    char id[16][32];
} taken;

static void on_event(void *opaque, const sv__timed_desc *d)
{
    taken *t = opaque;
    if (t->events < 16) {
        t->start[t->events] = d->start_s;
        snprintf(t->id[t->events], sizeof(t->id[0]), "%s", d->id);
    }
    t->events++;
}

static void on_malformed(void *opaque, const char *msg)
{
    taken *t = opaque;
    assert_non_null(msg);
    t->malformed++;
}

static void model_timeline(void **state)
{
    (void)state;
    sv__presentation *pres = NULL;
    sv__parse_error err;
    int r = sv__model_create(SV__SOURCE_DASH, mpd_text, strlen(mpd_text), "http://127.0.0.1/m.mpd",
                             0, NULL, &pres, &err);
    if (r)
        print_error("%s\n", err.message);
    assert_int_equal(r, 0);
    taken t = { 0 };
    sv__model_event_sink sink = { .opaque = &t, .event = on_event, .malformed = on_malformed };
    sv__model_take_events(pres, &sink);
    assert_int_equal(t.events, 6);
    assert_int_equal(t.malformed, 6);
    assert_true(near(t.start[0], 2.0));
    assert_true(near(t.start[4], 12.0)); /* Period p1 starts at 10 s */
    assert_string_equal(t.id[4], "1207959695");
    assert_true(near(t.start[5], 15.0));
    memset(&t, 0, sizeof(t));
    sv__model_take_events(pres, &sink); /* taken: nothing is left */
    assert_int_equal(t.events, 0);

    /* emsg announcements: period 0 names two schemes, period 1 none (all). */
    assert_int_equal(sv__model_inband_wanted(pres, 0, "urn:example:id3"), 1);
    assert_int_equal(sv__model_inband_wanted(pres, 0, "urn:other"), 0);
    assert_int_equal(sv__model_inband_wanted(pres, 1, "urn:other"), 1);
    sv__model_destroy(pres);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(event_streams),
        cmocka_unit_test(model_timeline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
