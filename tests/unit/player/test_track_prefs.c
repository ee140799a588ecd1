/*
 * Track roles and language preferences (player/model/track_prefs.h): the
 * host's lists and their refusals, BCP 47 matching with lookup fallback,
 * roles and the plain preference's order, the default track; and the roles
 * the model reads from HLS CHARACTERISTICS/FORCED and DASH Role and
 * Accessibility.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "player/model/track_prefs.h"

static int parse_fails(const char *list, const char *needle)
{
    sv__lang_prefs p;
    char err[256] = "";
    int r = sv__lang_prefs_parse(list, &p, err, sizeof(err));
    if (r != SV_ERR_INVALID || !strstr(err, needle)) {
        print_error("'%s': %d, '%s' (wanted '%s')\n", list, r, err, needle);
        return 0;
    }
    return 1;
}

static void test_parse(void **state)
{
    sv__lang_prefs p;
    char err[256];
    (void)state;
    assert_int_equal(sv__lang_prefs_parse(NULL, &p, err, sizeof(err)), 0);
    assert_int_equal(p.n, 0);
    assert_int_equal(sv__lang_prefs_parse("", &p, err, sizeof(err)), 0);
    assert_int_equal(p.n, 0);
    assert_int_equal(sv__lang_prefs_parse(" en:Description , pt-BR,*,zh-Hant-TW:caption,x-klingon,"
                                          "es-419", &p, err, sizeof(err)), 0);
    assert_int_equal(p.n, 6);
    assert_string_equal(p.list[0].tag, "en");
    assert_int_equal(p.list[0].role, SV__ROLE_DESCRIPTION);
    assert_string_equal(p.list[1].tag, "pt-br");
    assert_int_equal(p.list[1].role, 0);
    assert_string_equal(p.list[2].tag, "*");
    assert_string_equal(p.list[3].tag, "zh-hant-tw");
    assert_int_equal(p.list[3].role, SV__ROLE_CAPTION);
    assert_string_equal(p.list[5].tag, "es-419");
    /* Refusals name the entry. */
    assert_true(parse_fails("en,,fr", "empty entry"));
    assert_true(parse_fails("en,english!", "'english!' is not a language tag"));
    assert_true(parse_fails("e", "'e' is not a language tag"));
    assert_true(parse_fails("9a", "'9a' is not a language tag"));
    assert_true(parse_fails("en-", "'en-' is not a language tag"));
    assert_true(parse_fails("en--us", "'en--us' is not a language tag"));
    assert_true(parse_fails("en-abcdefghi", "not a language tag"));
    assert_true(parse_fails("x", "'x' is not a language tag"));
    assert_true(parse_fails("en:sdh", "'sdh' in 'en:sdh' is not a track role"));
    assert_true(parse_fails("en:", "'' in 'en:' is not a track role"));
    assert_true(parse_fails(":main", "'' is not a language tag"));
    assert_true(parse_fails("a,b1,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", "not a language tag"));
    assert_true(parse_fails("aa,ab,ac,ad,ae,af,ag,ah,ai,aj,ak,al,am,an,ao,ap,aq",
                            "more than 16 entries"));
}

static void test_role_names(void **state)
{
    char buf[64];
    (void)state;
    sv__role_names(SV__ROLE_CAPTION | SV__ROLE_MAIN, buf, sizeof(buf));
    assert_string_equal(buf, "main,caption");
    sv__role_names(0, buf, sizeof(buf));
    assert_string_equal(buf, "");
    assert_int_equal(sv__role_of("Commentary", 10), SV__ROLE_COMMENTARY);
    assert_int_equal(sv__role_of("sdh", 3), 0);
}

/* A period of tracks: type, language, roles, default flag. */
typedef struct spec {
    sv_track_type type;
    const char *lang;
    unsigned roles;
    int is_default;
} spec;

static sv__track tracks[16];

static sv__period make(const spec *s, size_t n)
{
    sv__period p = { .tracks = tracks, .nb_tracks = n };
    int counts[3] = { 0, 0, 0 };
    memset(tracks, 0, sizeof(tracks));
    for (size_t i = 0; i < n; i++) {
        tracks[i].type = s[i].type;
        tracks[i].language = s[i].lang;
        tracks[i].label = "";
        tracks[i].roles = s[i].roles;
        tracks[i].is_default = s[i].is_default;
        tracks[i].index = counts[s[i].type]++;
    }
    return p;
}

static int pick(const sv__period *p, sv_track_type type, const char *list)
{
    sv__lang_prefs prefs;
    char err[256];
    assert_int_equal(sv__lang_prefs_parse(list, &prefs, err, sizeof(err)), 0);
    return sv__lang_pick(p, type, &prefs);
}

static void test_languages(void **state)
{
    (void)state;
    const spec s[] = {
        { SV_TRACK_VIDEO, "", 0, 1 },
        { SV_TRACK_AUDIO, "en-US", 0, 1 },   /* audio 0 */
        { SV_TRACK_AUDIO, "fr-CA", 0, 0 },   /* audio 1 */
        { SV_TRACK_AUDIO, "pt", 0, 0 },      /* audio 2 */
        { SV_TRACK_AUDIO, "pt-BR", 0, 0 },   /* audio 3 */
        { SV_TRACK_AUDIO, "PT-pt", 0, 0 },   /* audio 4 */
        { SV_TRACK_AUDIO, "", 0, 0 },        /* audio 5: no language */
    };
    sv__period p = make(s, sizeof(s) / sizeof(s[0]));
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "en"), 0);       /* en takes en-US */
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "EN-us"), 0);
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "en-GB"), 0);    /* fallback to en */
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "fr"), 1);
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "pt-BR"), 3);    /* exact first */
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "pt-pt"), 4);
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "pt-AO"), 2);    /* then pt, exact "pt" first */
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "pt"), 2);
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "de,ja,fr"), 1); /* the first present wins */
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "de,ja"), -1);
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "x-klingon"), -1);
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "de,*"), 0);     /* any: the default */
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, ""), -1);
    assert_int_equal(pick(&p, SV_TRACK_TEXT, "en"), -1);       /* no text tracks */
    /* A singleton is dropped with the subtag after it. */
    const spec z[] = { { SV_TRACK_AUDIO, "zh", 0, 0 }, { SV_TRACK_AUDIO, "zh-Hant", 0, 0 } };
    sv__period q = make(z, 2);
    assert_int_equal(pick(&q, SV_TRACK_AUDIO, "zh-Hant-TW"), 1);
    assert_int_equal(pick(&q, SV_TRACK_AUDIO, "zh-x-private"), 0);
}

static void test_roles(void **state)
{
    (void)state;
    const spec s[] = {
        { SV_TRACK_AUDIO, "en", SV__ROLE_DESCRIPTION, 0 },                 /* audio 0 */
        { SV_TRACK_AUDIO, "en", SV__ROLE_COMMENTARY, 0 },                  /* audio 1 */
        { SV_TRACK_AUDIO, "en", 0, 0 },                                    /* audio 2 */
        { SV_TRACK_AUDIO, "fr", SV__ROLE_ALTERNATE | SV__ROLE_DESCRIPTION, 0 }, /* audio 3 */
        { SV_TRACK_AUDIO, "de", SV__ROLE_COMMENTARY, 0 },                  /* audio 4 */
        { SV_TRACK_AUDIO, "de", SV__ROLE_ALTERNATE, 0 },                   /* audio 5 */
        { SV_TRACK_TEXT, "en", SV__ROLE_CAPTION, 0 },                      /* text 0 */
        { SV_TRACK_TEXT, "en", SV__ROLE_FORCED, 0 },                       /* text 1 */
        { SV_TRACK_TEXT, "en", SV__ROLE_SUBTITLE, 0 },                     /* text 2 */
        { SV_TRACK_TEXT, "es", SV__ROLE_CAPTION, 0 },                      /* text 3 */
    };
    sv__period p = make(s, sizeof(s) / sizeof(s[0]));
    /* Plain: the main track, though listed after accessibility and commentary. */
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "en"), 2);
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "en:main"), 2);
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "en:description,en"), 0);
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "en:commentary"), 1);
    /* A role the language lacks: the next entry decides. */
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "de:description,fr:description"), 3);
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "de:description"), -1);
    /* Plain with no main track: alternate before commentary before accessibility. */
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "de"), 5);
    assert_int_equal(pick(&p, SV_TRACK_AUDIO, "fr"), 3);
    /* Text: plain takes the subtitles, not the SDH captions nor the forced ones. */
    assert_int_equal(pick(&p, SV_TRACK_TEXT, "en"), 2);
    assert_int_equal(pick(&p, SV_TRACK_TEXT, "en:caption"), 0);
    assert_int_equal(pick(&p, SV_TRACK_TEXT, "en:forced"), 1);
    assert_int_equal(pick(&p, SV_TRACK_TEXT, "*:caption"), 0);
    assert_int_equal(pick(&p, SV_TRACK_TEXT, "es"), 3); /* only captions in Spanish */
    /* No preference: the default, else the first plain one, else the first. */
    assert_int_equal(sv__lang_default(&p, SV_TRACK_AUDIO), 2);
    tracks[1].is_default = 1;
    assert_int_equal(sv__lang_default(&p, SV_TRACK_AUDIO), 1);
    assert_int_equal(sv__lang_default(&p, SV_TRACK_VIDEO), -1);
    const spec a[] = { { SV_TRACK_AUDIO, "en", SV__ROLE_DESCRIPTION, 0 },
                       { SV_TRACK_AUDIO, "en", SV__ROLE_CAPTION, 0 } };
    sv__period q = make(a, 2);
    assert_int_equal(sv__lang_default(&q, SV_TRACK_AUDIO), 0);
    /* The default breaks a tie within an entry. */
    const spec d[] = { { SV_TRACK_AUDIO, "en", 0, 0 }, { SV_TRACK_AUDIO, "en", 0, 1 } };
    sv__period r = make(d, 2);
    assert_int_equal(pick(&r, SV_TRACK_AUDIO, "en"), 1);
}

/* The track of `type` and index `index` of the first period. */
static const sv__track *track_of(const sv__presentation *pres, sv_track_type type, int index)
{
    const sv__period *p = &pres->periods[0];
    for (size_t i = 0; i < p->nb_tracks; i++)
        if (p->tracks[i].type == type && p->tracks[i].index == index)
            return &p->tracks[i];
    fail_msg("no track %d of type %d", index, (int)type);
    return NULL;
}

static void test_hls_roles(void **state)
{
    static const char master[] =
        "#EXTM3U\n"
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"AD\",LANGUAGE=\"en\",AUTOSELECT=YES,"
        "CHARACTERISTICS=\"public.accessibility.describes-video\",URI=\"ad.m3u8\"\n"
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"Main\",LANGUAGE=\"en\",DEFAULT=YES,"
        "URI=\"en.m3u8\"\n"
        "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"s\",NAME=\"SDH\",LANGUAGE=\"en\","
        "CHARACTERISTICS=\"public.accessibility.transcribes-spoken-dialog,"
        "public.accessibility.describes-music-and-sound\",URI=\"sdh.m3u8\"\n"
        "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"s\",NAME=\"Forced\",LANGUAGE=\"en\",FORCED=YES,"
        "URI=\"forced.m3u8\"\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=1000,CODECS=\"avc1.64001f,mp4a.40.2\",AUDIO=\"a\","
        "SUBTITLES=\"s\"\n"
        "v.m3u8\n";
    sv__presentation *pres = NULL;
    sv__parse_error err;
    (void)state;
    assert_int_equal(sv__model_create(SV__SOURCE_HLS, master, sizeof(master) - 1,
                                      "http://h/m.m3u8", 0, NULL, &pres, &err), 0);
    assert_int_equal(track_of(pres, SV_TRACK_AUDIO, 0)->roles, SV__ROLE_DESCRIPTION);
    assert_int_equal(track_of(pres, SV_TRACK_AUDIO, 1)->roles, 0);
    assert_int_equal(track_of(pres, SV_TRACK_TEXT, 0)->roles, SV__ROLE_CAPTION);
    assert_int_equal(track_of(pres, SV_TRACK_TEXT, 1)->roles, SV__ROLE_FORCED);
    assert_int_equal(sv__lang_default(&pres->periods[0], SV_TRACK_AUDIO), 1);
    assert_int_equal(pick(&pres->periods[0], SV_TRACK_AUDIO, "en:description"), 0);
    sv__model_destroy(pres);
}

static void test_dash_roles(void **state)
{
    static const char mpd[] =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" "
        "mediaPresentationDuration=\"PT4S\"><Period>"
        "<AdaptationSet contentType=\"audio\" lang=\"en\">"
        "<Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"commentary\"/>"
        "<Representation id=\"c\" bandwidth=\"1\"><BaseURL>c.mp4</BaseURL></Representation>"
        "</AdaptationSet>"
        "<AdaptationSet contentType=\"audio\" lang=\"en\">"
        "<Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"alternate\"/>"
        "<Accessibility schemeIdUri=\"urn:tva:metadata:cs:AudioPurposeCS:2007\" value=\"1\"/>"
        "<Representation id=\"d\" bandwidth=\"1\"><BaseURL>d.mp4</BaseURL></Representation>"
        "</AdaptationSet>"
        "<AdaptationSet contentType=\"audio\" lang=\"en\">"
        "<Role schemeIdUri=\"URN:MPEG:DASH:ROLE:2011\" value=\"main\"/>"
        "<Representation id=\"m\" bandwidth=\"1\"><BaseURL>m.mp4</BaseURL></Representation>"
        "</AdaptationSet>"
        "<AdaptationSet contentType=\"text\" mimeType=\"text/vtt\" lang=\"en\">"
        "<Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"subtitle\"/>"
        "<Accessibility schemeIdUri=\"urn:tva:metadata:cs:AudioPurposeCS:2007\" value=\"2\"/>"
        "<Representation id=\"s\" bandwidth=\"1\"><BaseURL>s.vtt</BaseURL></Representation>"
        "</AdaptationSet>"
        "<AdaptationSet contentType=\"text\" mimeType=\"text/vtt\" lang=\"en\">"
        "<Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"forced-subtitle\"/>"
        "<Accessibility schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"caption\"/>"
        "<Representation id=\"f\" bandwidth=\"1\"><BaseURL>f.vtt</BaseURL></Representation>"
        "</AdaptationSet></Period></MPD>";
    sv__presentation *pres = NULL;
    sv__parse_error err;
    (void)state;
    assert_int_equal(sv__model_create(SV__SOURCE_DASH, mpd, sizeof(mpd) - 1, "http://h/m.mpd",
                                      0, NULL, &pres, &err), 0);
    assert_int_equal(track_of(pres, SV_TRACK_AUDIO, 0)->roles, SV__ROLE_COMMENTARY);
    assert_int_equal(track_of(pres, SV_TRACK_AUDIO, 1)->roles,
                     SV__ROLE_ALTERNATE | SV__ROLE_DESCRIPTION);
    assert_int_equal(track_of(pres, SV_TRACK_AUDIO, 2)->roles, SV__ROLE_MAIN);
    assert_int_equal(track_of(pres, SV_TRACK_TEXT, 0)->roles,
                     SV__ROLE_SUBTITLE | SV__ROLE_CAPTION);
    assert_int_equal(track_of(pres, SV_TRACK_TEXT, 1)->roles, SV__ROLE_FORCED | SV__ROLE_CAPTION);
    /* The default is the set with Role main, not the first. */
    assert_false(track_of(pres, SV_TRACK_AUDIO, 0)->is_default);
    assert_true(track_of(pres, SV_TRACK_AUDIO, 2)->is_default);
    assert_int_equal(sv__lang_default(&pres->periods[0], SV_TRACK_AUDIO), 2);
    assert_int_equal(pick(&pres->periods[0], SV_TRACK_AUDIO, "en"), 2);
    assert_int_equal(pick(&pres->periods[0], SV_TRACK_AUDIO, "en:description"), 1);
    sv__model_destroy(pres);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_role_names),
        cmocka_unit_test(test_languages),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_hls_roles),
        cmocka_unit_test(test_dash_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
