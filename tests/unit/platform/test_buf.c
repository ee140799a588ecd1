/*
 * The growable byte buffer (platform/buf.h): appends and big-endian
 * integers land byte for byte, printf text of any length, take hands the
 * memory over, and a failure is sticky.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "platform/buf.h"

static void integers_are_big_endian(void **state)
{
    static const uint8_t want[] = { 0x7f, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef,
                                    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 'o', 'k' };
    sv__buf b;
    (void)state;

    sv__buf_init(&b);
    sv__buf_u8(&b, 0x7f);
    sv__buf_u16(&b, 0x1234);
    sv__buf_u32(&b, 0xdeadbeef);
    sv__buf_u64(&b, 0x0102030405060708ull);
    sv__buf_append(&b, "ok", 2);
    sv__buf_append(&b, NULL, 0);
    assert_int_equal(b.err, 0);
    assert_int_equal(b.size, sizeof(want));
    assert_memory_equal(b.data, want, sizeof(want));
    sv__buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.size, 0);
}

static void grows_past_many_doublings(void **state)
{
    sv__buf b = { 0 };
    (void)state;

    for (uint32_t i = 0; i < 100000; i++)
        sv__buf_u32(&b, i);
    assert_int_equal(b.err, 0);
    assert_int_equal(b.size, 400000);
    assert_true(b.cap >= b.size);
    for (uint32_t i = 0; i < 100000; i += 9973) {
        const uint8_t *p = b.data + 4 * i;
        assert_int_equal((uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3], i);
    }
    sv__buf_free(&b);
}

static void printf_appends_text_of_any_length(void **state)
{
    sv__buf b = { 0 };
    char *big = malloc(5001);
    (void)state;

    assert_non_null(big);
    memset(big, 'x', 5000);
    big[5000] = '\0';
    sv__buf_printf(&b, "#EXTINF:%.3f,\n", 4.0);
    sv__buf_printf(&b, "%s", big);
    sv__buf_printf(&b, "|%d", 42);
    assert_int_equal(b.err, 0);
    assert_int_equal(b.size, strlen("#EXTINF:4.000,\n") + 5000 + 3);
    assert_memory_equal(b.data, "#EXTINF:4.000,\n", 15);
    assert_memory_equal(b.data + 15 + 5000, "|42", 3);
    free(big);
    sv__buf_free(&b);
}

static void take_hands_the_memory_over(void **state)
{
    sv__buf b = { 0 };
    size_t size = 99;
    uint8_t *d;
    (void)state;

    assert_null(sv__buf_take(&b, &size));
    assert_int_equal(size, 0);
    sv__buf_append(&b, "moof", 4);
    d = sv__buf_take(&b, &size);
    assert_non_null(d);
    assert_int_equal(size, 4);
    assert_memory_equal(d, "moof", 4);
    assert_null(b.data);
    assert_int_equal(b.size, 0);
    assert_int_equal(b.cap, 0);
    free(d);
}

static void failure_is_sticky(void **state)
{
    sv__buf b = { 0 };
    (void)state;

    sv__buf_append(&b, "abc", 3);
    /* A size that cannot be: the reservation fails without allocating. */
    assert_int_equal(sv__buf_reserve(&b, SIZE_MAX), SV_ERR_NOMEM);
    assert_int_equal(b.err, SV_ERR_NOMEM);
    sv__buf_append(&b, "def", 3);
    sv__buf_u32(&b, 1);
    sv__buf_printf(&b, "%d", 7);
    assert_int_equal(b.size, 3);
    assert_int_equal(sv__buf_reserve(&b, 1), SV_ERR_NOMEM);
    sv__buf_free(&b);
    assert_int_equal(b.err, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(integers_are_big_endian),
        cmocka_unit_test(grows_past_many_doublings),
        cmocka_unit_test(printf_appends_text_of_any_length),
        cmocka_unit_test(take_hands_the_memory_over),
        cmocka_unit_test(failure_is_sticky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
