/*
 * emsg boxes of a received media segment (ISO/IEC 23009-1 5.10.3.3) become
 * timed events (output.h, "timed events"): version 0 times count from the
 * segment's earliest presentation time (its start in the manifest),
 * version 1 times are media times, placed with the rep's offset (DASH: the
 * period's start less presentationTimeOffset) or, without a manifest that
 * says, with the offset of the segment's epoch once it is demuxed. A
 * malformed box is logged, counted and left out; the segment plays.
 *
 * Loop thread only.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "player/manifest/emsg.h"
#include "player/media/receive_internal.h"

typedef struct walk {
    sv__recv *rv;
    const char *url;
    sv__arena *arena;            /* payload copies, made at the first emsg box */
} walk;

static void malformed(walk *w, const char *why)
{
    char msg[400];
    snprintf(msg, sizeof(msg), "%s: %s", w->url, why);
    sv__timed_malformed(w->rv->cfg.env->timed, msg);
}

static int on_emsg(void *opaque, const sv__emsg *e, const sv__parse_error *err)
{
    walk *w = opaque;
    const sv__recv_item *it = &w->rv->item;
    char id[16], why[200];
    double start, offset;

    if (!e) {
        malformed(w, err->message);
        return 0;
    }
    if (!sv__model_inband_wanted(it->pres, it->period, e->scheme))
        return 0; /* not announced by an InbandEventStream of the period */
    if (e->version == 0) {
        start = it->chunk.start + (double)e->time / e->timescale;
    } else if (!isnan(it->media_offset)) {
        start = it->media_offset + (double)e->time / e->timescale;
    } else if (sv__timeline_offset_get(w->rv->cfg.env->st, it->chunk.disc, &offset) == 0) {
        start = offset + (double)e->time / e->timescale;
    } else {
        snprintf(why, sizeof(why), "emsg version 1 id %" PRIu32 " of %.80s: no media time "
                 "mapping is known for its segment yet", e->id, e->scheme);
        malformed(w, why);
        return 0;
    }
    snprintf(id, sizeof(id), "%" PRIu32, e->id);
    if (!w->arena && !(w->arena = sv__arena_create(w->rv->cfg.env->alloc)))
        return SV_ERR_NOMEM;
    sv__timed_desc d = { .source = SV_TIMED_DASH_EMSG, .scheme = e->scheme, .value = e->value,
                         .id = id, .start_s = start, .attributes = "",
                         .duration_s = e->duration == UINT32_MAX
                                           ? -1 : (double)e->duration / e->timescale };
    int r = sv__timed_set_payload(&d, w->arena, e->data, e->data_size, why, sizeof(why));
    if (r == SV_ERR_NOMEM)
        return r;
    if (r < 0) {
        char msg[320];
        snprintf(msg, sizeof(msg), "emsg id %s of %.60s: %s", id, e->scheme, why);
        malformed(w, msg);
        return 0;
    }
    r = sv__timed_add(w->rv->cfg.env->timed, &d);
    return r == SV_ERR_NOMEM ? r : 0;
}

void sv__recv_emsg(sv__recv *rv, const uint8_t *data, size_t size, const char *url)
{
    walk w = { .rv = rv, .url = url };

    if (!rv->cfg.env->timed || !rv->item.pres)
        return;
    /* Top-level boxes only: a walk over a few headers per segment. */
    if (sv__emsg_each(data, size, on_emsg, &w) == SV_ERR_NOMEM)
        sv__env_error(rv->cfg.env, SV_ERR_NOMEM, 0, "out of memory reading emsg boxes");
    sv__arena_destroy(w.arena);
}
