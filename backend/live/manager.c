/*
 * manager.c - the live side of a server: one sv__live_channel per row of
 * the channels table (looked at every second, and at once when the API
 * changed it), the live files under DATA/live served through the static
 * file layer, and one timer that lets parked requests time out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/live/internal.h"
#include "backend/static_files.h"
#include "platform/fs.h"
#include "streamverse/common.h"

#define TICK_MS 100
#define SYNC_TICKS 10

struct sv__live {
    uv_loop_t *loop;
    sv__catalog *cat;
    char data_dir[1024];
    char listen_host[64];
    char preset[32];
    char db[1024];
    uint8_t master_key[32];
    int has_master_key;
    const sv__logger *log;
    sv__static *files;       /* DATA/live */
    sv__live_shared env;     /* what the channels share (points into this) */
    uv_timer_t timer;
    int ticks;
    sv__live_channel *chans[SV__CHANNEL_MAX];
    int nb;
};

/* Starts the channels new in the table, stops those gone from it. */
void sv__live_sync(sv__live *lv)
{
    sv__channel *rows = lv ? calloc(SV__CHANNEL_MAX, sizeof(*rows)) : NULL;
    int n = rows ? sv__catalog_channels(lv->cat, rows, SV__CHANNEL_MAX) : SV_ERR_NOMEM;

    if (n < 0) {
        free(rows);
        return; /* the database is away: keep what runs */
    }
    for (int i = 0; i < lv->nb;) {
        int found = 0;

        for (int j = 0; j < n && !found; j++)
            found = !strcmp(rows[j].name, lv->chans[i]->row.name) &&
                    rows[j].srt_port == lv->chans[i]->row.srt_port;
        if (found) {
            i++;
            continue;
        }
        SV_LOGI(lv->log, "live", "channel %s removed: its listeners stop",
                lv->chans[i]->row.name);
        lv->chans[i]->removed = 1;
        sv__live_channel_destroy(lv->chans[i]);
        lv->chans[i] = lv->chans[--lv->nb];
    }
    for (int j = 0; j < n; j++) {
        int found = 0;

        for (int i = 0; i < lv->nb && !found; i++)
            found = !strcmp(rows[j].name, lv->chans[i]->row.name);
        if (!found && lv->nb < SV__CHANNEL_MAX &&
            sv__live_channel_create(&lv->env, lv->loop, &rows[j], &lv->chans[lv->nb]) == 0)
            lv->nb++;
    }
    free(rows);
}

static void on_tick(uv_timer_t *t)
{
    sv__live *lv = t->data;
    int64_t now = sv__monotonic_ns();

    for (int i = 0; i < lv->nb; i++)
        sv__live_channel_wake(lv->chans[i], now);
    if (++lv->ticks % SYNC_TICKS == 0)
        sv__live_sync(lv);
}

int sv__live_create(uv_loop_t *loop, sv__catalog *cat, const sv__live_env *env, sv__live **out)
{
    sv__live *lv = calloc(1, sizeof(*lv));
    char dir[1100];

    if (!lv)
        return SV_ERR_NOMEM;
    lv->loop = loop;
    lv->cat = cat;
    lv->log = env->log;
    snprintf(lv->data_dir, sizeof(lv->data_dir), "%s", env->data_dir);
    snprintf(lv->listen_host, sizeof(lv->listen_host), "%s", env->listen_host);
    snprintf(lv->preset, sizeof(lv->preset), "%s", env->x264_preset ? env->x264_preset
                                                                      : "superfast");
    snprintf(lv->db, sizeof(lv->db), "%s", env->db ? env->db : "");
    if (env->master_key) {
        memcpy(lv->master_key, env->master_key, sizeof(lv->master_key));
        lv->has_master_key = 1;
    }
    snprintf(dir, sizeof(dir), "%s/live", env->data_dir);
    if (sv__mkdirs(dir) < 0 || sv__static_create(dir, &lv->files) < 0) {
        SV_LOGE(env->log, "live", "cannot create %s", dir);
        free(lv);
        return SV_ERR_IO;
    }
    lv->env = (sv__live_shared){cat, lv->data_dir, lv->listen_host, lv->preset, lv->log,
                                lv->files, lv->db,
                                lv->has_master_key ? lv->master_key : NULL};
    sv__live_av_log_install();
    uv_timer_init(loop, &lv->timer);
    lv->timer.data = lv;
    uv_timer_start(&lv->timer, on_tick, TICK_MS, TICK_MS);
    sv__live_sync(lv);
    *out = lv;
    return 0;
}

void sv__live_serve(sv__live *lv, sv__http_req *req, const char *rest,
                    const sv__live_rewrite *rw)
{
    const char *slash = strchr(rest, '/');

    for (int i = 0; slash && i < lv->nb; i++) {
        sv__live_channel *ch = lv->chans[i];

        if (strlen(ch->row.name) == (size_t)(slash - rest) &&
            !strncmp(ch->row.name, rest, (size_t)(slash - rest))) {
            sv__live_channel_serve(ch, req, slash + 1, rw);
            return;
        }
    }
    sv__http_send_error(req, 404, "not_found", "no such channel");
}

static void on_timer_closed(uv_handle_t *h)
{
    sv__live *lv = h->data;

    sv__static_destroy(lv->files);
    free(lv);
}

void sv__live_destroy(sv__live *lv)
{
    if (!lv)
        return;
    for (int i = 0; i < lv->nb; i++)
        sv__live_channel_destroy(lv->chans[i]);
    lv->nb = 0;
    uv_timer_stop(&lv->timer);
    uv_close((uv_handle_t *)&lv->timer, on_timer_closed);
}
