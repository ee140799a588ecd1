/*
 * The TTML/IMSC1 cue reader (player/manifest/ttml.c): times in every form,
 * the timing model down body/div/p (par and seq), styles from regions,
 * referential chains and inline attributes, units, white space, and the
 * documents it must refuse or partly skip.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "player/manifest/ttml.h"
#include "streamverse/common.h"

#define NS "xmlns=\"http://www.w3.org/ns/ttml\" " \
           "xmlns:tts=\"http://www.w3.org/ns/ttml#styling\" " \
           "xmlns:ttp=\"http://www.w3.org/ns/ttml#parameter\" "

static int parse(const char *text, double doc_end, sv__ttml *t, sv__parse_error *err)
{
    memset(err, 0, sizeof(*err));
    return sv__ttml_parse(text, strlen(text), doc_end, NULL, t, err);
}

static void assert_near(double a, double b)
{
    if (fabs(a - b) > 1e-6)
        fail_msg("%.9f != %.9f", a, b);
}

static void imsc_styles_and_regions(void **state)
{
    sv__ttml t;
    sv__parse_error err;

    (void)state;
    assert_int_equal(parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<tt " NS "xml:lang=\"en\" ttp:cellResolution=\"40 20\">"
        "<head><styling>"
        "  <style xml:id=\"base\" tts:color=\"yellow\" tts:fontSize=\"100%\"/>"
        "  <style xml:id=\"s1\" style=\"base\" tts:textAlign=\"center\" tts:fontSize=\"2c\"/>"
        "  <style xml:id=\"it\" tts:fontStyle=\"italic\" tts:backgroundColor=\"#000000c0\"/>"
        "</styling><layout>"
        "  <region xml:id=\"bottom\" tts:origin=\"10% 80%\" tts:extent=\"80% 15%\""
        "          tts:displayAlign=\"after\"/>"
        "  <region xml:id=\"top\" tts:origin=\"10% 5%\" tts:extent=\"80% 15%\">"
        "    <style tts:displayAlign=\"before\" tts:color=\"rgb(0,255,0)\"/></region>"
        "</layout></head>"
        "<body region=\"bottom\" style=\"s1\"><div>"
        "  <p begin=\"00:00:01.500\" end=\"00:00:03.250\">Hello,\n     <span style=\"it\">"
        "world</span><br/>  second   line  </p>"
        "  <p begin=\"4s\" dur=\"1500ms\" region=\"top\" tts:textAlign=\"right\">"
        "<span tts:fontWeight=\"bold\">all</span> <span tts:fontWeight=\"bold\">bold</span></p>"
        "  <p begin=\"6s\" end=\"7s\" tts:color=\"#ff000080\">&amp; &lt;3 &#x2019;</p>"
        "</div></body></tt>", INFINITY, &t, &err), 0);
    assert_int_equal(t.nb_cues, 3);
    assert_int_equal(t.skipped, 0);

    const sv__cue *c = &t.cues[0];
    assert_near(c->start, 1.5);
    assert_near(c->end, 3.25);
    assert_string_equal(c->text, "Hello, world\nsecond line");
    assert_true(c->has_style);
    assert_near(c->style.x, 10);
    assert_near(c->style.y, 80);
    assert_near(c->style.width, 80);
    assert_near(c->style.height, 15);
    assert_int_equal(c->style.display_align, SV_CUE_ALIGN_END);
    assert_int_equal(c->style.text_align, SV_CUE_ALIGN_CENTER);
    assert_int_equal(c->style.color, 0xffff00ff);
    assert_near(c->style.font_size, 10); /* 2c of 20 rows */
    assert_false(c->style.italic);       /* only "world" is */
    assert_int_equal(c->style.background, 0); /* the runs do not agree */

    c = &t.cues[1];
    assert_near(c->start, 4);
    assert_near(c->end, 5.5);
    assert_string_equal(c->text, "all bold");
    assert_near(c->style.y, 5);
    assert_int_equal(c->style.display_align, SV_CUE_ALIGN_START);
    assert_int_equal(c->style.text_align, SV_CUE_ALIGN_END);
    assert_int_equal(c->style.color, 0xffff00ff); /* body's s1 over the region's green */
    assert_true(c->style.bold);

    c = &t.cues[2];
    assert_string_equal(c->text, "& <3 \xe2\x80\x99");
    assert_int_equal(c->style.color, 0xff000080);
    sv__ttml_free(&t);
}

static void time_expressions(void **state)
{
    sv__ttml t;
    sv__parse_error err;

    (void)state;
    assert_int_equal(parse("<tt " NS "ttp:frameRate=\"30\" ttp:frameRateMultiplier=\"1000 1001\""
        " ttp:subFrameRate=\"2\" ttp:tickRate=\"10000000\"><body>"
        "<p begin=\"00:00:01:15\" end=\"00:00:02:00.1\">frames</p>"
        "<p begin=\"10000000t\" end=\"25000000t\">ticks</p>"
        "<p begin=\"0.5h\" end=\"30.5m\">hours</p>"
        "<p begin=\"60f\" end=\"90f\">f</p>"
        "</body></tt>", INFINITY, &t, &err), 0);
    assert_int_equal(t.nb_cues, 4);
    double fps = 30 * 1000.0 / 1001;
    assert_near(t.cues[0].start, 1 + 15 / fps);
    assert_near(t.cues[0].end, 2 + 0.5 / fps);
    assert_near(t.cues[1].start, 1);
    assert_near(t.cues[1].end, 2.5);
    assert_near(t.cues[2].start, 1800);
    assert_near(t.cues[2].end, 1830);
    assert_near(t.cues[3].start, 60 / fps);
    sv__ttml_free(&t);
}

static void timing_model(void **state)
{
    sv__ttml t;
    sv__parse_error err;

    (void)state;
    /* A div's begin offsets its children; a child cannot outlast it; in a
     * seq container each child starts where the previous ended; a p with
     * no end of its own ends with the document (an stpp sample's end). */
    assert_int_equal(parse("<tt " NS "><body>"
        "<div begin=\"10s\" end=\"20s\"><p begin=\"1s\" end=\"2s\">a</p>"
        "<p begin=\"8s\" end=\"15s\">clipped</p><p begin=\"12s\" end=\"13s\">gone</p></div>"
        "<div begin=\"30s\" timeContainer=\"seq\"><p dur=\"1s\">s1</p><p begin=\"1s\" dur=\"2s\">s2</p></div>"
        "<p begin=\"50s\">open</p>"
        "</body></tt>", 60, &t, &err), 0);
    assert_int_equal(t.nb_cues, 5);
    assert_near(t.cues[0].start, 11);
    assert_near(t.cues[0].end, 12);
    assert_near(t.cues[1].start, 18);
    assert_near(t.cues[1].end, 20);
    assert_string_equal(t.cues[2].text, "s1");
    assert_near(t.cues[2].start, 30);
    assert_near(t.cues[2].end, 31);
    assert_near(t.cues[3].start, 32);
    assert_near(t.cues[3].end, 34);
    assert_near(t.cues[4].start, 50);
    assert_near(t.cues[4].end, 60);
    sv__ttml_free(&t);
}

static void units(void **state)
{
    sv__ttml t;
    sv__parse_error err;

    (void)state;
    assert_int_equal(parse("<tt " NS "tts:extent=\"1920px 1080px\"><head><layout>"
        "<region xml:id=\"r\" tts:origin=\"192px 540px\" tts:extent=\"16c 3c\"/>"
        "</layout></head><body><p region=\"r\" begin=\"0s\" end=\"1s\" tts:fontSize=\"54px\""
        " xml:space=\"preserve\">a  b\n c</p></body></tt>", INFINITY, &t, &err), 0);
    assert_int_equal(t.nb_cues, 1);
    assert_near(t.cues[0].style.x, 10);
    assert_near(t.cues[0].style.y, 50);
    assert_near(t.cues[0].style.width, 50);
    assert_near(t.cues[0].style.height, 20);
    assert_near(t.cues[0].style.font_size, 5);
    assert_string_equal(t.cues[0].text, "a  b\n c");
    sv__ttml_free(&t);
}

static void skipped_parts(void **state)
{
    sv__ttml t;
    sv__parse_error err;
    char doc[8192];
    size_t n = 0;

    (void)state;
    /* A bad time, an image div, an undefined region: skipped and counted,
     * the rest comes out. */
    assert_int_equal(parse("<tt " NS "xmlns:smpte=\"http://www.smpte-ra.org/schemas/2052-1/2010/smpte-tt\">"
        "<body><p begin=\"soon\" end=\"2s\">bad</p>"
        "<div smpte:backgroundImage=\"#img\" begin=\"0s\" end=\"5s\"/>"
        "<p begin=\"1s\" end=\"2s\" region=\"nowhere\">kept</p></body></tt>",
        INFINITY, &t, &err), 0);
    assert_int_equal(t.nb_cues, 1);
    assert_string_equal(t.cues[0].text, "kept");
    assert_int_equal(t.skipped, 3);
    assert_non_null(strstr(t.warning, "bad time expression"));
    sv__ttml_free(&t);

    /* Nesting deeper than the walk goes. */
    n += (size_t)snprintf(doc + n, sizeof(doc) - n, "<tt " NS "><body>");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(doc + n, sizeof(doc) - n, "<div>");
    n += (size_t)snprintf(doc + n, sizeof(doc) - n, "<p begin=\"0s\" end=\"1s\">deep</p>");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(doc + n, sizeof(doc) - n, "</div>");
    snprintf(doc + n, sizeof(doc) - n, "</body></tt>");
    assert_int_equal(parse(doc, INFINITY, &t, &err), 0);
    assert_int_equal(t.nb_cues, 0);
    assert_true(t.skipped >= 1);
    assert_non_null(strstr(t.warning, "deeper"));
    sv__ttml_free(&t);
}

static void refused(void **state)
{
    sv__ttml t;
    sv__parse_error err;

    (void)state;
    assert_int_equal(parse("<tt " NS "><body><p begin=\"0s\">open</body></tt>", INFINITY, &t, &err),
                     SV_ERR_PARSE);
    assert_non_null(strstr(err.message, "not well-formed"));
    assert_int_equal(parse("<html><body/></html>", INFINITY, &t, &err), SV_ERR_PARSE);
    assert_non_null(strstr(err.message, "<html>, not <tt>"));
    assert_int_equal(parse("<tt " NS "ttp:frameRate=\"fast\"/>", INFINITY, &t, &err), SV_ERR_PARSE);
    assert_non_null(strstr(err.message, "ttp:frameRate"));
    assert_int_equal(parse("", INFINITY, &t, &err), SV_ERR_PARSE);
    /* Entities are not expanded: a "billion laughs" document costs nothing. */
    int ret = parse("<?xml version=\"1.0\"?><!DOCTYPE tt [<!ENTITY a \"aaaaaaaaaa\">"
                    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
                    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
                    "<tt " NS "><body><p begin=\"0s\" end=\"1s\">&c;&c;x</p></body></tt>",
                    INFINITY, &t, &err);
    if (ret == 0) {
        assert_true(t.nb_cues <= 1);
        if (t.nb_cues)
            assert_true(strlen(t.cues[0].text) < 4096);
        sv__ttml_free(&t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(imsc_styles_and_regions),
        cmocka_unit_test(time_expressions),
        cmocka_unit_test(timing_model),
        cmocka_unit_test(units),
        cmocka_unit_test(skipped_parts),
        cmocka_unit_test(refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
