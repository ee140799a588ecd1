/*
 * abi_fields_player.h - the pinned fields of the structs of player.h and the
 * headers it includes (session.h, captions.h, thumbnail.h, preload.h,
 * stats.h, timed.h), in declaration order with their types
 * (test_abi_layout.c, which defines `field` and F() and includes this file
 * once, before its other tables).
 */
#ifndef SV_TEST_ABI_FIELDS_PLAYER_H
#define SV_TEST_ABI_FIELDS_PLAYER_H

/* player.h */
static const field sv_player_settings_fields[] = {
    F(sv_player_settings, struct_size, size_t, 1),
    F(sv_player_settings, video_sink, sv_video_sink *, 1),
    F(sv_player_settings, audio_sink, sv_audio_sink *, 1),
    F(sv_player_settings, host_renders, int, 1),
    F(sv_player_settings, cdm, sv_cdm *, 1),
    F(sv_player_settings, license_url, const char *, 1),
    F(sv_player_settings, clock, const sv_clock *, 1),
    F(sv_player_settings, abr_rule, const char *, 1),
    F(sv_player_settings, max_height, int, 1),
    F(sv_player_settings, start_buffer_s, double, 1),
    F(sv_player_settings, buffer_goal_s, double, 1),
    F(sv_player_settings, buffer_max_s, double, 1),
    F(sv_player_settings, decoder_threads, int, 1),
    F(sv_player_settings, benchmark, int, 1),
    F(sv_player_settings, user_agent, const char *, 1),
    F(sv_player_settings, connect_timeout_s, double, 1),
    F(sv_player_settings, low_speed_bytes_per_s, double, 1),
    F(sv_player_settings, low_speed_time_s, double, 1),
    F(sv_player_settings, log_cb, sv_log_fn, 1),
    F(sv_player_settings, log_opaque, void *, 1),
    F(sv_player_settings, log_level, sv_log_level, 1),
    F(sv_player_settings, allocator, const sv_allocator *, 1),
    F(sv_player_settings, cmcd, int, 1),
    F(sv_player_settings, abr_params, const sv_abr_param *, 1),
    F(sv_player_settings, num_abr_params, size_t, 1),
    F(sv_player_settings, codecs, const char *, 1),
    F(sv_player_settings, allow_codec_switch, int, 1),
    F(sv_player_settings, fetch_give_up_ms, int, 1),
    F(sv_player_settings, audio_languages, const char *, 1),
    F(sv_player_settings, subtitle_languages, const char *, 1),
    F(sv_player_settings, live_target_latency_ms, int, 1),
    F(sv_player_settings, captions, int, 1),
    F(sv_player_settings, tls_ca_file, const char *, 1),
    F(sv_player_settings, tls_pinned_pubkey, const char *, 1),
    F(sv_player_settings, http_version, sv_http_version, 1),
    F(sv_player_settings, live_max_latency_ms, int, 1),
    F(sv_player_settings, caption_track, const char *, 1),
};
/* player.h */
static const field sv_cdn_fields[] = {
    F(sv_cdn, struct_size, size_t, 1),
    F(sv_cdn, id, const char *, 1),
    F(sv_cdn, base_url, const char *, 1),
    F(sv_cdn, priority, int, 1),
    F(sv_cdn, weight, int, 1),
};
/* player.h */
static const field sv_load_options_fields[] = {
    F(sv_load_options, struct_size, size_t, 1),
    F(sv_load_options, start_position_s, double, 1),
    F(sv_load_options, cdns, const sv_cdn *, 1),
    F(sv_load_options, nb_cdns, size_t, 1),
    F(sv_load_options, license_url, const char *, 1),
    F(sv_load_options, auth_token, const char *, 1),
    F(sv_load_options, quality_index, int, 1),
};
/* session.h */
static const field sv_session_options_fields[] = {
    F(sv_session_options, struct_size, size_t, 1),
    F(sv_session_options, server_url, const char *, 1),
    F(sv_session_options, user_token, const char *, 1),
    F(sv_session_options, title_id, int64_t, 1),
    F(sv_session_options, device_id, const char *, 1),
    F(sv_session_options, prefer_hls, int, 1),
    F(sv_session_options, from_start, int, 1),
    F(sv_session_options, load, const sv_load_options *, 1),
};
/* session.h */
static const field sv_session_info_fields[] = {
    F(sv_session_info, struct_size, size_t, 1),
    F(sv_session_info, active, int, 1),
    F(sv_session_info, session_id, char, 64),
    F(sv_session_info, heartbeat_interval_s, double, 1),
    F(sv_session_info, resume_position_s, double, 1),
    F(sv_session_info, heartbeats_sent, int64_t, 1),
    F(sv_session_info, heartbeats_failed, int64_t, 1),
};
/* player.h */
static const field sv_representation_info_fields[] = {
    F(sv_representation_info, struct_size, size_t, 1),
    F(sv_representation_info, index, int, 1),
    F(sv_representation_info, bandwidth_bps, int64_t, 1),
    F(sv_representation_info, width, int, 1),
    F(sv_representation_info, height, int, 1),
    F(sv_representation_info, frame_rate, double, 1),
    F(sv_representation_info, codecs, char, 64),
    F(sv_representation_info, id, char, 64),
};
/* player.h */
static const field sv_track_info_fields[] = {
    F(sv_track_info, struct_size, size_t, 1),
    F(sv_track_info, index, int, 1),
    F(sv_track_info, type, sv_track_type, 1),
    F(sv_track_info, selected, int, 1),
    F(sv_track_info, nb_representations, int, 1),
    F(sv_track_info, encrypted, int, 1),
    F(sv_track_info, is_default, int, 1),
    F(sv_track_info, language, char, 16),
    F(sv_track_info, label, char, 64),
    F(sv_track_info, codecs, char, 64),
    F(sv_track_info, roles, char, 64),
};
/* captions.h (API 2.7) */
static const field sv_caption_track_info_fields[] = {
    F(sv_caption_track_info, struct_size, size_t, 1),
    F(sv_caption_track_info, name, char, 16),
    F(sv_caption_track_info, language, char, 16),
    F(sv_caption_track_info, label, char, 64),
    F(sv_caption_track_info, declared, int, 1),
    F(sv_caption_track_info, carried, int, 1),
    F(sv_caption_track_info, selected, int, 1),
};
/* thumbnail.h */
static const field sv_thumbnail_fields[] = {
    F(sv_thumbnail, struct_size, size_t, 1),
    F(sv_thumbnail, pixels, uint8_t *, 1),
    F(sv_thumbnail, capacity, size_t, 1),
    F(sv_thumbnail, width, int, 1),
    F(sv_thumbnail, height, int, 1),
    F(sv_thumbnail, start_s, double, 1),
    F(sv_thumbnail, duration_s, double, 1),
};
/* preload.h (API 2.6) */
static const field sv_preload_options_fields[] = {
    F(sv_preload_options, struct_size, size_t, 1),
    F(sv_preload_options, load, const sv_load_options *, 1),
    F(sv_preload_options, max_bytes, size_t, 1),
    F(sv_preload_options, ahead_s, double, 1),
    F(sv_preload_options, gapless, int, 1),
};
static const field sv_preload_info_fields[] = {
    F(sv_preload_info, struct_size, size_t, 1),
    F(sv_preload_info, state, sv_preload_state, 1),
    F(sv_preload_info, error, int, 1),
    F(sv_preload_info, message, char, 200),
    F(sv_preload_info, requests, int64_t, 1),
    F(sv_preload_info, bytes, int64_t, 1),
    F(sv_preload_info, hits, int64_t, 1),
    F(sv_preload_info, ready_s, double, 1),
    F(sv_preload_info, bounded, int, 1),
};
static const field sv_cue_style_fields[] = {
    F(sv_cue_style, x, float, 1),
    F(sv_cue_style, y, float, 1),
    F(sv_cue_style, width, float, 1),
    F(sv_cue_style, height, float, 1),
    F(sv_cue_style, text_align, sv_cue_align, 1),
    F(sv_cue_style, display_align, sv_cue_align, 1),
    F(sv_cue_style, color, uint32_t, 1),
    F(sv_cue_style, background, uint32_t, 1),
    F(sv_cue_style, font_size, float, 1),
    F(sv_cue_style, italic, int, 1),
    F(sv_cue_style, bold, int, 1),
    F(sv_cue_style, underline, int, 1),
};
static const field sv_player_stats_fields[] = {
    F(sv_player_stats, struct_size, size_t, 1),
    F(sv_player_stats, startup_time_s, double, 1),
    F(sv_player_stats, rebuffer_count, int64_t, 1),
    F(sv_player_stats, rebuffer_time_s, double, 1),
    F(sv_player_stats, switches, int64_t, 1),
    F(sv_player_stats, mean_bitrate_bps, double, 1),
    F(sv_player_stats, decoded_frames, int64_t, 1),
    F(sv_player_stats, dropped_frames, int64_t, 1),
    F(sv_player_stats, played_s, double, 1),
    F(sv_player_stats, bytes_downloaded, int64_t, 1),
    F(sv_player_stats, segments_downloaded, int64_t, 1),
    F(sv_player_stats, segment_retries, int64_t, 1),
    F(sv_player_stats, cdn_switches, int64_t, 1),
    F(sv_player_stats, max_av_drift_s, double, 1),
    F(sv_player_stats, skipped_segments, int64_t, 1),
    F(sv_player_stats, skipped_s, double, 1),
    F(sv_player_stats, live_latency_s, double, 1),
    F(sv_player_stats, live_latency_p50_s, double, 1),
    F(sv_player_stats, live_latency_p95_s, double, 1),
    F(sv_player_stats, live_target_latency_s, double, 1),
    F(sv_player_stats, playback_rate, double, 1),
    F(sv_player_stats, min_playback_rate, double, 1),
    F(sv_player_stats, max_playback_rate, double, 1),
    F(sv_player_stats, playback_rate_changes, int64_t, 1),
    F(sv_player_stats, text_skipped, int64_t, 1),
    F(sv_player_stats, http1_requests, int64_t, 1),
    F(sv_player_stats, http2_requests, int64_t, 1),
    F(sv_player_stats, connections_opened, int64_t, 1),
    F(sv_player_stats, segment_fetch_p50_s, double, 1),
    F(sv_player_stats, segment_fetch_p95_s, double, 1),
    F(sv_player_stats, timed_events, int64_t, 1),
    F(sv_player_stats, timed_events_malformed, int64_t, 1),
};
/* player.h (API 2.4): the timed event the player hands out, and its
 * SCTE-35 summary. */
static const field sv_scte35_info_fields[] = {
    F(sv_scte35_info, command, int, 1),
    F(sv_scte35_info, out_of_network, int, 1),
    F(sv_scte35_info, cancel, int, 1),
    F(sv_scte35_info, immediate, int, 1),
    F(sv_scte35_info, event_id, uint32_t, 1),
    F(sv_scte35_info, pts_s, double, 1),
    F(sv_scte35_info, duration_s, double, 1),
    F(sv_scte35_info, auto_return, int, 1),
    F(sv_scte35_info, segmentation_type, int, 1),
};
static const field sv_timed_event_fields[] = {
    F(sv_timed_event, source, sv_timed_source, 1),
    F(sv_timed_event, scheme, const char *, 1),
    F(sv_timed_event, value, const char *, 1),
    F(sv_timed_event, id, const char *, 1),
    F(sv_timed_event, start_s, double, 1),
    F(sv_timed_event, duration_s, double, 1),
    F(sv_timed_event, payload, const uint8_t *, 1),
    F(sv_timed_event, payload_size, size_t, 1),
    F(sv_timed_event, payload_cut, int, 1),
    F(sv_timed_event, attributes, const char *, 1),
    F(sv_timed_event, scte35, sv_scte35_info, 1),
    F(sv_timed_event, reported_at_s, double, 1),
};
#endif
