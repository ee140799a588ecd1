# Presentation model: HLS and DASH into periods/tracks/reps/segments, sidx;
# DASH segments kept as runs (test_dash_runs); the video codec family choice; track roles and language preferences.
sv_unit_test(test_model_hls test_model_hls.c)
sv_unit_test(test_model_dash test_model_dash.c)
sv_unit_test(test_sidx test_sidx.c)
sv_unit_test(test_webvtt test_webvtt.c)
sv_unit_test(test_ttml test_ttml.c)
sv_unit_test(test_codec_choice test_codec_choice.c)
sv_unit_test(test_track_prefs test_track_prefs.c)
sv_unit_test(test_uri_table test_uri_table.c)
sv_unit_test(test_dash_runs test_dash_runs.c)
# Low-latency HLS: the parser's tags and the model's parts, preload hint,
# delta updates and rendition reports.
sv_unit_test(test_hls_ll test_hls_ll.c)
# DASH Latency@min/@max: the target clamped, back to the live start past @max.
sv_unit_test(test_latency test_latency.c)
# Downloads for offline viewing: a file:// HLS title through the real
# transport, the state file, resume, quota, cancel, list and delete.
sv_unit_test(test_download test_download.c)

# Trick play's pace (core/control_trick.c): the target at a rate, its bounds.
sv_unit_test(test_trick_pace test_trick_pace.c)
