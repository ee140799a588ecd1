/*
 * trick_play URL REF_MD5 FPS GOP_S [LICENSE_URL] - trick play through the
 * public API only (streamverse/player.h, streamverse/sinks.h), in real time
 * with the null sinks. REF_MD5 holds ffmpeg's frame hashes of the source,
 * one per line in presentation order (frame i at i / FPS s); its key frames
 * are every GOP_S seconds, at the start of every segment (and of every
 * I-frame entry). LICENSE_URL: the ClearKey license server of an encrypted
 * title (settings.license_url).
 *
 *   1. plays 1.5 s, then fast forward at 8x for 3 s of wall time: the
 *      position moves 24 s less at most 4 s (one key-frame spacing of 2 s:
 *      the frame shown is the key frame at or before the target; plus 8 x
 *      0.25 s for a step, a fetch, a decode and a present) and never more
 *      than 24.1 s; at least 6 frames are shown, every one a key frame (its
 *      time a multiple of GOP_S) whose picture is ffmpeg's at that time, in
 *      increasing order; no audio is played (the null sink supplied under
 *      0.1 s of samples); SV_PROP_TRICK_RATE reads 8;
 *   2. rewind at -8x for 2 s: the position goes back 16 s (same bounds),
 *      the key frames shown in decreasing order;
 *   3. rate 1: SV_EVENT_TRICK_RATE with rate 1 names the last key frame
 *      shown, SEEK_DONE follows, the first frame shown after it is that key
 *      frame (within one frame time), and 3 s of playback follow with every
 *      frame ffmpeg's, one after the other, 0 dropped frames, audio back and
 *      |A/V drift| under 40 ms;
 *   3b. at 4x, a seek to 30 s is taken at once (SEEK_DONE) and trick play
 *      goes on from there (1 s later between 30 - GOP_S and 34 s); a pause
 *      ends it: SV_EVENT_TRICK_RATE 1, PAUSED on that key frame;
 *   4. 64x forward reaches the end: the rate goes back to 1 on its own and
 *      playback is PAUSED on the last key frame; -64x back reaches 0: PAUSED
 *      at 0;
 *   5. no error all along.
 * Prints the figures. Exit 0 when every check passed, 1 otherwise, 2 on bad
 * arguments or set-up failure.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <streamverse/player.h>
#include <streamverse/sinks.h>

#include "sdk_check.h"

#define MAX_FRAMES 20000
#define MAX_REF 100000

typedef struct shown { int64_t pts_us; uint8_t md5[16]; } shown;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static shown frames[MAX_FRAMES]; /* guarded by lock */
static int nb_frames;
static char (*ref)[33];
static int nb_ref;
static double fps, gop_s;

static sv_player *player;
static sv_audio_sink *audio;
static int fatal, seek_done, trick_events, last_trick_rate = 1;
static double last_trick_pos = -1;

static void on_frame(void *opaque, const sv_video_frame *f, const uint8_t md5[16])
{
    (void)opaque;
    pthread_mutex_lock(&lock);
    if (nb_frames < MAX_FRAMES && md5) {
        frames[nb_frames].pts_us = f->pts_us;
        memcpy(frames[nb_frames].md5, md5, 16);
        nb_frames++;
    }
    pthread_mutex_unlock(&lock);
}

static int frame_count(void)
{
    pthread_mutex_lock(&lock);
    int n = nb_frames;
    pthread_mutex_unlock(&lock);
    return n;
}

static double audio_s(void)
{
    sv_null_audio_stats st = SV_NULL_AUDIO_STATS_INIT;
    if (sv_null_audio_sink_stats(audio, &st) < 0)
        return NAN;
    return (double)st.frames / 48000.0;
}

/* What this test looks at in the player's events. */
static void on_event(void *opaque, const sv_event *ev)
{
    (void)opaque;
    if (ev->id == SV_EVENT_ERROR) {
        fprintf(stderr, "error: %s\n", ev->data.error.message);
        fatal = 1;
    } else if (ev->id == SV_EVENT_SEEK_DONE) {
        seek_done = 1;
    } else if (ev->id == SV_EVENT_TRICK_RATE) {
        trick_events++;
        last_trick_rate = ev->data.trick.rate;
        last_trick_pos = ev->data.trick.position_s;
    } else if (ev->id == SV_EVENT_COMMAND_REPLY && ev->error < 0) {
        fprintf(stderr, "command %llu failed: %s\n", (unsigned long long)ev->reply_userdata,
                sv_strerror(ev->error));
        fatal = 1;
    }
}

static void drain(double s)
{
    sdk_drain(player, s, 0.02, on_event, NULL);
}

/* Waits up to `s` seconds for `*flag` to become non-zero, or for `state`. */
static int wait_flag(const int *flag, double s)
{
    for (int i = 0; i < (int)(s / 0.02) && !fatal; i++) {
        if (*flag)
            return 1;
        drain(0.02);
    }
    return *flag;
}

static int wait_state(int state, double s)
{
    for (int i = 0; i < (int)(s / 0.02) && !fatal; i++) {
        int64_t st = -1;
        if (sv_player_get_int64(player, SV_PROP_STATE, &st) == 0 && st == state)
            return 1;
        drain(0.02);
    }
    return 0;
}

/* Sets the rate and waits for its SV_EVENT_TRICK_RATE; returns its position. */
static double set_rate(int rate)
{
    int before = trick_events;
    if (sv_player_set_trick_rate(player, rate, 100 + (uint64_t)(rate + 64)) < 0)
        return NAN;
    for (int i = 0; i < 100 && trick_events == before && !fatal; i++)
        drain(0.02);
    return trick_events > before && last_trick_rate == rate ? last_trick_pos : NAN;
}

/* The reference frame at pts_us, or NULL. */
static const char *ref_at(int64_t pts_us, double *err_s)
{
    double idx = (double)pts_us * fps / 1e6;
    long i = lround(idx);
    *err_s = fabs(idx - (double)i) / fps;
    return i >= 0 && i < nb_ref ? ref[i] : NULL;
}

static void hex(const uint8_t md5[16], char out[33])
{
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", md5[i]);
}

/* Frames [from, to): key frames of the source, pictures equal, in order
 * (dir 1 increasing, -1 decreasing). */
static void check_keys(int from, int to, int dir, const char *what)
{
    char msg[400], h[33];
    int bad_key = 0, bad_md5 = 0, bad_order = 0;
    pthread_mutex_lock(&lock);
    for (int i = from; i < to; i++) {
        double err, t = (double)frames[i].pts_us / 1e6;
        const char *r = ref_at(frames[i].pts_us, &err);
        double k = t / gop_s;
        if (fabs(k - round(k)) * gop_s > 0.001 || err > 0.001)
            bad_key++;
        hex(frames[i].md5, h);
        if (!r || strcmp(r, h) != 0)
            bad_md5++;
        if (i > from && (frames[i].pts_us - frames[i - 1].pts_us) * dir < 0)
            bad_order++;
    }
    int64_t first = to > from ? frames[from].pts_us : -1, last = to > from ? frames[to - 1].pts_us : -1;
    pthread_mutex_unlock(&lock);
    snprintf(msg, sizeof(msg), "%s: %d frames shown (%.3f s .. %.3f s), %d not on a key frame, "
             "%d unlike ffmpeg's picture, %d out of order", what, to - from, (double)first / 1e6,
             (double)last / 1e6, bad_key, bad_md5, bad_order);
    sdk_check(to - from >= 6 && !bad_key && !bad_md5 && !bad_order, msg);
}

static int load_ref(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[128];
    if (!f)
        return -1;
    ref = calloc(MAX_REF, sizeof(*ref));
    while (ref && nb_ref < MAX_REF && fgets(line, sizeof(line), f))
        if (sscanf(line, "%32s", ref[nb_ref]) == 1 && strlen(ref[nb_ref]) == 32)
            nb_ref++;
    fclose(f);
    return ref && nb_ref > 0 ? 0 : -1;
}

static void phase_trick(int rate, double wall_s, const char *what)
{
    char msg[300];
    double anchor = set_rate(rate);
    /* From the event on: a frame of normal playback the render thread was
     * presenting as trick play began may still land just before it. */
    int f0 = frame_count();
    double a0_audio = audio_s();
    drain(wall_s);
    double pos = sdk_prop(player, SV_PROP_POSITION), moved = (pos - anchor) * (rate > 0 ? 1 : -1);
    double want = fabs((double)rate) * wall_s;
    int64_t r = 0;
    sv_player_get_int64(player, SV_PROP_TRICK_RATE, &r);
    snprintf(msg, sizeof(msg), "%s: from %.3f s to %.3f s in %.1f s: moved %.3f s (want %.1f - 4 "
             "to %.1f + 0.1), SV_PROP_TRICK_RATE %lld", what, anchor, pos, wall_s, moved, want,
             want, (long long)r);
    sdk_check(!isnan(anchor) && moved >= want - 4 && moved <= want + 0.1 && r == rate, msg);
    check_keys(f0, frame_count(), rate > 0 ? 1 : -1, what);
    double heard = audio_s() - a0_audio;
    snprintf(msg, sizeof(msg), "%s: %.3f s of audio played (< 0.1)", what, heard);
    sdk_check(heard < 0.1, msg);
}

int main(int argc, char **argv)
{
    sv_video_sink *video = NULL;
    sv_player_settings s;
    char msg[400];

    if ((argc != 5 && argc != 6) || load_ref(argv[2]) < 0 || (fps = atof(argv[3])) <= 0 ||
        (gop_s = atof(argv[4])) <= 0) {
        fprintf(stderr, "usage: trick_play URL REF_MD5 FPS GOP_S [LICENSE_URL]\n");
        return 2;
    }
    const sv_audio_format s16 = { .sample_rate = 48000, .channels = 2,
                                  .format = SV_SAMPLE_FMT_S16 };
    if (sdk_null_sinks(&s, &video, &audio, on_frame, &s16) < 0)
        return 2;
    s.log_level = SV_LOG_INFO;
    s.license_url = argc == 6 ? argv[5] : NULL;
    if (sv_player_create(&player, &s) < 0 || sv_player_load(player, argv[1], NULL, 1) < 0) {
        fprintf(stderr, "cannot create the player or load %s\n", argv[1]);
        return 2;
    }
    sdk_check(wait_state(SV_STATE_PLAYING, 20), "playing within 20 s");
    drain(1.5);

    /* 1 and 2. Fast forward, rewind. */
    phase_trick(8, 3.0, "8x forward");
    phase_trick(-8, 2.0, "8x rewind");

    /* 3. Back to normal playback at the key frame on screen. */
    double shown_pos = sdk_prop(player, SV_PROP_POSITION);
    int64_t dropped0 = 0, dropped1 = 0;
    sv_player_get_int64(player, SV_PROP_DROPPED_FRAMES, &dropped0);
    seek_done = 0;
    int f0 = frame_count();
    double resumed = set_rate(1);
    /* The key frame on screen when the command ran: the one read just
     * before, or the next one (rewinding: earlier) if it was in flight. */
    double k = resumed / gop_s;
    snprintf(msg, sizeof(msg), "rate 1: resumes at %.3f s, a key frame, the one on screen a "
             "moment before (%.3f s) or the next", resumed, shown_pos);
    sdk_check(fabs(k - round(k)) * gop_s < 0.001 && resumed <= shown_pos + 0.001 &&
              resumed >= shown_pos - gop_s - 0.001, msg);
    sdk_check(wait_flag(&seek_done, 5), "SEEK_DONE within 5 s");
    sdk_check(wait_state(SV_STATE_PLAYING, 5), "PLAYING again");
    double a0 = audio_s(), p0 = sdk_prop(player, SV_PROP_POSITION);
    drain(3.0);
    double p1 = sdk_prop(player, SV_PROP_POSITION), heard = audio_s() - a0, drift = sdk_prop(player, SV_PROP_AV_DRIFT);
    sv_player_get_int64(player, SV_PROP_DROPPED_FRAMES, &dropped1);
    int f1 = frame_count(), bad = 0, gaps = 0;
    double gap_at = -1;
    char h[33];
    pthread_mutex_lock(&lock);
    /* A trick frame the render thread was presenting as the command ran may
     * come first: the run from the resume on starts at the resume frame. */
    for (int i = f0; i < f1 && i < f0 + 3; i++)
        if (llabs(frames[i].pts_us - (int64_t)llround(resumed * 1e6)) < 1000 && i + 1 < f1 &&
            frames[i + 1].pts_us > frames[i].pts_us) {
            f0 = i;
            break;
        }
    int64_t first = f1 > f0 ? frames[f0].pts_us : -1;
    for (int i = f0; i < f1; i++) {
        double err;
        const char *r = ref_at(frames[i].pts_us, &err);
        hex(frames[i].md5, h);
        bad += !r || strcmp(r, h) != 0 || err > 0.001;
        if (i > f0 && llabs(frames[i].pts_us - frames[i - 1].pts_us - (int64_t)(1e6 / fps)) > 1000 &&
            !gaps++)
            gap_at = (double)frames[i - 1].pts_us / 1e6;
    }
    pthread_mutex_unlock(&lock);
    snprintf(msg, sizeof(msg), "the first frame after it: %.3f s (the key frame %.3f s, within "
             "one frame time)", (double)first / 1e6, resumed);
    sdk_check(first >= 0 && fabs((double)first / 1e6 - resumed) <= 1.0 / fps + 0.0005, msg);
    snprintf(msg, sizeof(msg), "3 s of playback: %d frames, %d unlike ffmpeg's, %d not the next "
             "one (first after %.3f s), %lld dropped, position %.3f -> %.3f s, %.3f s of audio, "
             "A/V drift %.3f s", f1 - f0, bad, gaps, gap_at, (long long)(dropped1 - dropped0),
             p0, p1, heard, drift);
    sdk_check(f1 - f0 >= (int)(2.5 * fps) && !bad && !gaps && dropped1 == dropped0 &&
              p1 - p0 > 2.5 && p1 - p0 < 3.5 && heard > 2.5 && fabs(drift) < 0.04, msg);

    /* 3b. A seek during trick play moves it; a pause ends it there. */
    set_rate(4);
    drain(0.5);
    seek_done = 0;
    sv_player_seek(player, 30, SV_SEEK_ACCURATE, 7);
    int sought = wait_flag(&seek_done, 2);
    drain(1.0);
    double at = sdk_prop(player, SV_PROP_POSITION);
    int before_pause = trick_events;
    sv_player_set_pause(player, 1, 8);
    for (int i = 0; i < 100 && trick_events == before_pause && !fatal; i++)
        drain(0.02);
    int paused_trick = wait_state(SV_STATE_PAUSED, 5);
    double paused_at = sdk_prop(player, SV_PROP_POSITION);
    snprintf(msg, sizeof(msg), "4x, a seek to 30 s (SEEK_DONE %d): 1 s later at %.3f s (30 - %.0f "
             "to 34); a pause: rate %d, PAUSED %d at %.3f s (the key frame %.3f s)", sought, at,
             gop_s, last_trick_rate, paused_trick, paused_at, last_trick_pos);
    sdk_check(sought && at >= 30 - gop_s - 0.001 && at <= 34.1 && last_trick_rate == 1 && paused_trick &&
              fabs(paused_at - last_trick_pos) < 0.001 &&
              fabs(last_trick_pos / gop_s - round(last_trick_pos / gop_s)) < 0.001,
          msg);

    /* 4. The ends (from the pause). */
    int before = trick_events;
    set_rate(64);
    for (int i = 0; i < 250 && !(trick_events > before + 1) && !fatal; i++)
        drain(0.02);
    int paused = wait_state(SV_STATE_PAUSED, 5);
    double end_pos = sdk_prop(player, SV_PROP_POSITION), dur = sdk_prop(player, SV_PROP_DURATION);
    double last_key = floor((nb_ref - 1) / fps / gop_s + 1e-9) * gop_s;
    snprintf(msg, sizeof(msg), "64x to the end: rate %d at %.3f s, paused %d at %.3f s (the last "
             "key frame %.3f s; duration %.3f s)", last_trick_rate, last_trick_pos, paused,
             end_pos, last_key, dur);
    sdk_check(last_trick_rate == 1 && paused && fabs(end_pos - last_key) < 0.001 &&
              fabs(dur - nb_ref / fps) < 0.1, msg);
    before = trick_events;
    set_rate(-64);
    for (int i = 0; i < 250 && !(trick_events > before + 1) && !fatal; i++)
        drain(0.02);
    paused = wait_state(SV_STATE_PAUSED, 5);
    end_pos = sdk_prop(player, SV_PROP_POSITION);
    snprintf(msg, sizeof(msg), "-64x to the start: rate %d at %.3f s, paused %d at %.3f s",
             last_trick_rate, last_trick_pos, paused, end_pos);
    sdk_check(last_trick_rate == 1 && paused && fabs(end_pos) < 0.001, msg);

    sdk_check(!fatal, "no error");
    sv_player_destroy(player);
    video->destroy(video);
    audio->destroy(audio);
    free(ref);
    printf("%s\n", sdk_failures ? "FAILED" : "PASSED");
    return sdk_failures ? 1 : 0;
}
