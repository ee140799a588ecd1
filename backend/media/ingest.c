/*
 * sv__media_ingest(): the pipeline's driver. The calling (worker) thread
 * probes and demuxes the input and decodes the video once; each decoded
 * frame goes by reference to one thread per rung (rung.c) and, every
 * thumb_interval_s, to the thumbnailer (every tile_interval_s to the tiles,
 * and around 10 % of the duration to the poster). Audio is decoded and encoded inline.
 * Every media file (segments, thumbnails) is written and fsync'ed by one
 * writer thread (writer.c), so neither the decoder nor a rung waits on the
 * disk. When the input ends, the rungs drain, the writer is flushed, the
 * manifests are written from the segment records, and every folder is
 * fsync'ed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/media/internal.h"
#include "platform/fs.h"
#include "platform/thread.h"
#include "streamverse/common.h"

#define P_PROBE 1.0
#define P_TRANSCODE_END 96.0

typedef struct ingest {
    const sv__ladder *l;
    const sv__media_protection *prot;  /* NULL: clear output */
    const sv__media_part *part;        /* NULL: the whole ingest */
    int64_t t0;                        /* start, sv__monotonic_ns() */
    const char *out_dir;
    sv__media_progress_fn progress;
    void *opaque;
    const volatile int *cancel;
    double last_percent;
    const char *last_stage;

    AVFormatContext *ic;
    AVStream *vst, *ast;
    AVCodecContext *vdec;
    AVFrame *frame;
    AVPacket *pkt;
    int64_t start;           /* source zero, AV_TIME_BASE units */
    AVRational fps, tb;      /* output frame rate and its inverse */
    double duration;         /* probed, for progress */

    /* One rung per ladder rung and codec, by codec then height. */
    sv__rung_job *rungs[SV_MEDIA_MAX_VIDEO];
    sv__rung_params params[SV_MEDIA_MAX_VIDEO];
    char rung_dirs[SV_MEDIA_MAX_VIDEO][4200];
    char rung_names[SV_MEDIA_MAX_VIDEO][24];
    int nb_rungs;
    sv__audio_job *audio;
    sv__thumbs *thumbs;
    sv__tiles *tiles;        /* with the thumbnails: part 0's */
    sv__poster *poster;
    sv__writer *writer;
    sv__sub_track subs[SV_MEDIA_MAX_SUBS];  /* read before decoding */
    sv__manifest_subs sub_list[SV_MEDIA_MAX_SUBS];
    int nb_subs;

    int64_t last_pts;
    int64_t frames;
    int next_boundary;       /* index k of the next segment start k*segment_s */
    double last_t;
} ingest;


static void report(ingest *g, double percent, const char *stage)
{
    if (!g->progress)
        return;
    if (percent > 100.0)
        percent = 100.0;
    if (stage == g->last_stage && percent < g->last_percent + 0.5 && percent < 100.0)
        return;
    g->last_percent = percent;
    g->last_stage = stage;
    g->progress(g->opaque, percent, stage);
}

static int cancelled(const ingest *g, char *errbuf, size_t errlen)
{
    if (g->cancel && *g->cancel)
        return sv__media_err(errbuf, errlen, SV_ERR_CANCELLED, "ingest cancelled");
    return 0;
}

static int path_join(char *out, size_t outlen, const char *a, const char *b,
                     char *errbuf, size_t errlen)
{
    if (snprintf(out, outlen, "%s/%s", a, b) >= (int)outlen)
        return sv__media_err(errbuf, errlen, SV_ERR_IO, "path too long under %s", a);
    return 0;
}

static int probe(ingest *g, const char *input, char *errbuf, size_t errlen)
{
    int ret = sv__video_open(input, g->l->threads, &g->ic, &g->vst, &g->vdec, &g->fps, errbuf,
                             errlen);
    if (ret < 0)
        return ret;
    int ai = av_find_best_stream(g->ic, AVMEDIA_TYPE_AUDIO, -1, g->vst->index, NULL, 0);
    g->ast = ai >= 0 ? g->ic->streams[ai] : NULL;
    g->tb = av_inv_q(g->fps);
    g->start = g->ic->start_time == AV_NOPTS_VALUE ? 0 : g->ic->start_time;
    g->duration = g->ic->duration > 0 ? (double)g->ic->duration / AV_TIME_BASE : 0.0;
    return 0;
}

static int compare_rungs(const void *a, const void *b)
{
    const sv__rung *x = a, *y = b;

    if (x->height != y->height)
        return x->height - y->height;
    return x->bitrate_kbps - y->bitrate_kbps;
}

/* A rung's name, also its folder: "<height>p", or "<height>p-<kbps>k" when
 * the plan has several rungs of that height (a per-title ladder may). */
static void rung_name(const sv__rung *plan, int n, int i, char *out, size_t cap)
{
    int same = 0;

    for (int k = 0; k < n; k++)
        same += plan[k].height == plan[i].height;
    if (same > 1)
        snprintf(out, cap, "%dp-%dk", plan[i].height, plan[i].bitrate_kbps);
    else
        snprintf(out, cap, "%dp", plan[i].height);
}

/* Chooses the rungs: ascending by height then rate, no duplicates, none
 * taller than the source. A source shorter than every rung still gets one
 * rung at its own height. */
static void plan_rungs(ingest *g, sv__rung *out, int *n)
{
    const AVCodecParameters *cp = g->vst->codecpar;
    sv__rung sorted[SV_MEDIA_MAX_RUNGS];
    int count = g->l->nb_rungs > SV_MEDIA_MAX_RUNGS ? SV_MEDIA_MAX_RUNGS : g->l->nb_rungs;
    memcpy(sorted, g->l->rungs, (size_t)count * sizeof(sorted[0]));
    qsort(sorted, (size_t)count, sizeof(sorted[0]), compare_rungs);
    int src_h = cp->height & ~1;
    *n = 0;
    for (int i = 0; i < count; i++) {
        if (sorted[i].height < 2 || sorted[i].height > src_h || sorted[i].bitrate_kbps <= 0)
            continue;
        if (*n > 0 && out[*n - 1].height == (sorted[i].height & ~1) &&
            out[*n - 1].bitrate_kbps == sorted[i].bitrate_kbps)
            continue;
        out[*n] = sorted[i];
        out[*n].height &= ~1;
        (*n)++;
    }
    if (*n == 0 && count > 0)
        out[(*n)++] = (sv__rung){ src_h, sorted[0].bitrate_kbps };
}

static int start_outputs(ingest *g, char *errbuf, size_t errlen)
{
    const AVCodecParameters *cp = g->vst->codecpar;
    char dir[4200];
    sv__rung heights[SV_MEDIA_MAX_RUNGS], plan[SV_MEDIA_MAX_VIDEO];
    int codec_of[SV_MEDIA_MAX_VIDEO];
    char names[SV_MEDIA_MAX_VIDEO][24];
    unsigned codecs = g->l->codecs ? g->l->codecs : SV__CODECS_DEFAULT;
    int nh, n = 0, rc;
    plan_rungs(g, heights, &nh);
    if (nh == 0)
        return sv__media_err(errbuf, errlen, SV_ERR_INVALID, "the ladder has no rung");
    /* Every rung in every codec: H.264 rungs keep their names ("720p"),
     * the others add the codec ("720p-av1") and a rate scaled for it. */
    for (int c = 0; c < SV__NB_CODECS; c++) {
        if (!(codecs & (1u << c)))
            continue;
        for (int i = 0; i < nh; i++) {
            char base[16];
            rung_name(heights, nh, i, base, sizeof(base));
            if (c == SV__CODEC_H264)
                snprintf(names[n], sizeof(names[n]), "%s", base);
            else
                snprintf(names[n], sizeof(names[n]), "%s-%s", base, sv__codec_name(c));
            plan[n] = (sv__rung){ heights[i].height,
                                  sv__codec_rate_kbps(c, heights[i].bitrate_kbps,
                                                      g->l->codec_percent[c]) };
            codec_of[n++] = c;
        }
    }
    if (g->part) {
        /* Only this part's share of the plan; the rest is other workers'. */
        int hs[SV_MEDIA_MAX_VIDEO], k = 0;
        for (int i = 0; i < n; i++)
            hs[i] = plan[i].height;
        for (int i = 0; i < n; i++)
            if (sv__media_part_owns(hs, n, g->part, i)) {
                memcpy(names[k], names[i], sizeof(names[k]));
                codec_of[k] = codec_of[i];
                plan[k++] = plan[i];
            }
        n = k;
    }
    double sar = cp->sample_aspect_ratio.num > 0 ? av_q2d(cp->sample_aspect_ratio) : 1.0;
    double display_w = cp->width * sar;
    int gop = (int)ceil(g->l->segment_s * av_q2d(g->fps) - 1e-6);

    if ((rc = sv__writer_start(&g->writer, errbuf, errlen)) < 0)
        return rc;
    if ((rc = path_join(dir, sizeof(dir), g->out_dir, "video", errbuf, errlen)) < 0 ||
        (rc = sv__media_ioerr(errbuf, errlen, sv__mkdir(dir, 0), "create", dir)) < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        sv__rung_params *p = &g->params[i];
        p->codec = codec_of[i];
        /* The name is the folder, so a part's rungs keep theirs. */
        memcpy(g->rung_names[i], names[i], sizeof(names[i]));
        snprintf(g->rung_dirs[i], sizeof(g->rung_dirs[i]), "%s/video/%s", g->out_dir, names[i]);
        p->height = plan[i].height;
        p->width = (int)lrint(display_w * plan[i].height / cp->height / 2.0) * 2;
        if (p->width < 2)
            p->width = 2;
        p->bitrate_kbps = plan[i].bitrate_kbps;
        p->preset = g->l->x264_preset;
        p->threads = g->l->threads;
        p->time_base = g->tb;
        p->frame_rate = g->fps;
        p->gop_frames = gop > 0 ? gop : 1;
        p->out_dir = g->rung_dirs[i];
        p->prot = g->prot;
        p->writer = g->writer;
        p->no_key_chunks = g->l->no_extras;
        if ((rc = sv__rung_start(&g->rungs[i], p, errbuf, errlen)) < 0)
            return rc;
        g->nb_rungs++;
    }
    if (g->part && g->part->index != 0)
        return 0; /* audio and thumbnails are part 0's */
    if (g->ast) {
        if ((rc = path_join(dir, sizeof(dir), g->out_dir, "audio", errbuf, errlen)) < 0 ||
            (rc = sv__audio_open(&g->audio, g->ast, g->start, g->l->audio_kbps,
                                 g->l->segment_s, dir, g->prot, g->writer, errbuf, errlen)) < 0)
            return rc;
    }
    if ((rc = path_join(dir, sizeof(dir), g->out_dir, "thumbs", errbuf, errlen)) < 0 ||
        (rc = sv__thumbs_open(&g->thumbs, g->l->thumb_interval_s, dir, g->writer, errbuf,
                              errlen)) < 0)
        return rc;
    if (g->l->no_extras)
        return 0;
    if ((rc = sv__tiles_open(&g->tiles, g->l->tile_interval_s, dir, g->writer, errbuf,
                             errlen)) < 0 ||
        (rc = path_join(dir, sizeof(dir), g->out_dir, "thumbs/poster.jpg", errbuf, errlen)) < 0)
        return rc;
    return sv__poster_open(&g->poster, g->duration, dir, g->writer, errbuf, errlen);
}

/* Gives the first failed rung's message (the rung knows the cause). */
static int rung_failure(ingest *g, int rc, char *errbuf, size_t errlen)
{
    for (int i = 0; i < g->nb_rungs; i++)
        if (sv__rung_error(g->rungs[i])[0])
            return sv__media_err(errbuf, errlen, rc, "%s", sv__rung_error(g->rungs[i]));
    return sv__media_err(errbuf, errlen, rc, "a video encoder failed");
}

static int on_frame(ingest *g, AVFrame *f, char *errbuf, size_t errlen)
{
    int64_t ts = f->best_effort_timestamp;
    double t = ts == AV_NOPTS_VALUE ? g->last_t + av_q2d(g->tb)
        : av_q2d(g->vst->time_base) * (double)ts - (double)g->start / AV_TIME_BASE;
    g->last_t = t;
    /* Output timestamps count frames at the nominal rate; a timestamp that
     * would not advance (VFR jitter, duplicates) moves to the next slot. */
    int64_t pts = llrint(t * av_q2d(g->fps));
    if (g->frames > 0 && pts <= g->last_pts)
        pts = g->last_pts + 1;
    if (pts < 0)
        pts = 0;
    g->last_pts = pts;
    g->frames++;
    double out_t = (double)pts * av_q2d(g->tb);
    int seg_start = 0;
    if (out_t + 1e-9 >= g->next_boundary * g->l->segment_s) {
        seg_start = 1;
        g->next_boundary = (int)floor(out_t / g->l->segment_s + 1e-9) + 1;
    }
    int rc = g->thumbs ? sv__thumbs_offer(g->thumbs, f, out_t, errbuf, errlen) : 0;
    if (rc < 0 || (g->tiles && (rc = sv__tiles_offer(g->tiles, f, out_t, errbuf, errlen)) < 0) ||
        (g->poster && (rc = sv__poster_offer(g->poster, f, out_t, errbuf, errlen)) < 0))
        return rc;
    f->pts = pts;
    for (int i = 0; i < g->nb_rungs; i++)
        if ((rc = sv__rung_push(g->rungs[i], f, seg_start)) < 0)
            return rc == SV_ERR_NOMEM ? sv__media_err(errbuf, errlen, rc, "out of memory (frame)")
                                      : rung_failure(g, rc, errbuf, errlen);
    if (g->duration > 0)
        report(g, P_PROBE + (P_TRANSCODE_END - P_PROBE) * out_t / g->duration, "transcode");
    return 0;
}

static int decode_video(ingest *g, const AVPacket *pkt, char *errbuf, size_t errlen)
{
    int ret = avcodec_send_packet(g->vdec, pkt);
    /* A corrupt packet is skipped like a player would; the title fails only
     * if nothing decodes at all. */
    if (ret < 0 && ret != AVERROR_INVALIDDATA && ret != AVERROR_EOF)
        return sv__media_averr(errbuf, errlen, SV_ERR_DECODE, ret, "video decode");
    while ((ret = avcodec_receive_frame(g->vdec, g->frame)) >= 0) {
        int rc = on_frame(g, g->frame, errbuf, errlen);
        av_frame_unref(g->frame);
        if (rc < 0)
            return rc;
        if ((rc = cancelled(g, errbuf, errlen)) < 0)
            return rc;
    }
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF || ret == AVERROR_INVALIDDATA)
        return 0;
    return sv__media_averr(errbuf, errlen, SV_ERR_DECODE, ret, "video decode");
}

static int transcode(ingest *g, char *errbuf, size_t errlen)
{
    int rc = 0, ret;
    if (g->nb_rungs == 0 && !g->audio && !g->thumbs)
        return 0; /* a part with nothing to encode */
    while (rc == 0 && (rc = cancelled(g, errbuf, errlen)) == 0) {
        ret = av_read_frame(g->ic, g->pkt);
        if (ret == AVERROR_EOF)
            break;
        if (ret < 0)
            return sv__media_averr(errbuf, errlen, SV_ERR_IO, ret, "reading the input");
        if (g->pkt->stream_index == g->vst->index)
            rc = decode_video(g, g->pkt, errbuf, errlen);
        else if (g->audio && g->pkt->stream_index == g->ast->index)
            rc = sv__audio_packet(g->audio, g->pkt, errbuf, errlen);
        av_packet_unref(g->pkt);
    }
    if (rc < 0 || (rc = decode_video(g, NULL, errbuf, errlen)) < 0)
        return rc;
    if (g->frames == 0)
        return sv__media_err(errbuf, errlen, SV_ERR_DECODE, "no video frame could be decoded");
    for (int i = 0; i < g->nb_rungs; i++)
        if ((rc = sv__rung_push(g->rungs[i], NULL, 0)) < 0)
            return rung_failure(g, rc, errbuf, errlen);
    for (int i = 0; i < g->nb_rungs; i++)
        if ((rc = sv__rung_join(g->rungs[i], 0)) < 0)
            return rung_failure(g, rc, errbuf, errlen);
    if (g->audio && (rc = sv__audio_finish(g->audio, errbuf, errlen)) < 0)
        return rc;
    if ((g->tiles && (rc = sv__tiles_finish(g->tiles, errbuf, errlen)) < 0) ||
        (g->poster && (rc = sv__poster_finish(g->poster, errbuf, errlen)) < 0))
        return rc;
    return 0;
}

static void fill_info(sv__rendition_info *ri, const char *kind, const char *name,
                      const sv__segwriter *w)
{
    memset(ri, 0, sizeof(*ri));
    snprintf(ri->kind, sizeof(ri->kind), "%s", kind);
    snprintf(ri->name, sizeof(ri->name), "%s", name);
    sv__segwriter_bandwidth(w, &ri->bandwidth, &ri->average_bandwidth);
    ri->nb_segments = w->nb_segs;
}

static int package(ingest *g, sv__media_result *res, char *errbuf, size_t errlen)
{
    sv__manifest_rendition video[SV_MEDIA_MAX_VIDEO], audio;
    const sv__manifest_rendition *all[SV_MEDIA_MAX_VIDEO + 1];
    char paths[SV_MEDIA_MAX_VIDEO][32];
    int rc, nb_all = 0;
    /* Subtitles (part 0's) cut at the video's segment times. */
    double video_s = (double)(g->last_pts + 1) * av_q2d(g->tb);
    for (int i = 0; i < g->nb_subs && (!g->part || g->part->index == 0); i++) {
        if ((rc = sv__subs_write(&g->subs[i], g->l->subs[i].lang, g->out_dir, video_s,
                                 g->l->segment_s, g->writer, errbuf, errlen)) < 0 ||
            (rc = sv__ttml_write(&g->subs[i], g->l->subs[i].lang, g->out_dir, video_s,
                                 g->l->segment_s, g->writer, errbuf, errlen)) < 0)
            return rc;
        snprintf(g->sub_list[i].lang, sizeof(g->sub_list[i].lang), "%s", g->l->subs[i].lang);
        g->sub_list[i].nb_segs = sv__subs_segments(video_s, g->l->segment_s);
        res->nb_subs++;
    }
    /* Every segment and thumbnail is on disk before a manifest names it. */
    if ((rc = sv__writer_flush(g->writer, errbuf, errlen)) < 0)
        return rc;
    res->nb_renditions = 0;
    for (int i = 0; i < g->nb_rungs; i++) {
        sv__rendition_info *ri = &res->renditions[res->nb_renditions++];
        const sv__segwriter *w = sv__rung_segments(g->rungs[i]);
        const char *name = g->rung_names[i];
        fill_info(ri, "video", name, w);
        ri->width = g->params[i].width;
        ri->height = g->params[i].height;
        ri->frame_rate = av_q2d(g->fps);
        snprintf(ri->codecs, sizeof(ri->codecs), "%s", sv__rung_codecs(g->rungs[i]));
        snprintf(paths[i], sizeof(paths[i]), "video/%s", name);
        video[i] = (sv__manifest_rendition){ ri, w, paths[i] };
    }
    if (g->nb_rungs > 0)
        res->duration_s = sv__segwriter_duration(sv__rung_segments(g->rungs[0]));
    if (g->audio) {
        sv__rendition_info *ri = &res->renditions[res->nb_renditions++];
        fill_info(ri, "audio", "audio", sv__audio_segments(g->audio));
        snprintf(ri->codecs, sizeof(ri->codecs), "mp4a.40.2");
        audio = (sv__manifest_rendition){ ri, sv__audio_segments(g->audio), "audio" };
        if (g->nb_rungs == 0)
            res->duration_s = sv__segwriter_duration(audio.segs);
    }
    res->nb_thumbs = g->thumbs ? sv__thumbs_count(g->thumbs) : 0;
    const sv__tiles_info *tiles = g->tiles ? sv__tiles_info_of(g->tiles) : NULL;
    res->nb_tiles = tiles ? tiles->count : 0;
    res->poster = g->poster && sv__poster_done(g->poster);
    if (g->part) {
        /* The playlists and the MPD wait for every part (sv__media_assemble). */
        for (int i = 0; i < g->nb_rungs; i++)
            all[nb_all++] = &video[i];
        if (g->audio)
            all[nb_all++] = &audio;
        res->transcode_s = (double)(sv__monotonic_ns() - g->t0) / 1e9;
        if ((rc = sv__media_part_save(g->out_dir, g->part, res, all, nb_all, g->l->segment_s,
                                      tiles, g->sub_list, res->nb_subs, errbuf, errlen)) < 0)
            return rc;
    } else {
        sv__manifest m = { video, g->nb_rungs, g->audio ? &audio : NULL,
                           res->duration_s, g->l->segment_s, g->prot, tiles,
                           g->sub_list, res->nb_subs };
        if ((rc = sv__hls_write(&m, g->out_dir, errbuf, errlen)) < 0 ||
            (rc = sv__dash_write(&m, g->out_dir, errbuf, errlen)) < 0)
            return rc;
    }

    /* Directories last, deepest first: every name created is durable. */
    char dir[4200];
    for (int i = 0; i < g->nb_rungs; i++)
        if ((rc = sv__media_ioerr(errbuf, errlen,
                                  sv__fsync_dir(g->rung_dirs[i]),
                                  "fsync", g->rung_dirs[i])) < 0)
            return rc;
    for (int i = 0; i < res->nb_subs; i++) {
        char sd[300];
        snprintf(sd, sizeof(sd), "subs/%s", g->sub_list[i].lang);
        if ((rc = path_join(dir, sizeof(dir), g->out_dir, sd, errbuf, errlen)) < 0 ||
            (rc = sv__media_ioerr(errbuf, errlen, sv__fsync_dir(dir), "fsync", dir)) < 0)
            return rc;
    }
    static const char *const subdirs[] = { "video", "audio", "thumbs", "subs" };
    for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
        if ((i == 1 && !g->audio) || (i == 2 && !g->thumbs) || (i == 3 && !res->nb_subs))
            continue;
        if ((rc = path_join(dir, sizeof(dir), g->out_dir, subdirs[i], errbuf, errlen)) < 0 ||
            (rc = sv__media_ioerr(errbuf, errlen, sv__fsync_dir(dir), "fsync", dir)) < 0)
            return rc;
    }
    return sv__media_ioerr(errbuf, errlen, sv__fsync_dir(g->out_dir), "fsync", g->out_dir);
}

int sv__media_ingest(const char *input, const char *out_dir, const sv__ladder *ladder,
                     sv__media_progress_fn progress, void *opaque, const volatile int *cancel,
                     sv__media_result *res, char *errbuf, size_t errlen)
{
    return sv__media_ingest_protected(input, out_dir, ladder, NULL, progress, opaque, cancel,
                                      res, errbuf, errlen);
}

int sv__media_ingest_protected(const char *input, const char *out_dir, const sv__ladder *ladder,
                               const sv__media_protection *prot,
                               sv__media_progress_fn progress, void *opaque,
                               const volatile int *cancel, sv__media_result *res,
                               char *errbuf, size_t errlen)
{
    return sv__media_ingest_part(input, out_dir, ladder, prot, NULL, progress, opaque, cancel,
                                 res, errbuf, errlen);
}

int sv__media_ingest_part(const char *input, const char *out_dir, const sv__ladder *ladder,
                          const sv__media_protection *prot, const sv__media_part *part,
                          sv__media_progress_fn progress, void *opaque,
                          const volatile int *cancel, sv__media_result *res,
                          char *errbuf, size_t errlen)
{
    sv__ladder defaults, chosen;
    ingest g = { 0 };
    int rc;
    int64_t t0 = sv__monotonic_ns();
    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (!input || !out_dir || !res)
        return sv__media_err(errbuf, errlen, SV_ERR_INVALID, "missing input, output or result");
    if (!ladder) {
        sv__ladder_default(&defaults);
        ladder = &defaults;
    }
    if (ladder->segment_s <= 0 || ladder->audio_kbps <= 0 || !ladder->x264_preset ||
        ladder->nb_rungs <= 0 || ladder->nb_rungs > SV_MEDIA_MAX_RUNGS)
        return sv__media_err(errbuf, errlen, SV_ERR_INVALID, "invalid ladder settings");
    if (ladder->codecs >= (1u << SV__NB_CODECS))
        return sv__media_err(errbuf, errlen, SV_ERR_INVALID, "invalid codecs setting");
    if (ladder->nb_subs < 0 || ladder->nb_subs > SV_MEDIA_MAX_SUBS ||
        (ladder->nb_subs > 0 && !ladder->subs))
        return sv__media_err(errbuf, errlen, SV_ERR_INVALID,
                             "subtitles: %d files, at most %d (one per language)",
                             ladder->nb_subs, SV_MEDIA_MAX_SUBS);
    for (int i = 0; i < ladder->nb_subs; i++)
        for (int j = 0; j < i; j++)
            if (ladder->subs[i].lang && ladder->subs[j].lang &&
                !strcmp(ladder->subs[i].lang, ladder->subs[j].lang))
                return sv__media_err(errbuf, errlen, SV_ERR_INVALID,
                                     "subtitles: two files for the language '%s'",
                                     ladder->subs[i].lang);
    /* A codec this FFmpeg cannot encode fails here, before any work. */
    if ((rc = sv__codecs_check(ladder->codecs ? ladder->codecs : SV__CODECS_DEFAULT, errbuf,
                               errlen)) < 0)
        return rc;
    memset(res, 0, sizeof(*res));
    if (prot && prot->scheme != SV__PROTECT_NONE && prot->scheme != SV__PROTECT_CENC &&
        prot->scheme != SV__PROTECT_CBCS)
        return sv__media_err(errbuf, errlen, SV_ERR_INVALID, "unknown protection scheme");
    if (part && (part->count < 1 || part->count > SV_MEDIA_MAX_PARTS || part->index < 0 ||
                 part->index >= part->count))
        return sv__media_err(errbuf, errlen, SV_ERR_INVALID, "invalid part %d of %d",
                             part ? part->index : 0, part ? part->count : 0);
    /* Subtitle files are read first: a bad one fails before any decoding
     * (the per-title probe included). */
    for (; g.nb_subs < ladder->nb_subs; g.nb_subs++)
        if ((rc = sv__subs_load(&ladder->subs[g.nb_subs], &g.subs[g.nb_subs], errbuf,
                                errlen)) < 0)
            goto fail;
    if (ladder->per_title) {
        /* Each part of a split ingest probes alike (the probe is
         * deterministic); a caller that split the job may instead pass
         * every part the ladder chosen once. */
        if (progress)
            progress(opaque, 0.0, "probe");
        if ((rc = sv__ladder_probe(input, ladder, cancel, &res->ladder, errbuf, errlen)) < 0)
            goto fail;   /* clears res */
        sv__ladder_choose(ladder, &res->ladder);
        sv__ladder_apply(ladder, &res->ladder, &chosen);
        res->per_title = 1;
        ladder = &chosen;
    }
    g.l = ladder;
    g.part = part;
    g.t0 = t0;
    g.prot = prot && prot->scheme != SV__PROTECT_NONE ? prot : NULL;
    g.out_dir = out_dir;
    g.progress = progress;
    g.opaque = opaque;
    g.cancel = cancel;
    g.last_percent = -1.0;

    rc = SV_ERR_NOMEM;
    g.frame = av_frame_alloc();
    g.pkt = av_packet_alloc();
    if (!g.frame || !g.pkt) {
        sv__media_err(errbuf, errlen, rc, "out of memory");
        goto fail;
    }
    report(&g, 0.0, "probe");
    if ((rc = probe(&g, input, errbuf, errlen)) < 0 ||
        (rc = sv__media_ioerr(errbuf, errlen, sv__mkdir(out_dir, 1), "create", out_dir)) < 0 ||
        (rc = start_outputs(&g, errbuf, errlen)) < 0)
        goto fail;
    report(&g, P_PROBE, "transcode");
    if ((rc = transcode(&g, errbuf, errlen)) < 0)
        goto fail;
    report(&g, P_TRANSCODE_END, "package");
    if ((rc = package(&g, res, errbuf, errlen)) < 0)
        goto fail;
    res->transcode_s = (double)(sv__monotonic_ns() - t0) / 1e9;
    report(&g, 100.0, "package");
fail:
    for (int i = 0; i < g.nb_rungs; i++)
        sv__rung_destroy(g.rungs[i]);   /* aborts a rung still running */
    sv__audio_destroy(g.audio);
    sv__thumbs_destroy(g.thumbs);
    sv__tiles_destroy(g.tiles);
    sv__poster_destroy(g.poster);
    for (int i = 0; i < g.nb_subs; i++)
        sv__subs_free(&g.subs[i]);
    sv__writer_destroy(g.writer);   /* last: the rungs above submitted to it */
    avcodec_free_context(&g.vdec);
    avformat_close_input(&g.ic);
    av_frame_free(&g.frame);
    av_packet_free(&g.pkt);
    if (rc < 0)
        memset(res, 0, sizeof(*res));
    return rc;
}
