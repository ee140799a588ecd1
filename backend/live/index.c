/*
 * index.c - a rendition's live index on the loop thread: its segments
 * (oldest first) with their parts, durations, program date times and
 * independent flags, the DVR window, and its copy on disk (index.json) so
 * a restarted server keeps the window and goes on numbering.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/live/internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

int sv__live_index_add(sv__live_rend *r, int64_t msn, int part, double duration,
                       int independent, uint32_t bytes, int64_t pdt_ms, int epoch,
                       int64_t msn0, int discontinuity)
{
    sv__live_seg *s = r->nb_segs ? &r->segs[r->nb_segs - 1] : NULL;

    if (part < 0 || part >= SV__LIVE_MAX_PARTS)
        return SV_ERR_STATE;
    if (!s || msn > s->msn) {
        if (part != 0)
            return SV_ERR_STATE; /* a segment starts with its part 0 */
        if (r->nb_segs == r->cap_segs) {
            int cap = r->cap_segs ? 2 * r->cap_segs : 64;
            sv__live_seg *n = realloc(r->segs, (size_t)cap * sizeof(*n));

            if (!n)
                return SV_ERR_NOMEM;
            r->segs = n;
            r->cap_segs = cap;
        }
        s = &r->segs[r->nb_segs++];
        memset(s, 0, sizeof(*s));
        s->msn = msn;
        s->pdt_ms = pdt_ms;
        s->epoch = epoch;
        s->msn0 = msn0;
        s->discontinuity = discontinuity;
    } else if (msn != s->msn || part != s->nb_parts || s->complete) {
        return SV_ERR_STATE;
    }
    s->parts[part] = (sv__live_part){(float)duration, (uint8_t)!!independent, bytes};
    s->nb_parts = part + 1;
    s->duration += duration;
    s->bytes += bytes;
    return 0;
}

void sv__live_index_complete(sv__live_rend *r, int64_t msn)
{
    for (int i = r->nb_segs - 1; i >= 0; i--)
        if (r->segs[i].msn == msn) {
            r->segs[i].complete = 1;
            return;
        }
}

int sv__live_index_trim(sv__live_rend *r, double window_s, int64_t *dropped, int cap)
{
    double total = 0;
    int keep_from = 0, n = 0;

    for (int i = 0; i < r->nb_segs; i++)
        total += r->segs[i].duration;
    /* Drop from the front while what stays still covers the window. */
    while (keep_from < r->nb_segs - 1 && r->segs[keep_from].complete &&
           total - r->segs[keep_from].duration >= window_s && n < cap) {
        total -= r->segs[keep_from].duration;
        r->disc_seq += r->segs[keep_from].discontinuity;
        dropped[n++] = r->segs[keep_from].msn;
        keep_from++;
    }
    if (keep_from) {
        memmove(r->segs, r->segs + keep_from, (size_t)(r->nb_segs - keep_from) * sizeof(*r->segs));
        r->nb_segs -= keep_from;
    }
    return n;
}

const sv__live_seg *sv__live_index_find(const sv__live_rend *r, int64_t msn)
{
    if (!r->nb_segs || msn < r->segs[0].msn)
        return NULL;
    for (int i = r->nb_segs - 1; i >= 0; i--)
        if (r->segs[i].msn == msn)
            return &r->segs[i];
    return NULL;
}

int64_t sv__live_index_last(const sv__live_rend *r, int *part)
{
    const sv__live_seg *s = r->nb_segs ? &r->segs[r->nb_segs - 1] : NULL;

    *part = s ? s->nb_parts - 1 : -1;
    return s ? s->msn : -1;
}

int sv__live_index_has(const sv__live_rend *r, int64_t msn, int part)
{
    const sv__live_seg *last = r->nb_segs ? &r->segs[r->nb_segs - 1] : NULL;

    if (!last)
        return 0;
    if (last->msn > msn)
        return 1;
    if (last->msn < msn)
        return 0;
    return part < 0 ? last->complete : last->nb_parts > part;
}

void sv__live_index_free(sv__live_rend *r)
{
    free(r->segs);
    r->segs = NULL;
    r->nb_segs = r->cap_segs = 0;
}

/* ---- on disk ---------------------------------------------------------------- */

static json_t *rend_json(const sv__live_rend *r)
{
    json_t *segs = json_array();

    for (int i = 0; segs && i < r->nb_segs; i++) {
        const sv__live_seg *s = &r->segs[i];
        json_t *parts = json_array();

        for (int j = 0; parts && j < s->nb_parts; j++)
            json_array_append_new(parts, json_pack("[f,b,I]", (double)s->parts[j].duration,
                                                   s->parts[j].independent,
                                                   (json_int_t)s->parts[j].bytes));
        json_array_append_new(segs, json_pack("{s:I,s:I,s:i,s:I,s:b,s:b,s:o}", "msn",
                                              (json_int_t)s->msn, "pdt_ms",
                                              (json_int_t)s->pdt_ms, "epoch", s->epoch,
                                              "msn0", (json_int_t)s->msn0, "complete",
                                              s->complete, "discontinuity", s->discontinuity,
                                              "parts", parts));
    }
    return json_pack("{s:s,s:b,s:i,s:i,s:f,s:i,s:s,s:I,s:o}", "name", r->name, "audio",
                     r->is_audio, "width", r->width, "height", r->height, "frame_rate",
                     r->frame_rate, "bandwidth", r->bandwidth, "codecs", r->codecs, "disc_seq",
                     (json_int_t)r->disc_seq, "segments", segs);
}

int sv__live_index_save(const char *path, const sv__live_rend *r, int n, int64_t ast_ms,
                        int epoch, int ended)
{
    json_t *rends = json_array(), *root;
    char *text;
    char tmp[1300];
    int ret;

    for (int i = 0; rends && i < n; i++)
        json_array_append_new(rends, rend_json(&r[i]));
    root = json_pack("{s:I,s:i,s:b,s:o}", "ast_ms", (json_int_t)ast_ms, "epoch", epoch, "ended",
                     ended, "renditions", rends);
    text = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (!text)
        return SV_ERR_NOMEM;
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    ret = sv__file_write(tmp, text, strlen(text), 0644);
    free(text);
    if (ret == 0 && rename(tmp, path) < 0)
        ret = SV_ERR_IO;
    return ret;
}

static int rend_load(json_t *j, sv__live_rend *r)
{
    const char *name = "", *codecs = "";
    json_t *segs = NULL, *s;
    json_int_t disc_seq = 0;
    size_t i;

    memset(r, 0, sizeof(*r));
    if (json_unpack(j, "{s:s,s:b,s:i,s:i,s:F,s:i,s:s,s:I,s:o}", "name", &name, "audio",
                    &r->is_audio, "width", &r->width, "height", &r->height, "frame_rate",
                    &r->frame_rate, "bandwidth", &r->bandwidth, "codecs", &codecs, "disc_seq",
                    &disc_seq, "segments", &segs) < 0 || !json_is_array(segs))
        return SV_ERR_PARSE;
    r->disc_seq = disc_seq;
    snprintf(r->name, sizeof(r->name), "%s", name);
    snprintf(r->codecs, sizeof(r->codecs), "%s", codecs);
    json_array_foreach(segs, i, s) {
        json_int_t msn = 0, pdt = 0, msn0 = 0;
        int epoch = 0, complete = 0, disc = 0;
        json_t *parts = NULL, *pt;
        size_t k;

        if (json_unpack(s, "{s:I,s:I,s:i,s:I,s:b,s:b,s:o}", "msn", &msn, "pdt_ms", &pdt,
                        "epoch", &epoch, "msn0", &msn0, "complete", &complete,
                        "discontinuity", &disc, "parts", &parts) < 0 || !json_is_array(parts))
            return SV_ERR_PARSE;
        json_array_foreach(parts, k, pt) {
            double d = 0;
            int ind = 0;
            json_int_t bytes = 0;

            if (json_unpack(pt, "[F,b,I]", &d, &ind, &bytes) < 0 ||
                sv__live_index_add(r, msn, (int)k, d, ind, (uint32_t)bytes, pdt, epoch, msn0,
                                   disc) < 0)
                return SV_ERR_PARSE;
        }
        /* A segment cut short by the stop is complete as it is. */
        if (json_array_size(parts) > 0)
            sv__live_index_complete(r, msn);
        (void)complete;
    }
    return 0;
}

int sv__live_index_load(const char *path, sv__live_rend *r, int *n, int64_t *ast_ms,
                        int *epoch, int *ended)
{
    json_t *root = json_load_file(path, 0, NULL), *rends = NULL, *j;
    json_int_t ast = 0;
    size_t i;
    int ret = SV_ERR_PARSE;

    *n = 0;
    if (!root)
        return SV_ERR_NOT_FOUND;
    if (json_unpack(root, "{s:I,s:i,s:b,s:o}", "ast_ms", &ast, "epoch", epoch, "ended", ended,
                    "renditions", &rends) < 0 || !json_is_array(rends) ||
        json_array_size(rends) > SV__LIVE_MAX_RENDS)
        goto out;
    json_array_foreach(rends, i, j) {
        if (rend_load(j, &r[i]) < 0) {
            for (size_t k = 0; k <= i; k++)
                sv__live_index_free(&r[k]);
            goto out;
        }
    }
    *n = (int)json_array_size(rends);
    *ast_ms = ast;
    ret = 0;
out:
    json_decref(root);
    return ret;
}
