/*
 * model_create.c - the model's entry: sv__model_create() sets up the
 * presentation and hands the text to the builder of its format (HLS:
 * model_hls.c, DASH: model_dash.c; a plain file is built here). The
 * builders use the helpers of model.c, which calls none of them.
 */
#include <string.h>

#include "platform/alloc.h"
#include "player/model/model_internal.h"

/* A plain file: one period, one video track, one READY rep whose single
 * segment is the whole resource, of unknown duration (0). The player hands
 * such a source to libavformat as a URL; the model only describes it. */
static int build_file(sv__model *m)
{
    sv__presentation *pres = &m->pub;
    sv__seg_list l = { 0 };
    int ret = SV_ERR_NOMEM;

    if (!(pres->periods = sv__arena_alloc(pres->arena, sizeof(*pres->periods))))
        return ret;
    pres->nb_periods = 1;
    sv__period *p = pres->periods;
    p->id = "";
    p->duration = -1;
    if (!(p->tracks = sv__arena_alloc(pres->arena, sizeof(*p->tracks))))
        return ret;
    p->nb_tracks = 1;
    sv__track *t = p->tracks;
    t->type = SV_TRACK_VIDEO;
    t->language = t->label = t->codecs = t->group_id = "";
    t->is_default = 1;
    if (!(t->reps = sv__arena_alloc(pres->arena, sizeof(*t->reps))))
        return ret;
    t->nb_reps = 1;
    sv__rep *r = t->reps;
    r->id = r->codecs = r->mime_type = "";
    r->index_range.length = r->init_res.length = -1;
    r->playlist_url = NULL;
    sv__segment *s;
    if ((ret = sv__seg_list_init(m, &l)) < 0)
        return ret;
    if (!(s = sv__seg_list_add(&l)) ||
        (ret = sv__seg_list_url(&l, s, pres->url, strlen(pres->url))) < 0) {
        sv__seg_list_discard(&l);
        return s ? ret : SV_ERR_NOMEM;
    }
    sv__seg_list_commit(&l, r);
    return 0;
}

int sv__model_create(sv__source_kind kind, const char *text, size_t size, const char *url,
                     double now_utc, const sv_allocator *alloc, sv__presentation **out,
                     sv__parse_error *err)
{
    sv__parse_error local_err;
    sv__arena *arena = NULL;
    sv__model *m = NULL;
    int ret = SV_ERR_NOMEM;

    if (!err)
        err = &local_err;
    memset(err, 0, sizeof(*err));
    if (!url || !out || (kind != SV__SOURCE_FILE && !text))
        return SV_ERR_INVALID;
    if (!(arena = sv__arena_create(alloc)) || !(m = sv__arena_alloc(arena, sizeof(*m))))
        goto fail;
    if (alloc) {
        sv__allocator_copy(&m->alloc, alloc);
        m->has_alloc = 1;
    }
    m->pub.arena = arena;
    m->pub.kind = kind;
    m->pub.time_shift_buffer_depth = -1;
    m->pub.target_latency = m->pub.min_latency = m->pub.max_latency = -1;
    m->latency_override = -1;
    if (!(m->pub.url = sv__arena_strdup(arena, url)))
        goto fail;
    switch (kind) {
    case SV__SOURCE_HLS:
        ret = sv__model_hls_build(m, text, size, err);
        break;
    case SV__SOURCE_DASH:
        ret = sv__model_dash_build(m, text, size, now_utc, err);
        break;
    case SV__SOURCE_FILE:
        ret = build_file(m);
        break;
    default:
        ret = SV_ERR_INVALID;
    }
    if (ret < 0)
        goto fail;
    *out = &m->pub;
    return 0;

fail:
    if (m)
        sv__model_destroy(&m->pub);
    else
        sv__arena_destroy(arena);
    return ret;
}

