/*
 * vod.c - an ended event's title (made at its start, title.c) becomes a VOD
 * title without re-encoding (or re-encrypting: the files keep the event's
 * key, and the manifests its tags): its DVR window's init segments and
 * segments are hard-linked (same file system:
 * DATA/live and DATA/media) into a staging folder in media.h's layout
 * (video/<name>/, audio/), with the playlists and a static MPD made from
 * the index (ENDLIST, a discontinuity and a new EXT-X-MAP per reconnect;
 * one Period per publisher), which is renamed into DATA/media/<id>/. The
 * catalog records it the way every title is published: a job for the
 * title, claimed and published at once (sv__catalog_publish), so titles
 * have one way to become ready, in both back ends.
 *
 * Threads: the loop's (the links and small files of one event: a few ms).
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/catalog.h"
#include "backend/live/internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

static int link_rendition(const sv__live_channel *ch, const sv__live_rend *r, const char *dir)
{
    char from[1400], to[1400];
    int last_epoch = -1;

    if (sv__mkdirs(dir) < 0)
        return SV_ERR_IO;
    for (int i = 0; i < r->nb_segs; i++) {
        const sv__live_seg *s = &r->segs[i];

        if (!s->complete)
            continue;
        if (s->epoch != last_epoch) {
            snprintf(from, sizeof(from), "%s/%s/init-%d.mp4", ch->dir, r->name, s->epoch);
            snprintf(to, sizeof(to), "%s/init-%d.mp4", dir, s->epoch);
            if (link(from, to) < 0 && errno != EEXIST)
                return SV_ERR_IO;
            last_epoch = s->epoch;
        }
        snprintf(from, sizeof(from), "%s/%s/seg-%lld.m4s", ch->dir, r->name, (long long)s->msn);
        snprintf(to, sizeof(to), "%s/seg-%lld.m4s", dir, (long long)s->msn);
        if (link(from, to) < 0 && errno != EEXIST)
            return SV_ERR_IO;
    }
    return 0;
}

static int put(const char *dir, const char *name, sv__buf *b)
{
    int ret = b->err ? b->err : sv__live_put_file(dir, name, b->data, b->size);

    sv__buf_free(b);
    return ret;
}

/* The title's folder: links and manifests in staging, then renamed. */
static int make_folder(sv__live_channel *ch, int64_t id, sv__media_result *res)
{
    const char *data = ch->env->data_dir;
    char staging[1200], final[1200], dir[1300];
    sv__live_view v;
    sv__buf b = {0};
    int ret;

    sv__live_channel_view(ch, &v);
    v.ended = 1;
    v.vod = 1;
    snprintf(staging, sizeof(staging), "%s/staging/live-%lld", data, (long long)id);
    snprintf(final, sizeof(final), "%s/media/%lld", data, (long long)id);
    sv__remove_tree(staging);
    if (sv__mkdirs(staging) < 0)
        return SV_ERR_IO;
    res->nb_renditions = 0;
    for (int i = 0; i < ch->nb_rends; i++) {
        const sv__live_rend *r = &ch->rends[i];
        sv__rendition_info *ri = &res->renditions[res->nb_renditions++];

        if (r->is_audio)
            snprintf(dir, sizeof(dir), "%s/audio", staging);
        else
            snprintf(dir, sizeof(dir), "%s/video/%s", staging, r->name);
        if ((ret = link_rendition(ch, r, dir)) < 0)
            return ret;
        if ((ret = sv__live_hls_media(&v, i, 0, &b)) < 0 ||
            (ret = put(dir, "index.m3u8", &b)) < 0)
            return ret;
        memset(ri, 0, sizeof(*ri));
        snprintf(ri->kind, sizeof(ri->kind), "%s", r->is_audio ? "audio" : "video");
        snprintf(ri->name, sizeof(ri->name), "%s", r->name);
        ri->width = r->width;
        ri->height = r->height;
        ri->bandwidth = ri->average_bandwidth = r->bandwidth;
        snprintf(ri->codecs, sizeof(ri->codecs), "%s", r->codecs);
        ri->frame_rate = r->frame_rate;
        for (int j = 0; j < r->nb_segs; j++)
            ri->nb_segments += r->segs[j].complete;
    }
    res->duration_s = 0;
    for (int j = 0; j < ch->rends[0].nb_segs; j++)
        res->duration_s += ch->rends[0].segs[j].duration;
    if ((ret = sv__live_hls_master(&v, &b)) < 0 || (ret = put(staging, "master.m3u8", &b)) < 0 ||
        (ret = sv__live_dash_mpd(&v, 0, &b)) < 0 || (ret = put(staging, "manifest.mpd", &b)) < 0)
        return ret;
    if (rename(staging, final) < 0)
        return SV_ERR_IO;
    return 0;
}

int sv__live_vod_publish(sv__live_channel *ch, int64_t *title_id)
{
    sv__catalog *cat = ch->env->cat;
    sv__job_claim_args claim = {NULL, (int)getpid(), 60, 1};
    sv__media_result *res = calloc(1, sizeof(*res));
    char worker[64];
    sv__job_info job;
    int64_t job_id = 0;
    int ret = SV_ERR_NOMEM;

    if (!res)
        goto fail;
    snprintf(worker, sizeof(worker), "live:%d", (int)getpid());
    claim.worker = worker;
    if ((!ch->title_id && (ret = sv__live_title_create(ch, cat, ch->ast_ms, &ch->title_id)) < 0) ||
        (ret = sv__catalog_job_create(cat, ch->title_id, "live", 0, &job_id)) < 0)
        goto fail;
    if ((ret = sv__catalog_job_claim(cat, job_id, &claim, &job)) != 1) {
        ret = ret < 0 ? ret : SV_ERR_STATE;
        goto fail;
    }
    if (!ch->nb_rends || !ch->rends[0].nb_segs) {
        /* Nothing was recorded: the title made at the start fails. */
        sv__catalog_job_fail(cat, &job, "the live event recorded no segment");
        ret = SV_ERR_STATE;
        goto fail;
    }
    if ((ret = make_folder(ch, ch->title_id, res)) < 0) {
        sv__catalog_job_fail(cat, &job, "cannot link the live event's files");
        goto fail;
    }
    if ((ret = sv__catalog_publish(cat, &job, res)) < 0)
        goto fail;
    *title_id = ch->title_id;
    free(res);
    return 0;
fail:
    SV_LOGE(ch->log, "live", "channel %s: the event could not become a VOD title (%s): %s",
            ch->row.name, sv_strerror(ret), sv__catalog_errmsg(cat));
    free(res);
    return ret;
}
