/*
 * The subsample map from protectable ranges (drm/package.h,
 * sv__cenc_range_subsamples): the AV1-ISOBMFF and CENC rules each scheme
 * adds to the ranges a codec's layout finds, checked on hand-made layouts
 * (an AV1 frame with two tiles, one under a block; HEVC slices; long clear
 * runs), and a cbcs map that must decrypt back with the engine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "drm/cenc.h"

static size_t covered(const sv_subsample *s, int n)
{
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += s[i].clear_bytes + s[i].protected_bytes;
    return total;
}

/* A 300-byte AV1 sample: temporal delimiter, frame header etc. clear; tile
 * 0 at 40 (100 bytes), tile 1 at 150 (10 bytes), tile 2 at 200 (90 bytes,
 * ends the sample). */
static const sv__cenc_range tiles[] = { { 40, 100 }, { 150, 10 }, { 200, 100 } };

static void cenc_protects_whole_blocks_ending_each_tile(void **state)
{
    sv_subsample s[8];
    (void)state;
    int n = sv__cenc_range_subsamples(300, tiles, 3, 1, s, 8);
    /* Tile 0: 96 bytes protected, its first 4 clear; tile 1 (under one
     * block) stays clear and joins the run before tile 2; tile 2: 96. */
    assert_int_equal(n, 2);
    assert_int_equal(s[0].clear_bytes, 40 + 4);
    assert_int_equal(s[0].protected_bytes, 96);
    assert_int_equal(s[1].clear_bytes, 10 + 10 + 40 + 4);
    assert_int_equal(s[1].protected_bytes, 96);
    assert_int_equal(covered(s, n), 300);
    for (int i = 0; i < n; i++)
        assert_int_equal(s[i].protected_bytes % 16, 0);
}

static void cbcs_protects_each_tile_exactly(void **state)
{
    sv_subsample s[8];
    (void)state;
    int n = sv__cenc_range_subsamples(300, tiles, 3, 0, s, 8);
    /* One subsample per tile, even the 10-byte one. */
    assert_int_equal(n, 3);
    assert_int_equal(s[0].clear_bytes, 40);
    assert_int_equal(s[0].protected_bytes, 100);
    assert_int_equal(s[1].clear_bytes, 10);
    assert_int_equal(s[1].protected_bytes, 10);
    assert_int_equal(s[2].clear_bytes, 40);
    assert_int_equal(s[2].protected_bytes, 100);
    assert_int_equal(covered(s, n), 300);
}

static void trailing_bytes_and_long_clear_runs(void **state)
{
    sv_subsample s[8];
    const sv__cenc_range one = { 70000, 32 };
    (void)state;
    /* 70000 clear bytes: split at 65535, the rest before the range; the
     * 8 bytes after the range end in a subsample with nothing protected. */
    int n = sv__cenc_range_subsamples(70040, &one, 1, 1, s, 8);
    assert_int_equal(n, 3);
    assert_int_equal(s[0].clear_bytes, 65535);
    assert_int_equal(s[0].protected_bytes, 0);
    assert_int_equal(s[1].clear_bytes, 70000 - 65535);
    assert_int_equal(s[1].protected_bytes, 32);
    assert_int_equal(s[2].clear_bytes, 8);
    assert_int_equal(s[2].protected_bytes, 0);
    /* No range at all (a shown existing frame): one clear subsample. */
    assert_int_equal(sv__cenc_range_subsamples(12, NULL, 0, 1, s, 8), 1);
    assert_int_equal(s[0].clear_bytes, 12);
    assert_int_equal(s[0].protected_bytes, 0);
}

static void bad_ranges_are_refused(void **state)
{
    sv_subsample s[2];
    const sv__cenc_range past = { 290, 20 };
    const sv__cenc_range backwards[] = { { 100, 50 }, { 120, 20 } };
    (void)state;
    assert_int_equal(sv__cenc_range_subsamples(300, &past, 1, 1, s, 2), SV_ERR_INVALID);
    assert_int_equal(sv__cenc_range_subsamples(300, backwards, 2, 0, s, 2), SV_ERR_INVALID);
    assert_int_equal(sv__cenc_range_subsamples(300, tiles, 3, 0, s, 2), SV_ERR_OVERFLOW);
}

/* A cbcs map over tiles that are not whole blocks decrypts back: the
 * engine leaves each partial trailing block clear on both sides. */
static void cbcs_map_round_trips(void **state)
{
    static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    uint8_t clear[300], data[300];
    sv_subsample s[8];
    (void)state;
    for (size_t i = 0; i < sizeof(clear); i++)
        clear[i] = (uint8_t)(i * 7 + 3);
    memcpy(data, clear, sizeof(data));
    int n = sv__cenc_range_subsamples(300, tiles, 3, 0, s, 8);
    sv_encrypted_sample e = { .scheme = SV_SCHEME_CBCS, .iv_size = 16, .crypt_byte_block = 1,
                              .skip_byte_block = 9, .subsamples = s, .nb_subsamples = (size_t)n,
                              .data = data, .size = sizeof(data) };
    memset(e.iv, 0x42, 16);
    assert_int_equal(sv__cenc_crypt_sample(key, &e, 1), 0);
    assert_memory_not_equal(data + 40, clear + 40, 16);   /* tile 0's first block */
    assert_memory_equal(data, clear, 40);                 /* headers stay clear */
    assert_memory_equal(data + 150, clear + 150, 10);     /* a partial block stays */
    assert_int_equal(sv__cenc_crypt_sample(key, &e, 0), 0);
    assert_memory_equal(data, clear, sizeof(clear));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cenc_protects_whole_blocks_ending_each_tile),
        cmocka_unit_test(cbcs_protects_each_tile_exactly),
        cmocka_unit_test(trailing_bytes_and_long_clear_runs),
        cmocka_unit_test(bad_ranges_are_refused),
        cmocka_unit_test(cbcs_map_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
