/*
 * two_players URL_A FRAMES_A URL_B FRAMES_B - two players in one process, each
 * with its own null sinks, play two different streams at the same time through
 * the public API only (streamverse/player.h, streamverse/sinks.h).
 *
 * Passes (exit 0) when both players reach END_OF_FILE with no error, each
 * decoded exactly its stream's frame count (stats and the sink agree: every
 * decoded frame was presented or counted as dropped), and their playing
 * intervals overlapped: playback is real time (the null audio sinks pace the
 * clock), so "at the same time" is a fact of the run, not luck of scheduling.
 * Times print as -1 for "never".
 * Exit 1 on a failed check, 2 on bad arguments.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <streamverse/player.h>
#include <streamverse/sinks.h>

enum { NB_PLAYERS = 2 };

/* One player and what the host saw of it. */
typedef struct play {
    const char *url;
    int64_t want_frames;
    sv_player *player;
    sv_video_sink *video;
    sv_audio_sink *audio;
    double playing_at; /* host time of the first PLAYING state, -1 before */
    double ended_at;   /* host time of END_OF_FILE, -1 before */
    int failed;        /* a fatal error event arrived */
} play;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int start_player(play *p, char tag)
{
    sv_player_settings s;
    sv_null_audio_settings as;
    int ret;

    sv_null_audio_default_settings(&as); /* real time, own clock */
    if ((ret = sv_null_video_sink_create(&p->video, NULL, NULL, 0)) < 0 ||
        (ret = sv_null_audio_sink_create(&p->audio, &as)) < 0) {
        fprintf(stderr, "player %c: sink: %s\n", tag, sv_strerror(ret));
        return -1;
    }
    sv_player_default_settings(&s);
    s.video_sink = p->video;
    s.audio_sink = p->audio;
    s.log_level = SV_LOG_WARN;
    if ((ret = sv_player_create(&p->player, &s)) < 0) {
        fprintf(stderr, "player %c: create: %s\n", tag, sv_strerror(ret));
        return -1;
    }
    if ((ret = sv_player_load(p->player, p->url, NULL, (uint64_t)tag)) < 0) {
        fprintf(stderr, "player %c: load %s: %s\n", tag, p->url, sv_strerror(ret));
        return -1;
    }
    return 0;
}

/* Drains the events of one player for at most `wait_s`. */
static void pump(play *p, char tag, double wait_s)
{
    const sv_event *ev = sv_player_wait_event(p->player, wait_s);

    for (; ev->id != SV_EVENT_NONE; ev = sv_player_wait_event(p->player, 0)) {
        switch (ev->id) {
        case SV_EVENT_STATE_CHANGED:
            if (ev->data.state.state == SV_STATE_PLAYING && p->playing_at < 0)
                p->playing_at = now_s();
            break;
        case SV_EVENT_END_OF_FILE:
            if (p->ended_at < 0)
                p->ended_at = now_s();
            break;
        case SV_EVENT_ERROR:
            fprintf(stderr, "player %c: error %d (%s): %s\n", tag, ev->error,
                    sv_strerror(ev->error),
                    ev->data.error.message ? ev->data.error.message : "");
            if (ev->data.error.fatal)
                p->failed = 1;
            break;
        case SV_EVENT_COMMAND_REPLY:
            /* Only the reply to our load (userdata = the tag) says how it went. */
            if (ev->reply_userdata == (uint64_t)tag && ev->error < 0) {
                fprintf(stderr, "player %c: command failed: %s\n", tag, sv_strerror(ev->error));
                p->failed = 1;
            }
            break;
        default:
            break;
        }
    }
}

static int check_player(play *p, char tag, double t0)
{
    sv_player_stats st = SV_PLAYER_STATS_INIT;
    uint64_t shown = sv_null_video_sink_frames(p->video);
    int ok = 1;

    if (sv_player_get_stats(p->player, &st) < 0) {
        fprintf(stderr, "player %c: no stats\n", tag);
        return 0;
    }
    printf("player %c: %s: playing at %.2f s, end of file at %.2f s, decoded %lld "
           "(want %lld), presented %llu, dropped %lld, max A/V drift %.4f s\n",
           tag, p->url, p->playing_at < 0 ? -1 : p->playing_at - t0,
           p->ended_at < 0 ? -1 : p->ended_at - t0, (long long)st.decoded_frames,
           (long long)p->want_frames, (unsigned long long)shown, (long long)st.dropped_frames,
           st.max_av_drift_s);
    if (p->failed || p->ended_at < 0) {
        printf("FAIL player %c did not reach END_OF_FILE\n", tag);
        ok = 0;
    }
    if (st.decoded_frames != p->want_frames) {
        printf("FAIL player %c decoded %lld frames, the stream has %lld\n", tag,
               (long long)st.decoded_frames, (long long)p->want_frames);
        ok = 0;
    }
    if ((int64_t)shown + st.dropped_frames != st.decoded_frames) {
        printf("FAIL player %c: presented %llu + dropped %lld != decoded %lld\n", tag,
               (unsigned long long)shown, (long long)st.dropped_frames,
               (long long)st.decoded_frames);
        ok = 0;
    }
    return ok;
}

int main(int argc, char **argv)
{
    play pl[NB_PLAYERS];
    const char tags[NB_PLAYERS] = { 'A', 'B' };
    double t0, deadline;
    int ok = 0, i;

    if (argc != 5) {
        fprintf(stderr, "usage: two_players URL_A FRAMES_A URL_B FRAMES_B\n");
        return 2;
    }
    memset(pl, 0, sizeof(pl));
    for (i = 0; i < NB_PLAYERS; i++) {
        pl[i].url = argv[1 + 2 * i];
        pl[i].want_frames = strtoll(argv[2 + 2 * i], NULL, 10);
        pl[i].playing_at = -1;
        pl[i].ended_at = -1;
        if (pl[i].want_frames <= 0) {
            fprintf(stderr, "two_players: bad frame count %s\n", argv[2 + 2 * i]);
            return 2;
        }
    }

    t0 = now_s();
    for (i = 0; i < NB_PLAYERS; i++)
        if (start_player(&pl[i], tags[i]) < 0)
            goto fail;

    /* Both streams are 12 s long; a minute is a generous bound. */
    deadline = t0 + 60;
    while (now_s() < deadline) {
        int done = 1;
        for (i = 0; i < NB_PLAYERS; i++) {
            pump(&pl[i], tags[i], 0.02);
            if (pl[i].ended_at < 0 && !pl[i].failed)
                done = 0;
        }
        if (done)
            break;
    }

    ok = 1;
    for (i = 0; i < NB_PLAYERS; i++)
        ok &= check_player(&pl[i], tags[i], t0);
    if (ok && !(pl[0].playing_at < pl[1].ended_at && pl[1].playing_at < pl[0].ended_at)) {
        printf("FAIL the two players were never playing at the same time\n");
        ok = 0;
    }
    if (ok)
        printf("ok   two players in one process played two streams at once\n");

fail:
    for (i = 0; i < NB_PLAYERS; i++) {
        double d0 = now_s();
        sv_player_destroy(pl[i].player);
        if (pl[i].player)
            printf("player %c: sv_player_destroy took %.2f s\n", tags[i], now_s() - d0);
        if (pl[i].video)
            pl[i].video->destroy(pl[i].video);
        if (pl[i].audio)
            pl[i].audio->destroy(pl[i].audio);
    }
    return ok ? 0 : 1;
}
