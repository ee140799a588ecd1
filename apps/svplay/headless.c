/*
 * Headless runs: the null sinks, no SDL at all. The player renders on its
 * own thread; the null video sink's hash callback (on that thread) writes
 * framemd5 lines and counts frames for --frames, and this thread only
 * drains events, draws the progress line and watches for SIGINT.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "svplay.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

typedef struct headless {
    svp_app *app;
    svp_framemd5 *md5;
} headless;

/* The null video sink's callback, on the player's render thread. */
static void on_frame(void *opaque, const sv_video_frame *frame, const uint8_t md5[16])
{
    headless *h = opaque;
    svp_app *app = h->app;
    long long n = atomic_fetch_add(&app->frames_presented, 1) + 1;
    long long zero = 0;

    /* The first frame of the item playing (playlist.c resets it). */
    atomic_compare_exchange_strong(&app->first_frame_ns, &zero, svp_now_ns());

    /* Benchmark runs decode past the limit before the main thread stops
     * the player; those frames are not part of the output. */
    if (app->opt.frames > 0 && n > app->opt.frames)
        return;
    svp_framemd5_frame(h->md5, frame, md5);
    if (app->opt.frames > 0 && n == app->opt.frames)
        sv_player_wakeup(app->player);
}

static void print_progress(svp_app *app)
{
    double pos = 0, dur = 0, buf = 0;
    int64_t br = 0, dropped = 0;
    char tpos[32], tdur[32];

    sv_player_get_double(app->player, SV_PROP_POSITION, &pos);
    sv_player_get_double(app->player, SV_PROP_DURATION, &dur);
    sv_player_get_double(app->player, SV_PROP_BUFFER, &buf);
    sv_player_get_int64(app->player, SV_PROP_BITRATE, &br);
    sv_player_get_int64(app->player, SV_PROP_DROPPED_FRAMES, &dropped);
    svp_format_time(tpos, sizeof(tpos), pos);
    svp_format_time(tdur, sizeof(tdur), dur);
    fprintf(stderr, "\r\033[K%s / %s  buf %.1f s  %lld kb/s  frames %lld  dropped %lld  %s", tpos,
            dur > 0 ? tdur : "live", buf, (long long)(br / 1000),
            (long long)atomic_load(&app->frames_presented), (long long)dropped,
            sv_player_state_name(app->state));
}

int svp_run_headless(svp_app *app)
{
    sv_player_settings s;
    sv_null_audio_settings as;
    sv_video_sink *vsink = NULL;
    sv_audio_sink *asink = NULL;
    sv_null_audio_stats ast = SV_NULL_AUDIO_STATS_INIT;
    headless h = {app, NULL};
    struct sigaction sa, old_sa;
    int64_t audio_frames = -1, audio_silence = -1, last_progress = 0;
    int ret;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, &old_sa);
    app->tty_progress = !app->opt.quiet && isatty(STDERR_FILENO);

    if (svp_session_settings(app, &s) < 0)
        goto out;
    if (app->opt.framemd5_path && svp_framemd5_open(&h.md5, app->opt.framemd5_path) < 0) {
        svp_session_fail(app, SV_ERR_IO, "cannot open the --framemd5 file");
        goto out;
    }
    if ((ret = sv_null_video_sink_create(&vsink, on_frame, &h, 0)) < 0) {
        svp_session_fail(app, ret, "cannot create the null video sink");
        goto out;
    }
    /* Without --framemd5 nobody reads the hashes: count frames only. */
    if (!h.md5)
        sv_null_video_sink_set_hashing(vsink, 0);
    sv_null_audio_default_settings(&as);
    as.realtime = !app->opt.benchmark;
    if ((ret = sv_null_audio_sink_create(&asink, &as)) < 0) {
        svp_session_fail(app, ret, "cannot create the null audio sink");
        goto out;
    }
    s.video_sink = vsink;
    s.audio_sink = asink;
    s.host_renders = 0;
    if (svp_session_start(app, &s) < 0)
        goto out;

    while (!app->done) {
        const sv_event *ev = sv_player_wait_event(app->player, 0.25);
        if (ev->id != SV_EVENT_NONE)
            svp_session_event(app, ev);
        svp_session_tick(app);
        if (interrupted)
            app->done = 1; /* the user quit: exit 0, stats still written */
        if (app->tty_progress && svp_now_ns() - last_progress >= 250000000) {
            last_progress = svp_now_ns();
            print_progress(app);
        }
    }

out:
    if (asink && sv_null_audio_sink_stats(asink, &ast) == 0) {
        audio_frames = (int64_t)ast.frames;
        audio_silence = (int64_t)ast.silence_frames;
        for (int i = 0; i < 16 && ast.frames > 0; i++)
            snprintf(app->audio_md5 + 2 * i, 3, "%02x", ast.md5[i]);
    }
    svp_session_end(app, audio_frames, audio_silence);
    /* The player is gone: no sink callback runs any more. */
    if (svp_framemd5_close(h.md5) < 0 && app->exit_code == SVP_EXIT_OK)
        app->exit_code = SVP_EXIT_ERROR;
    if (vsink)
        vsink->destroy(vsink);
    if (asink)
        asink->destroy(asink);
    sigaction(SIGINT, &old_sa, NULL);
    return app->exit_code;
}
