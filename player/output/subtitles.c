/*
 * subtitles.c - WebVTT text tracks: fetching cues ahead of the position,
 * showing the ones active now and reporting each cue once as playback
 * reaches it (output.h, "subtitles").
 *
 * The report (SV_EVENT_SUBTITLE_CUE) does not depend on timing: segments
 * are read in order, `fetched_until` says how far the cues are all known,
 * and a cue is reported only once the position has reached its start and
 * everything before it is known, in order of start. A run that decodes
 * faster than the subtitles arrive reports them late but the same; the end
 * of playback waits until every cue up to the end was reported.
 *
 * Loop thread, except sv__subs_text(), which copies the current text under
 * the module's own lock for any thread. Subtitles never stop playback: a
 * segment that cannot be fetched or parsed is logged and skipped.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "player/output/output.h"
#include "player/manifest/text_track.h"

#define LOOKAHEAD_S 30.0 /* cues fetched this far ahead of the position */
#define MAX_TEXT 4096
/* Cue events queued per tick at most: a host that drains its queue keeps up
 * (20 ticks a second), and a burst never pushes older events out. */
#define CUES_PER_TICK 32

typedef struct stored_cue {
    double start, end;   /* seconds as in the file */
    int64_t disc;        /* epoch of the segment it came from */
    int mapped;          /* X-TIMESTAMP-MAP: media time + the epoch's offset */
    int absolute;        /* a caption: on the presentation timeline already */
    int reported;        /* SV_EVENT_SUBTITLE_CUE sent (or before report_from) */
    int has_style;
    sv_cue_style style;  /* TTML regions and styles (has_style) */
    char *text;
} stored_cue;

struct sv__subs {
    const sv__env *env;   /* borrowed: status (position, epochs), log, events */
    sv__fetcher *fetcher; /* borrowed */
    sv__presentation *pres; /* the load's, while a track is selected */
    int period;
    int track;            /* text track index in the current period, -1 off */
    long next_seg;        /* next segment to fetch, -1 before the first */
    int sidecar;          /* 1 while a whole text file is fetched, 2 once read */
    sv__captions *captions; /* borrowed; used while no text track is selected */
    sv__captions_state cc;  /* the caption screen as last taken */
    unsigned cc_generation; /* the captions' generation the cues kept are of */
    int64_t fetch_id;     /* > 0 while a request is in flight */
    int fetching_playlist;
    stored_cue *cues;
    size_t nb_cues, cap_cues;
    /* The report: every segment up to fetched_until (presentation time)
     * has been read or skipped (-INFINITY before the first, INFINITY after
     * the last); cues that end at or before report_from are not reported;
     * cues before first_unreported all are. */
    double fetched_until;
    double report_from;
    size_t first_unreported;
    sv__mutex lock;       /* guards text */
    char text[MAX_TEXT];  /* cue text shown now ("" none) */
    int has_style;        /* it is one cue or caption window with this style */
    sv_cue_style style;
};

int sv__subs_create(sv__subs **out, const sv__env *env, sv__fetcher *fetcher)
{
    sv__subs *s = sv__calloc(env->alloc, 1, sizeof(*s));

    if (!s)
        return SV_ERR_NOMEM;
    s->env = env;
    s->fetcher = fetcher;
    if (sv__mutex_init(&s->lock) < 0) {
        sv__free(s->env->alloc, s);
        return SV_ERR_NOMEM;
    }
    s->track = -1;
    s->next_seg = -1;
    s->fetched_until = -INFINITY;
    *out = s;
    return 0;
}

static void clear_cues(sv__subs *s)
{
    for (size_t i = 0; i < s->nb_cues; i++)
        sv__free(s->env->alloc, s->cues[i].text);
    s->nb_cues = 0;
    s->first_unreported = 0;
}

void sv__subs_destroy(sv__subs *s)
{
    if (!s)
        return;
    clear_cues(s);
    sv__free(s->env->alloc, s->cues);
    sv__mutex_destroy(&s->lock);
    sv__free(s->env->alloc, s);
}

/* The text shown and, when it is one styled cue (or caption window), its
 * style; set together, before the event says the text changed. */
static void set_text_styled(sv__subs *s, const char *text, const sv_cue_style *style)
{
    sv__mutex_lock(&s->lock);
    int same = !strcmp(s->text, text);
    if (!same)
        snprintf(s->text, sizeof(s->text), "%s", text);
    s->has_style = style && text[0];
    if (s->has_style)
        s->style = *style;
    sv__mutex_unlock(&s->lock);
    if (!same) {
        sv_event ev = { .id = SV_EVENT_SUBTITLE };
        sv__env_event(s->env, &ev, text, NULL, NULL);
    }
}

static void set_text(sv__subs *s, const char *text)
{
    set_text_styled(s, text, NULL);
}

void sv__subs_reset(sv__subs *s)
{
    if (s->fetch_id > 0)
        sv__fetch_cancel(s->fetcher, s->fetch_id);
    s->fetch_id = 0;
    s->fetching_playlist = 0;
    s->next_seg = -1;
    s->sidecar = 0;
    s->track = -1;
    s->pres = NULL;
    s->fetched_until = -INFINITY;
    clear_cues(s);
    if (s->captions)
        sv__captions_reset(s->captions);
    memset(&s->cc, 0, sizeof(s->cc));
    set_text(s, "");
}

void sv__subs_set_captions(sv__subs *s, sv__captions *c)
{
    s->captions = c;
}

static sv__track *text_track(sv__subs *s)
{
    if (!s->pres || s->track < 0 || s->period >= (int)s->pres->nb_periods)
        return NULL;
    sv__period *per = &s->pres->periods[s->period];
    for (size_t i = 0; i < per->nb_tracks; i++)
        if (per->tracks[i].type == SV_TRACK_TEXT && per->tracks[i].index == s->track)
            return per->tracks[i].nb_reps ? &per->tracks[i] : NULL;
    return NULL;
}

static double position_now(sv__subs *s)
{
    sv__mutex_lock(&s->env->st->lock);
    double pos = s->env->st->position_s;
    sv__mutex_unlock(&s->env->st->lock);
    return pos;
}

int sv__subs_select(sv__subs *s, sv__presentation *pres, int period, int index, double from)
{
    sv__subs_reset(s);
    if (index < 0)
        return 0;
    s->pres = pres;
    s->period = period;
    s->track = index;
    if (isnan(from))
        from = position_now(s);
    else if (from <= 0 && pres->live)
        from = pres->live_start;
    s->report_from = from;
    if (!text_track(s)) {
        s->track = -1;
        return SV_ERR_RANGE;
    }
    return 0;
}

/* The last epoch offset looked up: cues of one epoch come together, so a
 * tick takes the player's lock once per epoch, not once per cue. */
typedef struct epoch_cache {
    int valid, known;
    int64_t disc;
    double offset;
} epoch_cache;

/* Where a cue sits on the presentation timeline; 0 when it cannot be
 * placed yet (its epoch has no mapping until a stream demuxes it). */
static int place(sv__subs *s, epoch_cache *ec, const stored_cue *c, double *start,
                 double *end)
{
    double off = 0;

    if (c->absolute) {
        off = 0;
    } else if (c->mapped) {
        if (!ec->valid || ec->disc != c->disc) {
            ec->valid = 1;
            ec->disc = c->disc;
            ec->known = sv__timeline_offset_get(s->env->st, c->disc, &ec->offset) == 0;
        }
        if (!ec->known)
            return 0;
        off = ec->offset;
    } else if (s->pres->kind == SV__SOURCE_DASH && c->disc < (int64_t)s->pres->nb_periods) {
        off = s->pres->periods[c->disc].start; /* DASH cue times count from the period */
    }
    *start = c->start + off;
    *end = c->end + off;
    return 1;
}

static int add_cues(sv__subs *s, const sv__text_cues *v, int64_t disc)
{
    for (size_t i = 0; i < v->nb_cues; i++) {
        double start = v->cues[i].start, end = v->cues[i].end;
        int mapped = v->has_map;

        if (mapped) {
            start = start - v->map_local + (double)v->map_mpegts / 90000.0;
            end = end - v->map_local + (double)v->map_mpegts / 90000.0;
        }
        /* A cue that spans segments comes in each: repeated whole
         * (segmented WebVTT), or cut at the boundary, its next piece
         * starting where the last ended or at the same start with a later
         * end (TTML in MP4). The pieces are one cue. */
        int dup = 0;
        for (size_t j = s->nb_cues; j-- > 0 && !dup;) {
            stored_cue *o = &s->cues[j];
            if (o->disc != disc || strcmp(o->text, v->cues[i].text))
                continue;
            if (fabs(o->start - start) < 1e-6 && fabs(o->end - end) < 1e-6)
                dup = 1;
            else if ((fabs(o->start - start) < 1e-6 || fabs(o->end - start) < 1e-6) &&
                     end > o->end)
                dup = 1, o->end = end;
        }
        if (dup)
            continue;
        if (s->nb_cues == s->cap_cues) {
            size_t cap = s->cap_cues ? s->cap_cues * 2 : 64;
            stored_cue *n = sv__realloc(s->env->alloc, s->cues, cap * sizeof(*n));
            if (!n)
                return SV_ERR_NOMEM;
            s->cues = n;
            s->cap_cues = cap;
        }
        stored_cue *c = &s->cues[s->nb_cues];
        if (!(c->text = sv__strdup(s->env->alloc, v->cues[i].text)))
            return SV_ERR_NOMEM;
        c->start = start;
        c->end = end;
        c->disc = disc;
        c->mapped = mapped;
        c->absolute = 0;
        c->reported = 0;
        c->has_style = v->cues[i].has_style;
        c->style = v->cues[i].style;
        s->nb_cues++;
    }
    return 0;
}

static void count_skipped(sv__subs *s, int n)
{
    sv__mutex_lock(&s->env->st->lock);
    s->env->st->stats.text_skipped += n;
    sv__mutex_unlock(&s->env->st->lock);
}

/* Reads one fetched piece of the track (a segment, or the whole file of a
 * sidecar track) whose cues end by `doc_end` when they give no end. */
static void read_text(sv__subs *s, const sv__fetch_result *r, int64_t disc, double doc_end)
{
    sv__parse_error err = { 0 };
    sv__text_cues v;

    if (sv__text_parse(r->data, r->size, doc_end, s->env->alloc, &v, &err) < 0) {
        SV_LOGW(s->env->log, "subtitles", "%s skipped: line %d: %s", r->url, err.line,
                err.message);
        count_skipped(s, 1);
        return;
    }
    if (v.skipped) {
        SV_LOGW(s->env->log, "subtitles", "%s: %d part(s) of the %s skipped, the first: %s",
                r->url, v.skipped, v.format, v.warning);
        count_skipped(s, v.skipped);
    }
    if (add_cues(s, &v, disc) < 0)
        SV_LOGW(s->env->log, "subtitles", "out of memory for cues");
    sv__text_cues_free(&v);
}

static void pump(sv__subs *s, double position);

static void on_playlist(void *opaque, sv__fetch_result *r)
{
    sv__subs *s = opaque;
    sv__track *t = text_track(s);
    sv__parse_error err = { 0 };

    s->fetch_id = 0;
    s->fetching_playlist = 0;
    if (r->error || !t) {
        SV_LOGW(s->env->log, "subtitles", "subtitle playlist: %s", r->message);
        s->track = -1; /* give up on this track */
    } else if (sv__model_hls_media(s->pres, &t->reps[0], (const char *)r->data, r->size, r->url,
                                   &err) < 0) {
        SV_LOGW(s->env->log, "subtitles", "%s: line %d: %s", r->url, err.line, err.message);
        s->track = -1;
    }
    sv__free(s->env->alloc, r->data);
    if (s->track >= 0)
        pump(s, position_now(s));
}

/* The times a cue of segment `seg` is written in: DASH counts from its
 * period's start. */
static double local_end(const sv__subs *s, const sv__segment *seg)
{
    double end = seg->start + seg->duration;
    if (s->pres->kind == SV__SOURCE_DASH && seg->disc >= 0 &&
        seg->disc < (int64_t)s->pres->nb_periods)
        end -= s->pres->periods[seg->disc].start;
    return end;
}

static void on_segment(void *opaque, sv__fetch_result *r)
{
    sv__subs *s = opaque;
    sv__track *t = text_track(s);

    s->fetch_id = 0;
    if (s->sidecar == 1) {
        /* The whole file: every cue of the period is known now. */
        s->sidecar = 2;
        s->fetched_until = INFINITY;
        if (r->error)
            SV_LOGW(s->env->log, "subtitles", "subtitle file skipped: %s", r->message);
        else if (t)
            read_text(s, r, s->period, INFINITY);
        sv__free(s->env->alloc, r->data);
        pump(s, position_now(s));
        return;
    }
    if (t && s->next_seg > 0 && (size_t)(s->next_seg - 1) < t->reps[0].nb_segs) {
        /* Read or skipped, the segment's cues are all known now. */
        const sv__segment done = sv__rep_segment(&t->reps[0], (size_t)s->next_seg - 1);
        s->fetched_until = (size_t)s->next_seg >= t->reps[0].nb_segs
                               ? INFINITY : done.start + done.duration;
    }
    if (r->error) {
        SV_LOGW(s->env->log, "subtitles", "subtitle segment skipped: %s", r->message);
    } else if (t && s->next_seg > 0 && (size_t)(s->next_seg - 1) < t->reps[0].nb_segs) {
        const sv__segment seg = sv__rep_segment(&t->reps[0], (size_t)s->next_seg - 1);
        read_text(s, r, seg.disc, local_end(s, &seg));
    }
    sv__free(s->env->alloc, r->data);
    pump(s, position_now(s));
}

/* Starts the next fetch the track needs, if any. */
static void pump(sv__subs *s, double position)
{
    sv__track *t = text_track(s);

    if (!t || s->fetch_id > 0)
        return;
    sv__rep *rep = &t->reps[0];
    sv__fetch_req req = { .kind = SV__FETCH_SEGMENT, .length = -1 };
    char url[SV__URL_MAX];
    if (rep->seg_state == SV__SEGS_NEED_PLAYLIST && rep->playlist_url) {
        req.kind = SV__FETCH_MANIFEST;
        req.url = rep->playlist_url;
        s->fetching_playlist = 1;
        s->fetch_id = sv__fetch(s->fetcher, &req, on_playlist, s);
    } else if (rep->seg_state == SV__SEGS_READY && rep->nb_segs > 0) {
        if (s->next_seg < 0) {
            /* Reading starts where the report does (the load's start, a
             * seek's target, the position at selection), not where
             * playback is once the playlist is in: an untimed run may be
             * segments past it by then, and their cues would be lost. */
            long i = sv__model_find_segment(rep, s->report_from);
            s->next_seg = i < 0 ? (long)rep->nb_segs : i;
            /* What lies before is not waited for. */
            s->fetched_until = (size_t)s->next_seg < rep->nb_segs
                                   ? sv__rep_segment(rep, (size_t)s->next_seg).start
                                   : INFINITY;
        }
        if ((size_t)s->next_seg >= rep->nb_segs ||
            sv__rep_segment(rep, (size_t)s->next_seg).start > position + LOOKAHEAD_S)
            return;
        const sv__segment segv = sv__rep_segment(rep, (size_t)s->next_seg++), *seg = &segv;
        req.url = sv__segment_url(rep, seg, url, sizeof(url)); /* copied by the fetcher */
        req.offset = seg->offset;
        req.length = seg->length;
        s->fetch_id = req.url ? sv__fetch(s->fetcher, &req, on_segment, s) : SV_ERR_INTERNAL;
    } else if (rep->seg_state == SV__SEGS_NEED_INDEX && rep->index_range.url && !s->sidecar) {
        /* A DASH text Representation of one file (BaseURL, no segments):
         * read whole, once. */
        req.url = rep->index_range.url;
        s->sidecar = 1;
        s->fetch_id = sv__fetch(s->fetcher, &req, on_segment, s);
    } else {
        return;
    }
    if (s->fetch_id < 0) {
        SV_LOGW(s->env->log, "subtitles", "cannot fetch %s", req.url ? req.url : "(none)");
        s->fetch_id = 0;
        s->track = -1;
    }
}

void sv__subs_seek(sv__subs *s, double target)
{
    if (s->fetch_id > 0 && !s->fetching_playlist) {
        sv__fetch_cancel(s->fetcher, s->fetch_id);
        s->fetch_id = 0;
        if (s->sidecar == 1)
            s->sidecar = 0; /* the whole file is asked for again */
    }
    if (s->captions && s->track < 0)
        sv__captions_reset(s->captions); /* decoding starts again from the target */
    s->next_seg = -1; /* cues already read stay; segments are found again */
    s->fetched_until = s->sidecar == 2 ? INFINITY : -INFINITY;
    /* Cues from the target on are reported again as playback reaches them. */
    s->report_from = target;
    for (size_t i = 0; i < s->nb_cues; i++)
        s->cues[i].reported = 0;
    s->first_unreported = 0;
}

/* Reports the cues that start at or before `upto` and before
 * fetched_until, in order of start (then of arrival), at most `budget` of
 * them. A cue that cannot be placed yet (its epoch has no mapping) waits.
 * Returns how many of those that can be placed remain. */
static size_t report(sv__subs *s, double upto, int budget)
{
    epoch_cache ec = { 0 };
    size_t left = 0;

    while (s->first_unreported < s->nb_cues && s->cues[s->first_unreported].reported)
        s->first_unreported++;
    for (;;) {
        stored_cue *next = NULL;
        double next_start = 0, next_end = 0;
        left = 0;
        for (size_t i = s->first_unreported; i < s->nb_cues; i++) {
            stored_cue *c = &s->cues[i];
            double a, b;
            if (c->reported)
                continue;
            if (!place(s, &ec, c, &a, &b))
                continue;
            if (b <= s->report_from + 1e-6) {
                c->reported = 1; /* over before the load's (or seek's) start */
                continue;
            }
            /* One that ends right where the known cues end may go on in
             * the next segment: it waits for it. */
            if (a > upto || a >= s->fetched_until ||
                (isfinite(s->fetched_until) && !c->absolute && fabs(b - s->fetched_until) < 1e-3))
                continue;
            left++;
            if (!next || a < next_start - 1e-9) {
                next = c;
                next_start = a;
                next_end = b;
            }
        }
        if (!next || budget-- <= 0)
            return left;
        next->reported = 1;
        sv_event ev = { .id = SV_EVENT_SUBTITLE_CUE };
        ev.data.cue.start_s = next_start;
        ev.data.cue.end_s = next_end;
        ev.data.cue.style = next->has_style ? &next->style : NULL;
        sv__env_event(s->env, &ev, next->text, NULL, NULL);
    }
}

/* ---- captions: the cues the video carries --------------------------------- */

static void store_caption(sv__subs *s, sv__cue *q)
{
    for (size_t j = s->nb_cues; j-- > 0;)
        if (fabs(s->cues[j].start - q->start) < 1e-6 && !strcmp(s->cues[j].text, q->text)) {
            sv__free(s->env->alloc, q->text); /* decoded again after a seek */
            return;
        }
    if (s->nb_cues == s->cap_cues) {
        size_t cap = s->cap_cues ? s->cap_cues * 2 : 64;
        stored_cue *n = sv__realloc(s->env->alloc, s->cues, cap * sizeof(*n));
        if (!n) {
            sv__free(s->env->alloc, q->text);
            return;
        }
        s->cues = n;
        s->cap_cues = cap;
    }
    s->cues[s->nb_cues++] = (stored_cue){ .start = q->start, .end = q->end, .disc = -1,
                                          .absolute = 1, .text = q->text,
                                          .has_style = q->has_style, .style = q->style };
}

static void take_captions(sv__subs *s, double position)
{
    sv__cue got[64];
    size_t n;
    unsigned gen;

    sv__captions_service(s->captions, &gen);
    if (gen != s->cc_generation) { /* another service: its cues only */
        s->cc_generation = gen;
        clear_cues(s);
        memset(&s->cc, 0, sizeof(s->cc));
    }
    do {
        n = sv__captions_take(s->captions, got, 64, position, &s->cc);
        for (size_t i = 0; i < n; i++)
            store_caption(s, &got[i]);
    } while (n == 64);
    s->fetched_until = s->cc.known_until;
}

/* The text shown is the live screen's; the cues reported are the exact
 * decoder's, each once it is complete. */
static void caption_tick(sv__subs *s, double position)
{
    take_captions(s, position);
    report(s, position, CUES_PER_TICK);
    set_text_styled(s, s->cc.screen, s->cc.has_style ? &s->cc.style : NULL);
}

static int caption_finish(sv__subs *s, double end)
{
    take_captions(s, end);
    /* Playback is over: every frame was decoded. */
    s->fetched_until = INFINITY;
    return report(s, end, CUES_PER_TICK) == 0;
}

int sv__subs_finish(sv__subs *s)
{
    if (s->track < 0 && s->captions) {
        sv__mutex_lock(&s->env->st->lock);
        double e = s->env->st->duration_s > s->env->st->position_s ? s->env->st->duration_s
                                                                    : s->env->st->position_s;
        sv__mutex_unlock(&s->env->st->lock);
        return caption_finish(s, e);
    }
    if (s->track < 0 || !text_track(s))
        return 1;
    sv__mutex_lock(&s->env->st->lock);
    double end = s->env->st->duration_s > s->env->st->position_s ? s->env->st->duration_s
                                                                  : s->env->st->position_s;
    sv__mutex_unlock(&s->env->st->lock);
    pump(s, end);
    if (s->track < 0)
        return 1; /* the track was given up */
    if (s->fetched_until < end && s->fetch_id > 0)
        return 0; /* a segment (or the playlist) before the end is on its way */
    if (report(s, end, CUES_PER_TICK) > 0)
        return 0;
    /* Whatever is left has no place on the timeline: no stream ever
     * demuxed its epoch, so playback never reached it. */
    for (size_t i = s->first_unreported; i < s->nb_cues; i++)
        if (!s->cues[i].reported) {
            SV_LOGW(s->env->log, "subtitles", "cue at %.3f s of epoch %lld not reported: "
                    "no media of that epoch was played", s->cues[i].start,
                    (long long)s->cues[i].disc);
            s->cues[i].reported = 1;
        }
    return 1;
}

void sv__subs_tick(sv__subs *s, double position)
{
    char text[MAX_TEXT];
    size_t n = 0, active = 0;
    const stored_cue *one = NULL;

    if (s->track < 0 && s->captions) {
        caption_tick(s, position);
        return;
    }
    if (s->track < 0) {
        if (s->text[0])
            set_text(s, "");
        return;
    }
    pump(s, position);
    report(s, position, CUES_PER_TICK);
    text[0] = '\0';
    /* Cues in file order; simultaneous ones are stacked in that order. */
    epoch_cache ec = { 0 };
    for (size_t i = 0; i < s->nb_cues; i++) {
        double a, b;
        if (!place(s, &ec, &s->cues[i], &a, &b) || position < a || position >= b)
            continue;
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", n ? "\n" : "",
                              s->cues[i].text);
        one = active++ ? NULL : &s->cues[i];
        if (n >= sizeof(text))
            break;
    }
    set_text_styled(s, text, one && one->has_style ? &one->style : NULL);
}

int sv__subs_style(sv__subs *s, sv_cue_style *out)
{
    sv__mutex_lock(&s->lock);
    int has = s->has_style;
    if (has)
        *out = s->style;
    sv__mutex_unlock(&s->lock);
    return has;
}

int sv__subs_text(sv__subs *s, char *buf, size_t cap)
{
    size_t n;

    if (!buf || !cap)
        return SV_ERR_INVALID;
    sv__mutex_lock(&s->lock);
    n = strlen(s->text);
    snprintf(buf, cap, "%s", s->text);
    sv__mutex_unlock(&s->lock);
    return n < cap ? 0 : SV_ERR_OVERFLOW;
}
