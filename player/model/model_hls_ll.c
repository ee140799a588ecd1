/*
 * Low-latency HLS in the model (RFC 8216bis): what the next blocking reload
 * asks for, and delta updates.
 *
 * A delta update (_HLS_skip=YES) answers a playlist whose first
 * CAN-SKIP-UNTIL seconds are replaced by EXT-X-SKIP:SKIPPED-SEGMENTS=n: the
 * segments from EXT-X-MEDIA-SEQUENCE on, n of them, are the ones the
 * player kept from its last load, and are put back in front of the new
 * list here (their URLs, inits and keys copied into the new list's arena,
 * which replaces the old one).
 *
 * The parts themselves become entries of the segment list in model_hls.c.
 * Control thread.
 */
#include <stdio.h>
#include <string.h>

#include "player/model/model_internal.h"

void sv__model_hls_ll_state(sv__rep *rep, const sv__hls_playlist *pl)
{
    rep->ll.can_block = pl->can_block_reload;
    rep->ll.can_skip = pl->can_skip_until > 0;
    rep->ll.part_target = pl->part_target;
    rep->ll.target_duration = pl->target_duration;
    int64_t after = pl->media_sequence + pl->skipped_segments + (int64_t)pl->nb_segments;
    if (pl->preload_uri) {
        /* The playlist that lists the hinted part. */
        rep->ll.next_msn = pl->preload_sequence;
        rep->ll.next_part = pl->preload_index;
    } else if (pl->nb_parts && pl->parts[pl->nb_parts - 1].sequence >= after - 1) {
        const sv__hls_part *last = &pl->parts[pl->nb_parts - 1];
        rep->ll.next_msn = last->sequence;
        rep->ll.next_part = last->index + 1;
    } else {
        rep->ll.next_msn = after;
        rep->ll.next_part = pl->part_target > 0 ? 0 : -1;
    }
}

int sv__model_hls_ll_reports(sv__rep *rep, const sv__hls_playlist *pl, sv__arena *a)
{
    rep->ll.reports = NULL;
    rep->ll.nb_reports = 0;
    if (!pl->nb_reports)
        return 0;
    struct sv__ll_report *r = sv__arena_alloc(a, pl->nb_reports * sizeof(*r));
    if (!r)
        return SV_ERR_NOMEM;
    for (size_t i = 0; i < pl->nb_reports; i++) {
        r[i].last_msn = pl->reports[i].last_msn;
        r[i].last_part = pl->reports[i].last_part;
        if (!(r[i].uri = sv__arena_strdup(a, pl->reports[i].uri)))
            return SV_ERR_NOMEM;
    }
    rep->ll.reports = r;
    rep->ll.nb_reports = pl->nb_reports;
    return 0;
}

int sv__model_hls_report_url(const sv__rep *from, const char *playlist_url, char *buf,
                             size_t cap)
{
    size_t n = strcspn(playlist_url, "?"), len = n;
    char sep = '?';
    if (n >= cap)
        return SV_ERR_NOT_FOUND;
    /* The playlist's URL follows its last load, whose delivery directives
     * (_HLS_msn, _HLS_part, _HLS_skip) are not this request's: its own
     * query without them, then the report's. */
    memcpy(buf, playlist_url, n);
    for (const char *a = playlist_url[n] ? playlist_url + n + 1 : NULL; a && *a;) {
        const char *e = strchr(a, '&');
        size_t al = e ? (size_t)(e - a) : strlen(a);
        if (al && strncmp(a, "_HLS_", 5) != 0) {
            if (len + al + 2 >= cap)
                return SV_ERR_NOT_FOUND;
            buf[len++] = sep;
            memcpy(buf + len, a, al);
            len += al;
            sep = '&';
        }
        a = e ? e + 1 : NULL;
    }
    for (size_t i = 0; i < from->ll.nb_reports; i++) {
        const struct sv__ll_report *r = &from->ll.reports[i];
        if (r->last_msn < 0 || strncmp(r->uri, playlist_url, n) != 0 || r->uri[n] != '\0')
            continue;
        int w = r->last_part >= 0
                    ? snprintf(buf + len, cap - len, "%c_HLS_msn=%lld&_HLS_part=%lld", sep,
                               (long long)r->last_msn, (long long)r->last_part)
                    : snprintf(buf + len, cap - len, "%c_HLS_msn=%lld", sep,
                               (long long)r->last_msn);
        return w > 0 && (size_t)w < cap - len ? 0 : SV_ERR_NOT_FOUND;
    }
    return SV_ERR_NOT_FOUND;
}

/* A copy of `r` in `a` (NULL stays NULL). */
static const sv__resource *copy_resource(sv__arena *a, const sv__resource *r)
{
    if (!r)
        return NULL;
    sv__resource *c = sv__arena_alloc(a, sizeof(*c));
    if (!c)
        return NULL;
    *c = *r;
    if (r->url && !(c->url = sv__arena_strdup(a, r->url)))
        return NULL;
    return c;
}

static const sv__key *copy_key(sv__arena *a, const sv__key *k)
{
    if (!k)
        return NULL;
    sv__key *c = sv__arena_alloc(a, sizeof(*c));
    if (!c)
        return NULL;
    *c = *k;
    if ((k->uri && !(c->uri = sv__arena_strdup(a, k->uri))) ||
        (k->keyformat && !(c->keyformat = sv__arena_strdup(a, k->keyformat))))
        return NULL;
    return c;
}

int sv__model_hls_merge_skipped(const sv__rep *rep, const sv__hls_playlist *pl, sv__seg_list *l,
                                sv__parse_error *err)
{
    if (pl->skipped_segments <= 0)
        return 0;
    int64_t from = pl->media_sequence, to = pl->media_sequence + pl->skipped_segments;
    long first = rep->seg_state == SV__SEGS_READY ? sv__model_find_number(rep, from) : -1;
    if (first < 0)
        return sv__parse_fail(err, 0, "EXT-X-SKIP: segments %lld to %lld were left out, and the "
                              "playlist kept from the last load does not have segment %lld",
                              (long long)from, (long long)(to - 1), (long long)from);
    size_t n = 0;
    while ((size_t)first + n < rep->nb_segs &&
           sv__rep_segment(rep, (size_t)first + n).number < to)
        n++;
    if (sv__seg_list_reserve(l, l->n + n) < 0)
        return SV_ERR_NOMEM;
    memmove(l->segs + n, l->segs, l->n * sizeof(*l->segs));
    l->n += n;
    const sv__resource *init = NULL, *init_src = NULL;
    for (size_t i = 0; i < n; i++) {
        const sv__segment seg = sv__rep_segment(rep, (size_t)first + i), *old = &seg;
        sv__segment *s = &l->segs[i];
        char url[SV__URL_MAX];
        *s = *old;
        if (!sv__segment_url(rep, old, url, sizeof(url)) ||
            sv__seg_list_url(l, s, url, strlen(url)) < 0)
            return SV_ERR_NOMEM;
        /* Segments share their map: it is copied once. */
        if (old->init != init_src) {
            init_src = old->init;
            if (!(init = copy_resource(l->arena, old->init)) && old->init)
                return SV_ERR_NOMEM;
        }
        s->init = init;
        if (old->key && !(s->key = copy_key(l->arena, old->key)))
            return SV_ERR_NOMEM;
    }
    /* The EXT-X-MAP before the skipped segments applies to the segments
     * after them too: a delta update need not repeat it (svserver does
     * not), and its segments then come with no map of their own. */
    for (size_t i = n; i < l->n && !l->segs[i].init; i++)
        l->segs[i].init = init;
    return 0;
}
