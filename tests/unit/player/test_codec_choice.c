/*
 * Codec families and the choice among them (player/model/codec.h): families
 * from RFC 6381 strings as svserver and other packagers write them, the
 * host's preference list and its refusals, the choice with and without
 * decoders, the ladder mask with and without codec switching; and
 * sv__decodable_codecs() against this libavcodec.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <libavcodec/avcodec.h>

#include "player/media/media.h"
#include "streamverse/player.h"
#include "player/model/codec.h"

#define B(f) SV__CODEC_BIT(SV__CODEC_##f)
#define ALL (B(UNKNOWN) | B(H264) | B(HEVC) | B(AV1) | B(VP9))

static void test_family_of(void **state)
{
    (void)state;
    assert_int_equal(sv__codec_family_of("avc1.64001f"), SV__CODEC_H264);
    assert_int_equal(sv__codec_family_of("avc3.42c01e"), SV__CODEC_H264);
    assert_int_equal(sv__codec_family_of("hvc1.1.6.L63.90"), SV__CODEC_HEVC);
    assert_int_equal(sv__codec_family_of("hev1.2.4.L120.B0"), SV__CODEC_HEVC);
    assert_int_equal(sv__codec_family_of("av01.0.04M.08"), SV__CODEC_AV1);
    assert_int_equal(sv__codec_family_of("vp09.00.10.08"), SV__CODEC_VP9);
    /* HLS variants list the audio too, in either order. */
    assert_int_equal(sv__codec_family_of("av01.0.04M.08,mp4a.40.2"), SV__CODEC_AV1);
    assert_int_equal(sv__codec_family_of("mp4a.40.2, hvc1.1.6.L63"), SV__CODEC_HEVC);
    assert_int_equal(sv__codec_family_of("AVC1.4D401E"), SV__CODEC_H264);
    /* Nothing known: unknown, never a guess. */
    assert_int_equal(sv__codec_family_of(""), SV__CODEC_UNKNOWN);
    assert_int_equal(sv__codec_family_of(NULL), SV__CODEC_UNKNOWN);
    assert_int_equal(sv__codec_family_of("mp4a.40.2"), SV__CODEC_UNKNOWN);
    assert_int_equal(sv__codec_family_of("av011.0"), SV__CODEC_UNKNOWN);
    assert_int_equal(sv__codec_family_of("dvh1.05.06"), SV__CODEC_UNKNOWN);
    assert_string_equal(sv__codec_family_name(SV__CODEC_AV1), "av1");
    assert_string_equal(sv__codec_family_name(SV__CODEC_UNKNOWN), "unknown");
}

static void test_prefs_parse(void **state)
{
    (void)state;
    sv__codec_prefs p;
    char err[160] = "";
    assert_int_equal(sv__codec_prefs_parse(NULL, &p, err, sizeof(err)), 0);
    assert_int_equal(p.n, 4);
    assert_int_equal(p.order[0], SV__CODEC_AV1);
    assert_int_equal(p.order[1], SV__CODEC_HEVC);
    assert_int_equal(p.order[2], SV__CODEC_VP9);
    assert_int_equal(p.order[3], SV__CODEC_H264);
    assert_int_equal(sv__codec_prefs_parse("hevc, H264", &p, err, sizeof(err)), 0);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.order[0], SV__CODEC_HEVC);
    assert_int_equal(p.order[1], SV__CODEC_H264);

    sv__codec_prefs keep = p;
    assert_int_equal(sv__codec_prefs_parse("av1,h265", &p, err, sizeof(err)), SV_ERR_INVALID);
    assert_non_null(strstr(err, "'h265'"));
    assert_memory_equal(&p, &keep, sizeof(p)); /* untouched on failure */
    assert_int_equal(sv__codec_prefs_parse("av1,,h264", &p, err, sizeof(err)), SV_ERR_INVALID);
    assert_non_null(strstr(err, "empty entry"));
    assert_int_equal(sv__codec_prefs_parse("", &p, err, sizeof(err)), SV_ERR_INVALID);
    assert_int_equal(sv__codec_prefs_parse("h264,av1,h264", &p, err, sizeof(err)),
                     SV_ERR_INVALID);
    assert_non_null(strstr(err, "twice"));
    assert_int_equal(sv__codec_prefs_parse("unknown", &p, err, sizeof(err)), SV_ERR_INVALID);
}

static void test_choose(void **state)
{
    (void)state;
    sv__codec_prefs def, h, hevc_h264;
    char err[256] = "";
    sv__codec_prefs_parse(NULL, &def, err, sizeof(err));
    sv__codec_prefs_parse("h264", &h, err, sizeof(err));
    sv__codec_prefs_parse("hevc,h264", &hevc_h264, err, sizeof(err));
    unsigned stream = B(H264) | B(HEVC) | B(AV1);

    assert_int_equal(sv__codec_choose(stream, ALL, &def, err, sizeof(err)), SV__CODEC_AV1);
    assert_int_equal(sv__codec_choose(stream, ALL, &hevc_h264, err, sizeof(err)), SV__CODEC_HEVC);
    assert_int_equal(sv__codec_choose(stream, ALL, &h, err, sizeof(err)), SV__CODEC_H264);
    /* No AV1 decoder here: the next preferred one the device has. */
    assert_int_equal(sv__codec_choose(stream, ALL & ~B(AV1), &def, err, sizeof(err)),
                     SV__CODEC_HEVC);
    /* The preferred family is not in the stream. */
    assert_int_equal(sv__codec_choose(B(H264), ALL, &def, err, sizeof(err)), SV__CODEC_H264);
    /* Undeclared codecs come after every allowed known family. */
    assert_int_equal(sv__codec_choose(B(UNKNOWN) | B(H264), ALL, &hevc_h264, err, sizeof(err)),
                     SV__CODEC_H264);
    assert_int_equal(sv__codec_choose(B(UNKNOWN), ALL, &h, err, sizeof(err)), SV__CODEC_UNKNOWN);

    /* Nothing allowed: the message names what was found and allowed. */
    err[0] = '\0';
    assert_int_equal(sv__codec_choose(B(HEVC) | B(AV1), ALL, &h, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "the stream has hevc, av1"));
    assert_non_null(strstr(err, "allowed: h264"));
    /* Allowed but not decodable. */
    assert_int_equal(sv__codec_choose(B(AV1), ALL & ~B(AV1), &def, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "the stream has av1"));
    assert_non_null(strstr(err, "this device decodes: h264, hevc, vp9"));
}

static void test_ladder_mask(void **state)
{
    (void)state;
    sv__codec_prefs def, hevc_h264;
    char err[160];
    sv__codec_prefs_parse(NULL, &def, err, sizeof(err));
    sv__codec_prefs_parse("hevc,h264", &hevc_h264, err, sizeof(err));
    unsigned stream = B(H264) | B(HEVC) | B(AV1);
    /* No switching: the chosen family alone. */
    assert_int_equal(sv__codec_ladder_mask(SV__CODEC_AV1, stream, ALL, &def, 0), B(AV1));
    /* Switching: every allowed decodable family of the stream, never a forbidden one. */
    assert_int_equal(sv__codec_ladder_mask(SV__CODEC_AV1, stream, ALL, &def, 1), stream);
    assert_int_equal(sv__codec_ladder_mask(SV__CODEC_HEVC, stream, ALL, &hevc_h264, 1),
                     B(HEVC) | B(H264));
    assert_int_equal(sv__codec_ladder_mask(SV__CODEC_HEVC, stream, ALL & ~B(H264), &hevc_h264, 1),
                     B(HEVC));
    assert_int_equal(sv__codec_ladder_mask(-1, stream, ALL, &def, 1), 0);
}

static void test_decodable(void **state)
{
    (void)state;
    unsigned m = sv__decodable_codecs();
    assert_true(m & B(UNKNOWN));
    assert_int_equal((m & B(H264)) != 0, avcodec_find_decoder(AV_CODEC_ID_H264) != NULL);
    assert_int_equal((m & B(HEVC)) != 0, avcodec_find_decoder(AV_CODEC_ID_HEVC) != NULL);
    assert_int_equal((m & B(AV1)) != 0, avcodec_find_decoder(AV_CODEC_ID_AV1) != NULL);
    assert_int_equal((m & B(VP9)) != 0, avcodec_find_decoder(AV_CODEC_ID_VP9) != NULL);
    assert_int_equal(sv__decodable_codecs(), m); /* cached, same answer */
}

/* The public setting: checked at creation; a host built before it was
 * added (smaller struct_size) gets the default order. */
static void test_setting(void **state)
{
    (void)state;
    sv_player *p = NULL;
    sv_player_settings s;
    sv_player_default_settings(&s);
    assert_null(s.codecs);
    assert_int_equal(s.allow_codec_switch, 0);
    s.codecs = "av1,h265";
    assert_int_equal(sv_player_create(&p, &s), SV_ERR_INVALID);
    assert_null(p);
    s.codecs = "hevc,h264";
    s.allow_codec_switch = 1;
    assert_int_equal(sv_player_create(&p, &s), 0);
    sv_player_destroy(p);
    p = NULL;
    s.codecs = "not read";
    s.struct_size = offsetof(sv_player_settings, codecs);
    assert_int_equal(sv_player_create(&p, &s), 0);
    sv_player_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_family_of), cmocka_unit_test(test_prefs_parse),
        cmocka_unit_test(test_choose),    cmocka_unit_test(test_ladder_mask),
        cmocka_unit_test(test_decodable), cmocka_unit_test(test_setting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
