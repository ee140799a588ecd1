/*
 * SCTE-35 splice_info_section: the splice_insert sample of ANSI/SCTE 35
 * (section 14, its CRC included), a time_signal with a segmentation
 * descriptor (provider ad start, with a duration) and its end, a cancelled
 * splice_insert, splice_null, and hostile sections: every truncation of the
 * sample, a wrong CRC, a wrong table_id, an encrypted packet, a
 * splice_command_length and a descriptor length that run past the end, and
 * HLS hex text that is not hex.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <libavutil/crc.h>

#include "player/manifest/scte35.h"

/* ANSI/SCTE 35 sample "/DAvAAAAAAAA///wFAVIAACPf+/+c2nALv4AUsz1AAAAAAAKAAhDVUVJAAABNWLbowo=":
 * splice_insert, event 0x4800008f, out of network, pts_time 0x07369c02e,
 * break_duration 0x0052ccf5 with auto_return, an avail_descriptor. */
static const char *sample_hex =
    "0xFC302F000000000000FFFFF014054800008F7FEFFE7369C02EFE0052CCF500000000000A0008435545490000013562DBA30A";

static size_t sample(uint8_t *out)
{
    int n = sv__scte35_hex(sample_hex, strlen(sample_hex), out, SV_SCTE35_MAX_BYTES);
    assert_int_equal(n, 50);
    return (size_t)n;
}

static void put_crc(uint8_t *s, size_t len)
{
    /* libavutil's table gives the MPEG-2 CRC byte-swapped (as its mpegts
     * muxer writes it). */
    uint32_t crc = av_crc(av_crc_get_table(AV_CRC_32_IEEE), UINT32_MAX, s, len - 4);
    s[len - 4] = (uint8_t)crc;
    s[len - 3] = (uint8_t)(crc >> 8);
    s[len - 2] = (uint8_t)(crc >> 16);
    s[len - 1] = (uint8_t)(crc >> 24);
}

/* A section around a command and a descriptor loop, CRC computed. */
static size_t build(uint8_t *s, uint64_t pts_adjustment, int cmd_type, const uint8_t *cmd,
                    size_t cmd_len, const uint8_t *desc, size_t desc_len)
{
    size_t o = 0, total = 14 + cmd_len + 2 + desc_len + 4;
    s[o++] = 0xFC;
    s[o++] = (uint8_t)(0x30 | ((total - 3) >> 8));
    s[o++] = (uint8_t)(total - 3);
    s[o++] = 0; /* protocol_version */
    s[o++] = (uint8_t)(0x7E | (pts_adjustment >> 32 & 1)); /* not encrypted, alg 0x3f */
    s[o++] = (uint8_t)(pts_adjustment >> 24);
    s[o++] = (uint8_t)(pts_adjustment >> 16);
    s[o++] = (uint8_t)(pts_adjustment >> 8);
    s[o++] = (uint8_t)pts_adjustment;
    s[o++] = 0;    /* cw_index */
    s[o++] = 0xFF; /* tier 0xfff, command length */
    s[o++] = (uint8_t)(0xF0 | (cmd_len >> 8));
    s[o++] = (uint8_t)cmd_len;
    s[o++] = (uint8_t)cmd_type;
    if (cmd_len)
        memcpy(s + o, cmd, cmd_len);
    o += cmd_len;
    s[o++] = (uint8_t)(desc_len >> 8);
    s[o++] = (uint8_t)desc_len;
    if (desc_len)
        memcpy(s + o, desc, desc_len);
    o += desc_len;
    o += 4;
    put_crc(s, o);
    return o;
}

static void splice_insert_sample(void **state)
{
    (void)state;
    uint8_t s[SV_SCTE35_MAX_BYTES];
    size_t n = sample(s);
    sv_scte35_info info;
    sv__parse_error err = { 0 };
    assert_int_equal(sv__scte35_parse(s, n, &info, &err), 0);
    assert_int_equal(info.command, 5);
    assert_int_equal(info.event_id, 0x4800008f);
    assert_int_equal(info.out_of_network, 1);
    assert_int_equal(info.cancel, 0);
    assert_int_equal(info.immediate, 0);
    assert_true(info.pts_s > 21514.559 && info.pts_s < 21514.560); /* 0x07369c02e / 90 kHz */
    assert_true(info.duration_s > 60.2935 && info.duration_s < 60.2936); /* 5426421 / 90 kHz */
    assert_int_equal(info.auto_return, 1);
    assert_int_equal(info.segmentation_type, -1);
}

/* time_signal at pts 90000 * 100, pts_adjustment 90000 * 2, and a
 * segmentation_descriptor of `type` with a 30 s duration. */
static size_t time_signal(uint8_t *s, int type, uint32_t seg_id)
{
    uint64_t pts = 9000000;
    uint8_t cmd[5] = { (uint8_t)(0xFE | (pts >> 32)), (uint8_t)(pts >> 24), (uint8_t)(pts >> 16),
                       (uint8_t)(pts >> 8), (uint8_t)pts };
    uint64_t dur = 30 * 90000;
    uint8_t desc[] = { 0x02, 0x17, 'C', 'U', 'E', 'I',
                       (uint8_t)(seg_id >> 24), (uint8_t)(seg_id >> 16), (uint8_t)(seg_id >> 8),
                       (uint8_t)seg_id, 0x7F, /* not cancelled */
                       0xFF, /* program, duration, delivery not restricted */
                       (uint8_t)(dur >> 32), (uint8_t)(dur >> 24), (uint8_t)(dur >> 16),
                       (uint8_t)(dur >> 8), (uint8_t)dur,
                       0x08, 0x00, /* upid type, length 0 */
                       (uint8_t)type, 0x01, 0x01, 0x00 };
    desc[1] = (uint8_t)(sizeof(desc) - 2);
    return build(s, 180000, 6, cmd, sizeof(cmd), desc, sizeof(desc));
}

static void time_signal_segmentation(void **state)
{
    (void)state;
    uint8_t s[SV_SCTE35_MAX_BYTES];
    sv_scte35_info info;
    sv__parse_error err = { 0 };
    size_t n = time_signal(s, 0x30, 77);
    int r = sv__scte35_parse(s, n, &info, &err);
    if (r)
        print_error("%s\n", err.message);
    assert_int_equal(r, 0);
    assert_int_equal(info.command, 6);
    assert_true(info.pts_s > 101.999 && info.pts_s < 102.001);
    assert_int_equal(info.segmentation_type, 0x30);
    assert_int_equal(info.out_of_network, 1); /* provider advertisement start */
    assert_int_equal(info.event_id, 77);
    assert_true(info.duration_s > 29.999 && info.duration_s < 30.001);

    n = time_signal(s, 0x31, 77); /* provider advertisement end */
    assert_int_equal(sv__scte35_parse(s, n, &info, &err), 0);
    assert_int_equal(info.out_of_network, 0);
    n = time_signal(s, 0x01, 78); /* content identification: neither */
    assert_int_equal(sv__scte35_parse(s, n, &info, &err), 0);
    assert_int_equal(info.out_of_network, -1);
}

static void cancel_and_null(void **state)
{
    (void)state;
    uint8_t s[SV_SCTE35_MAX_BYTES];
    sv_scte35_info info;
    sv__parse_error err = { 0 };
    uint8_t cancel[] = { 0, 0, 0, 9, 0xFF };
    size_t n = build(s, 0, 5, cancel, sizeof(cancel), NULL, 0);
    assert_int_equal(sv__scte35_parse(s, n, &info, &err), 0);
    assert_int_equal(info.command, 5);
    assert_int_equal(info.cancel, 1);
    assert_int_equal(info.event_id, 9);
    assert_int_equal(info.out_of_network, -1);
    assert_true(info.pts_s < 0 && info.duration_s < 0);

    n = build(s, 0, 0, NULL, 0, NULL, 0);
    assert_int_equal(sv__scte35_parse(s, n, &info, &err), 0);
    assert_int_equal(info.command, 0);
    assert_true(info.pts_s < 0);
}

static void expect_fail(const uint8_t *s, size_t n, const char *words)
{
    sv_scte35_info info;
    sv__parse_error err = { 0 };
    int r = sv__scte35_parse(s, n, &info, &err);
    if (r != SV_ERR_PARSE)
        print_error("%zu bytes (want \"%s\") were read\n", n, words ? words : "");
    assert_int_equal(r, SV_ERR_PARSE);
    assert_int_equal(info.command, -1);
    if (words && !strstr(err.message, words)) {
        print_error("message \"%s\" lacks \"%s\"\n", err.message, words);
        fail();
    }
}

static void malformed(void **state)
{
    (void)state;
    uint8_t s[SV_SCTE35_MAX_BYTES];
    size_t n = sample(s);

    /* Every truncation is refused, never read past. */
    for (size_t k = 0; k < n; k++)
        expect_fail(s, k, NULL);
    expect_fail(s, 2, "fewer than a section header");
    expect_fail(s, 40, "section_length 47 needs 50 bytes, 40 given");

    s[n - 1] ^= 1;
    expect_fail(s, n, "CRC_32");
    s[n - 1] ^= 1;
    s[0] = 0xFD;
    expect_fail(s, n, "table_id 0xfd");
    s[0] = 0xFC;

    s[4] |= 0x80; /* encrypted_packet */
    put_crc(s, n);
    expect_fail(s, n, "encrypted_packet");
    s[4] &= 0x7F;

    s[12] = 0x40; /* splice_command_length 0x040: past the end */
    put_crc(s, n);
    expect_fail(s, n, "splice_command_length 64");
    s[12] = 0x14;

    s[37] = 0x20; /* the avail_descriptor says 32 bytes */
    put_crc(s, n);
    expect_fail(s, n, "splice descriptor 0x00 of 32 bytes");
    s[37] = 0x08;
    put_crc(s, n);
    sv_scte35_info info;
    sv__parse_error err = { 0 };
    assert_int_equal(sv__scte35_parse(s, n, &info, &err), 0);

    /* A splice_insert cut inside its break_duration (command length 15). */
    uint8_t cmd[15] = { 0, 0, 0, 1, 0x7F, 0xEF, 0xFE, 0, 0, 0, 0, 0xFE, 0, 0, 0 };
    size_t m = build(s, 0, 5, cmd, sizeof(cmd), NULL, 0);
    expect_fail(s, m, "splice_insert runs past its 15 bytes");
}

static void hex_text(void **state)
{
    (void)state;
    uint8_t out[8];
    assert_int_equal(sv__scte35_hex("0xFC30", 6, out, sizeof(out)), 2);
    assert_int_equal(out[0], 0xFC);
    assert_int_equal(sv__scte35_hex("fc30", 4, out, sizeof(out)), 2);
    assert_int_equal(sv__scte35_hex("0xFC3", 5, out, sizeof(out)), SV_ERR_PARSE);
    assert_int_equal(sv__scte35_hex("0xFG30", 6, out, sizeof(out)), SV_ERR_PARSE);
    assert_int_equal(sv__scte35_hex("0x00112233445566778899", 22, out, sizeof(out)),
                     SV_ERR_OVERFLOW);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(splice_insert_sample),
        cmocka_unit_test(time_signal_segmentation),
        cmocka_unit_test(cancel_and_null),
        cmocka_unit_test(malformed),
        cmocka_unit_test(hex_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
