/* URL resolution: RFC 3986 section 5.4 examples, through libcurl's URL API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "player/manifest/url.h"

static void resolves_rfc3986_examples(void **state)
{
    sv__arena *a = sv__arena_create(NULL);
    const char *base = "http://a/b/c/d;p?q";
    const char *cases[][2] = {
        { "g", "http://a/b/c/g" },
        { "./g", "http://a/b/c/g" },
        { "g/", "http://a/b/c/g/" },
        { "/g", "http://a/g" },
        { "?y", "http://a/b/c/d;p?y" },
        { "g?y", "http://a/b/c/g?y" },
        { "../g", "http://a/b/g" },
        { "../../g", "http://a/g" },
        { "https://cdn2.example/x.m4s", "https://cdn2.example/x.m4s" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *r = sv__url_resolve(a, base, cases[i][0]);
        assert_non_null(r);
        assert_string_equal(r, cases[i][1]);
    }
    assert_string_equal(sv__url_resolve(a, "http://127.0.0.1:8080/media/t1/master.m3u8",
                                        "v0/seg_1.m4s"),
                        "http://127.0.0.1:8080/media/t1/v0/seg_1.m4s");
    assert_string_equal(sv__url_resolve(a, "file:///data/t/master.m3u8", "a.m3u8"),
                        "file:///data/t/a.m3u8");
    /* No base: only absolute references resolve. */
    assert_null(sv__url_resolve(a, NULL, "seg.ts"));
    assert_non_null(sv__url_resolve(a, NULL, "http://h/seg.ts"));
    assert_string_equal(sv__url_resolve(a, base, "data:text/plain;base64,AAAA"),
                        "data:text/plain;base64,AAAA");
    assert_true(sv__url_is_absolute("https://x/y"));
    assert_false(sv__url_is_absolute("x/y:z"));
    assert_false(sv__url_is_absolute("/abs/path"));
    sv__arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(resolves_rfc3986_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
