/*
 * svplay's pure UI parts without a window or a server: the seek bar's model
 * and layout (seekbar.c), the title page's model (catalog_page.c) and the
 * MPD language reader (mpd_langs.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "apps/svplay/catalog_page.h"
#include "apps/svplay/mpd_langs.h"
#include "apps/svplay/seekbar.h"

static svp_seekbar_model model(double pos, double dur, double buf)
{
    svp_seekbar_model m;
    memset(&m, 0, sizeof(m));
    m.position_s = pos;
    m.duration_s = dur;
    m.buffer_s = buf;
    return m;
}

static void test_layout(void **state)
{
    svp_seekbar_model m = model(15, 60, 10);
    svp_seekbar_layout l;
    (void)state;

    svp_seekbar_layout_for(&m, 640, 360, 160, 90, &l);
    /* 640x360: a 16-pixel margin, the bar 608 wide, 6 high, above the time line. */
    assert_int_equal(l.bar[0], 16);
    assert_int_equal(l.bar[2], 608);
    assert_int_equal(l.bar[3], 6);
    assert_true(l.bar[1] + l.bar[3] < l.time[1]);
    assert_int_equal(l.played_x, 16 + 152);   /* 15 / 60 of 608 */
    assert_int_equal(l.buffered_x, 16 + 253); /* 25 / 60 */
    assert_int_equal(l.marker_x, -1);         /* not scrubbing: no marker, no thumbnail */
    assert_int_equal(l.thumb[2], 0);
    assert_true(l.hot_y <= l.label[1]);

    m.mode = SVP_SCRUB_KEYS;
    m.scrub_s = 30;
    svp_seekbar_layout_for(&m, 640, 360, 160, 90, &l);
    assert_int_equal(l.marker_x, 16 + 304);
    assert_int_equal(l.thumb_scale, 1);
    assert_int_equal(l.thumb[2], 160);
    assert_int_equal(l.thumb[3], 90);
    assert_int_equal(l.thumb[0], 320 - 80);  /* centred on the marker */
    assert_true(l.thumb[1] + l.thumb[3] <= l.label[1]);
    /* At the end of the bar the thumbnail stays in the window. */
    m.scrub_s = 60;
    svp_seekbar_layout_for(&m, 640, 360, 160, 90, &l);
    assert_int_equal(l.thumb[0] + l.thumb[2], 640 - 16);
    /* 1280 wide and more: twice the size. */
    svp_seekbar_layout_for(&m, 1280, 720, 160, 90, &l);
    assert_int_equal(l.thumb_scale, 2);
    assert_int_equal(l.thumb[2], 320);
    assert_int_equal(svp_seekbar_time_at(&m, &l, l.bar[0] + l.bar[2] / 2), 30);
}

static void test_keys(void **state)
{
    svp_seekbar_model m = model(12, 60, 0);
    double to = -1;
    (void)state;

    /* Not scrubbing: only Enter is the bar's; arrows are the window's seeks. */
    assert_int_equal(svp_seekbar_key(&m, SVP_SCRUB_RIGHT, &to), SVP_SCRUB_IGNORED);
    assert_int_equal(svp_seekbar_key(&m, SVP_SCRUB_CANCEL, &to), SVP_SCRUB_IGNORED);
    assert_int_equal(svp_seekbar_key(&m, SVP_SCRUB_ENTER, &to), SVP_SCRUB_TAKEN);
    assert_int_equal(m.mode, SVP_SCRUB_KEYS);
    assert_true(m.scrub_s == 12);
    svp_seekbar_key(&m, SVP_SCRUB_RIGHT, &to);
    svp_seekbar_key(&m, SVP_SCRUB_RIGHT, &to);
    assert_true(m.scrub_s == 22);
    svp_seekbar_key(&m, SVP_SCRUB_UP, &to);
    assert_true(m.scrub_s == 60); /* clamped at the end */
    svp_seekbar_key(&m, SVP_SCRUB_HOME, &to);
    assert_true(m.scrub_s == 0);
    svp_seekbar_key(&m, SVP_SCRUB_LEFT, &to);
    assert_true(m.scrub_s == 0);
    assert_true(to == -1); /* nothing sought yet */
    assert_int_equal(svp_seekbar_key(&m, SVP_SCRUB_CANCEL, &to), SVP_SCRUB_TAKEN);
    assert_int_equal(m.mode, SVP_SCRUB_NONE);
    assert_true(to == -1);
    svp_seekbar_key(&m, SVP_SCRUB_ENTER, &to);
    svp_seekbar_key(&m, SVP_SCRUB_DOWN, &to); /* 12 - 60: 0 */
    svp_seekbar_key(&m, SVP_SCRUB_RIGHT, &to);
    assert_int_equal(svp_seekbar_key(&m, SVP_SCRUB_ENTER, &to), SVP_SCRUB_SEEK);
    assert_true(to == 5);
    assert_int_equal(m.mode, SVP_SCRUB_NONE);
    /* Live (no duration): no bar at all. */
    m = model(3, 0, 0);
    assert_int_equal(svp_seekbar_key(&m, SVP_SCRUB_ENTER, &to), SVP_SCRUB_IGNORED);
}

static void test_mouse(void **state)
{
    svp_seekbar_model m = model(5, 60, 0);
    svp_seekbar_layout l;
    double to = -1;
    (void)state;

    svp_seekbar_layout_for(&m, 640, 360, 0, 0, &l);
    int x30 = l.bar[0] + l.bar[2] / 2, y = l.bar[1];
    /* Above the band: the window's (a double click there is fullscreen). */
    assert_int_equal(svp_seekbar_mouse(&m, &l, x30, l.hot_y - 1, 0, &to), SVP_SCRUB_IGNORED);
    assert_int_equal(svp_seekbar_mouse(&m, &l, x30, l.hot_y - 1, 1, &to), SVP_SCRUB_IGNORED);
    /* Hovering scrubs without seeking. */
    assert_int_equal(svp_seekbar_mouse(&m, &l, x30, y, 0, &to), SVP_SCRUB_TAKEN);
    assert_int_equal(m.mode, SVP_SCRUB_HOVER);
    assert_true(m.scrub_s == 30);
    assert_true(to == -1);
    /* Leaving the band ends it. */
    svp_seekbar_mouse(&m, &l, x30, 10, 0, &to);
    assert_int_equal(m.mode, SVP_SCRUB_NONE);
    /* Press, drag out of the band, release: a seek to where it ends. */
    assert_int_equal(svp_seekbar_mouse(&m, &l, l.bar[0], y, 1, &to), SVP_SCRUB_TAKEN);
    assert_int_equal(m.mode, SVP_SCRUB_DRAG);
    assert_true(m.scrub_s == 0);
    svp_seekbar_mouse(&m, &l, l.bar[0] + l.bar[2] / 4, 100, 0, &to);
    assert_true(m.scrub_s == 15);
    assert_int_equal(svp_seekbar_mouse(&m, &l, l.bar[0] + l.bar[2], 100, -1, &to),
                     SVP_SCRUB_SEEK);
    assert_true(to == 60);
    assert_int_equal(m.mode, SVP_SCRUB_NONE);
}

static void test_page(void **state)
{
    svp_card card;
    svp_title_page pg;
    char label[64];
    double from = -1;
    json_t *title = json_pack("{s:s,s:s,s:[ss],s:f,s:s}", "title", "Alpha Run", "synopsis",
                              "A run.", "genres", "Action", "Drama", "duration", 125.0,
                              "poster_url", "/api/v1/titles/1/poster");
    (void)state;

    memset(&card, 0, sizeof(card));
    card.title_id = 1;
    snprintf(card.title, sizeof(card.title), "Alpha");
    card.resume_s = 64.4;
    svp_title_page_fill(&pg, &card, title, "und", "en, fr");
    assert_string_equal(pg.card.title, "Alpha Run");
    assert_string_equal(pg.genres, "Action, Drama");
    assert_string_equal(pg.synopsis, "A run.");
    assert_string_equal(pg.card.poster_url, "/api/v1/titles/1/poster");
    assert_string_equal(pg.subtitles, "en, fr");
    assert_true(pg.duration_s == 125.0);
    assert_int_equal(pg.nb_actions, 2);
    svp_title_page_action_label(&pg, 0, label, sizeof(label));
    assert_string_equal(label, "Resume at 01:04");
    svp_title_page_action_label(&pg, 1, label, sizeof(label));
    assert_string_equal(label, "Start over");
    assert_int_equal(svp_title_page_key(&pg, SVP_KEY_UP, &from), SVP_PAGE_NONE);
    assert_int_equal(svp_title_page_key(&pg, SVP_KEY_ENTER, &from), SVP_PAGE_GO);
    assert_true(from == 64.4);
    assert_int_equal(svp_title_page_key(&pg, SVP_KEY_DOWN, &from), SVP_PAGE_REDRAW);
    assert_int_equal(svp_title_page_key(&pg, SVP_KEY_DOWN, &from), SVP_PAGE_NONE);
    assert_int_equal(svp_title_page_key(&pg, SVP_KEY_ENTER, &from), SVP_PAGE_GO);
    assert_true(from == 0);
    assert_int_equal(svp_title_page_key(&pg, SVP_KEY_ESCAPE, &from), SVP_PAGE_CLOSE);

    /* No resume position: one action, Play. */
    card.resume_s = 0;
    svp_title_page_fill(&pg, &card, NULL, NULL, NULL);
    assert_string_equal(pg.card.title, "Alpha");
    assert_int_equal(pg.nb_actions, 1);
    svp_title_page_action_label(&pg, 0, label, sizeof(label));
    assert_string_equal(label, "Play");

    /* Offered for offline viewing: Download after Play, its progress as
     * the label, Enter on it asks for the download (not a play). */
    json_object_set_new(title, "download", json_true());
    svp_title_page_fill(&pg, &card, title, NULL, NULL);
    assert_int_equal(pg.nb_actions, 2);
    svp_title_page_action_label(&pg, 1, label, sizeof(label));
    assert_string_equal(label, "Download");
    snprintf(pg.download_label, sizeof(pg.download_label), "Downloading 45 %%");
    svp_title_page_action_label(&pg, 1, label, sizeof(label));
    assert_string_equal(label, "Downloading 45 %");
    assert_int_equal(svp_title_page_key(&pg, SVP_KEY_DOWN, &from), SVP_PAGE_REDRAW);
    assert_int_equal(svp_title_page_key(&pg, SVP_KEY_ENTER, &from), SVP_PAGE_DOWNLOAD_IT);
    json_object_set_new(title, "download", json_false());
    svp_title_page_fill(&pg, &card, title, NULL, NULL);
    assert_int_equal(pg.nb_actions, 1);
    json_decref(title);
}

static void langs(const char *xml, int want, const char *audio, const char *subs)
{
    char a[64], s[64];
    assert_int_equal(svp_mpd_languages(xml, strlen(xml), a, sizeof(a), s, sizeof(s)), want);
    assert_string_equal(a, audio);
    assert_string_equal(s, subs);
}

static void test_mpd_languages(void **state)
{
    (void)state;
    /* svserver's sets: audio without lang, WebVTT and stpp text, an image set. */
    langs("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\"><Period>"
          "<AdaptationSet contentType=\"video\" mimeType=\"video/mp4\"/>"
          "<AdaptationSet contentType=\"audio\" mimeType=\"audio/mp4\"/>"
          "<AdaptationSet contentType=\"text\" mimeType=\"text/vtt\" lang=\"en\"/>"
          "<AdaptationSet contentType=\"text\" mimeType=\"application/mp4\" lang=\"fr\"/>"
          "<AdaptationSet contentType=\"image\" mimeType=\"image/jpeg\" lang=\"xx\"/>"
          "</Period></MPD>",
          0, "und", "en, fr");
    /* Languages once each across Periods, from the Representation too. */
    langs("<MPD><Period><AdaptationSet mimeType=\"audio/mp4\" lang=\"en\"/>"
          "<AdaptationSet mimeType=\"audio/mp4\" lang=\"de\"/>"
          "<AdaptationSet mimeType=\"application/ttml+xml\"><Representation lang=\"pt-BR\"/>"
          "</AdaptationSet></Period><Period><AdaptationSet contentType=\"audio\" lang=\"en\"/>"
          "<AdaptationSet><Representation mimeType=\"application/mp4\" codecs=\"wvtt\" "
          "lang=\"es\"/></AdaptationSet></Period></MPD>",
          0, "en, de", "pt-BR, es");
    langs("<MPD><Period><AdaptationSet contentType=\"video\"/></Period></MPD>", 0, "none",
          "none");
    langs("<html/>", SV_ERR_INVALID, "", "");
    langs("<MPD><Period>", SV_ERR_INVALID, "", "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_mouse),
        cmocka_unit_test(test_page),
        cmocka_unit_test(test_mpd_languages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
