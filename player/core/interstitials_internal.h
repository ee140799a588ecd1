/*
 * The interstitials' own state, in three layers from the top:
 * interstitials_tick.c (the tick, the seeks) -> interstitials_play.c (the
 * switches between the primary and the assets, the preloads) ->
 * interstitials.c (the schedule: breaks, asset lists, the cut). Loop thread
 * only, but `active` (atomic).
 */
#ifndef SV_PLAYER_INTERSTITIALS_INTERNAL_H
#define SV_PLAYER_INTERSTITIALS_INTERNAL_H

#include <stdatomic.h>

#include "player/core/internal.h"
#include "player/manifest/interstitial.h"

/* Two starts closer than this are the same position (segment starts in
 * milliseconds, floating point). */
#define SV__INTER_EPS 0.001
/* A break the primary played past by more than this before it was known
 * starts at once. */
#define SV__INTER_LATE_S 0.1
/* Breaks kept per load (each holds its asset list: about 40 KiB); more are
 * skipped with one warning, so a playlist of 10,000 tags cannot take 400 MiB. */
#define SV__INTER_MAX_BREAKS 64

typedef enum sv__brk_state {
    SV__BRK_NEW,       /* read; its X-ASSET-LIST not asked yet */
    SV__BRK_LISTING,   /* its X-ASSET-LIST on its way */
    SV__BRK_READY,     /* its assets known */
    SV__BRK_PLAYED,
    SV__BRK_FAILED     /* left out (a warning said why) */
} sv__brk_state;

typedef struct sv__brk {
    char id[128];                  /* the DATERANGE's ID */
    double start;                  /* on the primary's timeline */
    double duration;               /* the tag's DURATION; -1 unknown */
    uint32_t scte_id;              /* its SCTE35-OUT splice_event_id; 0 none */
    sv__interstitial_desc d;
    sv__asset assets[SV__ASSETS_MAX];
    size_t nb_assets;
    sv__brk_state state;
    int64_t list_fetch;            /* > 0 while the X-ASSET-LIST is fetched */
    struct sv__brk_ref *list_ref;  /* that fetch's opaque (freed if it is cancelled) */
} sv__brk;

/* What an X-ASSET-LIST answer finds its break by (breaks move in memory). */
typedef struct sv__brk_ref {
    struct sv__inter *in;
    char id[128];
} sv__brk_ref;

struct sv__inter {
    struct sv_player *p;
    sv__brk *brk;
    size_t nb, cap;
    double from;                   /* where the primary (re)started: load, seek, resume */
    int overflow_warned;           /* SV__INTER_MAX_BREAKS reached and said */
    /* While a break plays: the primary's load command (owned), the break,
     * the asset, the seconds of the break played before it, and where the
     * primary resumes (NAN: the break's start + its resume offset). */
    sv__cmd *primary;
    int playing;                   /* index into brk; -1 none */
    size_t asset;
    double played, resume_at;
    double at;                     /* the primary's position at the break (events, property) */
    int post;                      /* a POST-roll: the load ends after it */
    int primary_preloaded;         /* the primary's resume preloaded during this break */
    atomic_int active;             /* a break plays (read by any thread) */
    double last_cut;               /* the primary's last finite cut since it (re)started */
    uint64_t cut_gen;              /* the generation and time the outputs' end was set for */
    double cut_at;
};

/* Breaks still to play: neither failed nor played. */
static inline int sv__inter_pending(const sv__brk *b)
{
    return b->state != SV__BRK_FAILED && b->state != SV__BRK_PLAYED;
}

/* interstitials.c: the schedule */
void sv__inter_set_cut(struct sv_player *p, double at);
sv__brk *sv__inter_next(sv__inter *in, double from);
sv__brk *sv__inter_cued(sv__inter *in, int cue);
void sv__inter_fail(sv__inter *in, sv__brk *b, int code, const char *what);
/* Asks the X-ASSET-LIST of each break read since the last call. */
void sv__inter_fetch_lists(sv__inter *in);

/* interstitials_play.c: the switches (below interstitials_tick.c) */
/* Stops the primary and plays break b's first asset; the primary resumes
 * at `resume_at` afterwards (NAN: the break's start + resume offset). */
void sv__inter_start(sv__inter *in, sv__brk *b, double resume_at);
/* Preloads what comes next: the next break's first asset while the
 * primary plays, the next asset or the primary's resume while one plays. */
void sv__inter_preload_next(sv__inter *in);

#endif
