/*
 * The public structs' layout, pinned. For every struct of include/streamverse/
 * the lists below (abr.h and abrsim.h in abi_fields_abr.h, player.h and the
 * headers it includes in abi_fields_player.h) name its fields
 * in order with their types; the test checks
 * that each field sits where the C layout rules put it after the previous
 * one, and that the struct ends where those rules end it. It holds on any
 * target (LP64, ILP32, i386's 4-byte int64 alignment, armhf's 8-byte one),
 * so it fails when a field is inserted, removed, reordered or changes type
 * on any of them. On LP64 targets (x86_64, arm64) the sizes themselves are
 * pinned too. A field appended to a struct that has a struct_size is an API
 * addition (docs/sdk.md, "ABI and versions"): add it here at the end, and
 * bump that struct's LP64 size.
 *
 * The growable structs start with struct_size; the version numbers agree
 * with each other; every property has a name and the list ends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "streamverse/abrsim.h"
#include "streamverse/emulate.h"
#include "streamverse/player.h"
#include "streamverse/sdl2.h"
#include "streamverse/version.h"

typedef struct field {
    const char *name;
    size_t offset;     /* where the compiler put it */
    size_t size;       /* its size as declared in the struct */
    size_t want_size;  /* sizeof(the pinned type) x count */
    size_t align;      /* _Alignof(the pinned type) */
} field;

#define F(S, f, T, n) \
    { #f, offsetof(S, f), sizeof(((S *)0)->f), sizeof(T) * (n), _Alignof(T) }

typedef void (*fnptr)(void);

#include "abi_fields_abr.h"
#include "abi_fields_player.h"

/* cdm.h */
static const field sv_subsample_fields[] = {
    F(sv_subsample, clear_bytes, uint32_t, 1),
    F(sv_subsample, protected_bytes, uint32_t, 1),
};
/* cdm.h */
static const field sv_encrypted_sample_fields[] = {
    F(sv_encrypted_sample, scheme, sv_encryption_scheme, 1),
    F(sv_encrypted_sample, kid, uint8_t, 16),
    F(sv_encrypted_sample, iv, uint8_t, 16),
    F(sv_encrypted_sample, iv_size, int, 1),
    F(sv_encrypted_sample, crypt_byte_block, uint8_t, 1),
    F(sv_encrypted_sample, skip_byte_block, uint8_t, 1),
    F(sv_encrypted_sample, subsamples, const sv_subsample *, 1),
    F(sv_encrypted_sample, nb_subsamples, size_t, 1),
    F(sv_encrypted_sample, data, uint8_t *, 1),
    F(sv_encrypted_sample, size, size_t, 1),
};
/* cdm.h */
static const field sv_cdm_init_data_fields[] = {
    F(sv_cdm_init_data, system_id, uint8_t, 16),
    F(sv_cdm_init_data, pssh, const uint8_t *, 1),
    F(sv_cdm_init_data, pssh_size, size_t, 1),
    F(sv_cdm_init_data, kids, const void *, 1),
    F(sv_cdm_init_data, nb_kids, size_t, 1),
    F(sv_cdm_init_data, license_url, const char *, 1),
};
/* cdm.h */
static const field sv_cdm_fields[] = {
    F(sv_cdm, struct_size, size_t, 1),
    F(sv_cdm, key_system, const char *, 1),
    F(sv_cdm, request_content_type, const char *, 1),
    F(sv_cdm, supports, fnptr, 1),
    F(sv_cdm, create_request, fnptr, 1),
    F(sv_cdm, free_request, fnptr, 1),
    F(sv_cdm, update, fnptr, 1),
    F(sv_cdm, has_key, fnptr, 1),
    F(sv_cdm, decrypt, fnptr, 1),
    F(sv_cdm, destroy, fnptr, 1),
    F(sv_cdm, opaque, void *, 1),
};
/* clock.h */
static const field sv_clock_fields[] = {
    F(sv_clock, struct_size, size_t, 1),
    F(sv_clock, now_ns, fnptr, 1),
    F(sv_clock, sleep_until, fnptr, 1),
    F(sv_clock, wake, fnptr, 1),
    F(sv_clock, opaque, void *, 1),
};
/* common.h */
static const field sv_allocator_fields[] = {
    F(sv_allocator, struct_size, size_t, 1),
    F(sv_allocator, alloc, fnptr, 1),
    F(sv_allocator, realloc, fnptr, 1),
    F(sv_allocator, free, fnptr, 1),
    F(sv_allocator, opaque, void *, 1),
};
/* emulate.h */
static const field sv_emulate_config_fields[] = {
    F(sv_emulate_config, abr_rule, const char *, 1),
    F(sv_emulate_config, abr_params, const sv_abr_param *, 1),
    F(sv_emulate_config, num_abr_params, size_t, 1),
    F(sv_emulate_config, rtt_s, double, 1),
    F(sv_emulate_config, payload_ratio, double, 1),
    F(sv_emulate_config, start_buffer_s, double, 1),
    F(sv_emulate_config, buffer_goal_s, double, 1),
    F(sv_emulate_config, with_audio, int, 1),
    F(sv_emulate_config, sizes_known, int, 1),
    F(sv_emulate_config, max_session_s, double, 1),
    F(sv_emulate_config, log_cb, sv_log_fn, 1),
    F(sv_emulate_config, log_opaque, void *, 1),
    F(sv_emulate_config, log_level, sv_log_level, 1),
    F(sv_emulate_config, reserved, uint64_t, 8),
};
/* emulate.h */
static const field sv_emulate_report_fields[] = {
    F(sv_emulate_report, result, sv_abr_sim_result, 1),
    F(sv_emulate_report, steps, sv_abr_sim_step *, 1),
    F(sv_emulate_report, num_steps, size_t, 1),
    F(sv_emulate_report, bitrates_kbps, uint32_t *, 1),
    F(sv_emulate_report, num_rungs, size_t, 1),
    F(sv_emulate_report, stats, sv_player_stats, 1),
};
/* emulate.h */
static const field sv_emulate_video_fields[] = {
    F(sv_emulate_video, video, sv_abr_video, 1),
    F(sv_emulate_video, num_requests, size_t, 1),
    F(sv_emulate_video, manifest_bytes, uint64_t, 1),
    F(sv_emulate_video, index_bytes, const uint64_t *, 1),
    F(sv_emulate_video, init_bytes, const uint64_t *, 1),
};
/* sdl2.h */
static const field sv_sdl2_video_settings_fields[] = {
    F(sv_sdl2_video_settings, struct_size, size_t, 1),
    F(sv_sdl2_video_settings, title, const char *, 1),
    F(sv_sdl2_video_settings, width, int, 1),
    F(sv_sdl2_video_settings, height, int, 1),
    F(sv_sdl2_video_settings, keep_window_size, int, 1),
    F(sv_sdl2_video_settings, x, int, 1),
    F(sv_sdl2_video_settings, y, int, 1),
    F(sv_sdl2_video_settings, fullscreen, int, 1),
    F(sv_sdl2_video_settings, hidden_until_first_frame, int, 1),
    F(sv_sdl2_video_settings, vsync, int, 1),
    F(sv_sdl2_video_settings, software, int, 1),
};
/* sdl2.h */
static const field sv_sdl2_video_stats_fields[] = {
    F(sv_sdl2_video_stats, struct_size, size_t, 1),
    F(sv_sdl2_video_stats, frames, uint64_t, 1),
    F(sv_sdl2_video_stats, redraws, uint64_t, 1),
    F(sv_sdl2_video_stats, configures, uint64_t, 1),
    F(sv_sdl2_video_stats, width, int, 1),
    F(sv_sdl2_video_stats, height, int, 1),
    F(sv_sdl2_video_stats, format, sv_pixel_format, 1),
};
/* sdl2.h */
static const field sv_sdl2_audio_settings_fields[] = {
    F(sv_sdl2_audio_settings, struct_size, size_t, 1),
    F(sv_sdl2_audio_settings, device, const char *, 1),
    F(sv_sdl2_audio_settings, period_frames, int, 1),
};
/* sdl2.h */
static const field sv_sdl2_audio_stats_fields[] = {
    F(sv_sdl2_audio_stats, struct_size, size_t, 1),
    F(sv_sdl2_audio_stats, callbacks, uint64_t, 1),
    F(sv_sdl2_audio_stats, frames, uint64_t, 1),
    F(sv_sdl2_audio_stats, silence_frames, uint64_t, 1),
    F(sv_sdl2_audio_stats, last_delay_us, int64_t, 1),
    F(sv_sdl2_audio_stats, format, sv_audio_format, 1),
    F(sv_sdl2_audio_stats, period_frames, int, 1),
};
/* sinks.h */
static const field sv_video_plane_fields[] = {
    F(sv_video_plane, data, const uint8_t *, 1),
    F(sv_video_plane, stride, int, 1),
    F(sv_video_plane, width_bytes, int, 1),
    F(sv_video_plane, rows, int, 1),
};
/* sinks.h */
static const field sv_video_frame_fields[] = {
    F(sv_video_frame, format, sv_pixel_format, 1),
    F(sv_video_frame, format_name, const char *, 1),
    F(sv_video_frame, width, int, 1),
    F(sv_video_frame, height, int, 1),
    F(sv_video_frame, sar_num, int, 1),
    F(sv_video_frame, sar_den, int, 1),
    F(sv_video_frame, full_range, int, 1),
    F(sv_video_frame, nb_planes, int, 1),
    F(sv_video_frame, planes, sv_video_plane, 4),
    F(sv_video_frame, pts_us, int64_t, 1),
    F(sv_video_frame, duration_us, int64_t, 1),
    F(sv_video_frame, pts, int64_t, 1),
    F(sv_video_frame, tb_num, int, 1),
    F(sv_video_frame, tb_den, int, 1),
    F(sv_video_frame, frame_number, uint64_t, 1),
    F(sv_video_frame, bitrate_bps, int64_t, 1),
};
/* sinks.h */
static const field sv_video_sink_fields[] = {
    F(sv_video_sink, struct_size, size_t, 1),
    F(sv_video_sink, formats, const sv_pixel_format *, 1),
    F(sv_video_sink, configure, fnptr, 1),
    F(sv_video_sink, present, fnptr, 1),
    F(sv_video_sink, flush, fnptr, 1),
    F(sv_video_sink, destroy, fnptr, 1),
    F(sv_video_sink, opaque, void *, 1),
};
/* sinks.h */
static const field sv_audio_format_fields[] = {
    F(sv_audio_format, sample_rate, int, 1),
    F(sv_audio_format, channels, int, 1),
    F(sv_audio_format, format, sv_sample_format, 1),
};
/* sinks.h */
static const field sv_audio_sink_fields[] = {
    F(sv_audio_sink, struct_size, size_t, 1),
    F(sv_audio_sink, open, fnptr, 1),
    F(sv_audio_sink, pause, fnptr, 1),
    F(sv_audio_sink, close, fnptr, 1),
    F(sv_audio_sink, destroy, fnptr, 1),
    F(sv_audio_sink, opaque, void *, 1),
};
/* sinks.h */
static const field sv_null_frame_record_fields[] = {
    F(sv_null_frame_record, struct_size, size_t, 1),
    F(sv_null_frame_record, pts, int64_t, 1),
    F(sv_null_frame_record, pts_us, int64_t, 1),
    F(sv_null_frame_record, width, int, 1),
    F(sv_null_frame_record, height, int, 1),
    F(sv_null_frame_record, size, size_t, 1),
    F(sv_null_frame_record, md5, uint8_t, 16),
};
/* sinks.h */
static const field sv_null_audio_settings_fields[] = {
    F(sv_null_audio_settings, struct_size, size_t, 1),
    F(sv_null_audio_settings, clock, const sv_clock *, 1),
    F(sv_null_audio_settings, realtime, int, 1),
    F(sv_null_audio_settings, period_frames, int, 1),
    F(sv_null_audio_settings, force_format, sv_audio_format, 1),
};
/* sinks.h */
static const field sv_null_audio_stats_fields[] = {
    F(sv_null_audio_stats, struct_size, size_t, 1),
    F(sv_null_audio_stats, frames, uint64_t, 1),
    F(sv_null_audio_stats, silence_frames, uint64_t, 1),
    F(sv_null_audio_stats, pulls, uint64_t, 1),
    F(sv_null_audio_stats, md5, uint8_t, 16),
};

#define ALL_STRUCTS(X) \
    X(sv_scte35_info) \
    X(sv_timed_event) \
    X(sv_abr_param_info) \
    X(sv_abr_param) \
    X(sv_abr_input) \
    X(sv_abr_decision) \
    X(sv_abr_sample) \
    X(sv_abr_estimator_config) \
    X(sv_abr_qoe_config) \
    X(sv_abr_qoe) \
    X(sv_abr_stats) \
    X(sv_trace_error) \
    X(sv_abr_video) \
    X(sv_abr_sim_config) \
    X(sv_abr_sim_step) \
    X(sv_abr_sim_result) \
    X(sv_subsample) \
    X(sv_encrypted_sample) \
    X(sv_cdm_init_data) \
    X(sv_cdm) \
    X(sv_clock) \
    X(sv_allocator) \
    X(sv_emulate_config) \
    X(sv_emulate_report) \
    X(sv_emulate_video) \
    X(sv_player_settings) \
    X(sv_cdn) \
    X(sv_load_options) \
    X(sv_session_options) \
    X(sv_session_info) \
    X(sv_representation_info) \
    X(sv_track_info) \
    X(sv_caption_track_info) \
    X(sv_player_stats) \
    X(sv_cue_style) \
    X(sv_thumbnail) \
    X(sv_preload_options) \
    X(sv_preload_info) \
    X(sv_sdl2_video_settings) \
    X(sv_sdl2_video_stats) \
    X(sv_sdl2_audio_settings) \
    X(sv_sdl2_audio_stats) \
    X(sv_video_plane) \
    X(sv_video_frame) \
    X(sv_video_sink) \
    X(sv_audio_format) \
    X(sv_audio_sink) \
    X(sv_null_frame_record) \
    X(sv_null_audio_settings) \
    X(sv_null_audio_stats)

/* The event: its union is checked as a whole (its largest member, `rendition`,
 * gives its size and alignment). */
static const field sv_event_fields[] = {
    F(sv_event, id, sv_event_id, 1),
    F(sv_event, error, int, 1),
    F(sv_event, reply_userdata, uint64_t, 1),
};

/* sizeof of each struct on LP64 targets (x86_64, arm64). */
#define LP64_SIZES(X) \
    X(sv_abr_param_info, 72) \
    X(sv_abr_param, 48) \
    X(sv_abr_input, 128) \
    X(sv_abr_decision, 56) \
    X(sv_abr_sample, 72) \
    X(sv_abr_estimator_config, 72) \
    X(sv_abr_qoe_config, 56) \
    X(sv_abr_qoe, 160) \
    X(sv_abr_stats, 80) \
    X(sv_trace_error, 200) \
    X(sv_abr_video, 72) \
    X(sv_abr_sim_config, 288) \
    X(sv_abr_sim_step, 136) \
    X(sv_abr_sim_result, 128) \
    X(sv_subsample, 8) \
    X(sv_encrypted_sample, 80) \
    X(sv_cdm_init_data, 56) \
    X(sv_cdm, 88) \
    X(sv_clock, 40) \
    X(sv_allocator, 40) \
    X(sv_emulate_config, 160) \
    X(sv_emulate_report, 416) \
    X(sv_emulate_video, 104) \
    X(sv_player_settings, 264) \
    X(sv_cdn, 32) \
    X(sv_load_options, 56) \
    X(sv_session_options, 56) \
    X(sv_session_info, 112) \
    X(sv_representation_info, 168) \
    X(sv_track_info, 240) \
    X(sv_caption_track_info, 120) \
    X(sv_player_stats, 256) \
    X(sv_cue_style, 48) \
    X(sv_thumbnail, 48) \
    X(sv_preload_options, 40) \
    X(sv_preload_info, 256) \
    X(sv_scte35_info, 48) \
    X(sv_timed_event, 136) \
    X(sv_sdl2_video_settings, 56) \
    X(sv_sdl2_video_stats, 48) \
    X(sv_sdl2_audio_settings, 24) \
    X(sv_sdl2_audio_stats, 56) \
    X(sv_video_plane, 24) \
    X(sv_video_frame, 184) \
    X(sv_video_sink, 56) \
    X(sv_audio_format, 12) \
    X(sv_audio_sink, 48) \
    X(sv_null_frame_record, 56) \
    X(sv_null_audio_settings, 40) \
    X(sv_null_audio_stats, 48) \
    X(sv_event, 56)

static size_t align_up(size_t n, size_t a)
{
    return (n + a - 1) / a * a;
}

/* Walks the fields by the layout rules; returns the size the struct must have. */
static size_t check_fields(const char *s, const field *f, size_t n, size_t *max_align)
{
    size_t end = 0;
    *max_align = 1;
    for (size_t i = 0; i < n; i++) {
        size_t want = align_up(end, f[i].align);
        if (f[i].offset != want || f[i].size != f[i].want_size) {
            print_error("%s.%s: offset %zu size %zu, the pinned layout says offset %zu size %zu\n",
                        s, f[i].name, f[i].offset, f[i].size, want, f[i].want_size);
            fail();
        }
        end = f[i].offset + f[i].size;
        if (f[i].align > *max_align)
            *max_align = f[i].align;
    }
    return align_up(end, *max_align);
}

#define CHECK(S) \
    do { \
        size_t a_, want_ = check_fields(#S, S##_fields, sizeof(S##_fields) / sizeof(S##_fields[0]), &a_); \
        if (sizeof(S) != want_) { \
            print_error("%s: size %zu, the pinned fields make %zu\n", #S, sizeof(S), want_); \
            fail(); \
        } \
        checked++; \
    } while (0)

static void layout_follows_the_pinned_fields(void **state)
{
    int checked = 0;
    (void)state;
#define X(S) CHECK(S);
    ALL_STRUCTS(X)
#undef X
    /* The event: fixed head, then the union at the alignment of its members. */
    size_t a, head = check_fields("sv_event", sv_event_fields, 3, &a);
    size_t ua = _Alignof(int64_t) > _Alignof(void *) ? _Alignof(int64_t) : _Alignof(void *);
    if (_Alignof(double) > ua)
        ua = _Alignof(double);
    assert_int_equal(offsetof(sv_event, data), align_up(head, ua));
    assert_int_equal(sizeof(((sv_event *)0)->data), sizeof(((sv_event *)0)->data.rendition));
    assert_int_equal(sizeof(sv_event), align_up(offsetof(sv_event, data) +
                                                sizeof(((sv_event *)0)->data), ua));
    printf("%d structs follow their pinned fields (sizeof(void *) = %zu)\n", checked + 1,
           sizeof(void *));
    assert_true(checked >= 40);
}

static void lp64_sizes_are_pinned(void **state)
{
    (void)state;
    if (sizeof(void *) != 8 || sizeof(long) != 8) {
        printf("not an LP64 target: the layout rules above are the check\n");
        skip();
    }
#define X(S, n) \
    if (sizeof(S) != (n)) { \
        print_error("%s: sizeof %zu, pinned %d\n", #S, sizeof(S), (n)); \
        fail(); \
    }
    LP64_SIZES(X)
#undef X
}

/* Every struct the host allocates and the library reads or writes, and every
 * interface the host implements, starts with a size_t struct_size. */
#define GROWABLE(X) \
    X(sv_allocator) X(sv_clock) X(sv_cdm) X(sv_video_sink) X(sv_audio_sink) \
    X(sv_null_audio_settings) X(sv_null_frame_record) X(sv_null_audio_stats) \
    X(sv_player_settings) X(sv_cdn) X(sv_load_options) X(sv_session_options) \
    X(sv_session_info) X(sv_representation_info) X(sv_track_info) X(sv_caption_track_info) \
    X(sv_player_stats) \
    X(sv_sdl2_video_settings) X(sv_sdl2_video_stats) X(sv_sdl2_audio_settings) \
    X(sv_sdl2_audio_stats)

static void growable_structs_start_with_their_size(void **state)
{
    (void)state;
#define X(S) \
    assert_int_equal(offsetof(S, struct_size), 0); \
    assert_int_equal(sizeof(((S *)0)->struct_size), sizeof(size_t)); \
    { S v_ = SV_STRUCT_INIT(S); assert_int_equal(v_.struct_size, sizeof(S)); }
    GROWABLE(X)
#undef X
    sv_player_stats st = SV_PLAYER_STATS_INIT;
    sv_allocator al = SV_ALLOCATOR_INIT;
    assert_int_equal(st.struct_size, sizeof(st));
    assert_int_equal(al.struct_size, sizeof(al));
}

static void versions_agree(void **state)
{
    (void)state;
    unsigned api = sv_version_api();
    assert_int_equal(api, SV_API_VERSION);
    assert_int_equal(SV_API_VERSION_MAJOR_OF(api), SV_ABI_VERSION);
    assert_int_equal(SV_API_VERSION_MINOR_OF(api), SV_API_VERSION_MINOR);
    assert_int_equal(SV_API_VERSION_PATCH_OF(api), SV_API_VERSION_PATCH);
    assert_int_equal(SV_API_VERSION, SV_MAKE_VERSION(SV_ABI_VERSION, SV_API_VERSION_MINOR,
                                                     SV_API_VERSION_PATCH));
    assert_int_equal(SV_ABI_VERSION, 2);
    assert_int_equal(sv_version_number(), SV_VERSION_NUMBER);
}

/* (API 2.5) The values of sv_http_version are the settings' numbers. */
static void http_versions_keep_their_values(void **state)
{
    (void)state;
    assert_int_equal(SV_HTTP_VERSION_AUTO, 0);
    assert_int_equal(SV_HTTP_VERSION_1_1, 1);
    assert_int_equal(SV_HTTP_VERSION_2, 2);
    sv_player_settings s;
    sv_player_default_settings(&s);
    assert_int_equal(s.http_version, SV_HTTP_VERSION_AUTO);
    assert_null(s.tls_ca_file);
    assert_null(s.tls_pinned_pubkey);
}

static void properties_end_without_a_count(void **state)
{
    (void)state;
    int n = 0;
    while (sv_property_name((sv_property)n))
        n++;
    /* SV_PROP_AV_DRIFT is the last property of API 1.0, SV_PROP_SEEKABLE_END
     * of API 2.3 (the live ones appended after it), SV_PROP_TRICK_RATE of
     * API 2.6, SV_PROP_INTERSTITIAL_DURATION of API 2.7. */
    assert_int_equal(n, SV_PROP_INTERSTITIAL_DURATION + 1);
    assert_int_equal(SV_PROP_INTERSTITIAL, SV_PROP_TRICK_RATE + 1);
    assert_string_equal(sv_property_name(SV_PROP_INTERSTITIAL), "interstitial");
    assert_string_equal(sv_property_name(SV_PROP_INTERSTITIAL_POSITION), "interstitial-position");
    assert_string_equal(sv_property_name(SV_PROP_INTERSTITIAL_DURATION), "interstitial-duration");
    assert_int_equal(SV_EVENT_INTERSTITIAL_START, SV_EVENT_PRELOAD + 1);
    assert_string_equal(sv_event_name(SV_EVENT_INTERSTITIAL_START), "interstitial-start");
    assert_string_equal(sv_event_name(SV_EVENT_INTERSTITIAL_END), "interstitial-end");
    assert_int_equal(SV_PROP_TRICK_RATE, SV_PROP_SEEKABLE_END + 1);
    assert_string_equal(sv_property_name(SV_PROP_TRICK_RATE), "trick-rate");
    assert_int_equal(SV_EVENT_TRICK_RATE, SV_EVENT_TIMED_METADATA + 1);
    assert_string_equal(sv_event_name(SV_EVENT_TRICK_RATE), "trick-rate");
    assert_string_equal(sv_property_name(SV_PROP_AV_DRIFT), "av-drift");
    assert_int_equal(SV_PROP_LIVE_LATENCY, SV_PROP_AV_DRIFT + 1);
    assert_string_equal(sv_property_name(SV_PROP_LIVE_LATENCY), "live-latency");
    assert_string_equal(sv_property_name(SV_PROP_PLAYBACK_RATE), "playback-rate");
    assert_string_equal(sv_property_name(SV_PROP_SEEKABLE_START), "seekable-start");
    assert_string_equal(sv_property_name(SV_PROP_SEEKABLE_END), "seekable-end");
    assert_null(sv_property_name((sv_property)-1));
}

/* What the library does with the sizes hosts hand it: too small refused,
 * bigger (a newer host) accepted with only the known part written. */
static void sizes_are_honoured(void **state)
{
    (void)state;
    sv_audio_sink *audio = NULL;
    sv_null_audio_settings set;
    sv_null_audio_default_settings(&set);
    set.realtime = 0;
    set.struct_size = 0;
    assert_int_equal(sv_null_audio_sink_create(&audio, &set), SV_ERR_INVALID);
    set.struct_size = sizeof(set);
    assert_int_equal(sv_null_audio_sink_create(&audio, &set), 0);

    /* A newer host's stats: 16 more bytes the library does not know. */
    struct { sv_null_audio_stats st; uint8_t tail[16]; } big;
    memset(&big, 0xAA, sizeof(big));
    big.st.struct_size = sizeof(big);
    assert_int_equal(sv_null_audio_sink_stats(audio, &big.st), 0);
    assert_int_equal(big.st.struct_size, sizeof(big));
    assert_int_equal(big.st.frames, 0);
    for (size_t i = 0; i < sizeof(big.tail); i++)
        assert_int_equal(big.tail[i], 0xAA);
    sv_null_audio_stats zero = { 0 };
    assert_int_equal(sv_null_audio_sink_stats(audio, &zero), SV_ERR_INVALID);
    assert_int_equal(sv_null_audio_sink_stats(audio, NULL), SV_ERR_INVALID);

    /* Defaults fill only the size given; below the first version, nothing. */
    struct { sv_player_settings s; uint8_t tail[8]; } ps;
    memset(&ps, 0x55, sizeof(ps));
    sv_player_default_settings_sized(&ps.s, sizeof(ps));
    assert_int_equal(ps.s.struct_size, sizeof(ps));
    assert_int_equal(ps.tail[0], 0x55);
    memset(&ps, 0x55, sizeof(ps));
    sv_player_default_settings_sized(&ps.s, 8);
    assert_int_equal(((uint8_t *)&ps.s)[0], 0x55);

    /* The player refuses an unsized settings struct, sink or allocator. */
    sv_player *p = NULL;
    sv_player_settings s;
    sv_player_default_settings(&s);
    s.struct_size = 0;
    assert_int_equal(sv_player_create(&p, &s), SV_ERR_INVALID);
    sv_player_default_settings(&s);
    sv_audio_sink unsized = *audio;
    unsized.struct_size = 0;
    s.audio_sink = &unsized;
    assert_int_equal(sv_player_create(&p, &s), SV_ERR_INVALID);
    sv_player_default_settings(&s);
    sv_allocator al = { 0 };
    s.allocator = &al;
    assert_int_equal(sv_player_create(&p, &s), SV_ERR_INVALID);
    assert_null(p);
    audio->destroy(audio);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(layout_follows_the_pinned_fields),
        cmocka_unit_test(lp64_sizes_are_pinned),
        cmocka_unit_test(growable_structs_start_with_their_size),
        cmocka_unit_test(versions_agree),
        cmocka_unit_test(http_versions_keep_their_values),
        cmocka_unit_test(properties_end_without_a_count),
        cmocka_unit_test(sizes_are_honoured),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
