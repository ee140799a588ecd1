/*
 * abi_fields_abr.h - the pinned fields of the structs of abr.h and abrsim.h,
 * in declaration order with their types (test_abi_layout.c, which defines
 * `field` and F() and includes this file once, before its other tables).
 */
#ifndef SV_TEST_ABI_FIELDS_ABR_H
#define SV_TEST_ABI_FIELDS_ABR_H

/* abr.h */
static const field sv_abr_param_info_fields[] = {
    F(sv_abr_param_info, name, const char *, 1),
    F(sv_abr_param_info, help, const char *, 1),
    F(sv_abr_param_info, default_value, double, 1),
    F(sv_abr_param_info, min_value, double, 1),
    F(sv_abr_param_info, max_value, double, 1),
    F(sv_abr_param_info, reserved, uint64_t, 4),
};
/* abr.h */
static const field sv_abr_param_fields[] = {
    F(sv_abr_param, name, const char *, 1),
    F(sv_abr_param, value, double, 1),
    F(sv_abr_param, reserved, uint64_t, 4),
};
/* abr.h */
static const field sv_abr_input_fields[] = {
    F(sv_abr_input, bitrates_kbps, const uint32_t *, 1),
    F(sv_abr_input, num_rungs, size_t, 1),
    F(sv_abr_input, segment_duration_s, double, 1),
    F(sv_abr_input, buffer_s, double, 1),
    F(sv_abr_input, buffer_max_s, double, 1),
    F(sv_abr_input, throughput_kbps, double, 1),
    F(sv_abr_input, last_index, int, 1),
    F(sv_abr_input, next_sizes, const uint64_t *, 1),
    F(sv_abr_input, num_next, size_t, 1),
    F(sv_abr_input, segments_left, size_t, 1),
    F(sv_abr_input, idle_s, double, 1),
    F(sv_abr_input, phase, sv_abr_phase, 1),
    F(sv_abr_input, reserved, uint64_t, 4),
};
/* abr.h */
static const field sv_abr_decision_fields[] = {
    F(sv_abr_decision, index, int, 1),
    F(sv_abr_decision, delay_s, double, 1),
    F(sv_abr_decision, reason, const char *, 1),
    F(sv_abr_decision, reserved, uint64_t, 4),
};
/* abr.h */
static const field sv_abr_sample_fields[] = {
    F(sv_abr_sample, bytes, uint64_t, 1),
    F(sv_abr_sample, duration_s, double, 1),
    F(sv_abr_sample, latency_s, double, 1),
    F(sv_abr_sample, index, int, 1),
    F(sv_abr_sample, buffer_s, double, 1),
    F(sv_abr_sample, reserved, uint64_t, 4),
};
/* abr.h */
static const field sv_abr_estimator_config_fields[] = {
    F(sv_abr_estimator_config, kind, sv_abr_estimator_kind, 1),
    F(sv_abr_estimator_config, fast_half_life_s, double, 1),
    F(sv_abr_estimator_config, slow_half_life_s, double, 1),
    F(sv_abr_estimator_config, window, unsigned, 1),
    F(sv_abr_estimator_config, percentile, double, 1),
    F(sv_abr_estimator_config, reserved, uint64_t, 4),
};
/* abr.h */
static const field sv_abr_qoe_config_fields[] = {
    F(sv_abr_qoe_config, rebuffer_penalty, double, 1),
    F(sv_abr_qoe_config, smooth_penalty, double, 1),
    F(sv_abr_qoe_config, skip, size_t, 1),
    F(sv_abr_qoe_config, reserved, uint64_t, 4),
};
/* abr.h */
static const field sv_abr_qoe_fields[] = {
    F(sv_abr_qoe, cfg, sv_abr_qoe_config, 1),
    F(sv_abr_qoe, qoe, double, 1),
    F(sv_abr_qoe, rebuffer_s, double, 1),
    F(sv_abr_qoe, startup_s, double, 1),
    F(sv_abr_qoe, played_s, double, 1),
    F(sv_abr_qoe, bitrate_sum_kbps, double, 1),
    F(sv_abr_qoe, switches, unsigned, 1),
    F(sv_abr_qoe, counted, size_t, 1),
    F(sv_abr_qoe, segments, size_t, 1),
    F(sv_abr_qoe, last_index, int, 1),
    F(sv_abr_qoe, last_kbps, uint32_t, 1),
    F(sv_abr_qoe, reserved, uint64_t, 4),
};
/* abr.h */
static const field sv_abr_stats_fields[] = {
    F(sv_abr_stats, count, size_t, 1),
    F(sv_abr_stats, mean, double, 1),
    F(sv_abr_stats, median, double, 1),
    F(sv_abr_stats, p5, double, 1),
    F(sv_abr_stats, min, double, 1),
    F(sv_abr_stats, max, double, 1),
    F(sv_abr_stats, reserved, uint64_t, 4),
};
/* abrsim.h */
static const field sv_trace_error_fields[] = {
    F(sv_trace_error, line, size_t, 1),
    F(sv_trace_error, message, char, 160),
    F(sv_trace_error, reserved, uint64_t, 4),
};
/* abrsim.h */
static const field sv_abr_video_fields[] = {
    F(sv_abr_video, bitrates_kbps, const uint32_t *, 1),
    F(sv_abr_video, num_rungs, size_t, 1),
    F(sv_abr_video, segment_bytes, const uint64_t *, 1),
    F(sv_abr_video, num_segments, size_t, 1),
    F(sv_abr_video, segment_duration_s, double, 1),
    F(sv_abr_video, reserved, uint64_t, 4),
};
/* abrsim.h */
static const field sv_abr_sim_config_fields[] = {
    F(sv_abr_sim_config, rtt_s, double, 1),
    F(sv_abr_sim_config, payload_ratio, double, 1),
    F(sv_abr_sim_config, buffer_max_s, double, 1),
    F(sv_abr_sim_config, drain_step_s, double, 1),
    F(sv_abr_sim_config, start_index, int, 1),
    F(sv_abr_sim_config, num_segments, size_t, 1),
    F(sv_abr_sim_config, qoe, sv_abr_qoe_config, 1),
    F(sv_abr_sim_config, estimator, sv_abr_estimator_config, 1),
    F(sv_abr_sim_config, params, const sv_abr_param *, 1),
    F(sv_abr_sim_config, num_params, size_t, 1),
    F(sv_abr_sim_config, alloc, const sv_allocator *, 1),
    F(sv_abr_sim_config, startup_bytes, uint64_t, 1),
    F(sv_abr_sim_config, index_bytes, const uint64_t *, 1),
    F(sv_abr_sim_config, init_bytes, const uint64_t *, 1),
    F(sv_abr_sim_config, reserved, uint64_t, 8),
};
/* abrsim.h */
static const field sv_abr_sim_step_fields[] = {
    F(sv_abr_sim_step, segment, size_t, 1),
    F(sv_abr_sim_step, index, int, 1),
    F(sv_abr_sim_step, bitrate_kbps, uint32_t, 1),
    F(sv_abr_sim_step, bytes, uint64_t, 1),
    F(sv_abr_sim_step, request_s, double, 1),
    F(sv_abr_sim_step, download_s, double, 1),
    F(sv_abr_sim_step, rebuffer_s, double, 1),
    F(sv_abr_sim_step, buffer_s, double, 1),
    F(sv_abr_sim_step, sleep_s, double, 1),
    F(sv_abr_sim_step, delay_s, double, 1),
    F(sv_abr_sim_step, throughput_kbps, double, 1),
    F(sv_abr_sim_step, estimate_kbps, double, 1),
    F(sv_abr_sim_step, qoe, double, 1),
    F(sv_abr_sim_step, reason, const char *, 1),
    F(sv_abr_sim_step, reserved, uint64_t, 4),
};
/* abrsim.h */
static const field sv_abr_sim_result_fields[] = {
    F(sv_abr_sim_result, qoe, double, 1),
    F(sv_abr_sim_result, rebuffer_s, double, 1),
    F(sv_abr_sim_result, rebuffer_ratio, double, 1),
    F(sv_abr_sim_result, startup_s, double, 1),
    F(sv_abr_sim_result, mean_bitrate_kbps, double, 1),
    F(sv_abr_sim_result, switches, unsigned, 1),
    F(sv_abr_sim_result, segments, size_t, 1),
    F(sv_abr_sim_result, session_s, double, 1),
    F(sv_abr_sim_result, reserved, uint64_t, 8),
};
#endif
