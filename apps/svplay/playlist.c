/*
 * svplay's playlist: `svplay URL1 URL2 ...` (or --next URL) plays the items
 * one after the other. Once an item plays, the next one is preloaded
 * (sv_player_preload: its manifest, keys and first segments); at the end of
 * the item, or on the n key, the player loads it and starts from what was
 * preloaded. Each item's figures go to stderr (info) and to the --stats
 * JSON's "items" array.
 */
#include <string.h>
#include <time.h>

#include "svplay.h"

/* The monotonic clock in ns, as session.c's svp_now_ns() (this file calls
 * no other file of svplay but stats.c: the session calls it). */
static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Items: 0 is opt.input, then opt.next[]. */
static const char *item_url(const svp_app *app, int i)
{
    return i == 0 ? app->opt.input : i <= app->opt.nb_next ? app->opt.next[i - 1] : NULL;
}

static void preload_next(svp_app *app)
{
    const char *url = item_url(app, app->item + 1);
    sv_preload_options po = SV_PRELOAD_OPTIONS_INIT;
    sv_load_options lo;
    int ret;

    if (!url || app->preload_sent)
        return;
    app->preload_sent = 1;
    sv_load_default_options(&lo);
    lo.quality_index = app->opt.quality;
    lo.auth_token = app->opt.auth_token;
    po.load = &lo;
    po.gapless = app->opt.gapless;
    if ((ret = sv_player_preload(app->player, url, &po, SVP_PRELOAD_USERDATA)) < 0)
        fprintf(stderr, "svplay: warning: cannot preload %s: %s\n", url, sv_strerror(ret));
}

/* The figures of the item that ends, into the stats' items. */
static void close_item(svp_app *app)
{
    sv_player_stats ps = SV_PLAYER_STATS_INIT;
    json_t *it = app->item_json;
    int64_t first = atomic_load(&app->first_frame_ns);

    if (!it)
        return;
    app->item_json = NULL;
    sv_player_get_stats(app->player, &ps);
    json_object_set_new(it, "startup_time_s", json_real(ps.startup_time_s));
    json_object_set_new(it, "first_frame_s",
                        first ? json_real((double)(first - app->item_ns) / 1e9) : json_null());
    json_object_set_new(it, "decoded_frames", json_integer(ps.decoded_frames));
    json_object_set_new(it, "dropped_frames", json_integer(ps.dropped_frames));
    json_object_set_new(it, "rebuffer_count", json_integer(ps.rebuffer_count));
    json_object_set_new(it, "played_s", json_real(ps.played_s));
    if (app->opt.log_level >= SV_LOG_INFO)
        fprintf(stderr, "svplay: info: item %d %s: first frame %.1f ms after the load "
                "(player: %.1f ms), %lld frames, %lld dropped, preload %s\n", app->item,
                json_string_value(json_object_get(it, "url")),
                first ? (double)(first - app->item_ns) / 1e6 : -1, ps.startup_time_s * 1e3,
                (long long)ps.decoded_frames, (long long)ps.dropped_frames,
                json_string_value(json_object_get(it, "preload")));
    svp_stats_item(app->stats, it);
}

void svp_playlist_begin(svp_app *app, const char *url)
{
    sv_preload_info pi = SV_PRELOAD_INFO_INIT;

    app->item_json = json_object();
    if (!app->item_json)
        return;
    sv_player_get_preload(app->player, &pi);
    json_object_set_new(app->item_json, "index", json_integer(app->item));
    json_object_set_new(app->item_json, "url", json_string(url));
    json_object_set_new(app->item_json, "preload",
                        json_string(app->item == 0 ? "none" : sv_preload_state_name(pi.state)));
    json_object_set_new(app->item_json, "preload_ready_s", json_real(pi.ready_s));
    json_object_set_new(app->item_json, "preload_bytes", json_integer(pi.bytes));
    json_object_set_new(app->item_json, "preload_requests", json_integer(pi.requests));
    atomic_store(&app->first_frame_ns, 0);
    app->item_ns = now_ns();
}

/* The next item's figures start (the player loads it, or has). */
static const char *advance(svp_app *app)
{
    const char *url = item_url(app, app->item + 1);
    close_item(app);
    app->item++;
    app->preload_sent = 0;
    svp_playlist_begin(app, url);
    return url;
}

int svp_playlist_next(svp_app *app)
{
    sv_load_options lo;
    int ret;

    if (!item_url(app, app->item + 1))
        return 0;
    const char *url = advance(app);
    sv_load_default_options(&lo);
    lo.quality_index = app->opt.quality;
    lo.auth_token = app->opt.auth_token;
    if ((ret = sv_player_load(app->player, url, &lo, 1)) < 0) {
        fprintf(stderr, "svplay: error: cannot load %s: %s\n", url, sv_strerror(ret));
        return ret;
    }
    return 1;
}

int svp_playlist_event(svp_app *app, const sv_event *ev)
{
    switch (ev->id) {
    case SV_EVENT_STATE_CHANGED:
        if (ev->data.state.state == SV_STATE_PLAYING)
            preload_next(app);
        /* The end moves on to the next item, when there is one; the
         * END_OF_FILE that follows is that item's. */
        if (ev->data.state.state == SV_STATE_ENDED && !app->error_code &&
            item_url(app, app->item + 1)) {
            int r = svp_playlist_next(app);
            app->skip_eof = r > 0;
            return r;
        }
        return 0;
    case SV_EVENT_END_OF_FILE:
        if (app->skip_eof) {
            app->skip_eof = 0;
            return 1;
        }
        if (app->opt.gapless && item_url(app, app->item + 1)) {
            /* Gapless: the player moved on to the preloaded item itself. */
            sv_preload_info pi = SV_PRELOAD_INFO_INIT;
            if (sv_player_get_preload(app->player, &pi) == 0 && pi.state == SV_PRELOAD_USED) {
                advance(app);
                return 1;
            }
        }
        return 0;
    case SV_EVENT_PRELOAD:
        if (ev->error < 0)
            fprintf(stderr, "svplay: warning: preload of %s failed: %s\n", ev->data.preload.url,
                    ev->data.preload.message);
        else if (app->opt.log_level >= SV_LOG_INFO)
            fprintf(stderr, "svplay: info: preload of %s ready\n", ev->data.preload.url);
        return 1;
    default:
        return 0;
    }
}

void svp_playlist_end(svp_app *app)
{
    if (app->player)
        close_item(app);
}
