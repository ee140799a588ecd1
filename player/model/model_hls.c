/*
 * HLS into the model. A master playlist gives one period: the variants
 * (I-frame-only ones skipped) as the reps of one video track, EXT-X-MEDIA
 * AUDIO renditions as audio tracks and SUBTITLES renditions as text tracks.
 * Media playlists arrive later through sv__model_hls_media() and become
 * segment lists; a media playlist given directly becomes one video track.
 *
 * Timeline: VOD segments start at 0. In a live playlist, time 0 is the start
 * of the first segment of the first media playlist loaded; later loads (a
 * refresh, or another variant) are placed on that timeline by their media
 * sequence numbers, which RFC 8216 6.3.2 requires to match across reloads.
 */
#include <math.h>
#include <string.h>


#include "player/manifest/dash.h"
#include "player/model/model_internal.h"
#include "player/model/track_prefs.h"

/* ---- master playlists ---------------------------------------------------- */

static int is_video_codec(const char *c, size_t n)
{
    static const char *const video[] = { "avc1", "avc3", "hvc1", "hev1", "av01", "vp09", "vp8",
                                         "mp4v", "dvh1", "dvhe", "dva1", "dvav" };
    for (size_t i = 0; i < sizeof(video) / sizeof(video[0]); i++)
        if (n >= strlen(video[i]) && strncmp(c, video[i], strlen(video[i])) == 0)
            return 1;
    return 0;
}

/* Whether a variant carries video: a resolution, unknown codecs, or a
 * video codec among its CODECS. */
static int variant_has_video(const sv__hls_variant *v)
{
    if (v->width > 0 || !v->codecs || !*v->codecs)
        return 1;
    for (const char *c = v->codecs; *c;) {
        size_t n = strcspn(c, ",");
        while (*c == ' ' && n) {
            c++;
            n--;
        }
        if (is_video_codec(c, n))
            return 1;
        c += n + (c[n] == ',');
    }
    return 0;
}

/* The non-video entries of a variant's CODECS (the audio codec of a group). */
static const char *audio_codecs(sv__arena *a, const char *codecs)
{
    char buf[256];
    size_t len = 0;
    for (const char *c = codecs ? codecs : ""; *c;) {
        size_t n = strcspn(c, ",");
        if (!is_video_codec(c, n) && n && len + n + 1 < sizeof(buf)) {
            if (len)
                buf[len++] = ',';
            memcpy(buf + len, c, n);
            len += n;
        }
        c += n + (c[n] == ',');
    }
    return sv__arena_strndup(a, buf, len);
}

static void init_rep(sv__rep *r)
{
    memset(r, 0, sizeof(*r));
    r->id = r->codecs = r->mime_type = "";
    r->seg_state = SV__SEGS_NEED_PLAYLIST;
    r->index_range.length = r->init_res.length = -1;
}

static int same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* The lowest bandwidth of the variants using an audio/subtitle group: a
 * stand-in for the rendition's order, as HLS declares no rendition bitrate. */
static int64_t group_order(const sv__hls_playlist *pl, const sv__hls_rendition *r,
                           const char **codecs)
{
    int64_t best = INT64_MAX;
    for (size_t i = 0; i < pl->nb_variants; i++) {
        const sv__hls_variant *v = &pl->variants[i];
        const char *g = r->type == SV_HLS_AUDIO ? v->audio : v->subtitles;
        if (!v->iframe_only && g && strcmp(g, r->group_id) == 0 && v->bandwidth < best) {
            best = v->bandwidth;
            *codecs = v->codecs;
        }
    }
    return best;
}

/* The role bits of a rendition (track_prefs.h): its CHARACTERISTICS (Apple's
 * accessibility media characteristics) and FORCED. */
static unsigned hls_roles(const sv__hls_rendition *r)
{
    unsigned roles = r->forced ? SV__ROLE_FORCED : 0;
    for (const char *c = r->characteristics ? r->characteristics : ""; *c;) {
        size_t n = strcspn(c, ",");
#define CH(name) (n == sizeof(name) - 1 && strncmp(c, name, n) == 0)
        if (CH("public.accessibility.describes-video"))
            roles |= SV__ROLE_DESCRIPTION;
        else if (CH("public.accessibility.transcribes-spoken-dialog") ||
                 CH("public.accessibility.describes-music-and-sound"))
            roles |= SV__ROLE_CAPTION;
#undef CH
        c += n + (c[n] == ',');
    }
    return roles;
}

/* Adds rendition r to its track (one track per type, NAME and LANGUAGE),
 * creating the track when it is the first of its kind. */
static int add_rendition(sv__presentation *pres, const sv__hls_playlist *pl,
                         const sv__hls_rendition *r, sv__period *p, int64_t *keys)
{
    sv_track_type type = r->type == SV_HLS_AUDIO ? SV_TRACK_AUDIO : SV_TRACK_TEXT;
    sv__arena *a = pres->arena;
    sv__track *t = NULL;

    for (size_t i = 0; i < p->nb_tracks && !t; i++)
        if (p->tracks[i].type == type && same(p->tracks[i].label, r->name) &&
            same(p->tracks[i].language, r->language))
            t = &p->tracks[i];
    if (!t) {
        t = &p->tracks[p->nb_tracks++];
        memset(t, 0, sizeof(*t));
        t->type = type;
        t->muxed = 1;
        if (!(t->language = sv__model_str(a, r->language)) || !(t->label = sv__model_str(a, r->name)) ||
            !(t->group_id = sv__model_str(a, r->group_id)) ||
            !(t->reps = sv__arena_alloc(a, pl->nb_renditions * sizeof(*t->reps))))
            return SV_ERR_NOMEM;
    }
    for (size_t i = 0; i < t->nb_reps; i++)
        if (strcmp(t->reps[i].id, r->group_id) == 0)
            return 0; /* the same group named twice: one rep is enough */
    const char *codecs = NULL;
    int64_t key = group_order(pl, r, &codecs);
    /* Keep the reps ordered by that key (insertion), so the stable sort by
     * the (unknown, 0) bandwidth in sv__model_finish_period keeps it. */
    size_t pos = t->nb_reps;
    int64_t *tk = keys + (size_t)(t - p->tracks) * (pl->nb_renditions + 1);
    while (pos > 0 && tk[pos - 1] > key) {
        t->reps[pos] = t->reps[pos - 1];
        tk[pos] = tk[pos - 1];
        pos--;
    }
    sv__rep *rep = &t->reps[pos];
    tk[pos] = key;
    t->nb_reps++;
    init_rep(rep);
    rep->source = r;
    if (!(rep->id = sv__model_str(a, r->group_id)) ||
        !(rep->codecs = type == SV_TRACK_AUDIO ? audio_codecs(a, codecs) : ""))
        return SV_ERR_NOMEM;
    if (r->is_default)
        t->is_default = 1;
    t->roles |= hls_roles(r);
    if (r->uri) {
        t->muxed = 0;
        rep->playlist_url = r->uri;
    } else {
        /* No URI: the rendition travels inside the variant's segments, so
         * there is nothing to load; READY with no segments of its own. */
        rep->seg_state = SV__SEGS_READY;
    }
    return 0;
}

static int build_master(sv__model *m, const sv__hls_playlist *pl)
{
    sv__presentation *pres = &m->pub;
    sv__arena *a = pres->arena;
    const char *pathways[16], *pathway_urls[16];
    size_t nb_pathways = 0, nb_video = 0;
    int64_t *keys;

    /* Content steering pathways: the variants of one pathway form the
     * ladder; the others are the same ladder on another CDN. */
    for (size_t i = 0; i < pl->nb_variants; i++) {
        const sv__hls_variant *v = &pl->variants[i];
        size_t k = 0;
        if (v->iframe_only)
            continue;
        while (k < nb_pathways && strcmp(pathways[k], v->pathway_id) != 0)
            k++;
        if (k == nb_pathways && nb_pathways < 16) {
            pathways[nb_pathways] = v->pathway_id;
            pathway_urls[nb_pathways++] = v->uri;
        }
        if (variant_has_video(v))
            nb_video++;
    }
    if (nb_pathways == 0)
        return SV_ERR_UNSUPPORTED;
    const char *primary = pathways[0];
    for (size_t k = 0; k < nb_pathways; k++)
        if (pl->steering_pathway && strcmp(pathways[k], pl->steering_pathway) == 0)
            primary = pathways[k];
    int ret = sv__model_set_cdns(pres, pathway_urls, pathways, NULL, NULL, nb_pathways);
    if (ret < 0)
        return ret;

    sv__period *p = sv__arena_alloc(a, sizeof(*p));
    size_t max_tracks = 1 + pl->nb_renditions;
    if (!p || !(p->tracks = sv__arena_alloc(a, max_tracks * sizeof(*p->tracks))) ||
        !(keys = sv__arena_alloc(a, max_tracks * (pl->nb_renditions + 1) * sizeof(*keys))) ||
        !(p->id = sv__arena_strdup(a, "")))
        return SV_ERR_NOMEM;
    p->duration = -1;
    pres->periods = p;
    pres->nb_periods = 1;
    /* Thumbnails: the first image playlist (EXT-X-IMAGE-STREAM-INF), read
     * when the thumbnails module asks (sv__model_hls_thumbs). */
    for (size_t i = 0; i < pl->nb_variants && !p->thumbs; i++) {
        if (!pl->variants[i].image_only || !pl->variants[i].uri)
            continue;
        if (!(p->thumbs = sv__arena_alloc(a, sizeof(*p->thumbs))))
            return SV_ERR_NOMEM;
        init_rep(p->thumbs);
        p->thumbs->playlist_url = pl->variants[i].uri;
        p->thumbs->width = pl->variants[i].width;
        p->thumbs->height = pl->variants[i].height;
    }

    /* The ladder: with no video variant at all it is an audio-only ladder. */
    sv__track *t = &p->tracks[p->nb_tracks++];
    t->type = nb_video ? SV_TRACK_VIDEO : SV_TRACK_AUDIO;
    t->language = t->label = t->group_id = "";
    t->is_default = 1;
    if (!(t->reps = sv__arena_alloc(a, pl->nb_variants * sizeof(*t->reps))))
        return SV_ERR_NOMEM;
    for (size_t i = 0; i < pl->nb_variants; i++) {
        const sv__hls_variant *v = &pl->variants[i];
        if (v->iframe_only || sv__model_hls_trick_variant(pl, v) ||
            strcmp(v->pathway_id, primary) != 0 ||
            (nb_video && !variant_has_video(v)))
            continue;
        sv__rep *r = &t->reps[t->nb_reps++];
        init_rep(r);
        r->source = v;
        r->id = v->stable_id ? v->stable_id : "";
        r->bandwidth = v->bandwidth;
        r->average_bandwidth = v->average_bandwidth;
        r->width = v->width;
        r->height = v->height;
        r->frame_rate = v->frame_rate;
        r->codecs = v->codecs ? v->codecs : "";
        r->playlist_url = v->uri;
    }
    if ((ret = sv__model_hls_trick(a, pl, p, primary)) < 0 ||
        (ret = sv__model_captions_hls(a, p, pl)) < 0)
        return ret;
    for (size_t i = 0; i < pl->nb_renditions; i++) {
        const sv__hls_rendition *r = &pl->renditions[i];
        if ((r->type == SV_HLS_AUDIO || r->type == SV_HLS_SUBTITLES) &&
            (ret = add_rendition(pres, pl, r, p, keys)) < 0)
            return ret;
    }
    /* EXT-X-SESSION-KEY announces encryption before any media playlist. */
    for (size_t i = 0; i < p->nb_tracks; i++)
        p->tracks[i].encrypted = pl->nb_session_keys > 0 && p->tracks[i].type != SV_TRACK_TEXT;
    if (pl->steering_uri && !(pres->steering_uri = sv__arena_strdup(a, pl->steering_uri)))
        return SV_ERR_NOMEM;
    return sv__model_finish_period(a, p);
}

/* ---- media playlists ----------------------------------------------------- */

static sv__key_method key_method(sv__hls_key_method k)
{
    switch (k) {
    case SV_HLS_KEY_AES128: return SV__KEY_AES128;
    case SV_HLS_KEY_SAMPLE_AES: return SV__KEY_SAMPLE_AES;
    case SV_HLS_KEY_SAMPLE_AES_CTR: return SV__KEY_SAMPLE_AES_CTR;
    default: return SV__KEY_NONE;
    }
}

/* Where the new playlist's first segment starts on the model's timeline;
 * `l` holds its segments with starts from 0. */
static double anchor(const sv__presentation *pres, const sv__rep *rep,
                     const sv__hls_playlist *pl, const sv__seg_list *l)
{
    const sv__segment *s = l->segs;
    const sv__rep *ref = NULL;

    if (!l->n)
        return 0;
    if (rep->seg_state == SV__SEGS_READY && rep->nb_segs) {
        ref = rep; /* a refresh: keep this rep's own timeline */
    } else {
        /* First load of a rep in a live presentation: join the timeline of
         * a rep already loaded (variants share media sequence numbers). */
        for (size_t p = 0; p < pres->nb_periods && !ref; p++)
            for (size_t t = 0; t < pres->periods[p].nb_tracks && !ref; t++)
                for (size_t r = 0; r < pres->periods[p].tracks[t].nb_reps && !ref; r++) {
                    const sv__rep *o = &pres->periods[p].tracks[t].reps[r];
                    if (o != rep && o->seg_state == SV__SEGS_READY && o->nb_segs)
                        ref = o;
                }
        if (!ref)
            return 0;
    }
    long k = sv__model_find_number(ref, s[0].number);
    if (k >= 0)
        return sv__rep_segment(ref, (size_t)k).start;
    const sv__segment first_seg = sv__rep_segment(ref, 0);
    const sv__segment last_seg = sv__rep_segment(ref, ref->nb_segs - 1);
    const sv__segment *first = &first_seg, *last = &last_seg;
    if (s[0].number > last->number) /* fell behind: extrapolate by target durations */
        return last->start + last->duration +
               (double)(s[0].number - last->number - 1) * pl->target_duration;
    for (size_t i = 0; i < l->n; i++)
        if (s[i].number == first->number)
            return first->start - s[i].start;
    return first->start - (double)(first->number - s[0].number) * pl->target_duration;
}

/* The segments of a media playlist as the parser hands them over
 * (sv__hls_parse_each), straight into the list: no copy of the playlist's
 * segments is ever kept. Maps and keys are converted when a segment first
 * uses them; the pointer tables are indexed like pl->maps and pl->keys. */
typedef struct media_sink {
    sv__seg_list *l;
    sv__parse_error *err;
    double origin;               /* the last dated segment's PDT less its start in the list;
                                    NAN none */
    const sv__resource **maps;
    size_t cap_maps;
    const sv__key **keys;
    size_t cap_keys;
} media_sink;

static int map_of(media_sink *k, const sv__hls_playlist *pl, int i, const sv__resource **out)
{
    sv__arena *a = k->l->arena;
    *out = NULL;
    if (i < 0)
        return 0;
    /* Arena memory comes zeroed: a new slot holds NULL until converted. */
    if (!(k->maps = sv__arena_grow(a, k->maps, &k->cap_maps, pl->nb_maps, sizeof(*k->maps))))
        return SV_ERR_NOMEM;
    if (!k->maps[i]) {
        sv__resource *r = sv__arena_alloc(a, sizeof(*r));
        if (!r || !(r->url = sv__arena_strdup(a, pl->maps[i].uri)))
            return SV_ERR_NOMEM;
        r->offset = pl->maps[i].offset;
        r->length = pl->maps[i].length;
        k->maps[i] = r;
    }
    *out = k->maps[i];
    return 0;
}

static int key_of(media_sink *k, const sv__hls_playlist *pl, int i, const sv__key **out)
{
    sv__arena *a = k->l->arena;
    *out = NULL;
    if (i < 0)
        return 0;
    if (!(k->keys = sv__arena_grow(a, k->keys, &k->cap_keys, pl->nb_keys, sizeof(*k->keys))))
        return SV_ERR_NOMEM;
    if (!k->keys[i]) {
        const sv__hls_key *src = &pl->keys[i];
        sv__key *key = sv__arena_alloc(a, sizeof(*key));
        if (!key || (src->uri && !(key->uri = sv__arena_strdup(a, src->uri))) ||
            !(key->keyformat = sv__model_str(a, src->keyformat)))
            return SV_ERR_NOMEM;
        key->method = key_method(src->method);
        memcpy(key->iv, src->iv, sizeof(key->iv));
        key->has_iv = src->has_iv;
        k->keys[i] = key;
    }
    *out = k->keys[i];
    return 0;
}

/* Adds an entry for `uri` (a part, or a preload hint) into *out; the
 * caller fills the rest. Returns 0, SV_ERR_NOMEM or SV_ERR_PARSE. */
static int add_entry(media_sink *k, const char *uri, sv__segment **out)
{
    sv__segment *s = sv__seg_list_add(k->l);
    if (!s)
        return SV_ERR_NOMEM;
    int ret = sv__seg_list_url(k->l, s, uri, strlen(uri));
    if (ret < 0) {
        k->l->n--;
        return ret == SV_ERR_NOMEM ? ret
                                   : sv__parse_fail(k->err, 0, "part URI of %zu bytes is over "
                                                    "the limit of %d", strlen(uri),
                                                    SV__URL_MAX - 1);
    }
    *out = s;
    return 0;
}

/* LL-HLS: pl->parts[first, first + n) stand for segment `number` (whose
 * init, key and epoch `like` gives). */
static int add_parts(media_sink *k, const sv__hls_playlist *pl, size_t first, size_t n,
                     const sv__segment *like)
{
    for (size_t i = first; i < first + n; i++) {
        const sv__hls_part *pt = &pl->parts[i];
        sv__segment *s;
        int ret = add_entry(k, pt->uri, &s);
        if (ret < 0)
            return ret;
        s->init = like->init;
        s->key = like->key;
        s->disc = like->disc;
        s->offset = pt->length >= 0 ? pt->offset : 0;
        s->length = pt->length;
        s->start = pt->start;
        s->duration = pt->duration;
        s->number = pt->sequence;
        s->gap = (int8_t)pt->gap;
        s->independent = (int8_t)pt->independent;
        s->part = (int16_t)(pt->index + 1);
    }
    return 0;
}

/* After the last URI line: the parts of the segment being written, then
 * the part hinted to come next (asked for ahead: the server holds the
 * request until it is written). */
static int add_tail(media_sink *k, const sv__hls_playlist *pl)
{
    sv__seg_list *l = k->l;
    size_t first = pl->nb_parts;
    while (first > 0 && pl->parts[first - 1].sequence >= pl->media_sequence + pl->skipped_segments +
                                                            (int64_t)pl->nb_segments)
        first--;
    if (!l->n || (first == pl->nb_parts && !pl->preload_uri))
        return 0;
    /* The last segment's init, key and epoch go on, unless a discontinuity
     * after it (an encoder that came back) brings the tail its own. A
     * delta update may carry no EXT-X-MAP or EXT-X-KEY at all (they were
     * before the skipped segments): then the kept ones hold. */
    sv__segment like = l->segs[l->n - 1];
    int ret;
    if (pl->tail_discontinuity) {
        like.disc = pl->tail_discontinuity_sequence;
        if (pl->tail_map >= 0 && (ret = map_of(k, pl, pl->tail_map, &like.init)) < 0)
            return ret;
        if (pl->nb_keys && (ret = key_of(k, pl, pl->tail_key, &like.key)) < 0)
            return ret;
    }
    if (pl->tail_program_date_time && first < pl->nb_parts) {
        double pdt = sv__dash_parse_datetime(pl->tail_program_date_time);
        if (pdt > 0)
            k->origin = pdt - pl->parts[first].start;
    }
    ret = add_parts(k, pl, first, pl->nb_parts - first, &like);
    if (ret < 0 || !pl->preload_uri)
        return ret;
    double end = l->segs[l->n - 1].start + l->segs[l->n - 1].duration;
    sv__segment *s;
    if ((ret = add_entry(k, pl->preload_uri, &s)) < 0)
        return ret;
    s->init = like.init;
    s->key = like.key;
    s->disc = like.disc;
    s->offset = pl->preload_length >= 0 ? pl->preload_offset : 0;
    s->length = pl->preload_length;
    s->start = end;
    s->duration = pl->part_target > 0 ? pl->part_target : pl->target_duration;
    s->number = pl->preload_sequence;
    s->independent = pl->preload_index == 0;
    s->part = (int16_t)(pl->preload_index + 1);
    return 0;
}

static int on_segment(void *opaque, const sv__hls_playlist *pl, const sv__hls_segment *src)
{
    media_sink *k = opaque;
    int ret;

    /* The last segment's date: after a discontinuity (an encoder that came
     * back) the dates jump by the gap while the list's times run on, and
     * the edge is what a live load plays. */
    if (src->program_date_time) {
        double pdt = sv__dash_parse_datetime(src->program_date_time);
        if (pdt > 0)
            k->origin = pdt - src->start;
    }
    /* LL-HLS: a segment whose parts the playlist lists plays by its parts
     * (a player that took parts of it before its end goes on from them). */
    size_t np = 0;
    while (np < pl->nb_parts && pl->parts[pl->nb_parts - 1 - np].sequence == src->sequence)
        np++;
    if (np) {
        sv__segment like = { .disc = src->discontinuity_sequence };
        if ((ret = map_of(k, pl, src->map, &like.init)) < 0 ||
            (ret = key_of(k, pl, src->key, &like.key)) < 0)
            return ret;
        return add_parts(k, pl, pl->nb_parts - np, np, &like);
    }
    sv__segment *s = sv__seg_list_add(k->l);
    if (!s)
        return SV_ERR_NOMEM;
    if ((ret = sv__seg_list_url(k->l, s, src->uri, strlen(src->uri))) < 0)
        return ret == SV_ERR_NOMEM ? ret
                                   : sv__parse_fail(k->err, 0, "segment URI of %zu bytes is over "
                                                    "the limit of %d", strlen(src->uri),
                                                    SV__URL_MAX - 1);
    if ((ret = map_of(k, pl, src->map, &s->init)) < 0 || (ret = key_of(k, pl, src->key, &s->key)) < 0)
        return ret;
    s->offset = src->offset;
    s->length = src->length;
    s->start = src->start; /* placed on the timeline once the whole list is read */
    s->duration = src->duration;
    s->number = src->sequence;
    s->disc = src->discontinuity_sequence;
    s->gap = (int8_t)src->gap;
    s->independent = 1;
    return 0;
}

/* An upper bound of a playlist's segments: its EXTINF lines. */
static size_t count_extinf(const char *text, size_t size)
{
    size_t n = 0;
    for (const char *p = text, *end = text + size; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line = p;
        while (line < end && (*line == ' ' || *line == '\t'))
            line++;
        if ((size_t)(end - line) >= 8 && memcmp(line, "#EXTINF:", 8) == 0)
            n++;
        p = nl ? nl + 1 : end;
    }
    return n;
}

/* Parses a playlist: its segments into `l` (a fresh list, discarded on
 * failure), the rest into *out. */
static int parse_into(sv__model *m, const char *text, size_t size, const char *url,
                      sv__seg_list *l, sv__hls_playlist **out, double *origin,
                      sv__parse_error *err)
{
    media_sink k = { .l = l, .err = err, .origin = NAN };
    int ret;

    if ((ret = sv__seg_list_init(m, l)) < 0)
        return ret;
    if (size <= SV_HLS_MAX_BYTES && (ret = sv__seg_list_reserve(l, count_extinf(text, size))) < 0) {
        sv__seg_list_discard(l);
        return ret;
    }
    if ((ret = sv__hls_parse_each(text, size, url, sv__model_alloc(m), on_segment, &k, out, err)) < 0) {
        sv__seg_list_discard(l);
    } else if (!(*out)->is_master && (ret = add_tail(&k, *out)) < 0) {
        sv__seg_list_discard(l);
        sv__hls_playlist_free(*out);
        *out = NULL;
    }
    *origin = k.origin;
    return ret;
}

/* RFC 8216 6.3.3: do not start less than three target durations from the
 * end; EXT-X-START, when present, says where instead. The start snaps to the
 * beginning of the segment that holds it. */
static double live_start(const sv__seg_list *l, const sv__hls_playlist *pl, double latency)
{
    const sv__segment *first = &l->segs[0], *last = &l->segs[l->n - 1];
    double end = last->start + last->duration;
    double t = end - (latency >= 0 ? latency : 3 * pl->target_duration);
    if (pl->has_start_offset)
        t = pl->start_offset < 0 ? end + pl->start_offset : first->start + pl->start_offset;
    if (t < first->start)
        t = first->start;
    size_t i = l->n - 1;
    while (i > 0 && l->segs[i].start > t + 1e-9)
        i--;
    return l->segs[i].start;
}

/* Gives `rep` the segments of a parsed media playlist (l, starts from 0). */
static int apply_media(sv__model *m, sv__rep *rep, const sv__hls_playlist *pl, sv__seg_list *l,
                       const char *url, double origin, sv__parse_error *err)
{
    sv__presentation *pres = &m->pub;
    size_t pi, ti;

    int live = !pl->endlist && pl->type != SV_HLS_TYPE_VOD;
    /* VOD starts at 0; a live stream that just ended keeps its timeline. */
    int had = rep->seg_state == SV__SEGS_READY && rep->nb_segs;
    double offset = live || (pres->live && had) ? anchor(pres, rep, pl, l) : 0;
    if (offset != 0)
        for (size_t i = 0; i < l->n; i++)
            l->segs[i].start += offset;
    /* A delta update: the segments it left out are the ones kept. */
    int ret = sv__model_hls_merge_skipped(rep, pl, l, err);
    if (ret < 0) {
        sv__seg_list_discard(l);
        return ret;
    }
    if ((ret = sv__model_events_hls(m, pl, offset, url)) < 0) {
        sv__seg_list_discard(l);
        return ret;
    }
    sv__model_hls_ll_state(rep, pl);
    if ((ret = sv__model_hls_ll_reports(rep, pl, l->arena)) < 0) {
        sv__seg_list_discard(l);
        return ret;
    }
    /* Unchanged: the same last media sequence number as the previous load. */
    int unchanged = had && l->n && sv__rep_segment(rep, rep->nb_segs - 1).number == l->segs[l->n - 1].number;
    /* Later reloads go where this one was answered from (redirects). */
    if (!rep->playlist_url || strcmp(rep->playlist_url, url) != 0) {
        const char *copy = sv__arena_strdup(pres->arena, url);
        if (!copy) {
            sv__seg_list_discard(l);
            return SV_ERR_NOMEM;
        }
        rep->playlist_url = copy;
    }
    pres->live = live;
    if (live) {
        /* RFC 8216 6.3.4: reload after the target duration, or half of it
         * when the playlist had not changed since the last load. */
        pres->refresh_s = unchanged ? pl->target_duration / 2 : pl->target_duration;
        pres->duration = 0;
        if (!isnan(origin))
            pres->wallclock_origin = origin - offset;
        /* The host's target, else (RFC 8216bis 6.3.3) PART-HOLD-BACK when
         * playing parts, HOLD-BACK otherwise; none: three target
         * durations from the end. */
        pres->target_latency = m->latency_override >= 0 ? m->latency_override
                               : pl->nb_parts && pl->part_hold_back >= 0 ? pl->part_hold_back
                                                                         : pl->hold_back;
        if (l->n)
            pres->live_start = live_start(l, pl, pres->target_latency);
    } else {
        pres->refresh_s = 0;
        double end = offset + pl->duration;
        if (end > pres->duration)
            pres->duration = end;
    }
    if (sv__model_locate(pres, rep, &pi, &ti) == 0) {
        sv__period *p = &pres->periods[pi];
        p->duration = live ? -1 : pres->duration;
        if (pl->nb_keys)
            p->tracks[ti].encrypted = 1;
    }
    sv__seg_list_commit(l, rep);
    return 0;
}

/* A media playlist into rep; *cols, *rows and *cell_s (when given) get its
 * EXT-X-TILES layout and duration. */
static int media_into(sv__presentation *pres, sv__rep *rep, const char *text, size_t size,
                      const char *url, int *cols, int *rows, double *cell_s,
                      sv__parse_error *err)
{
    sv__parse_error local_err;
    sv__hls_playlist *pl = NULL;
    sv__seg_list l;
    int ret;

    if (!err)
        err = &local_err;
    memset(err, 0, sizeof(*err));
    if (!pres || !rep || !text || !url || pres->kind != SV__SOURCE_HLS)
        return SV_ERR_INVALID;
    sv__model *m = sv__model_of(pres);
    double origin;
    if ((ret = parse_into(m, text, size, url, &l, &pl, &origin, err)) < 0)
        return ret;
    if (pl->is_master) {
        sv__seg_list_discard(&l);
        ret = sv__parse_fail(err, 0, "expected a media playlist, got a master playlist");
    } else {
        ret = apply_media(m, rep, pl, &l, url, origin, err);
        if (cols) {
            *cols = pl->tiles_cols;
            *rows = pl->tiles_rows;
            *cell_s = pl->tiles_duration;
        }
    }
    sv__hls_playlist_free(pl);
    return ret;
}

int sv__model_hls_media(sv__presentation *pres, sv__rep *rep, const char *text, size_t size,
                        const char *url, sv__parse_error *err)
{
    return media_into(pres, rep, text, size, url, NULL, NULL, NULL, err);
}

int sv__model_hls_thumbs(sv__presentation *pres, sv__period *per, const char *text, size_t size,
                         const char *url, sv__parse_error *err)
{
    int cols = 0, rows = 0;
    double cell_s = 0;
    int ret = media_into(pres, per->thumbs, text, size, url, &cols, &rows, &cell_s, err);
    if (ret == 0 && (cols < 1 || rows < 1))
        ret = sv__parse_fail(err, 0, "an image playlist without EXT-X-TILES LAYOUT");
    if (ret == 0) {
        per->thumb_cols = cols;
        per->thumb_rows = rows;
        per->thumb_cell_s = cell_s;
    }
    return ret;
}

int sv__model_hls_build(sv__model *m, const char *text, size_t size, sv__parse_error *err)
{
    sv__presentation *pres = &m->pub;
    sv__hls_playlist *pl = NULL;
    sv__seg_list l;
    int ret;

    double origin;
    if ((ret = parse_into(m, text, size, pres->url, &l, &pl, &origin, err)) < 0)
        return ret;
    if (pl->is_master) {
        sv__seg_list_discard(&l);
        m->master = pl; /* reps point into it */
        ret = build_master(m, pl);
        if (ret == SV_ERR_UNSUPPORTED)
            sv__parse_fail(err, 0, "master playlist without a playable variant");
        return ret;
    }
    /* A media playlist alone: one period, one video track, one READY rep. */
    sv__period *p = sv__arena_alloc(pres->arena, sizeof(*p));
    sv__track *t = sv__arena_alloc(pres->arena, sizeof(*t));
    sv__rep *r = sv__arena_alloc(pres->arena, sizeof(*r));
    ret = SV_ERR_NOMEM;
    if (!p || !t || !r) {
        sv__seg_list_discard(&l);
        goto done;
    }
    p->id = t->language = t->label = t->codecs = t->group_id = "";
    p->duration = -1;
    p->tracks = t;
    p->nb_tracks = 1;
    t->type = SV_TRACK_VIDEO;
    t->is_default = 1;
    t->reps = r;
    t->nb_reps = 1;
    init_rep(r);
    r->playlist_url = pres->url;
    pres->periods = p;
    pres->nb_periods = 1;
    ret = apply_media(m, r, pl, &l, pres->url, origin, err);
done:
    sv__hls_playlist_free(pl);
    return ret;
}
