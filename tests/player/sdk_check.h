/*
 * sdk_check.h - what the public-API test programs of tests/player share
 * (live_dvr.c, trick_play.c, trick_live.c, captions_switch.c, and
 * interstitials.c of tests/backend; built with each by pl_build_sdk_program
 * NAME sdk_check.c): the null sinks and the settings that use them, a check
 * that prints "ok" or "FAIL" and counts the failures, a property read, and
 * the player's events taken for a stretch of wall time. The host's thread
 * only.
 */
#ifndef SV_TESTS_SDK_CHECK_H
#define SV_TESTS_SDK_CHECK_H

#include <streamverse/player.h>
#include <streamverse/sinks.h>

/* Creates the null video sink (each frame shown to `on_frame`, which may
 * be NULL) and the null audio sink (real time, at `force`'s format when not
 * NULL, else the stream's), and sets *s to the default settings with those
 * sinks. Returns 0, or prints what failed and returns -1. The sinks are the
 * caller's to destroy after the player. */
int sdk_null_sinks(sv_player_settings *s, sv_video_sink **video, sv_audio_sink **audio,
                   sv_frame_hash_fn on_frame, const sv_audio_format *force);

/* How many sdk_check() calls failed. */
extern int sdk_failures;

/* Prints "ok   WHAT" or "FAIL WHAT" (flushed) and counts a failure. */
void sdk_check(int ok, const char *what);

/* A double property of the player, NAN when it cannot be read. */
double sdk_prop(sv_player *player, sv_property prop);

/* Takes the player's events for `s` seconds of wall time, waiting at most
 * `step` seconds at a time, and hands each one that is not SV_EVENT_NONE
 * to `on` (with `opaque`). */
void sdk_drain(sv_player *player, double s, double step,
               void (*on)(void *opaque, const sv_event *ev), void *opaque);

#endif
