/*
 * The presentation model's core: source detection, destroy, segment
 * look-ups, and the helpers the builders share (segment lists in their own
 * arenas, period ordering, CDN bases). It calls no builder: the entry that
 * dispatches to them is model_create.c.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "player/model/model_internal.h"

/* ---- detection ---------------------------------------------------------- */

static int has_suffix(const char *url, const char *ext)
{
    size_t len = strcspn(url, "?#"), n = strlen(ext);
    return len >= n && strncasecmp(url + len - n, ext, n) == 0;
}

static int type_is(const char *content_type, const char *type)
{
    size_t n = strlen(type);
    return strncasecmp(content_type, type, n) == 0 &&
           (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ');
}

sv__source_kind sv__model_detect(const uint8_t *head, size_t len, const char *url,
                                 const char *content_type)
{
    size_t i = 0;

    /* The bytes decide first: servers often send manifests as text/plain or
     * application/octet-stream. */
    if (head) {
        if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
            i = 3;
        while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
            i++;
        if (len - i >= 7 && memcmp(head + i, "#EXTM3U", 7) == 0)
            return SV__SOURCE_HLS;
        if (i < len && head[i] == '<') {
            /* An <MPD> root, possibly after an XML declaration or comments. */
            for (size_t k = i; k + 4 <= len; k++)
                if (head[k] == '<' && memcmp(head + k + 1, "MPD", 3) == 0)
                    return SV__SOURCE_DASH;
        }
    }
    if (content_type) {
        if (type_is(content_type, "application/vnd.apple.mpegurl") ||
            type_is(content_type, "application/x-mpegurl") ||
            type_is(content_type, "audio/mpegurl") || type_is(content_type, "audio/x-mpegurl"))
            return SV__SOURCE_HLS;
        if (type_is(content_type, "application/dash+xml"))
            return SV__SOURCE_DASH;
    }
    if (url) {
        if (has_suffix(url, ".m3u8") || has_suffix(url, ".m3u"))
            return SV__SOURCE_HLS;
        if (has_suffix(url, ".mpd"))
            return SV__SOURCE_DASH;
    }
    return SV__SOURCE_FILE;
}

/* ---- destroy --------------------------------------------------------------- */

void sv__model_destroy(sv__presentation *pres)
{
    if (!pres)
        return;
    sv__model *m = sv__model_of(pres);
    for (size_t p = 0; p < pres->nb_periods; p++)
        for (size_t t = 0; t < pres->periods[p].nb_tracks; t++)
            for (size_t r = 0; r < pres->periods[p].tracks[t].nb_reps; r++)
                sv__arena_destroy(pres->periods[p].tracks[t].reps[r].seg_arena);
    for (size_t p = 0; p < pres->nb_periods; p++)
    {
        const sv__period *per = &pres->periods[p];
        if (per->thumbs)
            sv__arena_destroy(per->thumbs->seg_arena);
        for (size_t r = 0; per->trick && r < per->trick->nb_reps; r++)
            sv__arena_destroy(per->trick->reps[r].seg_arena);
    }
    sv__hls_playlist_free(m->master);
    sv__dash_mpd_free(m->mpd);
    sv__arena_destroy(m->ev_arena); /* the events not taken (model_events.c) */
    sv__arena_destroy(pres->arena);
}

/* ---- look-ups ------------------------------------------------------------ */

sv__segment sv__rep_segment(const sv__rep *rep, size_t i)
{
    return rep->runs ? sv__seg_runs_get(rep->runs, i) : rep->seg_array[i];
}

double sv__rep_nominal_duration(const sv__rep *rep)
{
    if (!rep || rep->seg_state != SV__SEGS_READY || !rep->runs || rep->runs->numbered <= 0 ||
        !rep->runs->timescale)
        return 0;
    return (double)rep->runs->numbered / (double)rep->runs->timescale;
}

/* The start of segment i: what the binary searches below compare. */
static double start_of(const sv__rep *rep, size_t i)
{
    return rep->runs ? sv__seg_runs_get(rep->runs, i).start : rep->seg_array[i].start;
}

long sv__model_find_segment(const sv__rep *rep, double t)
{
    if (!rep || rep->seg_state != SV__SEGS_READY || rep->nb_segs == 0)
        return -1;
    const sv__segment last = sv__rep_segment(rep, rep->nb_segs - 1);
    if (t >= last.start + last.duration)
        return -1;
    /* Binary search for the last segment starting at or before t + 1 ms:
     * the tolerance absorbs rounding in timescale arithmetic, so a seek to a
     * segment's start never lands at the end of the one before. */
    size_t lo = 0, hi = rep->nb_segs;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (start_of(rep, mid) <= t + 0.001)
            lo = mid;
        else
            hi = mid;
    }
    return (long)lo;
}

long sv__model_find_number(const sv__rep *rep, int64_t number)
{
    if (!rep || rep->seg_state != SV__SEGS_READY)
        return -1;
    size_t lo = 0, hi = rep->nb_segs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sv__rep_segment(rep, mid).number < number)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < rep->nb_segs && sv__rep_segment(rep, lo).number == number ? (long)lo : -1;
}

const char *sv__segment_url(const sv__rep *rep, const sv__segment *seg, char *buf, size_t cap)
{
    if (!rep || !seg)
        return NULL;
    if (rep->runs)
        return sv__seg_runs_url(rep->runs, seg, buf, cap) >= 0 ? buf : NULL;
    if (!rep->uris)
        return NULL;
    return sv__uri_table_format(rep->uris, seg->uri, seg->uri_number, buf, cap);
}

/* ---- shared helpers ------------------------------------------------------ */

int sv__seg_list_init(sv__model *m, sv__seg_list *l)
{
    memset(l, 0, sizeof(*l));
    if (!(l->arena = sv__arena_create(sv__model_alloc(m))))
        return SV_ERR_NOMEM;
    if (!(l->uris = sv__uri_table_create(l->arena))) {
        sv__seg_list_discard(l);
        return SV_ERR_NOMEM;
    }
    return 0;
}

int sv__seg_list_reserve(sv__seg_list *l, size_t n)
{
    if (n <= l->cap)
        return 0;
    if (n > SIZE_MAX / 2 / sizeof(*l->segs))
        return SV_ERR_NOMEM;
    sv__segment *segs = sv__arena_alloc(l->arena, n * sizeof(*segs));
    if (!segs)
        return SV_ERR_NOMEM;
    if (l->n)
        memcpy(segs, l->segs, l->n * sizeof(*segs));
    l->segs = segs;
    l->cap = n;
    return 0;
}

sv__segment *sv__seg_list_add(sv__seg_list *l)
{
    if (!(l->segs = sv__arena_grow(l->arena, l->segs, &l->cap, l->n + 1, sizeof(*l->segs))))
        return NULL;
    sv__segment *s = &l->segs[l->n++];
    memset(s, 0, sizeof(*s));
    s->length = -1;
    return s;
}

int sv__seg_list_url(sv__seg_list *l, sv__segment *s, const char *url, size_t len)
{
    return sv__uri_table_add(l->uris, url, len, &s->uri, &s->uri_number);
}

void sv__seg_list_discard(sv__seg_list *l)
{
    sv__arena_destroy(l->arena);
    memset(l, 0, sizeof(*l));
}

void sv__seg_list_commit(sv__seg_list *l, sv__rep *rep)
{
    sv__arena_destroy(rep->seg_arena);
    rep->seg_arena = l->arena;
    rep->seg_array = l->runs ? NULL : l->segs;
    rep->runs = l->runs;
    rep->nb_segs = l->n;
    rep->complete = l->complete;
    rep->uris = l->uris;
    rep->seg_state = SV__SEGS_READY;
    memset(l, 0, sizeof(*l));
}

const char *sv__model_str(sv__arena *a, const char *s)
{
    return sv__arena_strdup(a, s ? s : "");
}

int sv__model_finish_period(sv__arena *a, sv__period *p)
{
    /* Insertion sorts: stable, and the lists are short. */
    for (size_t i = 1; i < p->nb_tracks; i++) {
        sv__track t = p->tracks[i];
        size_t j = i;
        for (; j > 0 && p->tracks[j - 1].type > t.type; j--)
            p->tracks[j] = p->tracks[j - 1];
        p->tracks[j] = t;
    }
    int counts[3] = { 0, 0, 0 };
    for (size_t i = 0; i < p->nb_tracks; i++) {
        sv__track *t = &p->tracks[i];
        t->index = counts[t->type]++;
        for (size_t k = 1; k < t->nb_reps; k++) {
            sv__rep r = t->reps[k];
            size_t j = k;
            for (; j > 0 && t->reps[j - 1].bandwidth > r.bandwidth; j--)
                t->reps[j] = t->reps[j - 1];
            t->reps[j] = r;
        }
        const char *common = t->nb_reps ? t->reps[0].codecs : "";
        for (size_t k = 0; k < t->nb_reps; k++) {
            t->reps[k].index = (int)k;
            if (strcmp(t->reps[k].codecs, common) != 0)
                common = "";
        }
        if (!(t->codecs = sv__arena_strdup(a, common)))
            return SV_ERR_NOMEM;
    }
    return 0;
}

int sv__model_set_cdns(sv__presentation *pres, const char *const *urls, const char *const *ids,
                       const int *priority, const int *weight, size_t n)
{
    pres->cdns = NULL;
    pres->nb_cdns = 0;
    if (n < 2)
        return 0;
    /* The longest suffix all URLs share; what precedes it tells them apart. */
    size_t common = strlen(urls[0]);
    for (size_t i = 1; i < n; i++) {
        size_t a = strlen(urls[0]), b = strlen(urls[i]), k = 0;
        while (k < a && k < b && k < common && urls[0][a - 1 - k] == urls[i][b - 1 - k])
            k++;
        common = k;
    }
    sv__model_cdn *cdns = sv__arena_alloc(pres->arena, n * sizeof(*cdns));
    if (!cdns)
        return SV_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(urls[i]), cut = len - common;
        /* Extend the distinct prefix to the next '/', so a base is a folder
         * ("http://host:1/") rather than a bare host that could also prefix
         * "http://host:10/". */
        while (cut < len && urls[i][cut] != '/')
            cut++;
        if (cut < len)
            cut++;
        /* Never cut inside the scheme's "//". */
        const char *auth = strstr(urls[i], "://");
        if (auth && cut <= (size_t)(auth - urls[i]) + 3)
            cut = len;
        if (!(cdns[i].base_url = sv__arena_strndup(pres->arena, urls[i], cut)) ||
            !(cdns[i].id = sv__model_str(pres->arena, ids ? ids[i] : NULL)))
            return SV_ERR_NOMEM;
        cdns[i].priority = priority ? priority[i] : 1;
        cdns[i].weight = weight ? weight[i] : 1;
    }
    pres->cdns = cdns;
    pres->nb_cdns = n;
    return 0;
}

double sv__model_clamp_latency(const sv__presentation *pres, double target)
{
    if (target < 0)
        return target;
    if (pres->max_latency > 0 && target > pres->max_latency)
        target = pres->max_latency;
    if (pres->min_latency > 0 && target < pres->min_latency &&
        !(pres->max_latency > 0 && pres->min_latency > pres->max_latency))
        target = pres->min_latency;
    return target;
}

int sv__model_locate(const sv__presentation *pres, const sv__rep *rep, size_t *period,
                     size_t *track)
{
    for (size_t p = 0; p < pres->nb_periods; p++)
        for (size_t t = 0; t < pres->periods[p].nb_tracks; t++) {
            const sv__track *tr = &pres->periods[p].tracks[t];
            if (tr->nb_reps && rep >= tr->reps && rep < tr->reps + tr->nb_reps) {
                *period = p;
                *track = t;
                return 0;
            }
        }
    return -1;
}
