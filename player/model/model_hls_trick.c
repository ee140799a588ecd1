/*
 * HLS trick tracks (issue 18): a master playlist's I-frame playlists
 * (EXT-X-I-FRAME-STREAM-INF) and Shaka Packager's trick variants become the
 * period's trick track (model.h, sv__period.trick), which only trick play
 * and the key-frame thumbnails read.
 */
#include <string.h>

#include "player/model/model_internal.h"

/* Shaka Packager writes a trick_play_factor stream as an ordinary
 * EXT-X-STREAM-INF variant whose FRAME-RATE is its key-frame rate (0.5 for
 * a key frame every 2 s): a variant under 2 frames a second beside one of
 * 10 or more is such a trick stream, kept out of the ladder and played by
 * trick play only. */
int sv__model_hls_trick_variant(const sv__hls_playlist *pl, const sv__hls_variant *v)
{
    if (v->iframe_only || !(v->frame_rate > 0 && v->frame_rate < 2))
        return 0;
    for (size_t i = 0; i < pl->nb_variants; i++)
        if (!pl->variants[i].iframe_only && pl->variants[i].frame_rate >= 10)
            return 1;
    return 0;
}

/* Whether variant v belongs to the trick track: an I-frame playlist (not
 * an image one) or a trick variant, with a URI. */
static int is_trick(const sv__hls_playlist *pl, const sv__hls_variant *v)
{
    return ((v->iframe_only && !v->image_only) || sv__model_hls_trick_variant(pl, v)) && v->uri;
}

int sv__model_hls_trick(sv__arena *a, const sv__hls_playlist *pl, sv__period *p,
                        const char *primary)
{
    size_t n = 0;
    for (size_t i = 0; i < pl->nb_variants; i++)
        n += is_trick(pl, &pl->variants[i]) && strcmp(pl->variants[i].pathway_id, primary) == 0;
    if (!n)
        return 0;
    sv__track *t = sv__arena_alloc(a, sizeof(*t));
    if (!t || !(t->reps = sv__arena_alloc(a, n * sizeof(*t->reps))))
        return SV_ERR_NOMEM;
    t->type = SV_TRACK_VIDEO;
    t->language = t->label = t->group_id = "";
    for (size_t i = 0; i < pl->nb_variants; i++) {
        const sv__hls_variant *v = &pl->variants[i];
        if (!is_trick(pl, v) || strcmp(v->pathway_id, primary) != 0)
            continue;
        sv__rep *r = &t->reps[t->nb_reps++];
        memset(r, 0, sizeof(*r));
        r->id = r->mime_type = "";
        r->seg_state = SV__SEGS_NEED_PLAYLIST;
        r->index_range.length = r->init_res.length = -1;
        r->source = v;
        r->bandwidth = v->bandwidth;
        r->width = v->width;
        r->height = v->height;
        r->codecs = v->codecs ? v->codecs : "";
        r->playlist_url = v->uri;
    }
    sv__period one = { .tracks = t, .nb_tracks = 1 };
    p->trick = t;
    return sv__model_finish_period(a, &one); /* sorts the reps, sets t->codecs */
}
