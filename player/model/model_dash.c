/*
 * DASH into the model: Periods -> AdaptationSets (tracks) -> Representations,
 * with each representation's segments listed on the presentation timeline
 * (period start + (t - presentationTimeOffset) / timescale) and `disc` set to
 * the period index, so the demuxer starts afresh at each period boundary.
 *
 * Static MPDs list every segment of a period. Dynamic MPDs list the segments
 * available at now_utc (23009-1 5.3.9.5.3, A.3.4): those that have ended by
 * now (availabilityStartTime + period start + segment end -
 * availabilityTimeOffset + SV__DASH_PUBLISH_MARGIN_S <= now) and that still
 * end inside the time-shift buffer (end > now - timeShiftBufferDepth).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "player/model/model_internal.h"
#include "player/model/track_prefs.h"
#include "player/manifest/url.h"
#include "platform/hex.h"
#include "player/manifest/sidx.h"

/* Beyond these, a listing is cut: a 24/7 stream without timeShiftBufferDepth
 * would otherwise list every segment since its availabilityStartTime. A
 * representation lists at most MAX_SEGMENTS (as many as an HLS media
 * playlist may have). */
#define MAX_SEGMENTS 1000000
#define MAX_LIVE_WINDOW (24 * 3600.0)

/* The buffer a live start keeps between the playing position and the end
 * of what is available when the next segment becomes available: room for
 * the download, the demuxer and the decoder. */
#define LIVE_CUSHION_S 0.5

/* How far past now an open period whose segments are all available
 * (availabilityTimeOffset="INF") is listed. */
#define LIVE_INF_AHEAD_S 60.0

/* cenc:default_KID: 32 hex digits, dashes anywhere (8-4-4-4-12 usually). */
static int parse_kid(const char *s, uint8_t kid[16])
{
    int n = 0;
    for (; *s; s++) {
        if (*s == '-')
            continue;
        int d = sv__hex_digit(*s);
        if (d < 0 || n == 32)
            return -1;
        kid[n / 2] = (uint8_t)(n % 2 ? kid[n / 2] | d : d << 4);
        n++;
    }
    return n == 32 ? 0 : -1;
}

double sv__model_dash_avail_edge(const sv__dash_mpd *mpd, size_t pi,
                                 const sv__dash_representation *dr, double now_utc)
{
    const sv__dash_period *dp = &mpd->periods[pi];
    double pn = now_utc - mpd->availability_start_time - dp->start;
    double ato = sv__dash_availability_offset(dr, 0);
    /* "INF": every segment of the period is there; of an open period, a
     * minute past now is listed (more comes with the clock). */
    if (isinf(ato))
        return dp->duration > 0 ? dp->duration : pn + LIVE_INF_AHEAD_S;
    return pn + ato - SV__DASH_PUBLISH_MARGIN_S;
}

/* sv__dash_expand does its arithmetic in int64 timescale units; refuses
 * addressing whose numbers or times over `span` seconds would not fit (or
 * would mean more than 10^12 segments), which only hostile MPDs reach. */
static int addressing_fits(const sv__dash_segments *s, double span)
{
    const double lim = 9e18, ts = (double)s->timescale;
    double t = 0;
    if (s->kind != SV_DASH_ADDR_TEMPLATE)
        return 1;
    if (span * ts + fabs((double)s->presentation_time_offset) > lim)
        return 0;
    if (!s->nb_timeline) {
        double count = span / ((double)s->duration / ts) + 1;
        return count < 1e12 && (double)s->start_number + count < lim &&
               (double)s->presentation_time_offset + count * (double)s->duration < lim;
    }
    for (size_t i = 0; i < s->nb_timeline; i++) {
        const sv__dash_s *e = &s->timeline[i];
        if (e->has_t)
            t = (double)e->t;
        t += e->r >= 0 ? ((double)e->r + 1) * (double)e->d : span * ts + (double)e->d;
        if (t > lim || (double)s->start_number + t / (double)e->d > lim)
            return 0;
    }
    return 1;
}

/* How many segments of a SegmentList overlap [from, to) seconds of a
 * period: an upper bound, at most MAX_SEGMENTS, so its list is allocated
 * once at its size. (Template segments are runs: nothing to reserve.) */
static size_t estimate(const sv__dash_segments *s)
{
    size_t n = s->kind == SV_DASH_ADDR_LIST ? s->nb_list : 1;
    return n < 1 ? 1 : n > MAX_SEGMENTS ? MAX_SEGMENTS : n;
}

/* A listing in progress: sv__dash_walk() hands each segment to add_seg(). */
typedef struct lister {
    sv__seg_list *out;
    const sv__dash_mpd *mpd;
    const sv__dash_period *dp;
    size_t pi;
    const sv__resource *init;
    const char *base;            /* the BaseURL of stored segments */
    char folder[SV__URL_MAX];    /* its folder (sv__url_folder), "" when unknown */
    size_t folder_len;
    double pn, pa, depth;        /* dynamic: now, the availability edge, the buffer */
    double *max_seg_duration;
    int url_error;               /* a stored segment's URL failed: SV_ERR_PARSE/OVERFLOW */
} lister;

/* The URL of a stored segment (SegmentList, single segment) into buf:
 * its length, or SV_ERR_PARSE / SV_ERR_OVERFLOW. */
static int stored_url(const lister *ls, const char *ref, char *buf, size_t cap)
{
    size_t n = strlen(ref ? ref : ls->base);
    if (!ref) { /* the BaseURL itself */
        if (n >= cap)
            return SV_ERR_OVERFLOW;
        memcpy(buf, ls->base, n + 1);
        return (int)n;
    }
    /* Many segments in one folder: skip libcurl for plain relative paths. */
    if (ls->folder_len && sv__url_plain_path(ref, n)) {
        if (ls->folder_len + n >= cap)
            return SV_ERR_OVERFLOW;
        memcpy(buf, ls->folder, ls->folder_len);
        memcpy(buf + ls->folder_len, ref, n + 1);
        return (int)(ls->folder_len + n);
    }
    int len = sv__url_resolve_buf(ls->base, ref, buf, cap);
    return len == SV_ERR_INVALID ? SV_ERR_PARSE : len;
}

static int add_seg(void *opaque, const sv__dash_seg *d)
{
    lister *ls = opaque;
    sv__seg_list *out = ls->out;
    double seg_end = d->start + d->duration;
    char url[SV__URL_MAX];
    int ret;

    if (ls->mpd->dynamic && (seg_end > ls->pa + LIVE_EPSILON_S || seg_end <= ls->pn - ls->depth))
        return 0; /* not yet available, or already out of the time-shift buffer */
    if (out->n >= MAX_SEGMENTS)
        return 1;
    if (ls->max_seg_duration && d->duration > *ls->max_seg_duration)
        *ls->max_seg_duration = d->duration;
    if (out->runs)
        return sv__seg_list_add_run(out, d);
    sv__segment *s = sv__seg_list_add(out);
    if (!s)
        return SV_ERR_NOMEM;
    int len = stored_url(ls, d->url, url, sizeof(url));
    if (len < 0 || (ret = sv__seg_list_url(out, s, url, (size_t)len)) == SV_ERR_OVERFLOW) {
        ls->url_error = len < 0 ? len : SV_ERR_OVERFLOW;
        return SV_ERR_PARSE;
    }
    if (ret < 0)
        return ret;
    s->offset = d->range.length > 0 ? d->range.offset : 0;
    s->length = d->range.length > 0 ? d->range.length : -1;
    s->start = ls->dp->start + d->start;
    s->duration = d->duration;
    /* A last segment may run past the period's end; only up to the end is
     * presented. */
    if (ls->dp->duration > 0 && d->start + d->duration > ls->dp->duration)
        s->duration = ls->dp->duration - d->start;
    s->number = d->number;
    s->disc = (int64_t)ls->pi;
    s->init = ls->init;
    return 0;
}

/* A template's URLs are made on demand: refuses a malformed template, or
 * one whose longest URL (the last segment's, with the largest number and
 * time) would not fit. */
static int check_template(const sv__seg_list *l, const char *rep_id, sv__parse_error *err)
{
    char url[SV__URL_MAX];
    sv__segment s;
    memset(&s, 0, sizeof(s));
    s.number = 1;
    if (l->n)
        s = sv__seg_runs_get(l->runs, l->n - 1);
    int ret = sv__seg_runs_url(l->runs, &s, url, sizeof(url));
    if (ret == SV_ERR_OVERFLOW)
        return sv__parse_fail(err, 0, "Representation %s: a segment URL is over the limit of "
                              "%d bytes", rep_id, SV__URL_MAX - 1);
    if (ret < 0)
        return sv__parse_fail(err, 0, "Representation %s: SegmentTemplate@media \"%.60s\" is "
                              "malformed", rep_id, l->runs->media);
    return 0;
}

int sv__model_dash_list(sv__model *m, const sv__dash_mpd *mpd, size_t pi,
                        const sv__dash_representation *dr, double now_utc, sv__seg_list *out,
                        double *max_seg_duration, sv__parse_error *err)
{
    const sv__dash_period *dp = &mpd->periods[pi];
    sv__resource *init = NULL;
    sv__dash_range range;
    lister ls;
    int ret;

    if (dr->seg.kind == SV_DASH_ADDR_BASE && dr->seg.index_range.length > 0)
        return 1;
    if ((ret = sv__seg_list_init(m, out)) < 0)
        return ret;
    const char *init_url = sv__dash_init_url(out->arena, dr, 0, &range);
    if (init_url) {
        if (!(init = sv__arena_alloc(out->arena, sizeof(*init))))
            goto nomem;
        init->url = init_url;
        init->offset = range.length > 0 ? range.offset : 0;
        init->length = range.length > 0 ? range.length : -1;
    }
    memset(&ls, 0, sizeof(ls));
    ls.out = out;
    ls.mpd = mpd;
    ls.dp = dp;
    ls.pi = pi;
    ls.init = init;
    ls.base = dr->base_urls[0].url;
    ls.max_seg_duration = max_seg_duration;
    int folder = sv__url_folder(ls.base, ls.folder, sizeof(ls.folder));
    ls.folder_len = folder > 0 ? (size_t)folder : 0;

    double from = 0, to = 0;
    out->complete = !mpd->dynamic;
    if (mpd->dynamic) {
        ls.pn = now_utc - mpd->availability_start_time - dp->start; /* "now" in the period */
        ls.pa = sv__model_dash_avail_edge(mpd, pi, dr, now_utc);    /* ends available by now */
        if (ls.pa <= 0)
            return 0; /* the period has not begun: nothing available yet */
        to = dp->duration > 0 && ls.pa > dp->duration ? dp->duration : ls.pa;
        ls.depth = mpd->time_shift_buffer_depth >= 0 ? mpd->time_shift_buffer_depth
                                                     : MAX_LIVE_WINDOW;
        from = ls.pn - ls.depth > 0 ? ls.pn - ls.depth : 0;
        if (from > to)
            from = to;
        out->complete = dp->duration > 0 && ls.pa + LIVE_EPSILON_S >= dp->duration;
        /* Listings stop after MAX_SEGMENTS from `from`: keep the live edge
         * in them when @duration says how many a window holds. */
        if (dr->seg.kind == SV_DASH_ADDR_TEMPLATE && !dr->seg.nb_timeline) {
            double dur = (double)dr->seg.duration / (double)dr->seg.timescale;
            if (to - from > dur * (MAX_SEGMENTS - 1))
                from = to - dur * (MAX_SEGMENTS - 1);
        }
    }
    /* sv__dash_walk counts from the period's duration when it has one. */
    if (!addressing_fits(&dr->seg, dp->duration > 0 ? dp->duration : to)) {
        sv__seg_list_discard(out);
        return sv__parse_fail(err, 0, "Representation %s: segment numbers or times out of "
                              "range", dr->id);
    }
    sv__dash_representation whole;
    if (dr->seg.kind == SV_DASH_ADDR_BASE) {
        /* SegmentBase without indexRange: the file is one segment. */
        whole = *dr;
        whole.seg.kind = SV_DASH_ADDR_NONE;
        dr = &whole;
    }
    /* A template's segments are kept as runs and computed on demand; the
     * others (each with a URL of its own) are stored. */
    if (dr->seg.kind == SV_DASH_ADDR_TEMPLATE) {
        if (sv__seg_list_use_runs(out, dr, dp->start, dp->duration, (int64_t)pi, init) < 0)
            goto nomem;
    } else if (sv__seg_list_reserve(out, estimate(&dr->seg)) < 0) {
        goto nomem;
    }
    ret = sv__dash_walk(dr, dp->duration, from, to, SIZE_MAX, add_seg, &ls);
    if (ret == SV_ERR_NOMEM)
        goto nomem;
    if (ret < 0 && ls.url_error == SV_ERR_OVERFLOW) {
        sv__seg_list_discard(out);
        return sv__parse_fail(err, 0, "Representation %s: a segment URL is over the limit of "
                              "%d bytes", dr->id, SV__URL_MAX - 1);
    }
    if (ret < 0) {
        sv__seg_list_discard(out);
        return sv__parse_fail(err, 0, "Representation %s: cannot list its segments "
                              "(malformed URL or open-ended timeline)", dr->id);
    }
    if (out->runs && (ret = check_template(out, dr->id, err)) < 0) {
        sv__seg_list_discard(out);
        return ret;
    }
    return 0;

nomem:
    sv__seg_list_discard(out);
    return SV_ERR_NOMEM;
}

static int fill_rep(sv__model *m, const sv__dash_mpd *mpd, size_t pi,
                    const sv__dash_representation *dr, double now_utc, sv__rep *r,
                    double *max_seg_duration, sv__parse_error *err)
{
    sv__arena *a = m->pub.arena;
    sv__seg_list l;
    int ret;

    memset(r, 0, sizeof(*r));
    r->source = dr;
    r->chunked = mpd->dynamic && !sv__dash_availability_complete(dr, 0);
    r->bandwidth = dr->bandwidth;
    r->width = dr->width;
    r->height = dr->height;
    r->frame_rate = dr->frame_rate;
    r->audio_sample_rate = dr->audio_sampling_rate;
    r->index_range.length = r->init_res.length = -1;
    if (!(r->id = sv__model_str(a, dr->id)) || !(r->codecs = sv__model_str(a, dr->codecs)) ||
        !(r->mime_type = sv__model_str(a, dr->mime_type)))
        return SV_ERR_NOMEM;
    if ((ret = sv__model_dash_list(m, mpd, pi, dr, now_utc, &l, max_seg_duration, err)) < 0)
        return ret;
    if (ret == 0) {
        sv__seg_list_commit(&l, r);
        return 0;
    }
    /* SegmentBase: the loop fetches index_range and calls sv__model_dash_sidx. */
    sv__dash_range range;
    r->seg_state = SV__SEGS_NEED_INDEX;
    if (!(r->index_range.url = sv__arena_strdup(a, dr->base_urls[0].url)))
        return SV_ERR_NOMEM;
    r->index_range.offset = dr->seg.index_range.offset;
    r->index_range.length = dr->seg.index_range.length;
    if ((r->init_res.url = sv__dash_init_url(a, dr, 0, &range)) != NULL) {
        r->init_res.offset = range.length > 0 ? range.offset : 0;
        r->init_res.length = range.length > 0 ? range.length : -1;
    }
    return 0;
}

static sv_track_type track_type(sv__dash_content c)
{
    return c == SV_DASH_VIDEO ? SV_TRACK_VIDEO : c == SV_DASH_AUDIO ? SV_TRACK_AUDIO : SV_TRACK_TEXT;
}

/* The role bits of an AdaptationSet: Role and Accessibility descriptors of
 * the DASH role scheme (23009-1 5.8.5.5), and of the TV-Anytime audio
 * purpose scheme DVB-DASH uses (1: audio description for the blind; 2, on
 * text: subtitles for the hard of hearing). */
static unsigned dash_roles(const sv__dash_adaptation *as)
{
    static const char role_scheme[] = "urn:mpeg:dash:role:2011";
    static const char purpose_scheme[] = "urn:tva:metadata:cs:audiopurposecs:2007";
    unsigned roles = 0;

    for (size_t k = 0; k < as->nb_roles + as->nb_accessibility; k++) {
        const sv__dash_descriptor *d =
            k < as->nb_roles ? &as->roles[k] : &as->accessibility[k - as->nb_roles];
        const char *v = d->value ? d->value : "";
        if (!d->scheme_id_uri)
            continue;
        if (!strcmp(d->scheme_id_uri, role_scheme)) {
            if (!strcmp(v, "forced-subtitle"))
                roles |= SV__ROLE_FORCED;
            else
                roles |= sv__role_of(v, strlen(v)) & ~SV__ROLE_FORCED;
        } else if (!strcmp(d->scheme_id_uri, purpose_scheme) && k >= as->nb_roles) {
            if (!strcmp(v, "1"))
                roles |= SV__ROLE_DESCRIPTION;
            else if (!strcmp(v, "2") && as->content == SV_DASH_TEXT)
                roles |= SV__ROLE_CAPTION;
        }
    }
    return roles;
}

/* A trick-mode set (DASH-IF IOP: EssentialProperty
 * http://dashif.org/guidelines/trickmode) holds key frames for fast
 * forward and rewind; as an EssentialProperty says, a player that does not
 * play it that way must leave it out, never play it as the video. */
static int is_trick_mode(const sv__dash_adaptation *as)
{
    for (size_t k = 0; k < as->nb_essentials; k++)
        if (as->essentials[k].scheme_id_uri &&
            !strcmp(as->essentials[k].scheme_id_uri, "http://dashif.org/guidelines/trickmode"))
            return 1;
    return 0;
}

/* A set of JPEG seek thumbnails (DASH-IF IOP: EssentialProperty
 * http://dashif.org/thumbnail_tile, value "CxR", the grid of each image). */
static int grid_of(const char *v, int *cols, int *rows)
{
    return v && sscanf(v, "%dx%d", cols, rows) == 2 && *cols >= 1 && *rows >= 1 &&
           *cols <= 100 && *rows <= 100;
}

static int thumbnail_grid(const sv__dash_adaptation *as, int *cols, int *rows)
{
    if (grid_of(as->reps[0].thumbnail_tile, cols, rows))
        return 1;
    for (size_t k = 0; k < as->nb_essentials; k++) {
        const char *s = as->essentials[k].scheme_id_uri;
        if (s && (!strcmp(s, "http://dashif.org/thumbnail_tile") ||
                  !strcmp(s, "http://dashif.org/guidelines/thumbnail_tile")) &&
            grid_of(as->essentials[k].value, cols, rows))
            return 1;
    }
    return 0;
}

/* The first trick-mode set of a period as its trick track (model.h): its
 * reps listed like the video's; a set that cannot be listed is done without. */
static int trick_set(sv__model *m, const sv__dash_mpd *mpd, size_t pi,
                     const sv__dash_adaptation *as, double now_utc, sv__period *out)
{
    sv__arena *a = m->pub.arena;
    sv__track *t = sv__arena_alloc(a, sizeof(*t));
    if (!t || !(t->reps = sv__arena_alloc(a, as->nb_reps * sizeof(*t->reps))))
        return SV_ERR_NOMEM;
    t->type = SV_TRACK_VIDEO;
    t->language = t->label = t->group_id = "";
    for (size_t k = 0; k < as->nb_reps; k++) {
        double unused = 0; /* the main video's segments set the live timing */
        sv__parse_error ignored = { 0 };
        t->nb_reps++;
        int ret = fill_rep(m, mpd, pi, &as->reps[k], now_utc, &t->reps[k], &unused, &ignored);
        if (ret < 0) {
            for (size_t r = 0; r < t->nb_reps; r++)
                sv__arena_destroy(t->reps[r].seg_arena);
            return ret == SV_ERR_NOMEM ? ret : 0;
        }
    }
    sv__period one = { .tracks = t, .nb_tracks = 1 };
    int ret = sv__model_finish_period(a, &one);
    if (ret == 0)
        out->trick = t;
    return ret;
}

/* Each type's default track: the first whose Role is main, else the first. */
static void mark_defaults(sv__period *p)
{
    for (int type = SV_TRACK_VIDEO; type <= SV_TRACK_TEXT; type++) {
        sv__track *def = NULL;
        for (size_t i = 0; i < p->nb_tracks; i++) {
            sv__track *t = &p->tracks[i];
            if ((int)t->type == type && (!def || ((t->roles & SV__ROLE_MAIN) &&
                                                  !(def->roles & SV__ROLE_MAIN))))
                def = t;
        }
        for (size_t i = 0; i < p->nb_tracks; i++)
            if ((int)p->tracks[i].type == type)
                p->tracks[i].is_default = &p->tracks[i] == def;
    }
}

int sv__model_dash_period(sv__model *m, const sv__dash_mpd *mpd, size_t pi, double now_utc,
                          sv__period *out, double *max_seg_duration, sv__parse_error *err)
{
    const sv__dash_period *dp = &mpd->periods[pi];
    sv__arena *a = m->pub.arena;
    int ret;

    memset(out, 0, sizeof(*out));
    out->start = dp->start;
    out->duration = dp->duration;
    if (!(out->id = sv__model_str(a, dp->id)) ||
        (dp->nb_sets && !(out->tracks = sv__arena_alloc(a, dp->nb_sets * sizeof(*out->tracks)))))
        return SV_ERR_NOMEM;
    for (size_t i = 0; i < dp->nb_sets; i++) {
        const sv__dash_adaptation *as = &dp->sets[i];
        int cols, rows;
        /* Thumbnails of on-demand presentations (a live one's are not
         * followed as its MPD updates). */
        if (as->content == SV_DASH_OTHER && as->nb_reps && !out->thumbs && !mpd->dynamic &&
            thumbnail_grid(as, &cols, &rows)) {
            double unused = 0; /* their segments say nothing of the media's */
            if (!(out->thumbs = sv__arena_alloc(a, sizeof(*out->thumbs))))
                return SV_ERR_NOMEM;
            sv__parse_error ignored = { 0 };
            if ((ret = fill_rep(m, mpd, pi, &as->reps[0], now_utc, out->thumbs, &unused,
                                &ignored)) == SV_ERR_NOMEM)
                return ret;
            if (ret < 0) {
                out->thumbs = NULL; /* thumbnails that cannot be listed are done without */
                continue;
            }
            out->thumb_cols = cols;
            out->thumb_rows = rows;
            continue;
        }
        if (as->content != SV_DASH_OTHER && as->nb_reps && is_trick_mode(as)) {
            /* On demand only, like the thumbnails: a live refresh does not follow it. */
            if (!out->trick && !mpd->dynamic && (ret = trick_set(m, mpd, pi, as, now_utc, out)) < 0)
                return ret;
            continue; /* key frames for trick play, never played as the video */
        }
        if (as->content == SV_DASH_OTHER || as->nb_reps == 0)
            continue;
        if (as->content == SV_DASH_VIDEO && (ret = sv__model_captions_dash(a, out, as)) < 0)
            return ret;
        sv__track *t = &out->tracks[out->nb_tracks++];
        t->type = track_type(as->content);
        t->group_id = "";
        if (!(t->language = sv__model_str(a, as->lang)) ||
            !(t->label = sv__model_str(a, as->label)) ||
            !(t->reps = sv__arena_alloc(a, as->nb_reps * sizeof(*t->reps))))
            return SV_ERR_NOMEM;
        t->roles = dash_roles(as);
        t->encrypted = as->nb_protections > 0;
        for (size_t k = 0; k < as->nb_protections; k++) {
            const sv__dash_protection *p = &as->protections[k];
            if (p->default_kid && !t->has_default_kid && parse_kid(p->default_kid, t->default_kid) == 0)
                t->has_default_kid = 1;
            /* dashif:laurl may be relative ("/api/v1/license"): to the MPD. */
            if (p->laurl && !t->license_url &&
                !(t->license_url = sv__url_resolve(a, m->pub.url, p->laurl)) &&
                !(t->license_url = sv__arena_strdup(a, p->laurl)))
                return SV_ERR_NOMEM;
        }
        for (size_t k = 0; k < as->nb_reps; k++) {
            /* Counted first, so a failure leaves every listed arena findable. */
            t->nb_reps++;
            if ((ret = fill_rep(m, mpd, pi, &as->reps[k], now_utc, &t->reps[k], max_seg_duration,
                                err)) < 0)
                return ret;
        }
    }
    if ((ret = sv__model_finish_period(a, out)) < 0)
        return ret;
    mark_defaults(out);
    return 0;
}

/* Over the audio and video reps of period `pi` that list segments: the
 * latest first start (*lo) and the earliest last end (*hi), the span every
 * one of them can start in. 0 when none lists a segment. */
static int common_span(const sv__presentation *pres, size_t pi, double *lo, double *hi)
{
    const sv__period *per = &pres->periods[pi];
    int any = 0;
    *lo = -1e300;
    *hi = 1e300;
    for (size_t k = 0; k < per->nb_tracks; k++) {
        if (per->tracks[k].type == SV_TRACK_TEXT)
            continue;
        for (size_t r = 0; r < per->tracks[k].nb_reps; r++) {
            const sv__rep *rep = &per->tracks[k].reps[r];
            if (rep->seg_state != SV__SEGS_READY || !rep->nb_segs)
                continue;
            const sv__segment first = sv__rep_segment(rep, 0);
            const sv__segment last = sv__rep_segment(rep, rep->nb_segs - 1);
            if (first.start > *lo)
                *lo = first.start;
            if (last.start + last.duration < *hi)
                *hi = last.start + last.duration;
            any = 1;
        }
    }
    return any;
}

/* The longest stretch of media that becomes available at once: the
 * longest segment, less the smallest availabilityTimeOffset of a chunked
 * rep when every audio and video rep is chunked. */
static double chunk_step(const sv__presentation *pres, double max_seg_duration)
{
    double ato = INFINITY;
    for (size_t pi = 0; pi < pres->nb_periods; pi++)
        for (size_t k = 0; k < pres->periods[pi].nb_tracks; k++) {
            const sv__track *t = &pres->periods[pi].tracks[k];
            if (t->type == SV_TRACK_TEXT)
                continue;
            for (size_t r = 0; r < t->nb_reps; r++) {
                if (!t->reps[r].chunked || !t->reps[r].source)
                    return max_seg_duration;
                double a = sv__dash_availability_offset(t->reps[r].source, 0);
                if (a < ato)
                    ato = a;
            }
        }
    if (!isfinite(ato) || ato <= 0 || ato >= max_seg_duration)
        return max_seg_duration;
    return max_seg_duration - ato;
}

void sv__model_dash_timing(sv__model *m, const sv__dash_mpd *mpd, double now_utc,
                           double max_seg_duration)
{
    sv__presentation *pres = &m->pub;

    pres->live = mpd->dynamic;
    pres->duration = mpd->dynamic ? 0 : mpd->duration;
    pres->availability_start_time = mpd->dynamic ? mpd->availability_start_time : 0;
    pres->time_shift_buffer_depth = mpd->time_shift_buffer_depth;
    /* The target within Latency@min..@max: the live start is placed by it. */
    pres->min_latency = mpd->min_latency;
    pres->max_latency = mpd->max_latency;
    pres->target_latency = sv__model_clamp_latency(
        pres, m->latency_override >= 0 ? m->latency_override : mpd->target_latency);
    pres->wallclock_origin = pres->availability_start_time;
    /* Strings of the MPD: the first build's (a refresh keeps the clock). */
    if (!pres->utc_timing_scheme && mpd->utc_timing_scheme && mpd->utc_timing_value) {
        pres->utc_timing_scheme = sv__arena_strdup(pres->arena, mpd->utc_timing_scheme);
        pres->utc_timing_value = sv__arena_strdup(pres->arena, mpd->utc_timing_value);
    }
    if (!mpd->dynamic) {
        pres->refresh_s = pres->live_start = 0;
        return;
    }
    pres->refresh_s = mpd->min_update_period > 0 ? mpd->min_update_period : 2;
    m->max_seg_duration = max_seg_duration;
    /* The latency to aim for: ServiceDescription's Latency@target, else
     * suggestedPresentationDelay, else three of the longest segments (never
     * less than minBufferTime). Never under one segment plus the publishing
     * margin and a cushion: a segment becomes available when it ends, so a
     * player closer to the edge than that waits for each one with an empty
     * buffer. */
    if (mpd->max_segment_duration > max_seg_duration)
        max_seg_duration = mpd->max_segment_duration;
    double delay = pres->target_latency >= 0 ? pres->target_latency
                                             : mpd->suggested_presentation_delay;
    if (delay < 0) {
        delay = 3 * max_seg_duration;
        if (delay < mpd->min_buffer_time)
            delay = mpd->min_buffer_time;
    }
    /* What becomes available at once: a segment, or, read as it grows
     * (chunked), the part before its availabilityTimeOffset. */
    double step = chunk_step(pres, max_seg_duration);
    if (delay < step + SV__DASH_PUBLISH_MARGIN_S + LIVE_CUSHION_S)
        delay = step + SV__DASH_PUBLISH_MARGIN_S + LIVE_CUSHION_S;
    double t = now_utc - mpd->availability_start_time - delay;
    /* Every audio and video set starts at this one time, so it must lie
     * where all of them list a segment (an audio segment published after
     * the video one must not start a segment later): in the period that
     * holds t, or the last one before it that lists anything, between the
     * latest first start and the earliest last end less the cushion. */
    size_t pi = 0;
    for (size_t i = 0; i < pres->nb_periods; i++)
        if (pres->periods[i].start <= t)
            pi = i;
    for (;;) {
        double lo, hi;
        if (common_span(pres, pi, &lo, &hi)) {
            if (t > hi - LIVE_CUSHION_S)
                t = hi - LIVE_CUSHION_S;
            if (t < lo)
                t = lo;
            break;
        }
        if (pi == 0)
            break; /* nothing listed anywhere yet: the first segments will */
        pi--;
    }
    pres->live_start = t;
}

int sv__model_dash_build(sv__model *m, const char *text, size_t size, double now_utc,
                         sv__parse_error *err)
{
    sv__presentation *pres = &m->pub;
    double max_dur = 0;
    size_t nb_tracks = 0;
    int ret;

    if ((ret = sv__dash_parse(text, size, pres->url, sv__model_alloc(m), &m->mpd, err)) < 0)
        return ret;
    const sv__dash_mpd *mpd = m->mpd;
    if (!(pres->periods = sv__arena_alloc(pres->arena, mpd->nb_periods * sizeof(*pres->periods))))
        return SV_ERR_NOMEM;
    for (size_t i = 0; i < mpd->nb_periods; i++) {
        pres->nb_periods = i + 1;
        if ((ret = sv__model_dash_period(m, mpd, i, now_utc, &pres->periods[i], &max_dur, err)) < 0)
            return ret;
        nb_tracks += pres->periods[i].nb_tracks;
    }
    if (nb_tracks == 0) {
        sv__parse_fail(err, 0, "MPD without a video, audio or text AdaptationSet");
        return SV_ERR_UNSUPPORTED;
    }

    /* Alternative BaseURLs (serviceLocation): taken from the first
     * representation, whose list holds every alternative of the levels above. */
    const sv__dash_representation *first = NULL;
    for (size_t i = 0; i < mpd->periods[0].nb_sets && !first; i++)
        if (mpd->periods[0].sets[i].nb_reps)
            first = &mpd->periods[0].sets[i].reps[0];
    if (first && first->nb_base_urls > 1) {
        const char *urls[16], *ids[16];
        int prio[16], weight[16];
        size_t n = first->nb_base_urls < 16 ? first->nb_base_urls : 16;
        for (size_t i = 0; i < n; i++) {
            urls[i] = first->base_urls[i].url;
            ids[i] = first->base_urls[i].service_location;
            prio[i] = first->base_urls[i].priority;
            weight[i] = first->base_urls[i].weight;
        }
        if ((ret = sv__model_set_cdns(pres, urls, ids, prio, weight, n)) < 0)
            return ret;
    }
    if (mpd->steering_uri && !(pres->steering_uri = sv__arena_strdup(pres->arena, mpd->steering_uri)))
        return SV_ERR_NOMEM;
    sv__model_dash_timing(m, mpd, now_utc, max_dur);
    return sv__model_events_dash(m, mpd);
}

int sv__model_dash_sidx(sv__presentation *pres, sv__rep *rep, const uint8_t *data, size_t size,
                        sv__parse_error *err)
{
    sv__parse_error local_err;
    sv__seg_list l;
    sv__sidx sidx;
    size_t pi, ti;
    int ret;

    if (!err)
        err = &local_err;
    memset(err, 0, sizeof(*err));
    if (!pres || !rep || !data || pres->kind != SV__SOURCE_DASH || !rep->source ||
        !rep->index_range.url || sv__model_locate(pres, rep, &pi, &ti) < 0)
        return SV_ERR_INVALID;
    sv__model *m = sv__model_of(pres);
    const sv__dash_representation *dr = rep->source;
    const sv__period *p = &pres->periods[pi];
    if ((ret = sv__seg_list_init(m, &l)) < 0)
        return ret;
    if ((ret = sv__sidx_parse(data, size, rep->index_range.offset, l.arena, &sidx, err)) < 0)
        goto fail;
    ret = SV_ERR_NOMEM;
    sv__resource *init = NULL;
    if (rep->init_res.url) {
        if (!(init = sv__arena_alloc(l.arena, sizeof(*init))) ||
            !(init->url = sv__arena_strdup(l.arena, rep->init_res.url)))
            goto fail;
        init->offset = rep->init_res.offset;
        init->length = rep->init_res.length;
    }
    const char *url = rep->index_range.url;
    /* presentationTimeOffset is in the SegmentBase's timescale, the times
     * in the sidx's own. */
    double pto = (double)dr->seg.presentation_time_offset / (double)dr->seg.timescale;
    if (!url || sv__seg_list_reserve(&l, sidx.nb_refs) < 0)
        goto fail;
    for (size_t i = 0; i < sidx.nb_refs; i++) {
        const sv__sidx_ref *r = &sidx.refs[i];
        sv__segment *s = sv__seg_list_add(&l);
        if (!s || (ret = sv__seg_list_url(&l, s, url, strlen(url))) < 0)
            goto fail;
        s->offset = r->offset;
        s->length = r->size;
        s->start = p->start + (double)r->time / sidx.timescale - pto;
        s->duration = (double)r->duration / sidx.timescale;
        s->number = dr->seg.start_number + (int64_t)i;
        s->disc = (int64_t)pi;
        s->init = init;
    }
    l.complete = 1;
    sv__seg_list_commit(&l, rep);
    return 0;

fail:
    sv__seg_list_discard(&l);
    return ret;
}
