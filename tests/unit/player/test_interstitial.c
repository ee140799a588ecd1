/*
 * HLS interstitials: an interstitial DATERANGE's attributes
 * (sv__interstitial_read: X-ASSET-URI and X-ASSET-LIST resolved against
 * the media playlist, X-RESUME-OFFSET, X-PLAYOUT-LIMIT, X-RESTRICT, CUE;
 * what is wrong refused with the attribute named) and the X-ASSET-LIST
 * document (sv__asset_list_parse with jansson: URIs resolved against the
 * list, DURATION optional; not JSON, no ASSETS, a URI that is not a string
 * or does not resolve, a bad DURATION, too many assets refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "player/manifest/interstitial.h"
#include "streamverse/common.h"

#define BASE "http://127.0.0.1:8080/media/1/video/240p/index.m3u8"

static void svserver_tag(void **state)
{
    (void)state;
    sv__interstitial_desc d;
    char why[200];
    assert_int_equal(sv__interstitial_read(
                         "ID=\"sv-break-1\",CLASS=\"com.apple.hls.interstitial\","
                         "START-DATE=\"2000-01-01T00:00:02.000Z\",DURATION=2.000,"
                         "X-ASSET-URI=\"../../ads/2/master.m3u8\",X-RESUME-OFFSET=0,"
                         "X-RESTRICT=\"SKIP,JUMP\",SCTE35-OUT=0xFC30",
                         BASE, &d, why, sizeof(why)),
                     0);
    assert_string_equal(d.asset_uri, "http://127.0.0.1:8080/media/1/ads/2/master.m3u8");
    assert_string_equal(d.list_uri, "");
    assert_true(d.resume_offset == 0);
    assert_true(d.playout_limit < 0);
    assert_int_equal(d.restrict_flags, SV__RESTRICT_SKIP | SV__RESTRICT_JUMP);
    assert_int_equal(d.cue, 0);
}

static void list_and_cues(void **state)
{
    (void)state;
    sv__interstitial_desc d;
    char why[200];
    assert_int_equal(sv__interstitial_read("X-ASSET-LIST=\"/lists/a.json?x=1\",CUE=\"PRE,ONCE\","
                                           "X-PLAYOUT-LIMIT=3.5,X-RESTRICT=\"JUMP\",X-SNAP=\"OUT\"",
                                           BASE, &d, why, sizeof(why)),
                     0);
    assert_string_equal(d.list_uri, "http://127.0.0.1:8080/lists/a.json?x=1");
    assert_int_equal(d.cue, SV__CUE_PRE | SV__CUE_ONCE);
    assert_true(d.playout_limit == 3.5);
    assert_true(d.resume_offset < 0);
    assert_int_equal(d.restrict_flags, SV__RESTRICT_JUMP);
    assert_int_equal(sv__interstitial_read("X-ASSET-URI=\"a.m3u8\",CUE=\"POST\"", BASE, &d, why,
                                           sizeof(why)),
                     0);
    assert_int_equal(d.cue, SV__CUE_POST);
}

static void bad_tags(void **state)
{
    (void)state;
    static const struct { const char *attrs, *why; } cases[] = {
        { "CLASS=\"com.apple.hls.interstitial\"", "neither X-ASSET-URI nor X-ASSET-LIST" },
        { "X-ASSET-URI=\"a.m3u8\",X-ASSET-LIST=\"b.json\"", "both X-ASSET-URI and X-ASSET-LIST" },
        { "X-ASSET-URI=a.m3u8", "X-ASSET-URI is not a quoted URI" },
        { "X-ASSET-URI=\"\"", "X-ASSET-URI is not a quoted URI" },
        { "X-ASSET-URI=\"a\",X-RESUME-OFFSET=-1", "X-RESUME-OFFSET" },
        { "X-ASSET-URI=\"a\",X-RESUME-OFFSET=\"0\"", "X-RESUME-OFFSET" },
        { "X-ASSET-URI=\"a\",X-PLAYOUT-LIMIT=0", "X-PLAYOUT-LIMIT" },
        { "X-ASSET-URI=\"a\",X-RESTRICT=SKIP", "X-RESTRICT" },
        { "X-ASSET-URI=\"a\",CUE=\"PRE,POST\"", "both PRE and POST" },
        { "X-ASSET-URI=\"a", "does not parse" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sv__interstitial_desc d;
        char why[200] = "";
        assert_int_equal(sv__interstitial_read(cases[i].attrs, BASE, &d, why, sizeof(why)),
                         SV_ERR_PARSE);
        assert_non_null(strstr(why, cases[i].why));
    }
}

#define LIST_URL "http://127.0.0.1:8080/lists/breaks/one.json"

static void asset_lists(void **state)
{
    (void)state;
    sv__asset a[SV__ASSETS_MAX];
    size_t n = 99;
    char why[300];
    const char *ok = "{\"ASSETS\":[{\"URI\":\"/ad/master.m3u8\",\"DURATION\":2.5},"
                     "{\"URI\":\"../x/m.m3u8\"},{\"URI\":\"https://cdn.example/a.m3u8\",\"DURATION\":0}],"
                     "\"X-OTHER\":1}";
    assert_int_equal(sv__asset_list_parse(ok, strlen(ok), LIST_URL, a, SV__ASSETS_MAX, &n, why,
                                          sizeof(why)),
                     0);
    assert_int_equal(n, 3);
    assert_string_equal(a[0].uri, "http://127.0.0.1:8080/ad/master.m3u8");
    assert_true(a[0].duration == 2.5);
    assert_string_equal(a[1].uri, "http://127.0.0.1:8080/lists/x/m.m3u8");
    assert_true(a[1].duration < 0);
    assert_string_equal(a[2].uri, "https://cdn.example/a.m3u8");
    assert_true(a[2].duration == 0);
}

static void bad_asset_lists(void **state)
{
    (void)state;
    static const struct { const char *json, *why; } cases[] = {
        { "{\"ASSETS\":[{\"URI\":", "not JSON" },
        { "", "not JSON" },
        { "[1,2]", "no ASSETS array" },
        { "{\"assets\":[]}", "no ASSETS array" },
        { "{\"ASSETS\":{}}", "no ASSETS array" },
        { "{\"ASSETS\":[]}", "ASSETS is empty" },
        { "{\"ASSETS\":[{\"URI\":7}]}", "ASSETS[0] has no URI string" },
        { "{\"ASSETS\":[{\"URI\":\"a\"},{\"DURATION\":1}]}", "ASSETS[1] has no URI string" },
        { "{\"ASSETS\":[\"a.m3u8\"]}", "ASSETS[0] has no URI string" },
        { "{\"ASSETS\":[{\"URI\":\"http://[::1\"}]}", "ASSETS[0].URI" },
        { "{\"ASSETS\":[{\"URI\":\"a\",\"DURATION\":-1}]}", "ASSETS[0].DURATION" },
        { "{\"ASSETS\":[{\"URI\":\"a\",\"DURATION\":\"2\"}]}", "ASSETS[0].DURATION" },
        { "{\"ASSETS\":[{\"URI\":\"a\"}],\"ASSETS\":[]}", "not JSON" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sv__asset a[SV__ASSETS_MAX];
        size_t n = 99;
        char why[300] = "";
        assert_int_equal(sv__asset_list_parse(cases[i].json, strlen(cases[i].json), LIST_URL, a,
                                              SV__ASSETS_MAX, &n, why, sizeof(why)),
                         SV_ERR_PARSE);
        assert_int_equal(n, 0);
        if (!strstr(why, cases[i].why))
            fail_msg("case %zu: \"%s\" does not say \"%s\"", i, why, cases[i].why);
    }
    /* More assets than the caller takes. */
    sv__asset a[2];
    size_t n = 0;
    char why[300];
    const char *three = "{\"ASSETS\":[{\"URI\":\"a\"},{\"URI\":\"b\"},{\"URI\":\"c\"}]}";
    assert_int_equal(sv__asset_list_parse(three, strlen(three), LIST_URL, a, 2, &n, why,
                                          sizeof(why)),
                     SV_ERR_PARSE);
    assert_non_null(strstr(why, "3 entries"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(svserver_tag),     cmocka_unit_test(list_and_cues),
        cmocka_unit_test(bad_tags),         cmocka_unit_test(asset_lists),
        cmocka_unit_test(bad_asset_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
