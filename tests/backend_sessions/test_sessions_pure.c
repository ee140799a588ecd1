/*
 * The pure parts of playback: the cdns setting, steering order, pathway
 * clones and JSON, user JWTs, nginx secure_link tokens, and the per-CDN manifest rewrite.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend/accounts.h"
#include "backend/edge_token.h"
#include "backend/manifest_rewrite.h"
#include "backend/steering.h"
#include "streamverse/common.h"

#define SECRET "unit-test-secret-0123456789"
#define NOW 1800000000

static void cdns_parse(void **state)
{
    sv__cdn_list l;
    char err[256];

    (void)state;
    assert_int_equal(sv__cdns_parse("a=http://127.0.0.1:1/,b-2=https://cdn.example;5", &l, err,
                                    sizeof(err)), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.cdn[0].base_url, "http://127.0.0.1:1");
    assert_int_equal(l.cdn[0].weight, 1);
    assert_string_equal(l.cdn[1].id, "b-2");
    assert_int_equal(l.cdn[1].weight, 5);
    assert_int_equal(sv__cdns_parse("", &l, err, sizeof(err)), 0);
    assert_int_equal(l.n, 0);
    static const char *const bad[] = {
        "a", "=http://x", "a=ftp://x", "a=http://", "a=http://x,a=http://y", "a=http://x,",
        "a b=http://x", "a=http://x\"y", "a=http://x?q=1", "a=http://x;0", "a=http://x;",
        "a=http://1,b=http://2,c=http://3,d=http://4,e=http://5,f=http://6,g=http://7,"
        "h=http://8,i=http://9",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(sv__cdns_parse(bad[i], NULL, err, sizeof(err)), SV_ERR_INVALID);
}

static sv__steering *make_steering(void)
{
    sv__steering *st;
    sv__cdn_list l;
    char err[256];

    assert_int_equal(sv__cdns_parse("e1=http://h1:1,e2=http://h2:2;4,e3=http://h3:3", &l, err,
                                    sizeof(err)), 0);
    assert_int_equal(sv__steering_create(&l, 7, &st), 0);
    return st;
}

static void steering_order(void **state)
{
    sv__steering *st = make_steering();
    json_t *p, *j;
    char err[256], *text;

    (void)state;
    p = json_pack("[s]", "e3");
    assert_int_equal(sv__steering_set(st, p, err, sizeof(err)), 0);
    json_decref(p);
    assert_int_equal(sv__steering_priority(st, 2), 1);
    assert_int_equal(sv__steering_priority(st, 0), 2);
    j = sv__steering_json(st, 0, "/s?x=1");
    text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"PATHWAY-PRIORITY\":[\"e3\",\"e1\",\"e2\"],\"RELOAD-URI\":"
                              "\"/s?x=1\",\"TTL\":7,\"VERSION\":1}");
    free(text);
    json_decref(j);
    j = sv__steering_json(st, 1, NULL);
    assert_non_null(json_object_get(j, "SERVICE-LOCATION-PRIORITY"));
    assert_null(json_object_get(j, "RELOAD-URI"));
    json_decref(j);
    /* Unknown, repeated, empty or non-string priorities leave the order alone. */
    static const char *const bad[] = {"[\"e9\"]", "[\"e1\",\"e1\"]", "[]", "[1]", "{}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p = json_loads(bad[i], 0, NULL);
        assert_int_equal(sv__steering_set(st, p, err, sizeof(err)), SV_ERR_INVALID);
        json_decref(p);
    }
    assert_int_equal(sv__steering_order(st)[0], 2);
    sv__steering_destroy(st);
}

/* The steering JSON with sorted keys, for exact comparisons. */
static char *steering_text(const sv__steering *st, int dash)
{
    json_t *j = sv__steering_json(st, dash, NULL);
    char *text;

    assert_non_null(j);
    text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    assert_non_null(text);
    return text;
}

static int update(sv__steering *st, const char *priority, const char *clones)
{
    json_t *p = priority ? json_loads(priority, 0, NULL) : NULL;
    json_t *c = clones ? json_loads(clones, 0, NULL) : NULL;
    char err[256] = "";
    int r;

    assert_true(!priority || p);
    assert_true(!clones || c);
    r = sv__steering_update(st, p, c, err, sizeof(err));
    assert_true(r == 0 || err[0]); /* a refusal always says why */
    json_decref(p);
    json_decref(c);
    return r;
}

static void steering_clones(void **state)
{
    sv__steering *st = make_steering();
    char *text;

    (void)state;
    /* A clone of e1 on another host, put first: the manifests keep CDNs only. */
    assert_int_equal(update(st, "[\"c1\",\"e2\"]",
                            "[{\"base_id\":\"e1\",\"id\":\"c1\",\"host\":\"127.0.0.1:8084\","
                            "\"params\":{\"k\":\"v-1\"}},"
                            "{\"base_id\":\"e2\",\"id\":\"c2\",\"per_variant_uris\":"
                            "{\"v240\":\"http://h9/v.m3u8\"}}]"),
                     0);
    assert_int_equal(sv__steering_clone_count(st), 2);
    text = steering_text(st, 0);
    assert_string_equal(text,
                        "{\"PATHWAY-CLONES\":[{\"BASE-ID\":\"e1\",\"ID\":\"c1\","
                        "\"URI-REPLACEMENT\":{\"HOST\":\"127.0.0.1:8084\",\"PARAMS\":{\"k\":"
                        "\"v-1\"}}},{\"BASE-ID\":\"e2\",\"ID\":\"c2\",\"URI-REPLACEMENT\":"
                        "{\"PER-VARIANT-URIS\":{\"v240\":\"http://h9/v.m3u8\"}}}],"
                        "\"PATHWAY-PRIORITY\":[\"c1\",\"e2\",\"e1\",\"e3\",\"c2\"],\"TTL\":7,"
                        "\"VERSION\":1}");
    free(text);
    /* DASH knows HOST and PARAMS only: c2 has nothing left and goes. */
    text = steering_text(st, 1);
    assert_string_equal(text,
                        "{\"PATHWAY-CLONES\":[{\"BASE-ID\":\"e1\",\"ID\":\"c1\","
                        "\"URI-REPLACEMENT\":{\"HOST\":\"127.0.0.1:8084\",\"PARAMS\":{\"k\":"
                        "\"v-1\"}}}],\"SERVICE-LOCATION-PRIORITY\":[\"c1\",\"e2\",\"e1\",\"e3\"],"
                        "\"TTL\":7,\"VERSION\":1}");
    free(text);
    /* CDN order for the manifests: e2, e1, e3 (c1 skipped). */
    assert_int_equal(sv__steering_order(st)[0], 1);
    assert_int_equal(sv__steering_order(st)[1], 0);
    assert_int_equal(sv__steering_priority(st, 2), 3);

    /* Bad clone sets change nothing. */
    static const char *const bad[] = {
        "{}",
        "[{\"base_id\":\"e9\",\"id\":\"c9\",\"host\":\"h\"}]",     /* unknown base */
        "[{\"base_id\":\"c1\",\"id\":\"c9\",\"host\":\"h\"}]",     /* a clone as base */
        "[{\"base_id\":\"e1\",\"id\":\"e2\",\"host\":\"h\"}]",     /* id of a CDN */
        "[{\"base_id\":\"e1\",\"id\":\"c9\",\"host\":\"h\"},"
        "{\"base_id\":\"e1\",\"id\":\"c9\",\"host\":\"g\"}]",      /* id twice */
        "[{\"base_id\":\"e1\",\"id\":\"c 9\",\"host\":\"h\"}]",    /* id characters */
        "[{\"base_id\":\"e1\",\"id\":\"c9\"}]",                 /* replaces nothing */
        "[{\"base_id\":\"e1\",\"id\":\"c9\",\"host\":\"h/x\"}]",
        "[{\"base_id\":\"e1\",\"id\":\"c9\",\"host\":\"h:0\"}]",
        "[{\"base_id\":\"e1\",\"id\":\"c9\",\"host\":\"h:65536\"}]",
        "[{\"base_id\":\"e1\",\"id\":\"c9\",\"host\":\"[zz]:80\"}]",
        "[{\"base_id\":\"e1\",\"id\":\"c9\",\"host\":7}]",
        "[{\"base_id\":\"e1\",\"id\":\"c9\",\"params\":{\"a b\":\"1\"}}]",
        "[{\"base_id\":\"e1\",\"id\":\"c9\",\"params\":{\"a\":\"x&y\"}}]",
        "[{\"base_id\":\"e1\",\"id\":\"c9\",\"params\":{}}]",
        "[{\"base_id\":\"e1\",\"id\":\"c9\",\"params\":{\"a\":1}}]",
        "[{\"base_id\":\"e1\",\"id\":\"c9\",\"per_variant_uris\":{\"v\":\"ftp://x\"}}]",
        "[{\"base_id\":\"e1\",\"id\":\"c9\",\"per_rendition_uris\":{\"r\":\"http://a b\"}}]",
        "[{\"base_id\":\"e1\",\"id\":\"c9\",\"host\":\"h\",\"HOST\":\"h\"}]", /* unknown key */
        "[1]",
        /* nine clones */
        "[{\"base_id\":\"e1\",\"id\":\"a\",\"host\":\"h\"},"
        "{\"base_id\":\"e1\",\"id\":\"b\",\"host\":\"h\"},"
        "{\"base_id\":\"e1\",\"id\":\"c\",\"host\":\"h\"},"
        "{\"base_id\":\"e1\",\"id\":\"d\",\"host\":\"h\"},"
        "{\"base_id\":\"e1\",\"id\":\"e\",\"host\":\"h\"},"
        "{\"base_id\":\"e1\",\"id\":\"f\",\"host\":\"h\"},"
        "{\"base_id\":\"e1\",\"id\":\"g\",\"host\":\"h\"},"
        "{\"base_id\":\"e1\",\"id\":\"h\",\"host\":\"h\"},"
        "{\"base_id\":\"e1\",\"id\":\"i\",\"host\":\"h\"}]",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (update(st, NULL, bad[i]) != SV_ERR_INVALID)
            fail_msg("bad clones [%zu] %s were accepted", i, bad[i]);
    /* A priority naming a clone that the same request removes is refused. */
    assert_int_equal(update(st, "[\"c1\"]", "[]"), SV_ERR_INVALID);
    assert_int_equal(update(st, NULL, NULL), SV_ERR_INVALID);
    assert_int_equal(sv__steering_clone_count(st), 2);
    text = steering_text(st, 0);
    assert_non_null(
        strstr(text, "\"PATHWAY-PRIORITY\":[\"c1\",\"e2\",\"e1\",\"e3\",\"c2\"]"));
    free(text);

    /* Good hosts; c1 stays in its place when the set is replaced, c3 goes last. */
    assert_int_equal(update(st, NULL,
                            "[{\"base_id\":\"e3\",\"id\":\"c1\",\"host\":\"[::1]:9\"},"
                            "{\"base_id\":\"e1\",\"id\":\"c3\",\"host\":\"cdn-3.example\"}]"),
                     0);
    text = steering_text(st, 0);
    assert_non_null(
        strstr(text, "\"PATHWAY-PRIORITY\":[\"c1\",\"e2\",\"e1\",\"e3\",\"c3\"]"));
    assert_non_null(strstr(text, "{\"BASE-ID\":\"e3\",\"ID\":\"c1\","
                                 "\"URI-REPLACEMENT\":{\"HOST\":\"[::1]:9\"}}"));
    free(text);
    /* [] removes every clone: no PATHWAY-CLONES, CDNs only, same order. */
    assert_int_equal(update(st, NULL, "[]"), 0);
    text = steering_text(st, 0);
    assert_string_equal(text, "{\"PATHWAY-PRIORITY\":[\"e2\",\"e1\",\"e3\"],\"TTL\":7,"
                              "\"VERSION\":1}");
    free(text);
    sv__steering_destroy(st);
}

static void jwt(void **state)
{
    sv__user u = {.id = 42, .name = "alice", .region = "FR", .max_streams = 2};
    char tok[SV__JWT_MAX], bad[SV__JWT_MAX];
    sv__jwt_claims c;
    size_t n;

    (void)state;
    assert_int_equal(sv__jwt_sign(SECRET, &u, NOW, 60, tok, sizeof(tok)), 0);
    assert_int_equal(sv__jwt_verify(SECRET, tok, strlen(tok), NOW + 59, &c), 0);
    assert_int_equal(c.user_id, 42);
    assert_string_equal(c.name, "alice");
    assert_string_equal(c.region, "FR");
    assert_int_equal(c.exp, NOW + 60);
    assert_int_equal(sv__jwt_verify(SECRET, tok, strlen(tok), NOW + 60, &c), SV_ERR_TIMEOUT);
    assert_int_equal(sv__jwt_verify("another-secret-0123456", tok, strlen(tok), NOW, &c),
                     SV_ERR_FORBIDDEN);
    /* Every single-character change is refused, the last one included. */
    n = strlen(tok);
    for (size_t i = 0; i < n; i++) {
        memcpy(bad, tok, n + 1);
        if (bad[i] == '.')
            continue;
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        assert_int_not_equal(sv__jwt_verify(SECRET, bad, n, NOW, &c), 0);
    }
    /* alg "none" with the signature removed. */
    {
        const char *claims = strchr(tok, '.') + 1;

        snprintf(bad, sizeof(bad), "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.%.*s.",
                 (int)(strchr(claims, '.') - claims), claims);
    }
    assert_int_equal(sv__jwt_verify(SECRET, bad, strlen(bad), NOW, &c), SV_ERR_FORBIDDEN);
    assert_int_equal(sv__jwt_verify(SECRET, tok, n - 1, NOW, &c), SV_ERR_FORBIDDEN);
    assert_int_equal(sv__jwt_verify(SECRET, "a.b", 3, NOW, &c), SV_ERR_FORBIDDEN);
}

static void edge_token(void **state)
{
    char q[128];

    (void)state;
    /* printf '1700000000/media/12/ edge-secret-0123456789' | openssl md5 -binary | base64url */
    assert_int_equal(sv__edge_token_query("edge-secret-0123456789", "/media/12/", 1700000000, q,
                                          sizeof(q)), 0);
    assert_string_equal(q, "md5=l7235zo75-lIHdHvD00o4g&expires=1700000000");
    assert_int_equal(sv__edge_token_query("", "/media/12/", 1, q, sizeof(q)), SV_ERR_INVALID);
}

static const char master[] =
    "#EXTM3U\r\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
    "#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI=\"skd://k\",KEYFORMAT=\"identity\"\n"
    "#EXT-X-CONTENT-STEERING:SERVER-URI=\"/old\"\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"a,b\",URI=\"audio/index.m3u8\"\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=500,CODECS=\"avc1.42c00d,mp4a.40.2\",AUDIO=\"audio\","
    "PATHWAY-ID=\"old\"\nvideo/240p/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=300,AUDIO=\"audio\"\n/abs/144p.m3u8\n";

static void hls_rewrite(void **state)
{
    sv__steering *st = make_steering();
    size_t len;
    char *out;

    (void)state;
    out = sv__hls_master_rewrite(master, strlen(master), st, "/media/5/", "/steer?s=1", &len);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    assert_non_null(strstr(out, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
                                "#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI=\"skd://k\","
                                "KEYFORMAT=\"identity\"\n"
                                "#EXT-X-CONTENT-STEERING:SERVER-URI=\"/steer?s=1\","
                                "PATHWAY-ID=\"e1\"\n"));
    assert_null(strstr(out, "/old"));
    assert_null(strstr(out, "\"old\""));
    assert_non_null(strstr(out, "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio.e2\",NAME=\"a,b\","
                                "URI=\"http://h2:2/media/5/audio/index.m3u8\"\n"));
    assert_non_null(strstr(out, "#EXT-X-STREAM-INF:BANDWIDTH=500,CODECS=\"avc1.42c00d,"
                                "mp4a.40.2\",AUDIO=\"audio.e3\",PATHWAY-ID=\"e3\"\n"
                                "http://h3:3/media/5/video/240p/index.m3u8\n"));
    assert_non_null(strstr(out, "PATHWAY-ID=\"e1\"\nhttp://h1:1/abs/144p.m3u8\n"));
    free(out);
    /* Not a master playlist. */
    assert_null(sv__hls_master_rewrite("#EXTM3U\n#EXTINF:2,\nseg.m4s\n", 24, st, "/m/", "/s",
                                       &len));
    assert_null(sv__hls_master_rewrite("hello", 5, st, "/m/", "/s", &len));
    sv__steering_destroy(st);
}

static void dash_rewrite(void **state)
{
    static const char mpd[] =
        "<?xml version=\"1.0\"?><MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\">"
        "<ProgramInformation/><BaseURL>old/</BaseURL><Period><AdaptationSet/></Period></MPD>";
    sv__steering *st = make_steering();
    size_t len;
    char *out;

    (void)state;
    out = sv__dash_mpd_rewrite(mpd, strlen(mpd), st, "/media/5/", "/steer?s=1&fmt=dash", &len);
    assert_non_null(out);
    assert_null(strstr(out, "old/"));
    assert_non_null(strstr(out, "<ProgramInformation/>\n  <BaseURL serviceLocation=\"e1\" "
                                "dvb:priority=\"1\" dvb:weight=\"1\">http://h1:1/media/5/"
                                "</BaseURL>"));
    assert_non_null(strstr(out, "dvb:priority=\"2\" dvb:weight=\"4\">http://h2:2/media/5/"));
    assert_non_null(strstr(out, "<ContentSteering defaultServiceLocation=\"e1\" "
                                "queryBeforeStart=\"false\">/steer?s=1&amp;fmt=dash"
                                "</ContentSteering>\n  <Period>"));
    free(out);
    assert_null(sv__dash_mpd_rewrite("<x/>", 4, st, "/m/", "/s", &len));
    assert_null(sv__dash_mpd_rewrite("<MPD", 4, st, "/m/", "/s", &len));
    sv__steering_destroy(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cdns_parse),   cmocka_unit_test(steering_order),
        cmocka_unit_test(jwt),          cmocka_unit_test(edge_token),
        cmocka_unit_test(hls_rewrite),  cmocka_unit_test(dash_rewrite),
        cmocka_unit_test(steering_clones),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
