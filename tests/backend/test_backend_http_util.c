/*
 * The backend's pure request helpers: request-target decoding and the
 * traversal refusals, query parameters, Range, dates, ETags, routing, the
 * API parameter parsers and fuzzy word matching.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <http_parser.h>

#include "backend/api_params.h"
#include "backend/fuzzy.h"
#include "backend/http_util.h"
#include "backend/router.h"
#include "streamverse/common.h"

static int split(const char *t, char *path, size_t cap, const char **q, size_t *qlen)
{
    return sv__http_target_split(t, strlen(t), path, cap, q, qlen);
}

static void test_target_split(void **state)
{
    char path[64];
    const char *q;
    size_t qlen;

    (void)state;
    assert_int_equal(split("/media/1/a%20b.m3u8?x=1&y", path, sizeof(path), &q, &qlen), 0);
    assert_string_equal(path, "/media/1/a b.m3u8");
    assert_int_equal(qlen, 5);
    assert_memory_equal(q, "x=1&y", 5);
    assert_int_equal(split("/api/v1/titles", path, sizeof(path), &q, &qlen), 0);
    assert_int_equal(qlen, 0);
    /* Traversal in every spelling is refused as "names nothing". */
    assert_int_equal(split("/media/../etc/passwd", path, sizeof(path), &q, &qlen), SV_ERR_FORBIDDEN);
    assert_int_equal(split("/media/%2e%2e/x", path, sizeof(path), &q, &qlen), SV_ERR_FORBIDDEN);
    assert_int_equal(split("/media/%2E%2e", path, sizeof(path), &q, &qlen), SV_ERR_FORBIDDEN);
    assert_int_equal(split("/media/.%2e/x", path, sizeof(path), &q, &qlen), SV_ERR_FORBIDDEN);
    assert_int_equal(split("/media/1/./x", path, sizeof(path), &q, &qlen), SV_ERR_FORBIDDEN);
    assert_int_equal(split("/media/..%2fetc", path, sizeof(path), &q, &qlen), SV_ERR_FORBIDDEN);
    assert_int_equal(split("/media/a%2fb", path, sizeof(path), &q, &qlen), SV_ERR_FORBIDDEN);
    assert_int_equal(split("/media/a%00b", path, sizeof(path), &q, &qlen), SV_ERR_FORBIDDEN);
    assert_int_equal(split("/media/a%5c..", path, sizeof(path), &q, &qlen), SV_ERR_FORBIDDEN);
    /* Names that merely contain dots are fine. */
    assert_int_equal(split("/media/1/..a/.b", path, sizeof(path), &q, &qlen), 0);
    /* Malformed. */
    assert_int_equal(split("/media/%zz", path, sizeof(path), &q, &qlen), SV_ERR_PARSE);
    assert_int_equal(split("/media/%4", path, sizeof(path), &q, &qlen), SV_ERR_PARSE);
    assert_int_equal(split("media/x", path, sizeof(path), &q, &qlen), SV_ERR_PARSE);
    assert_int_equal(split("http://h/x", path, sizeof(path), &q, &qlen), SV_ERR_PARSE);
    assert_int_equal(split("/aaaaaaaaaaaaaaaaaaaa", path, 8, &q, &qlen), SV_ERR_OVERFLOW);
}

static void test_query(void **state)
{
    const char *q = "title=Stranger+Things&genre=Drama&genre=Sci%2DFi&flag&bad=%zz";
    char v[32];

    (void)state;
    assert_int_equal(sv__http_query_get(q, strlen(q), "title", 0, v, sizeof(v)), 15);
    assert_string_equal(v, "Stranger Things");
    assert_int_equal(sv__http_query_get(q, strlen(q), "genre", 1, v, sizeof(v)), 6);
    assert_string_equal(v, "Sci-Fi");
    assert_int_equal(sv__http_query_get(q, strlen(q), "genre", 2, v, sizeof(v)), SV_ERR_NOT_FOUND);
    assert_int_equal(sv__http_query_get(q, strlen(q), "flag", 0, v, sizeof(v)), 0);
    assert_int_equal(sv__http_query_get(q, strlen(q), "bad", 0, v, sizeof(v)), SV_ERR_PARSE);
    assert_int_equal(sv__http_query_get(q, strlen(q), "title", 0, v, 4), SV_ERR_OVERFLOW);
    assert_int_equal(sv__http_query_get("a=%00", 5, "a", 0, v, sizeof(v)), SV_ERR_PARSE);
}

static int range(const char *v, uint64_t size, uint64_t *a, uint64_t *b)
{
    sv__byte_range r = {0, 0};
    int ret = sv__http_range_parse(v, strlen(v), size, &r);

    *a = r.first;
    *b = r.last;
    return ret;
}

static void test_range(void **state)
{
    uint64_t a, b;

    (void)state;
    assert_int_equal(range("bytes=0-99", 1000, &a, &b), SV__RANGE_OK);
    assert_true(a == 0 && b == 99);
    assert_int_equal(range("bytes=900-", 1000, &a, &b), SV__RANGE_OK);
    assert_true(a == 900 && b == 999);
    assert_int_equal(range("bytes=900-5000", 1000, &a, &b), SV__RANGE_OK);
    assert_true(a == 900 && b == 999);
    assert_int_equal(range("bytes=-100", 1000, &a, &b), SV__RANGE_OK);
    assert_true(a == 900 && b == 999);
    assert_int_equal(range("bytes=-5000", 1000, &a, &b), SV__RANGE_OK);
    assert_true(a == 0 && b == 999);
    assert_int_equal(range("bytes=1000-", 1000, &a, &b), SV__RANGE_UNSATISFIABLE);
    assert_int_equal(range("bytes=-0", 1000, &a, &b), SV__RANGE_UNSATISFIABLE);
    assert_int_equal(range("bytes=0-0", 0, &a, &b), SV__RANGE_UNSATISFIABLE);
    /* Ignored: other units, several ranges, bad syntax. */
    assert_int_equal(range("items=0-1", 1000, &a, &b), SV__RANGE_NONE);
    assert_int_equal(range("bytes=0-1,5-6", 1000, &a, &b), SV__RANGE_NONE);
    assert_int_equal(range("bytes=5-1", 1000, &a, &b), SV__RANGE_NONE);
    assert_int_equal(range("bytes=x-1", 1000, &a, &b), SV__RANGE_NONE);
    assert_int_equal(range("bytes=1-2x", 1000, &a, &b), SV__RANGE_NONE);
    assert_int_equal(range("bytes=99999999999999999999-", 1000, &a, &b), SV__RANGE_NONE);
}

static void test_dates_etags(void **state)
{
    char buf[40];
    time_t t;

    (void)state;
    sv__http_date(784111777, buf, sizeof(buf));
    assert_string_equal(buf, "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_int_equal(sv__http_date_parse(buf, &t), 0);
    assert_int_equal(t, 784111777);
    assert_int_equal(sv__http_date_parse("Sun, 06 Nov 1994 08:49:37 PST", &t), SV_ERR_PARSE);
    assert_int_equal(sv__http_date_parse("yesterday", &t), SV_ERR_PARSE);
    assert_true(sv__http_etag_match("\"a-1\"", "\"a-1\""));
    assert_true(sv__http_etag_match("\"x\", W/\"a-1\"", "\"a-1\""));
    assert_true(sv__http_etag_match("*", "\"a-1\""));
    assert_false(sv__http_etag_match("\"a-2\"", "\"a-1\""));
    assert_false(sv__http_etag_match("", "\"a-1\""));
}

static void nop(void *ctx, sv__http_req *req)
{
    (void)ctx;
    (void)req;
}

static void test_router(void **state)
{
    static const sv__route table[] = {
        {SV__M(HTTP_GET), "/api/v1/titles", "list", NULL, nop, 0, 0},
        {SV__M(HTTP_GET), "/api/v1/titles/{}", "get", NULL, nop, 0, 0},
        {SV__M(HTTP_PATCH), "/api/v1/titles/{}", "patch", NULL, nop, 0, 0},
        {SV__M(HTTP_GET), "/media/*", "media", NULL, nop, 0, 0},
    };
    sv__http_req req;
    unsigned allowed = 0;
    char text[64];

    (void)state;
    memset(&req, 0, sizeof(req));
    req.method = HTTP_GET;
    strcpy(req.path, "/api/v1/titles/42");
    assert_int_equal(sv__route_match(table, 4, &req, &allowed), 1);
    assert_string_equal(req.params[0], "42");
    req.method = HTTP_PATCH;
    assert_int_equal(sv__route_match(table, 4, &req, &allowed), 2);
    req.method = HTTP_DELETE;
    assert_int_equal(sv__route_match(table, 4, &req, &allowed), SV__ROUTE_BAD_METHOD);
    sv__route_methods_text(allowed, text, sizeof(text));
    assert_string_equal(text, "GET, PATCH, OPTIONS");
    req.method = HTTP_GET;
    strcpy(req.path, "/media/7/video/720p/seg-1.m4s");
    assert_int_equal(sv__route_match(table, 4, &req, &allowed), 3);
    assert_string_equal(req.params[0], "7/video/720p/seg-1.m4s");
    strcpy(req.path, "/api/v1/titles/42/x");
    assert_int_equal(sv__route_match(table, 4, &req, &allowed), SV__ROUTE_NO_PATH);
    strcpy(req.path, "/media/");
    assert_int_equal(sv__route_match(table, 4, &req, &allowed), SV__ROUTE_NO_PATH);
}

static void test_params(void **state)
{
    const char *q = "title=Stranger+Things&genre=Drama&genre=SciFi&synopsis=Kids";
    sv__ingest_params ip;
    sv__list_params lp;
    sv__title_patch tp;
    char err[256];

    (void)state;
    assert_int_equal(sv__ingest_params_parse(q, strlen(q), &ip, err, sizeof(err)), 0);
    assert_string_equal(ip.title, "Stranger Things");
    assert_int_equal(ip.nb_genres, 2);
    assert_string_equal(ip.genres[1], "SciFi");
    assert_int_equal(sv__ingest_params_parse("genre=x", 7, &ip, err, sizeof(err)), SV_ERR_INVALID);
    assert_non_null(strstr(err, "title"));
    assert_int_equal(sv__ingest_params_parse("title=a%0Ab", 11, &ip, err, sizeof(err)),
                     SV_ERR_INVALID);

    assert_int_equal(sv__list_params_parse("", 0, &lp, err, sizeof(err)), 0);
    assert_int_equal(lp.limit, 20);
    assert_int_equal(sv__list_params_parse("limit=5&offset=10&status=all", 28, &lp, err,
                                           sizeof(err)), 0);
    assert_true(lp.limit == 5 && lp.offset == 10 && lp.all == 1);
    assert_int_equal(sv__list_params_parse("limit=0", 7, &lp, err, sizeof(err)), SV_ERR_INVALID);
    assert_int_equal(sv__list_params_parse("limit=abc", 9, &lp, err, sizeof(err)), SV_ERR_INVALID);
    assert_int_equal(sv__list_params_parse("status=gone", 11, &lp, err, sizeof(err)),
                     SV_ERR_INVALID);

    assert_int_equal(sv__title_patch_parse("{\"title\":\"A\",\"genres\":[\"x\"]}", 28, &tp, err,
                                           sizeof(err)), 0);
    assert_string_equal(tp.title, "A");
    assert_null(tp.synopsis);
    assert_int_equal(json_array_size(tp.genres), 1);
    json_decref(tp.root);
    assert_int_equal(sv__title_patch_parse("{\"title\":", 9, &tp, err, sizeof(err)), SV_ERR_INVALID);
    assert_non_null(strstr(err, "invalid JSON"));
    assert_int_equal(sv__title_patch_parse("[]", 2, &tp, err, sizeof(err)), SV_ERR_INVALID);
    assert_int_equal(sv__title_patch_parse("{}", 2, &tp, err, sizeof(err)), SV_ERR_INVALID);
    assert_int_equal(sv__title_patch_parse("{\"title\":\"\"}", 12, &tp, err, sizeof(err)),
                     SV_ERR_INVALID);
    assert_int_equal(sv__title_patch_parse("{\"x\":1}", 7, &tp, err, sizeof(err)), SV_ERR_INVALID);
    assert_int_equal(sv__title_patch_parse("{\"genres\":[1]}", 14, &tp, err, sizeof(err)),
                     SV_ERR_INVALID);
    assert_int_equal(sv__title_patch_parse("{\"title\":\"a\",\"title\":\"b\"}", 25, &tp, err,
                                           sizeof(err)), SV_ERR_INVALID);

    assert_int_equal(sv__parse_id("42"), 42);
    assert_int_equal(sv__parse_id("042"), -1);
    assert_int_equal(sv__parse_id("4x"), -1);
    assert_int_equal(sv__parse_id(""), -1);
}

static void test_fuzzy(void **state)
{
    (void)state;
    assert_int_equal(sv__edit_distance("strnger", 7, "Stranger", 8), 1);
    assert_int_equal(sv__edit_distance("strnager", 8, "stranger", 8), 1); /* transposition */
    assert_int_equal(sv__edit_distance("abc", 3, "abc", 3), 0);
    assert_int_equal(sv__fuzzy_score("strnger", "Stranger Things"), 1);
    assert_int_equal(sv__fuzzy_score("strnger thngs", "Stranger Things"), 2);
    assert_int_equal(sv__fuzzy_score("str", "Stranger Things"), 0);   /* a prefix */
    assert_int_equal(sv__fuzzy_score("crown", "Stranger Things"), -1);
    assert_int_equal(sv__fuzzy_score("xyz", "The Crown"), -1);
    assert_int_equal(sv__fuzzy_score("", "The Crown"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_split), cmocka_unit_test(test_query),
        cmocka_unit_test(test_range),        cmocka_unit_test(test_dates_etags),
        cmocka_unit_test(test_router),       cmocka_unit_test(test_params),
        cmocka_unit_test(test_fuzzy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
