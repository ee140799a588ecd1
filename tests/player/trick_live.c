/*
 * trick_live URL SEGMENT_S - trick play on a live load through the public API
 * (streamverse/player.h, streamverse/sinks.h), in real time with the null
 * sinks. The stream is tests/player/live_gen.sh's (a sliding window of
 * SEGMENT_S s segments, old segments kept on disk):
 *   1. plays 5 s and until the window has slid (SV_PROP_SEEKABLE_START
 *      over 0, within 40 s: the stream's start is no longer the window's),
 *      then rewinds at -16x: within 6 s the rate goes back to 1 on its own
 *      (SV_EVENT_TRICK_RATE 1) at a position within one segment after the
 *      window's start, and 2 s later it plays (PLAYING) inside the window,
 *      the position moving on;
 *   2. fast forward at 16x: within 6 s the rate goes back to 1 at the live
 *      start (SV_PROP_SEEKABLE_END, within one segment), playing;
 *   3. no error all along.
 * Prints the figures. Exit 0 when every check passed, 1 otherwise, 2 on bad
 * arguments or set-up failure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <streamverse/player.h>
#include <streamverse/sinks.h>

#include "sdk_check.h"

static sv_player *player;
static int fatal, trick_events, last_rate = 1;
static double last_pos = -1;

/* What this test looks at in the player's events. */
static void on_event(void *opaque, const sv_event *ev)
{
    (void)opaque;
    if (ev->id == SV_EVENT_ERROR) {
        fprintf(stderr, "error: %s\n", ev->data.error.message);
        fatal = 1;
    } else if (ev->id == SV_EVENT_TRICK_RATE) {
        trick_events++;
        last_rate = ev->data.trick.rate;
        last_pos = ev->data.trick.position_s;
    }
}

static void drain(double s)
{
    sdk_drain(player, s, 0.02, on_event, NULL);
}

static int state(void)
{
    int64_t st = -1;
    sv_player_get_int64(player, SV_PROP_STATE, &st);
    return (int)st;
}

/* Sets `rate` and waits up to `s` seconds for the player's own return to 1. */
static int trick_until_back(int rate, double s)
{
    int before = trick_events;
    if (sv_player_set_trick_rate(player, rate, 1) < 0)
        return 0;
    for (int i = 0; i < (int)(s / 0.02) && !fatal; i++) {
        drain(0.02);
        if (trick_events >= before + 2 && last_rate == 1)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    sv_video_sink *video = NULL;
    sv_audio_sink *audio = NULL;
    sv_player_settings s;
    char msg[300];
    double seg;

    if (argc != 3 || (seg = atof(argv[2])) <= 0) {
        fprintf(stderr, "usage: trick_live URL SEGMENT_S\n");
        return 2;
    }
    if (sdk_null_sinks(&s, &video, &audio, NULL, NULL) < 0)
        return 2;
    s.log_level = SV_LOG_INFO;
    if (sv_player_create(&player, &s) < 0 || sv_player_load(player, argv[1], NULL, 1) < 0) {
        fprintf(stderr, "cannot create the player or load %s\n", argv[1]);
        return 2;
    }
    for (int i = 0; i < 1000 && state() != SV_STATE_PLAYING && !fatal; i++)
        drain(0.02);
    sdk_check(state() == SV_STATE_PLAYING, "playing within 20 s");
    drain(5);
    for (int i = 0; i < 2000 && sdk_prop(player, SV_PROP_SEEKABLE_START) <= 0 && !fatal; i++)
        drain(0.02);
    snprintf(msg, sizeof(msg), "the window slid: it starts at %.3f s",
             sdk_prop(player, SV_PROP_SEEKABLE_START));
    sdk_check(sdk_prop(player, SV_PROP_SEEKABLE_START) > 0, msg);

    /* 1. Rewind into the window's start. */
    double from = sdk_prop(player, SV_PROP_POSITION);
    int back = trick_until_back(-16, 6);
    drain(0.2); /* the window's properties are published again by the next tick */
    double lo = sdk_prop(player, SV_PROP_SEEKABLE_START);
    snprintf(msg, sizeof(msg), "-16x from %.3f s: back to 1 by itself at %.3f s, the window "
             "starting at %.3f s > 0 (within %.0f s after it)", from, last_pos, lo, seg);
    sdk_check(back && lo > 0 && last_pos >= lo - 0.5 && last_pos <= lo + seg + 0.5, msg);
    drain(2);
    double p1 = sdk_prop(player, SV_PROP_POSITION), lo1 = sdk_prop(player, SV_PROP_SEEKABLE_START);
    drain(1);
    double p2 = sdk_prop(player, SV_PROP_POSITION);
    snprintf(msg, sizeof(msg), "then playing inside the window: %.3f s (window from %.3f s), "
             "%.3f s a second later", p1, lo1, p2);
    sdk_check(state() == SV_STATE_PLAYING && p1 >= lo1 && p2 > p1 + 0.5, msg);

    /* 2. Fast forward to the live start. */
    from = sdk_prop(player, SV_PROP_POSITION);
    back = trick_until_back(16, 6);
    drain(0.2);
    double hi = sdk_prop(player, SV_PROP_SEEKABLE_END);
    snprintf(msg, sizeof(msg), "16x from %.3f s: back to 1 by itself at %.3f s, the live start "
             "%.3f s (within %.0f s)", from, last_pos, hi, seg);
    sdk_check(back && fabs(last_pos - hi) <= seg + 0.5, msg);
    drain(2);
    snprintf(msg, sizeof(msg), "then playing at %.3f s", sdk_prop(player, SV_PROP_POSITION));
    sdk_check(state() == SV_STATE_PLAYING, msg);

    sdk_check(!fatal, "no error");
    sv_player_destroy(player);
    video->destroy(video);
    audio->destroy(audio);
    printf("%s\n", sdk_failures ? "FAILED" : "PASSED");
    return sdk_failures ? 1 : 0;
}
