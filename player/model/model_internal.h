/*
 * Inside the presentation model: the private state behind an
 * sv__presentation and the helpers model.c shares with the HLS and DASH
 * builders (model_hls.c, model_dash.c, model_live.c). Not part of the
 * contract in model.h; only the model's own files include it.
 */
#ifndef SV_PLAYER_MODEL_INTERNAL_H
#define SV_PLAYER_MODEL_INTERNAL_H

#include "player/manifest/dash.h"
#include "player/manifest/hls.h"
#include "player/model/model.h"

/* The private state. `pub` comes first, so a presentation pointer handed
 * out by sv__model_create() converts back with sv__model_of(). */
typedef struct sv__model {
    sv__presentation pub;
    sv_allocator alloc;          /* copied; used when has_alloc */
    int has_alloc;
    sv__hls_playlist *master;    /* HLS master playlist (rep->source points into it), or NULL */
    sv__dash_mpd *mpd;           /* DASH: the MPD of the last create/refresh (rep->source) */
    double latency_override;     /* the host's target latency (s), < 0: the manifest's */
    double max_seg_duration;     /* DASH: the longest segment listed at the last timing */
    /* Timed events not yet taken (model_events.c), in their own arena so
     * that live reloads do not grow the presentation's. */
    sv__arena *ev_arena;         /* NULL when none are pending */
    sv__timed_desc *ev;
    size_t nb_ev, cap_ev;
    const char **ev_bad;         /* the messages of those left out */
    size_t nb_ev_bad, cap_ev_bad;
} sv__model;

/* Queues the timed events of a parsed MPD (each period's Events moved to
 * the presentation timeline) or of a media playlist (`offset`: its
 * timeline to the presentation's), and the warnings of the parse, for
 * sv__model_take_events(). Returns 0 or SV_ERR_NOMEM. */
int sv__model_events_dash(sv__model *m, const sv__dash_mpd *mpd);
int sv__model_events_hls(sv__model *m, const sv__hls_playlist *pl, double offset,
                         const char *url);

static inline sv__model *sv__model_of(sv__presentation *pres)
{
    return (sv__model *)pres;
}

static inline const sv_allocator *sv__model_alloc(const sv__model *m)
{
    return m->has_alloc ? &m->alloc : NULL;
}

/* A run of segments a DASH SegmentTemplate describes: `count` segments of
 * `d` timescale units each, one after the other, numbered on from `number`
 * (a SegmentTimeline's <S t d r>, or a stretch of @duration numbering). */
typedef struct sv__seg_run {
    size_t first;                /* the index of its first segment in the rep's list */
    size_t count;
    int64_t time;                /* $Time$ of the first, in timescale units */
    int64_t d;
    int64_t number;              /* $Number$ of the first */
} sv__seg_run;

/* A rep's segments as runs (model.h, "Memory"), and what turns a run's
 * time and number into a segment and its URL. Lives in the list's arena. */
typedef struct sv__seg_runs {
    sv__seg_run *v;              /* by `first`, ascending */
    size_t n, cap;
    const char *media;           /* the template, copied */
    const char *base;            /* the BaseURL it resolves against, copied */
    const char *rep_id;          /* $RepresentationID$, copied */
    int64_t bandwidth;           /* $Bandwidth$ */
    uint64_t timescale;
    int64_t pto;                 /* presentationTimeOffset */
    int64_t numbered;            /* @duration numbering: that duration (start =
                                    index x duration, as sv__dash_walk() counts);
                                    0 for a SegmentTimeline */
    double period_start;         /* seconds on the presentation timeline */
    double period_duration;      /* seconds; <= 0 when open: segments are cut at it */
    int64_t disc;
    const sv__resource *init;    /* in the same arena, or NULL */
} sv__seg_runs;

/* A segment list being built in its own arena, before it replaces a rep's:
 * stored segments (segs), or runs (runs != NULL, segs unused). */
typedef struct sv__seg_list {
    sv__arena *arena;
    sv__segment *segs;
    size_t n, cap;               /* n: segments listed, stored or in the runs */
    int complete;                /* becomes rep->complete */
    sv__uri_table *uris;         /* the stored segments' URLs, in the same arena */
    sv__seg_runs *runs;
} sv__seg_list;

/* Starts an empty list with a fresh arena; SV_ERR_NOMEM. */
int sv__seg_list_init(sv__model *m, sv__seg_list *l);
/* Makes room for `n` segments at once, so a list whose length is known (or
 * bounded) takes exactly that much memory instead of doubling into it. */
int sv__seg_list_reserve(sv__seg_list *l, size_t n);
/* Appends a zeroed segment (length -1) and returns it, or NULL when out of memory. */
sv__segment *sv__seg_list_add(sv__seg_list *l);
/* Sets segment s's URL (`len` bytes, stored in l->uris). 0, SV_ERR_OVERFLOW
 * (SV__URL_MAX bytes or more) or SV_ERR_NOMEM. */
int sv__seg_list_url(sv__seg_list *l, sv__segment *s, const char *url, size_t len);
/*
 * Makes an empty list one of runs for the SegmentTemplate of `dr`, whose
 * segments belong to a period starting at period_start seconds and lasting
 * period_duration (<= 0: open), with `disc` and `init` (in l->arena, or
 * NULL). Strings are copied into l->arena. 0 or SV_ERR_NOMEM.
 */
int sv__seg_list_use_runs(sv__seg_list *l, const sv__dash_representation *dr,
                          double period_start, double period_duration, int64_t disc,
                          const sv__resource *init);
/* Appends a segment sv__dash_walk() gave for that rep to a list of runs:
 * the last run grows when the segment continues it. 0 or SV_ERR_NOMEM. */
int sv__seg_list_add_run(sv__seg_list *l, const sv__dash_seg *seg);
/* Sets every segment's `disc`, stored or computed, of a list or a rep. */
void sv__seg_list_set_disc(sv__seg_list *l, int64_t disc);
void sv__rep_set_disc(sv__rep *rep, int64_t disc);
/* Segment i (< the runs' total) computed from the runs. */
sv__segment sv__seg_runs_get(const sv__seg_runs *r, size_t i);
/* The URL of a segment computed from the runs into buf[cap]; its length,
 * SV_ERR_PARSE (a malformed template) or SV_ERR_OVERFLOW. */
int sv__seg_runs_url(const sv__seg_runs *r, const sv__segment *seg, char *buf, size_t cap);
/* Frees a list that was not committed. Accepts a zeroed list. */
void sv__seg_list_discard(sv__seg_list *l);
/* Replaces the rep's segments with the list (the rep takes the arena, the
 * old arena is freed) and marks it READY; the list is emptied. */
void sv__seg_list_commit(sv__seg_list *l, sv__rep *rep);

/* Copies s into the arena; NULL gives "". NULL only when out of memory. */
const char *sv__model_str(sv__arena *a, const char *s);

/*
 * Puts a period in the order model.h promises: tracks stable-sorted video,
 * audio, text with `index` counting within the type; each track's reps
 * stable-sorted by bandwidth ascending with `index` matching the position;
 * track->codecs set to the reps' common codecs ("" when they differ).
 * Returns SV_ERR_NOMEM when the codecs string cannot be copied.
 */
int sv__model_finish_period(sv__arena *a, sv__period *p);

/*
 * CDN alternatives from URLs that address the same content on different
 * hosts or paths (one per alternative): each base_url is the shortest
 * prefix, ending in '/', that is not shared with the others, so replacing
 * one base by another in any segment URL moves it to the other CDN. ids are
 * copied; priority/weight come from the arrays (NULL: 1). Fills
 * pres->cdns/nb_cdns with n entries when n > 1, none otherwise.
 */
int sv__model_set_cdns(sv__presentation *pres, const char *const *urls, const char *const *ids,
                       const int *priority, const int *weight, size_t n);

/* Finds the period/track that hold `rep`; -1 when it is not in pres. */
int sv__model_locate(const sv__presentation *pres, const sv__rep *rep, size_t *period,
                     size_t *track);

/* Builders behind sv__model_create() (pres->url, kind, arena already set). */
int sv__model_hls_build(sv__model *m, const char *text, size_t size, sv__parse_error *err);
int sv__model_dash_build(sv__model *m, const char *text, size_t size, double now_utc,
                         sv__parse_error *err);

/*
 * DASH: lists the segments of representation `dr` of MPD period `pi` into a
 * new list (READY semantics: segment times on the presentation timeline,
 * disc = pi, init pointing at the rep's init resource). Static MPDs list the
 * whole period; dynamic ones the segments available at now_utc. For
 * SegmentBase reps it lists nothing and returns 1 (needs the sidx).
 * Returns 0/1 or SV_ERR_PARSE / SV_ERR_NOMEM.
 */
int sv__model_dash_list(sv__model *m, const sv__dash_mpd *mpd, size_t pi,
                        const sv__dash_representation *dr, double now_utc, sv__seg_list *out,
                        double *max_seg_duration, sv__parse_error *err);

/*
 * DASH: fills a model period from MPD period `pi` (tracks, reps, protection,
 * segment lists for now_utc). Reps' string fields are copied into the
 * presentation arena so a refresh can free the old MPD.
 */
int sv__model_dash_period(sv__model *m, const sv__dash_mpd *mpd, size_t pi, double now_utc,
                          sv__period *out, double *max_seg_duration, sv__parse_error *err);

/* DASH dynamic: the time in period `pi` (seconds from its start) up to
 * which segments of `dr` have become available at now_utc: now less the
 * availability start and the period start, plus the availabilityTimeOffset,
 * less SV__DASH_PUBLISH_MARGIN_S. A segment is listed once its end is at
 * or before it. */
/* Times near 1.8e9 s (UTC) carry about 2.4e-7 s of rounding: a segment
 * whose end is within this of the availability edge counts as available. */
#define LIVE_EPSILON_S 1e-6
double sv__model_dash_avail_edge(const sv__dash_mpd *mpd, size_t pi,
                                 const sv__dash_representation *dr, double now_utc);

/* LL-HLS (model_hls_ll.c): the rep's blocking-reload and delta-update
 * state from the playlist just parsed. */
void sv__model_hls_ll_state(sv__rep *rep, const sv__hls_playlist *pl);
/* model_hls_trick.c: 1 when variant v of master pl is a trick stream
 * written as an ordinary variant (Shaka Packager's trick_play_factor: a
 * FRAME-RATE under 2 beside a variant of 10 or more), kept out of the
 * ladder. */
int sv__model_hls_trick_variant(const sv__hls_playlist *pl, const sv__hls_variant *v);
/* model_hls_trick.c: the I-frame playlists and trick variants of pathway
 * `primary` as p->trick, reps sorted by bandwidth and NEED_PLAYLIST (none:
 * p->trick stays NULL). 0 or SV_ERR_NOMEM. */
int sv__model_hls_trick(sv__arena *a, const sv__hls_playlist *pl, sv__period *p,
                        const char *primary);
/* model_captions.c: the closed captions the master's CLOSED-CAPTIONS
 * renditions declare (those of a group a variant names), and those of a
 * DASH video AdaptationSet's Accessibility descriptors, appended to
 * p->captions (a name already there is not added again). 0 or
 * SV_ERR_NOMEM; entries that do not parse are left out. */
int sv__model_captions_hls(sv__arena *a, sv__period *p, const sv__hls_playlist *pl);
int sv__model_captions_dash(sv__arena *a, sv__period *p, const sv__dash_adaptation *as);
/* The playlist's rendition reports into the rep (copied into `a`, the new
 * segment list's arena). 0 or SV_ERR_NOMEM. */
int sv__model_hls_ll_reports(sv__rep *rep, const sv__hls_playlist *pl, sv__arena *a);
/* A delta update (pl->skipped_segments > 0): the segments it left out are
 * taken from the rep's list and put in front of `l` (already placed on the
 * rep's timeline). Returns 0, SV_ERR_PARSE (err says why: the kept list
 * does not have them) or SV_ERR_NOMEM. */
int sv__model_hls_merge_skipped(const sv__rep *rep, const sv__hls_playlist *pl, sv__seg_list *l,
                                sv__parse_error *err);

/* DASH: sets live, duration, refresh_s, live_start, availability fields
 * from the MPD at now_utc (max_seg_duration: the longest listed segment). */
void sv__model_dash_timing(sv__model *m, const sv__dash_mpd *mpd, double now_utc,
                           double max_seg_duration);

#endif
