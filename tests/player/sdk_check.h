/*
 * sdk_check.h - what the public-API test programs of tests/player share
 * (live_dvr.c, trick_play.c, trick_live.c; built with each by
 * pl_build_sdk_program NAME sdk_check.c): a check that prints "ok" or
 * "FAIL" and counts the failures, a property read, and the player's events
 * taken for a stretch of wall time. The host's thread only.
 */
#ifndef SV_TESTS_SDK_CHECK_H
#define SV_TESTS_SDK_CHECK_H

#include <streamverse/player.h>

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
