/* URL resolution: RFC 3986 section 5.4 examples, through libcurl's URL API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
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

/* The fast path of long playlists: the base's folder followed by a plain
 * reference is what libcurl makes of them, and what is not plain is left
 * to libcurl. */
static void folder_and_plain_paths(void **state)
{
    static const char *const bases[] = {
        "http://127.0.0.1:8080/media/t1/v0/index.m3u8", "https://h.example/a/b/c.m3u8?token=1#f",
        "http://h", "http://h/", "file:///data/t/master.m3u8", "http://h/a%20b/x.m3u8",
    };
    static const char *const plain[] = { "seg_0000001.ts", "v0/seg-1.m4s", "a.b.c", "x~y_z",
                                         "...x", "a/..b/c" };
    static const char *const not_plain[] = { "", "/abs", "./x", "../x", "a/./b", "a/../b",
                                             "a//b", "a/", ".", "..", "x?q", "x#f", "a b",
                                             "%41", "http://h/x", "a:b" };
    sv__arena *a = sv__arena_create(NULL);
    char folder[256];
    (void)state;
    for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
        int n = sv__url_folder(bases[b], folder, sizeof(folder));
        assert_true(n > 0);
        assert_int_equal(folder[n - 1], '/');
        for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
            char joined[512];
            assert_true(sv__url_plain_path(plain[i], strlen(plain[i])));
            snprintf(joined, sizeof(joined), "%s%s", folder, plain[i]);
            assert_string_equal(joined, sv__url_resolve(a, bases[b], plain[i]));
        }
    }
    for (size_t i = 0; i < sizeof(not_plain) / sizeof(not_plain[0]); i++)
        assert_false(sv__url_plain_path(not_plain[i], strlen(not_plain[i])));
    assert_true(sv__url_folder("http://h/a/b.m3u8", folder, 8) < 0); /* too small */
    assert_true(sv__url_folder("not a url", folder, sizeof(folder)) < 0);
    sv__arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(resolves_rfc3986_examples),
        cmocka_unit_test(folder_and_plain_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
