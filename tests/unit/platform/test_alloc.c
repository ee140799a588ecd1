/*
 * Allocator plumbing: a host allocator sees every allocation and free, a
 * half-set allocator is refused, and calloc overflow fails cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "platform/alloc.h"
#include "streamverse/version.h"

typedef struct counting { int allocs, frees; } counting;

static void *c_alloc(void *o, size_t n) { ((counting *)o)->allocs++; return malloc(n); }
static void *c_realloc(void *o, void *p, size_t n) { (void)o; return realloc(p, n); }
static void c_free(void *o, void *p) { ((counting *)o)->frees++; free(p); }

static void host_allocator_sees_everything(void **state)
{
    counting cnt = { 0, 0 };
    sv_allocator a = { sizeof(sv_allocator), c_alloc, c_realloc, c_free, &cnt };
    (void)state;

    assert_true(sv__allocator_valid(&a));
    char *s = sv__strdup(&a, "segment");
    int *v = sv__calloc(&a, 4, sizeof(int));
    assert_string_equal(s, "segment");
    assert_int_equal(v[3], 0);
    v = sv__realloc(&a, v, 64 * sizeof(int));
    assert_non_null(v);
    sv__free(&a, s);
    sv__free(&a, v);
    sv__free(&a, NULL);
    assert_int_equal(cnt.allocs, 2);
    assert_int_equal(cnt.frees, 2);
}

static void half_set_allocator_is_invalid(void **state)
{
    sv_allocator a = { sizeof(sv_allocator), c_alloc, NULL, NULL, NULL };
    sv_allocator none = { sizeof(sv_allocator), NULL, NULL, NULL, NULL };
    sv_allocator unsized = { 0, c_alloc, c_realloc, c_free, NULL };
    (void)state;
    assert_false(sv__allocator_valid(&a));
    assert_true(sv__allocator_valid(&none));
    assert_true(sv__allocator_valid(NULL));
    /* struct_size 0: never initialised, refused even with every callback set. */
    assert_false(sv__allocator_valid(&unsized));
}

static void calloc_overflow_fails(void **state)
{
    (void)state;
    assert_null(sv__calloc(NULL, SIZE_MAX / 2, 4));
    assert_null(sv__strdup(NULL, NULL));
    void *p = sv__malloc(NULL, 0); /* a unique pointer, not NULL */
    assert_non_null(p);
    sv__free(NULL, p);
}

static void version_matches_headers(void **state)
{
    char expect[32];
    (void)state;
    snprintf(expect, sizeof(expect), "%d.%d.%d", SV_VERSION_MAJOR, SV_VERSION_MINOR,
             SV_VERSION_PATCH);
    assert_string_equal(sv_version(), expect);
    assert_int_equal(sv_version_number(), SV_VERSION_NUMBER);
    assert_int_equal(SV_MAKE_VERSION(1, 2, 3), 0x010203);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_allocator_sees_everything),
        cmocka_unit_test(half_set_allocator_is_invalid),
        cmocka_unit_test(calloc_overflow_fails),
        cmocka_unit_test(version_matches_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
