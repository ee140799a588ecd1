/*
 * The planner's pieces (download_plan.c chooses the tracks Period by
 * Period, download_plan_files.c turns a chosen rep into files). Private to
 * player/download/; the download's thread only.
 */
#ifndef SV_PLAYER_DOWNLOAD_PLAN_H
#define SV_PLAYER_DOWNLOAD_PLAN_H

#include "player/download/internal.h"
#include "player/model/model.h"

#define SV__DL_MAX_TRACKS 16      /* the state file's limits (download_state.c) */
#define SV__DL_MAX_FILES 1000000

typedef struct sv__planner {
    sv__dl_state *st;
    sv__dl_fetcher *f;
    sv__presentation *pres;
    const sv__logger *log;
    char *msg;
    size_t cap;
    /* Per track of st->tracks: the numbers of its next segment and init
     * file names, so every Period's files get names of their own. */
    int next_seg[SV__DL_MAX_TRACKS], next_init[SV__DL_MAX_TRACKS];
    int nb_keys;               /* AES-128 key files so far */
} sv__planner;

int sv__plan_fail(sv__planner *p, int err, const char *fmt, ...) SV_PRINTF(3, 4);

/* Loads the segment list of a rep that still needs its playlist or sidx.
 * 0 or an SV_ERR_* with p->msg set (a live presentation is refused). */
int sv__plan_make_ready(sv__planner *p, sv__rep *rep);

/*
 * Adds the segments of `rep` (of track `t`) in the Period [from, to)
 * seconds (to <= from: all of them) to the plan: to the download track
 * *track, or, when *track is -1, to a new one in folder `dir` (its index
 * then in *track). A segment that overlaps the Period by less than 0.1 s
 * (or half its duration) is left out. Init segments are added once per
 * track, AES-128 keys once per download, each before the first segment
 * that needs it. *cover_from and *cover_to: the first added segment's
 * start and the last one's end. 0 or an SV_ERR_* with p->msg set.
 */
int sv__plan_add_rep(sv__planner *p, const sv__track *t, sv__rep *rep, const char *dir,
                     int *track, double from, double to, double *cover_from, double *cover_to);

#endif
