/*
 * live_dvr URL - a live load through the public API only
 * (streamverse/player.h, streamverse/sinks.h): the latency held by the
 * playback rate with the pitch kept, a seek back into the DVR window and
 * the return to the live edge (sv_player_seek_live).
 *
 * The stream is tests/player/live_ll_dash_gen.sh's (LL-DASH, a 20 s window,
 * Latency@target 1.5 s) or tests/support/llhls.js' (LL-HLS, 20 segments of
 * 2 s, PART-HOLD-BACK 1.0 s), with a 440 Hz tone. The audio sink is the null sink with a tap
 * on its pulls that measures the tone's frequency over every 0.25 s of
 * sound (rising zero crossings of the first channel), tagged with the
 * playback rate read then (SV_PROP_PLAYBACK_RATE).
 *   1. plays 3 s: the latency (SV_PROP_LIVE_LATENCY) is under 2.5 s;
 *   2. pauses 2.5 s, which leaves it 2.5 s further behind, and plays 12 s:
 *      the rate goes up to at least 1.03 to catch up (never past 1.05), the
 *      latency falls by at least 0.3 s, and every window of sound played at
 *      a rate of 1.02 or more is a 440 Hz tone within 2 Hz (the rate
 *      resampled would make it 449 Hz or more);
 *   3. seeks to 2 s after the window's start (SV_PROP_SEEKABLE_START): the
 *      seek lands there (SEEK_DONE within 0.5 s of it), and 4 s later the
 *      latency is over 6 s with the rate at 1 (no catching up from the
 *      window);
 *   4. sv_player_seek_live(): 3 s later the latency is under 2.5 s again;
 *      then a 5 s pause leaves it over the maximum the player was given
 *      (settings.live_max_latency_ms 5000) by more than 0.5 s: the player
 *      goes back to the live start by itself (a SEEK_DONE it was not asked
 *      for), and 3 s after the pause the latency is under 2.5 s;
 *   5. at the end: no error, no rebuffer, no dropped frame, the rate stayed
 *      within 0.95-1.05, |audio - video| under 40 ms.
 * Prints the measured figures. Exit 0 when every check passed, 1 otherwise,
 * 2 on bad arguments or set-up failure.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <streamverse/player.h>
#include <streamverse/sinks.h>

#include "sdk_check.h"

#define WINDOW_S 0.25
#define MAX_WINDOWS 1000

/* ---- the tapped audio sink ---------------------------------------------------- */

typedef struct window { double freq_hz, rate; } window;

typedef struct tap {
    sv_audio_sink *inner;         /* the null sink */
    sv_audio_pull_fn pull;        /* the player's */
    void *pull_opaque;
    sv_audio_format fmt;
    _Atomic(sv_player *) player;  /* set once created; read on the sink's thread */
    pthread_mutex_t lock;         /* guards windows, nb */
    window windows[MAX_WINDOWS];
    int nb;
    /* The window being measured (sink thread only). */
    long frames, crossings, silent;
    double first, last;
    float prev;
} tap;

static int tap_pull(void *opaque, void *out, int frames, int64_t delay_us)
{
    tap *t = opaque;
    int n = t->pull(t->pull_opaque, out, frames, delay_us);
    int ch = t->fmt.channels, rate = t->fmt.sample_rate;
    for (int i = 0; i < n; i++) {
        float v = t->fmt.format == SV_SAMPLE_FMT_F32 ? ((const float *)out)[i * ch]
                                                    : ((const int16_t *)out)[i * ch] / 32768.0f;
        if (fabsf(v) < 1e-4f)
            t->silent++;
        if (t->prev < 0 && v >= 0) {
            double x = (double)t->frames - 1 + (double)(-t->prev) / (double)(v - t->prev);
            if (t->first < 0)
                t->first = x;
            else
                t->crossings++;
            t->last = x;
        }
        t->prev = v;
        t->frames++;
        if (t->frames >= (long)(WINDOW_S * rate)) {
            double r = 0;
            /* Only whole windows of sound measure the tone. */
            sv_player *p = atomic_load(&t->player);
            if (t->silent < 10 && t->crossings > 10 && p &&
                sv_player_get_double(p, SV_PROP_PLAYBACK_RATE, &r) == 0) {
                pthread_mutex_lock(&t->lock);
                if (t->nb < MAX_WINDOWS) {
                    t->windows[t->nb].freq_hz = (double)t->crossings * rate / (t->last - t->first);
                    t->windows[t->nb].rate = r;
                    t->nb++;
                }
                pthread_mutex_unlock(&t->lock);
            }
            t->frames = t->crossings = t->silent = 0;
            t->first = t->last = -1;
        }
    }
    return n;
}

static int tap_open(void *opaque, const sv_audio_format *wanted, sv_audio_format *obtained,
                    sv_audio_pull_fn pull, void *pull_opaque)
{
    tap *t = opaque;
    t->pull = pull;
    t->pull_opaque = pull_opaque;
    int r = t->inner->open(t->inner->opaque, wanted, obtained, tap_pull, t);
    if (r == 0)
        t->fmt = *obtained;
    return r;
}

static void tap_pause(void *opaque, int paused)
{
    tap *t = opaque;
    t->inner->pause(t->inner->opaque, paused);
}

static void tap_close(void *opaque)
{
    tap *t = opaque;
    t->inner->close(t->inner->opaque);
}

/* ---- the host ------------------------------------------------------------------ */

static sv_player *player;
static int fatal, seek_done, rebuffers;

/* What this test looks at in the player's events. */
static void on_event(void *opaque, const sv_event *ev)
{
    (void)opaque;
    if (ev->id == SV_EVENT_ERROR) {
        fprintf(stderr, "error: %s\n", ev->data.error.message);
        fatal |= ev->data.error.fatal;
    } else if (ev->id == SV_EVENT_SEEK_DONE) {
        seek_done = 1;
    } else if (ev->id == SV_EVENT_REBUFFER_START) {
        rebuffers++;
    }
}

/* Drains events for `s` seconds. */
static void run_for(double s)
{
    sdk_drain(player, s, 0.05, on_event, NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits up to `s` seconds for `state` (or SEEK_DONE with state -1). */
static int wait_for(int state, double s)
{
    for (int i = 0; i < (int)(s / 0.05); i++) {
        int64_t st = 0;
        run_for(0.05);
        if (fatal)
            return 0;
        if (state < 0 ? seek_done
                      : sv_player_get_int64(player, SV_PROP_STATE, &st) == 0 && st == state)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static tap t;
    sv_video_sink *video = NULL;
    sv_audio_sink sink = SV_AUDIO_SINK_INIT;
    sv_player_settings s;
    char msg[256];

    if (argc != 2) {
        fprintf(stderr, "usage: live_dvr URL\n");
        return 2;
    }
    pthread_mutex_init(&t.lock, NULL);
    t.first = t.last = -1;
    if (sdk_null_sinks(&s, &video, &t.inner, NULL, NULL) < 0)
        return 2;
    sink.open = tap_open;
    sink.pause = tap_pause;
    sink.close = tap_close;
    sink.opaque = &t;
    s.audio_sink = &sink; /* the tap, in front of the null sink */
    s.log_level = SV_LOG_WARN;
    s.live_max_latency_ms = 5000;
    if (sv_player_create(&player, &s) < 0 || sv_player_load(player, argv[1], NULL, 1) < 0) {
        fprintf(stderr, "cannot create the player or load %s\n", argv[1]);
        return 2;
    }
    atomic_store(&t.player, player);
    double t0 = now_s();

    /* 1. At the edge. */
    sdk_check(wait_for(SV_STATE_PLAYING, 20), "playing within 20 s");
    run_for(3);
    double lat1 = sdk_prop(player, SV_PROP_LIVE_LATENCY);
    snprintf(msg, sizeof(msg), "at the edge: latency %.3f s < 2.5 s", lat1);
    sdk_check(lat1 > 0 && lat1 < 2.5, msg);

    /* 2. A pause leaves it behind; the rate catches up, the pitch kept. */
    sv_player_set_pause(player, 1, 2);
    run_for(2.5);
    sv_player_set_pause(player, 0, 3);
    run_for(1.0);
    double lat2 = sdk_prop(player, SV_PROP_LIVE_LATENCY), max_rate = 1;
    for (int i = 0; i < 110; i++) {
        run_for(0.1);
        double r = sdk_prop(player, SV_PROP_PLAYBACK_RATE);
        if (r > max_rate)
            max_rate = r;
    }
    double lat3 = sdk_prop(player, SV_PROP_LIVE_LATENCY);
    snprintf(msg, sizeof(msg), "after a 2.5 s pause: latency %.3f s, 11 s later %.3f s, rate up to "
             "%.3f (>= 1.03, <= 1.05)", lat2, lat3, max_rate);
    sdk_check(lat2 > 3 && lat3 < lat2 - 0.3 && max_rate >= 1.03 && max_rate <= 1.05, msg);
    int fast = 0, off = 0;
    double worst = 0;
    pthread_mutex_lock(&t.lock);
    for (int i = 0; i < t.nb; i++) {
        if (t.windows[i].rate < 1.02)
            continue;
        fast++;
        double e = fabs(t.windows[i].freq_hz - 440);
        if (e > worst)
            worst = e;
        off += e > 2;
    }
    pthread_mutex_unlock(&t.lock);
    snprintf(msg, sizeof(msg), "pitch kept: %d windows of 0.25 s played at a rate >= 1.02, %d off "
             "440 Hz by more than 2 Hz (worst %.2f Hz)", fast, off, worst);
    sdk_check(fast >= 8 && off == 0, msg);

    /* 3. Back into the DVR window. */
    double lo = sdk_prop(player, SV_PROP_SEEKABLE_START), hi = sdk_prop(player, SV_PROP_SEEKABLE_END);
    double target = lo + 2;
    seek_done = 0;
    sv_player_seek(player, target, SV_SEEK_ACCURATE, 4);
    int landed = wait_for(-1, 10);
    double pos = sdk_prop(player, SV_PROP_POSITION);
    snprintf(msg, sizeof(msg), "seek to %.3f s in the window %.3f..%.3f s: done %d at %.3f s", target,
             lo, hi, landed, pos);
    sdk_check(landed && hi - lo > 10 && pos >= target - 0.05 && pos < target + 0.5, msg);
    run_for(4);
    double lat4 = sdk_prop(player, SV_PROP_LIVE_LATENCY), rate4 = sdk_prop(player, SV_PROP_PLAYBACK_RATE);
    snprintf(msg, sizeof(msg), "in the window: latency %.3f s > 6 s, rate %.3f", lat4, rate4);
    sdk_check(lat4 > 6 && rate4 == 1, msg);

    /* 4. Back to the live edge. */
    seek_done = 0;
    sv_player_seek_live(player, 5);
    landed = wait_for(-1, 10);
    run_for(3);
    double lat5 = sdk_prop(player, SV_PROP_LIVE_LATENCY);
    snprintf(msg, sizeof(msg), "back to live: done %d, latency %.3f s < 2.5 s", landed, lat5);
    sdk_check(landed && lat5 > 0 && lat5 < 2.5, msg);

    /* 4b. Too far behind for the rate: back to the live start unasked. */
    sv_player_set_pause(player, 1, 6);
    run_for(5);
    seek_done = 0;
    sv_player_set_pause(player, 0, 7);
    int jumped = wait_for(-1, 3);
    run_for(3);
    double lat6 = sdk_prop(player, SV_PROP_LIVE_LATENCY);
    snprintf(msg, sizeof(msg), "after a 5 s pause (maximum 5 s): back to the live start by itself "
             "%d, 3 s later latency %.3f s < 2.5 s", jumped, lat6);
    sdk_check(jumped && lat6 > 0 && lat6 < 2.5, msg);

    /* 5. The whole run. */
    sv_player_stats st = SV_PLAYER_STATS_INIT;
    sv_player_get_stats(player, &st);
    snprintf(msg, sizeof(msg), "no error %d, rebuffers %d (stats %lld), dropped frames %lld",
             !fatal, rebuffers, (long long)st.rebuffer_count, (long long)st.dropped_frames);
    sdk_check(!fatal && rebuffers == 0 && st.rebuffer_count == 0 && st.dropped_frames == 0, msg);
    snprintf(msg, sizeof(msg), "playback rate %.3f..%.3f within 0.95-1.05 (%lld changes), max "
             "|audio - video| %.4f s < 0.040", st.min_playback_rate, st.max_playback_rate,
             (long long)st.playback_rate_changes, st.max_av_drift_s);
    sdk_check(st.min_playback_rate >= 0.95 && st.max_playback_rate <= 1.05 &&
          st.max_av_drift_s < 0.040, msg);
    printf("measured: latency at the edge %.3f s, after the pause %.3f -> %.3f s (rate up to "
           "%.3f), in the window %.3f s, back at live %.3f s, after the 5 s pause %.3f s; p50 "
           "%.3f s, p95 %.3f s; %.1f s from the load\n", lat1, lat2, lat3, max_rate, lat4, lat5,
           lat6, st.live_latency_p50_s, st.live_latency_p95_s, now_s() - t0);

    sv_player_destroy(player);
    video->destroy(video);
    t.inner->destroy(t.inner);
    pthread_mutex_destroy(&t.lock);
    return sdk_failures ? 1 : 0;
}
