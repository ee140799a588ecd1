/*
 * channel.c - a live channel on the loop thread: it owns the renditions'
 * indexes, takes the pipeline's events (uv_async), trims the DVR window
 * (and its files), keeps index.json, follows the publisher's comings and
 * goings (a reconnect within end_after_s continues the event after a
 * discontinuity; past it the event ends), and wakes the requests parked on
 * a part that has now landed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "backend/keys.h"
#include "backend/live/internal.h"
#include "backend/sessions.h"
#include "platform/fs.h"
#include "streamverse/common.h"

static void save_index(sv__live_channel *ch)
{
    char path[1200];

    snprintf(path, sizeof(path), "%s/index.json", ch->dir);
    if (sv__live_index_save(path, ch->rends, ch->nb_rends, ch->ast_ms, ch->epoch,
                            ch->ended) < 0)
        SV_LOGW(ch->log, "live", "channel %s: cannot write %s", ch->row.name, path);
}

static void set_state(sv__live_channel *ch, int state, int64_t title_id)
{
    sv__catalog *cat = ch->env->cat;

    if (!ch->removed && sv__catalog_channel_set_state(cat, ch->row.name, state, title_id) < 0)
        SV_LOGW(ch->log, "live", "channel %s: cannot store its state %s: %s", ch->row.name,
                sv__channel_state_name(state), sv__catalog_errmsg(cat));
}

/* A publisher starts. The same renditions as before: the event goes on,
 * after a discontinuity. Others (or an ended event): a new event. */
static void on_start(sv__live_channel *ch, const sv__live_start *st)
{
    int same = !ch->ended && ch->nb_rends == st->nb_rends;

    for (int i = 0; same && i < st->nb_rends; i++)
        same = !strcmp(ch->rends[i].name, st->rends[i].name);
    if (!same) {
        for (int i = 0; i < ch->nb_rends; i++)
            sv__live_index_free(&ch->rends[i]);
        ch->nb_rends = st->nb_rends;
        for (int i = 0; i < st->nb_rends; i++) {
            ch->rends[i] = st->rends[i];
            ch->rends[i].segs = NULL;
            ch->rends[i].nb_segs = ch->rends[i].cap_segs = 0;
            ch->rends[i].disc_seq = 0;
        }
        ch->ast_ms = st->pdt0_ms;
        ch->discontinuity = 0;
    } else {
        for (int i = 0; i < st->nb_rends; i++)
            snprintf(ch->rends[i].codecs, sizeof(ch->rends[i].codecs), "%s",
                     st->rends[i].codecs);
        ch->discontinuity = ch->rends[0].nb_segs > 0;
    }
    ch->epoch = st->epoch;
    ch->msn0 = st->msn0;
    /* The event's title from its start (the pipeline made it): sessions,
     * tokens and heartbeats work on it while it is live, and it becomes
     * the VOD title at the end. */
    ch->title_id = st->title_id;
    memset(&ch->prot, 0, sizeof(ch->prot));
    ch->prot.scheme = st->scheme;
    memcpy(ch->prot.kid, st->kid, sizeof(ch->prot.kid));
    ch->prot.license_url = st->scheme ? SV__LICENSE_PATH : NULL;
    ch->live = 1;
    ch->ended = 0;
    uv_timer_stop(&ch->end_timer);
    set_state(ch, SV__CHANNEL_LIVE, ch->title_id);
    SV_LOGI(ch->log, "live", "channel %s: %s at segment %lld (%d rendition(s)), title %lld",
            ch->row.name, same ? "the event goes on after a discontinuity" : "a new event starts",
            (long long)st->msn0, st->nb_rends, (long long)ch->title_id);
}

static void remove_files(sv__live_channel *ch, const sv__live_rend *r, int64_t msn, int parts)
{
    char path[1400];

    snprintf(path, sizeof(path), "%s/%s/seg-%lld.m4s", ch->dir, r->name, (long long)msn);
    unlink(path);
    for (int k = 0; k < parts; k++) {
        snprintf(path, sizeof(path), "%s/%s/part-%lld.%d.m4s", ch->dir, r->name,
                 (long long)msn, k);
        unlink(path);
    }
}

static void on_part(sv__live_channel *ch, const sv__live_event *ev)
{
    sv__live_rend *r;
    int64_t dropped[16];
    int n, disc;

    if (ev->rend < 0 || ev->rend >= ch->nb_rends)
        return;
    r = &ch->rends[ev->rend];
    disc = ch->discontinuity && ev->part == 0 && ev->msn == ch->msn0;
    if (sv__live_index_add(r, ev->msn, ev->part, ev->duration, ev->independent, ev->bytes,
                           ev->pdt_ms, ch->epoch, ch->msn0, disc) < 0) {
        SV_LOGW(ch->log, "live", "channel %s %s: part %lld.%d out of order: not listed",
                ch->row.name, r->name, (long long)ev->msn, ev->part);
        return;
    }
    if (!ev->last)
        return;
    sv__live_index_complete(r, ev->msn);
    /* The DVR window: what falls out of it leaves the disk too. */
    while ((n = sv__live_index_trim(r, ch->set.dvr_s, dropped, 16)) > 0)
        for (int i = 0; i < n; i++)
            remove_files(ch, r, dropped[i], SV__LIVE_MAX_PARTS);
    if (ev->rend == 0)
        save_index(ch);
}

static void on_end_timer(uv_timer_t *t)
{
    sv__live_channel_end(t->data);
}

static void on_async(uv_async_t *a)
{
    sv__live_channel *ch = a->data;
    sv__live_event *evs;
    sv__live_start st;
    int n, started = sv__live_events_take(ch, &evs, &n, &st);

    for (int i = 0; i < n; i++) {
        switch (evs[i].kind) {
        case SV__LIVE_EV_START:
            if (started)
                on_start(ch, &st);
            break;
        case SV__LIVE_EV_PART:
            on_part(ch, &evs[i]);
            break;
        case SV__LIVE_EV_END:
            ch->live = 0;
            save_index(ch);
            /* The event waits end_after_s for the encoder to come back. */
            uv_timer_start(&ch->end_timer, on_end_timer,
                           (uint64_t)(ch->set.end_after_s * 1000), 0);
            break;
        }
    }
    free(evs);
    sv__live_channel_wake(ch, sv__monotonic_ns());
}

void sv__live_channel_end(sv__live_channel *ch)
{
    int64_t title_id = 0;

    if (ch->ended || ch->live)
        return;
    ch->ended = 1;
    sv__mutex_lock(&ch->lock);
    ch->event_title = 0; /* the next publisher starts a new event */
    sv__mutex_unlock(&ch->lock);
    save_index(ch);
    if ((ch->nb_rends && ch->rends[0].nb_segs) || ch->title_id)
        sv__live_vod_publish(ch, &title_id);
    set_state(ch, SV__CHANNEL_ENDED, title_id);
    SV_LOGI(ch->log, "live", "channel %s: the event ended (no publisher for %.0f s)%s",
            ch->row.name, ch->set.end_after_s, title_id ? "; it is now a VOD title" : "");
    sv__live_channel_wake(ch, sv__monotonic_ns());
}

/* Is title `id` the live title of this channel (unpublished, recorded
 * into by it)? An event begun by an svserver that made no title at the
 * start left the channel pointing to an earlier event's VOD title. */
static int title_is_live(sv__live_channel *ch, int64_t id)
{
    char live[SV__CHANNEL_NAME_MAX + 1];
    json_t *regions = NULL;
    int ready, r;

    if (id <= 0)
        return 0;
    r = sv__catalog_title_access(ch->env->cat, id, &ready, &regions, live, sizeof(live));
    json_decref(regions);
    return r == 0 && !strcmp(live, ch->row.name);
}

/* A resumed event's scheme and KID (the key is wiped at once: the loop
 * only writes manifests). */
static void resume_protection(sv__live_channel *ch)
{
    char why[256];

    if (!ch->title_id || !strcmp(ch->set.encrypt, "none"))
        return;
    if (sv__keys_media_protection(ch->env->cat, ch->env->master_key, ch->title_id, &ch->prot,
                                  why, sizeof(why)) < 0)
        SV_LOGE(ch->log, "live", "channel %s: %s", ch->row.name, why);
    OPENSSL_cleanse(ch->prot.key, sizeof(ch->prot.key));
}

/* What a restarted server finds on disk: the window, the numbering. */
static void load_index(sv__live_channel *ch)
{
    char path[1200];
    int ended = 0, epoch = 0;
    int64_t last = -1;

    snprintf(path, sizeof(path), "%s/index.json", ch->dir);
    if (sv__live_index_load(path, ch->rends, &ch->nb_rends, &ch->ast_ms, &epoch, &ended) < 0)
        return;
    ch->epoch = epoch;
    ch->ended = ended;
    for (int i = 0; i < ch->nb_rends; i++) {
        int part;
        int64_t m = sv__live_index_last(&ch->rends[i], &part);

        if (m > last)
            last = m;
    }
    ch->next_msn = last + 1;
    ch->next_epoch = epoch + 1;
    if (!ended && last >= 0) {
        /* The event's title, made at its start (channels.title_id), and
         * its protection for the manifests. */
        ch->title_id = ch->row.state == SV__CHANNEL_LIVE && title_is_live(ch, ch->row.title_id)
                           ? ch->row.title_id : 0;
        ch->event_title = ch->title_id;
        resume_protection(ch);
        /* An event was on when the server stopped: the encoder may come
         * back within end_after_s and go on, else the event ends. */
        uv_timer_start(&ch->end_timer, on_end_timer, (uint64_t)(ch->set.end_after_s * 1000),
                       0);
        SV_LOGI(ch->log, "live", "channel %s: resumed its event at segment %lld (DVR kept); "
                "waiting %.0f s for the encoder", ch->row.name, (long long)last + 1,
                ch->set.end_after_s);
    }
}

int sv__live_channel_create(const sv__live_shared *env, uv_loop_t *loop,
                            const sv__channel *row, sv__live_channel **out)
{
    sv__live_channel *ch = calloc(1, sizeof(*ch));
    char err[256];

    if (!ch)
        return SV_ERR_NOMEM;
    ch->env = env;
    ch->row = *row;
    ch->log = env->log;
    ch->listen_host = env->listen_host;
    ch->preset = env->preset;
    if (sv__channel_settings_parse(row->settings, &ch->set, err, sizeof(err)) < 0) {
        SV_LOGE(ch->log, "live", "channel %s: %s; the defaults apply", row->name, err);
        sv__channel_settings_parse(NULL, &ch->set, err, sizeof(err));
    }
    ch->pps = (int)lround(ch->set.segment_s / ch->set.part_s);
    if (ch->pps < 1 || ch->pps > SV__LIVE_MAX_PARTS)
        ch->pps = 4;
    snprintf(ch->dir, sizeof(ch->dir), "%s/live/%s", env->data_dir, row->name);
    /* Segments are numbered from 1, as DASH's startNumber defaults and
     * VOD titles do; a restart goes on from index.json. */
    ch->next_msn = 1;
    if (sv__mkdirs(ch->dir) < 0 || sv__mutex_init(&ch->lock) < 0) {
        free(ch);
        return SV_ERR_IO;
    }
    uv_async_init(loop, &ch->async, on_async);
    uv_timer_init(loop, &ch->end_timer);
    ch->async.data = ch->end_timer.data = ch;
    ch->handles = 2;
    load_index(ch);
    *out = ch;
    if (sv__live_listen_start(ch) < 0) {
        SV_LOGE(ch->log, "live", "channel %s: cannot start its listeners", row->name);
        return SV_ERR_INTERNAL;
    }
    SV_LOGI(ch->log, "live", "channel %s: listening for publishers on srt port %d and rtmp "
            "port %d", row->name, row->srt_port, row->rtmp_port);
    return 0;
}

static void on_closed(uv_handle_t *h)
{
    sv__live_channel *ch = h->data;

    if (--ch->handles > 0)
        return;
    for (int i = 0; i < ch->nb_rends; i++)
        sv__live_index_free(&ch->rends[i]);
    free(ch->events);
    sv__mutex_destroy(&ch->lock);
    free(ch);
}

void sv__live_channel_destroy(sv__live_channel *ch)
{
    if (!ch)
        return;
    sv__live_listen_stop(ch);
    /* The last events of the feed the stop cut off. */
    on_async(&ch->async);
    save_index(ch);
    sv__live_waits_fail(ch);
    uv_close((uv_handle_t *)&ch->async, on_closed);
    uv_close((uv_handle_t *)&ch->end_timer, on_closed);
}
