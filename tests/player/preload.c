/*
 * preload - the next item preloaded while the current one plays, through the
 * public API only (streamverse/player.h, preload.h, sinks.h).
 *
 *   preload switch  URL_A URL_B URL_BAD OUTDIR [LICENSE_URL]   load B at 4 s of A
 *   preload gapless URL_A URL_B URL_BAD OUTDIR   the player moves to B at A's end
 *   preload edge    URL_A URL_B                  replaced, stopped, taken over, destroyed
 *   preload bench   URL_A URL_B RUNS             command to first frame, cold vs preloaded
 *
 * (LICENSE_URL: B is encrypted, its ClearKey license server for the preload
 * and the load.)
 * switch/gapless play A in real time (quality 0), preload URL_BAD (its failure
 * must come as SV_EVENT_PRELOAD with an error while A plays on), then B, and
 * play B to its end. They write OUTDIR/a.md5 and b.md5 (the MD5 of every
 * frame presented of each item, in order: the script compares them with
 * ffmpeg's) and print the figures as "key value" lines for the script:
 * bad_error, bad_state_after, a_dropped, a_frames, switch_first_frame_ms
 * (switch: command to B's first frame), audio_opens, audio_gap_ms (the
 * longest run of samples the sink asked for and did not get between the
 * first and the last sample it got), video_seam_ms (A's last frame to B's
 * first), b_dropped, b_frames, preload_hits. The script judges them.
 * Exit 0 when the run went through (1: a step failed, 2: bad arguments).
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

#define MAX_FRAMES 4096
#define PERIOD 1024

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- video: every presented frame, with its time and hash ------------------ */

typedef struct frame_rec { int64_t pts_us; double at; char md5[33]; } frame_rec;
static frame_rec frames[MAX_FRAMES];
static atomic_int nb_frames;

static void on_frame(void *opaque, const sv_video_frame *f, const uint8_t md5[16])
{
    (void)opaque;
    int i = atomic_load(&nb_frames);
    if (i >= MAX_FRAMES)
        return;
    frames[i].pts_us = f->pts_us;
    frames[i].at = now_s();
    for (int k = 0; k < 16; k++)
        snprintf(frames[i].md5 + 2 * k, 3, "%02x", md5[k]);
    atomic_store(&nb_frames, i + 1);
}

/* ---- audio: a sound card in real time that counts what it misses ----------- */

typedef struct card {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int running, quit, paused, opens;
    sv_audio_pull_fn pull;
    void *pull_opaque;
    sv_audio_format fmt;
    int64_t got, pending_missing, gap_total, gap_max;
} card;

static void *card_main(void *arg)
{
    card *c = arg;
    float *buf = calloc((size_t)PERIOD * (size_t)c->fmt.channels, sizeof(float));
    double period_s = (double)PERIOD / c->fmt.sample_rate, deadline = 0;
    pthread_mutex_lock(&c->lock);
    while (!c->quit && buf) {
        if (c->paused) {
            pthread_cond_wait(&c->cond, &c->lock);
            deadline = 0;
            continue;
        }
        pthread_mutex_unlock(&c->lock);
        int n = c->pull(c->pull_opaque, buf, PERIOD, (int64_t)(period_s * 1e6));
        pthread_mutex_lock(&c->lock);
        if (n > 0 && c->got > 0 && c->pending_missing > 0) {
            c->gap_total += c->pending_missing; /* silence between samples: a gap */
            if (c->pending_missing > c->gap_max)
                c->gap_max = c->pending_missing;
        }
        if (n > 0)
            c->pending_missing = 0;
        if (c->got > 0 || n > 0)
            c->pending_missing += PERIOD - (n > 0 ? n : 0);
        c->got += n > 0 ? n : 0;
        deadline = deadline > 0 ? deadline + period_s : now_s() + period_s;
        pthread_mutex_unlock(&c->lock);
        double wait = deadline - now_s();
        if (wait > 0) {
            struct timespec ts = { (time_t)wait, (long)((wait - floor(wait)) * 1e9) };
            nanosleep(&ts, NULL);
        }
        pthread_mutex_lock(&c->lock);
    }
    pthread_mutex_unlock(&c->lock);
    free(buf);
    return NULL;
}

static int card_open(void *opaque, const sv_audio_format *want, sv_audio_format *got,
                     sv_audio_pull_fn pull, void *pull_opaque)
{
    card *c = opaque;
    *got = *want;
    got->format = SV_SAMPLE_FMT_F32;
    c->fmt = *got;
    c->pull = pull;
    c->pull_opaque = pull_opaque;
    c->quit = 0;
    c->paused = 1;
    c->opens++;
    if (pthread_create(&c->thread, NULL, card_main, c) != 0)
        return SV_ERR_INTERNAL;
    c->running = 1;
    return 0;
}

static void card_pause(void *opaque, int paused)
{
    card *c = opaque;
    pthread_mutex_lock(&c->lock);
    c->paused = paused;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

static void card_close(void *opaque)
{
    card *c = opaque;
    if (!c->running)
        return;
    pthread_mutex_lock(&c->lock);
    c->quit = 1;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    c->running = 0;
}

/* ---- the player and its events ---------------------------------------------- */

typedef struct run {
    sv_player *player;
    sv_video_sink *video;
    sv_audio_sink *null_audio;
    sv_audio_sink sink;
    card card;
    int state, eof, fatal, preload_done, preload_error;
    int quiet;                 /* bench: no line per preload */
    int replies[8];            /* edge: the reply of userdata 100 + i, 1 when none yet */
} run;

/* Drains the events that come within wait_s. */
static void pump(run *r, double wait_s)
{
    const sv_event *ev = sv_player_wait_event(r->player, wait_s);
    for (; ev->id != SV_EVENT_NONE; ev = sv_player_wait_event(r->player, 0)) {
        if (ev->id == SV_EVENT_STATE_CHANGED)
            r->state = (int)ev->data.state.state;
        else if (ev->id == SV_EVENT_END_OF_FILE)
            r->eof++;
        else if (ev->id == SV_EVENT_ERROR && ev->data.error.fatal)
            r->fatal = 1;
        else if (ev->id == SV_EVENT_ERROR)
            fprintf(stderr, "warning: %s\n", ev->data.error.message);
        if (ev->id == SV_EVENT_ERROR && ev->data.error.fatal)
            fprintf(stderr, "error: %s\n", ev->data.error.message);
        if (ev->id == SV_EVENT_COMMAND_REPLY && ev->reply_userdata >= 100 &&
            ev->reply_userdata < 108)
            r->replies[ev->reply_userdata - 100] = ev->error;
        if (ev->id == SV_EVENT_PRELOAD) {
            r->preload_done = 1;
            r->preload_error = ev->error;
            if (!r->quiet)
                printf("# preload event: %s %s %s\n", ev->data.preload.url,
                       ev->data.preload.ready ? "ready" : "failed", ev->data.preload.message);
        }
    }
}

/* Pumps until cond(r) or the deadline; returns 1 when cond held. */
static int wait_for(run *r, int (*cond)(run *), double limit_s)
{
    double end = now_s() + limit_s;
    while (!cond(r) && !r->fatal && now_s() < end)
        pump(r, 0.01);
    return cond(r);
}

static int is_playing(run *r) { return r->state == SV_STATE_PLAYING; }
static int preload_over(run *r) { return r->preload_done; }
static int got_eof(run *r) { return r->eof > 0; }

/* own_card: our counting sound card; else the library's null audio sink. */
static int start(run *r, int own_card)
{
    sv_player_settings s;
    sv_null_audio_settings as;
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->card.lock, NULL);
    pthread_cond_init(&r->card.cond, NULL);
    r->sink = (sv_audio_sink)SV_AUDIO_SINK_INIT;
    r->sink.open = card_open;
    r->sink.pause = card_pause;
    r->sink.close = card_close;
    r->sink.opaque = &r->card;
    sv_null_audio_default_settings(&as);
    if (sv_null_video_sink_create(&r->video, on_frame, NULL, 0) < 0 ||
        (!own_card && sv_null_audio_sink_create(&r->null_audio, &as) < 0))
        return -1;
    sv_player_default_settings(&s);
    s.video_sink = r->video;
    s.audio_sink = own_card ? &r->sink : r->null_audio;
    /* PRELOAD_DEBUG=1: the player's debug log on stderr (dropped frames, states). */
    s.log_level = getenv("PRELOAD_DEBUG") ? SV_LOG_DEBUG : SV_LOG_WARN;
    return sv_player_create(&r->player, &s);
}

static void finish(run *r)
{
    sv_player_destroy(r->player);
    if (r->video)
        r->video->destroy(r->video);
    if (r->null_audio)
        r->null_audio->destroy(r->null_audio);
    card_close(&r->card);
}

/* B's ClearKey license server (switch/gapless LICENSE_URL), or NULL. */
static const char *license_b;

static int load(run *r, const char *url, uint64_t userdata)
{
    sv_load_options lo;
    sv_load_default_options(&lo);
    lo.quality_index = 0;
    lo.license_url = userdata == 2 ? license_b : NULL;
    return sv_player_load(r->player, url, &lo, userdata);
}

static int preload(run *r, const char *url, int gapless)
{
    sv_load_options lo;
    sv_preload_options po = SV_PRELOAD_OPTIONS_INIT;
    sv_load_default_options(&lo);
    lo.quality_index = 0;
    lo.license_url = license_b;
    po.load = &lo;
    po.gapless = gapless;
    r->preload_done = 0;
    return sv_player_preload(r->player, url, &po, 9);
}

/* ---- switch and gapless ------------------------------------------------------- */

/* Frames [from, to) into OUTDIR/name, one hash a line. */
static int write_hashes(const char *dir, const char *name, int from, int to)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (int i = from; i < to; i++)
        fprintf(f, "%s\n", frames[i].md5);
    return fclose(f);
}

static int is_past_2s(run *r)
{
    double pos = 0;
    sv_player_get_double(r->player, SV_PROP_POSITION, &pos);
    return r->state == SV_STATE_PLAYING && pos >= 2.0;
}

static int is_past_4s(run *r)
{
    double pos = 0;
    sv_player_get_double(r->player, SV_PROP_POSITION, &pos);
    return pos >= 4.0;
}

static int play_two(int gapless, const char *a, const char *b, const char *bad, const char *dir)
{
    run r;
    sv_preload_info pi = SV_PRELOAD_INFO_INIT;
    sv_player_stats st = SV_PLAYER_STATS_INIT;
    double t_cmd = 0;
    int64_t a_dropped = -1;
    if (start(&r, 1) < 0 || load(&r, a, 1) < 0 || !wait_for(&r, is_playing, 20)) {
        fprintf(stderr, "A did not start playing\n");
        return 1;
    }
    /* A preload that fails: an event with the error, A plays on. */
    if (preload(&r, bad, 0) < 0 || !wait_for(&r, preload_over, 20))
        return 1;
    sv_player_get_preload(r.player, &pi);
    printf("bad_error %d\nbad_state_after %s\nbad_message %s\n", r.preload_error,
           sv_player_state_name((sv_player_state)r.state), pi.message);
    if (preload(&r, b, gapless) < 0 || !wait_for(&r, preload_over, 20) || r.preload_error < 0) {
        fprintf(stderr, "B did not preload\n");
        return 1;
    }
    if (!gapless) {
        wait_for(&r, is_past_4s, 20);
        sv_player_get_stats(r.player, &st);
        a_dropped = st.dropped_frames;
        t_cmd = now_s();
        if (load(&r, b, 2) < 0)
            return 1;
    } else {
        /* A plays to its end; the player moves to B by itself. A's drops
         * are read while it plays (B's load resets the stats; a_frames,
         * every frame of A presented, is the check of its last second). */
        double end = now_s() + 60;
        while (!r.fatal && !r.eof && now_s() < end) {
            if (sv_player_get_stats(r.player, &st) == 0 && r.state == SV_STATE_PLAYING)
                a_dropped = st.dropped_frames;
            pump(&r, 0.02);
        }
        r.eof = 0;
    }
    sv_player_get_preload(r.player, &pi);
    if (!wait_for(&r, got_eof, 40)) {
        fprintf(stderr, "B did not reach its end\n");
        return 1;
    }
    sv_player_get_stats(r.player, &st);
    int n = atomic_load(&nb_frames), seam = 0;
    for (int i = 1; i < n; i++)
        if (frames[i].pts_us < frames[i - 1].pts_us)
            seam = i; /* B restarts the time */
    sv_player_get_preload(r.player, &pi);
    printf("a_dropped %lld\na_frames %d\nb_dropped %lld\nb_frames %d\n", (long long)a_dropped,
           seam, (long long)st.dropped_frames, n - seam);
    if (!gapless && seam)
        printf("switch_first_frame_ms %.1f\n", (frames[seam].at - t_cmd) * 1e3);
    if (seam)
        printf("video_seam_ms %.1f\n", (frames[seam].at - frames[seam - 1].at) * 1e3);
    printf("preload_hits %lld\npreload_state %s\n", (long long)pi.hits,
           sv_preload_state_name(pi.state));
    pthread_mutex_lock(&r.card.lock);
    printf("audio_opens %d\naudio_gap_ms %.1f\naudio_gap_total_ms %.1f\n", r.card.opens,
           (double)r.card.gap_max * 1e3 / r.card.fmt.sample_rate,
           (double)r.card.gap_total * 1e3 / r.card.fmt.sample_rate);
    pthread_mutex_unlock(&r.card.lock);
    finish(&r);
    if (!seam || write_hashes(dir, "a.md5", 0, seam) < 0 || write_hashes(dir, "b.md5", seam, n) < 0)
        return 1;
    return 0;
}

/* ---- edge: replacing, stopping, taking over, destroying ---------------------- */

static int preload_as(run *r, const char *url, uint64_t userdata)
{
    r->replies[userdata - 100] = 1;
    return sv_player_preload(r->player, url, NULL, userdata);
}

static int replied(run *r, int i) { return r->replies[i] != 1; }
static int replied_100(run *r) { return replied(r, 0); }
static int replied_101(run *r) { return replied(r, 1); }
static int replied_102(run *r) { return replied(r, 2); }
static int replied_103(run *r) { return replied(r, 3); }

static sv_preload_state preload_state(run *r)
{
    sv_preload_info pi = SV_PRELOAD_INFO_INIT;
    sv_player_get_preload(r->player, &pi);
    return pi.state;
}

/* Prints "key value" lines: the replies and states after each step. */
static int edge(const char *a, const char *b)
{
    run r;
    if (start(&r, 0) < 0 || load(&r, a, 1) < 0 || !wait_for(&r, is_playing, 20))
        return 1;
    r.quiet = 1;
    /* A preload replaced by the next one at once: its reply is CANCELLED. */
    preload_as(&r, b, 100);
    preload_as(&r, a, 101);
    wait_for(&r, replied_100, 5);
    wait_for(&r, replied_101, 10);
    printf("replaced_reply %d\nreplacing_reply %d\nreplacing_state %s\n", r.replies[0],
           r.replies[1], sv_preload_state_name(preload_state(&r)));
    /* A stop cancels it: state none, nothing held. */
    preload_as(&r, b, 102);
    sv_player_stop(r.player, 0);
    wait_for(&r, replied_102, 5);
    sv_preload_info pi = SV_PRELOAD_INFO_INIT;
    sv_player_get_preload(r.player, &pi);
    printf("stopped_reply %d\nstopped_state %s\nstopped_bytes %lld\n", r.replies[2],
           sv_preload_state_name(pi.state), (long long)pi.bytes);
    /* A load of the URL while it is still being preloaded takes it over. */
    preload_as(&r, b, 103);
    r.state = 0;
    int before = atomic_load(&nb_frames);
    load(&r, b, 2);
    wait_for(&r, replied_103, 5);
    int played = wait_for(&r, is_playing, 20);
    printf("takeover_reply %d\ntakeover_state %s\ntakeover_plays %d\ntakeover_frames %d\n",
           r.replies[3], sv_preload_state_name(preload_state(&r)), played,
           atomic_load(&nb_frames) - before);
    /* Bad arguments are refused at the call. */
    sv_preload_options bad = SV_PRELOAD_OPTIONS_INIT;
    bad.ahead_s = -1;
    printf("null_url %d\nnegative_ahead %d\n", sv_player_preload(r.player, NULL, NULL, 0),
           sv_player_preload(r.player, a, &bad, 0));
    /* Destroyed while a preload is in flight. */
    preload_as(&r, a, 104);
    finish(&r);
    printf("destroyed 1\n");
    return 0;
}

/* ---- bench -------------------------------------------------------------------- */

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* Loads url (the item playing is past 2 s) and returns the milliseconds
 * from the command to its first frame: the first presented after the
 * command whose time is the start (the item before may still present one
 * or two of its own until the player takes the command). */
static double timed_load(run *r, const char *url)
{
    int seen = atomic_load(&nb_frames);
    double t = now_s();
    if (load(r, url, 1) < 0)
        return -1;
    while (now_s() - t < 10) {
        pump(r, 0.001);
        for (int n = atomic_load(&nb_frames); seen < n; seen++)
            if (frames[seen].pts_us < 500000)
                return (frames[seen].at - t) * 1e3;
    }
    return -1;
}

static void print_figures(const char *name, double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    printf("  %-22s min %7.1f ms  median %7.1f ms  max %7.1f ms  (%d runs)\n", name, v[0],
           v[n / 2], v[n - 1], n);
}

static int bench(const char *a, const char *b, int runs)
{
    run r;
    double cold[256], warm[256];
    if (runs < 1 || runs > 256 || start(&r, 0) < 0)
        return 2;
    r.quiet = 1;
    for (int i = 0; i < runs; i++) {
        /* A cold, while B (or nothing) plays; then B preloaded while A plays. */
        cold[i] = timed_load(&r, a);
        if (preload(&r, b, 0) < 0 || !wait_for(&r, preload_over, 10) || r.preload_error < 0)
            return 1;
        wait_for(&r, is_past_2s, 10);
        warm[i] = timed_load(&r, b);
        wait_for(&r, is_past_2s, 10);
        if (cold[i] < 0 || warm[i] < 0)
            return 1;
    }
    printf("command to first frame on loopback (headless, null sinks in real time):\n");
    print_figures("cold load", cold, runs);
    print_figures("preloaded switch", warm, runs);
    printf("  preloaded/cold median ratio %.3f  (goal: preloaded <= 100 ms: %s)\n",
           warm[runs / 2] / cold[runs / 2], warm[runs / 2] <= 100 ? "met" : "MISSED");
    finish(&r);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 4 && !strcmp(argv[1], "edge"))
        return edge(argv[2], argv[3]);
    if (argc == 5 && !strcmp(argv[1], "bench"))
        return bench(argv[2], argv[3], atoi(argv[4]));
    if ((argc == 6 || argc == 7) && (!strcmp(argv[1], "switch") || !strcmp(argv[1], "gapless"))) {
        license_b = argc == 7 ? argv[6] : NULL;
        return play_two(!strcmp(argv[1], "gapless"), argv[2], argv[3], argv[4], argv[5]);
    }
    fprintf(stderr, "usage: preload switch|gapless URL_A URL_B URL_BAD OUTDIR [LICENSE_URL]\n"
                    "       preload edge URL_A URL_B\n"
                    "       preload bench URL_A URL_B RUNS\n");
    return 2;
}
