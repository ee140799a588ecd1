/*
 * abr/playout.h - the playout model: a client's buffer as media arrives and
 * plays out, its stalls and its QoE. One model for the two places that play
 * a session without decoding it:
 *
 *   abr/sim.c                        the chunk-level simulator (svtrace run,
 *                                    batch): Pensieve's arithmetic, in ms
 *   player/emulate/emulate_playout.c the real player core on a virtual clock
 *                                    (svtrace emulate), in seconds
 *
 * The model knows the level of the buffer (media ahead of the playhead), the
 * part of it the playhead may play (all of it while playing; what it held
 * when the player paused), and the stall in progress. Time passes with
 * sv__playout_elapse(), media arrives with sv__playout_fill(). A stall lasts
 * from the instant the playhead runs out of media to the instant it moves
 * again, and is charged to the segment whose arrival (or the resume after
 * it) ended it: fill() and set_playing() return it for the caller to charge.
 * Before the playhead first starts, time passing is neither play nor stall:
 * that is the startup, which the caller measures (the simulator starts the
 * playhead at once, so its first download is a stall that the QoE's `skip`
 * counts as startup, as Pensieve does; the player measures its first frame).
 * After a seek the buffer is empty and the wait for media at the new
 * position is seek time, not a stall.
 *
 * Units: every level and duration is in the caller's unit of time, `per_s`
 * units to the second (1000 in the simulator, whose buffer is in ms as in
 * Pensieve; 1 in the emulation); only the QoE, which is in seconds, divides.
 * Keeping the caller's unit keeps its arithmetic operation for operation.
 *
 * Pure arithmetic: no allocation, no I/O, no clock. Not thread-safe; one
 * session per model.
 */
#ifndef SV_ABR_PLAYOUT_H
#define SV_ABR_PLAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "streamverse/abr.h"
#include "streamverse/abrsim.h"

typedef struct sv__playout_model {
    double per_s;      /* units of time per second, > 0 */
    double level;      /* media buffered ahead of the playhead */
    double playable;   /* of which the playhead may play now (<= level) */
    double stall;      /* the stall in progress, not charged yet */
    double seek_wait;  /* time waited for media after seeks, in total */
    int started;       /* the playhead has started (startup is over) */
    int playing;       /* the player plays (else it paused: it plays out `playable`) */
    int dry;           /* the playhead ran out of media and a stall is in progress */
    int seeking;       /* a seek emptied the buffer; no media at the new position yet */
    int ended;         /* no more media will come: running out is the end, not a stall */
    sv_abr_qoe qoe;    /* the segments accounted so far */
} sv__playout_model;

/* Starts a session: empty buffer, not started. `qoe` NULL: the defaults. */
void sv__playout_init(sv__playout_model *m, const sv_abr_qoe_config *qoe, double per_s);

/*
 * `dt` (>= 0) of session time passes. Once started, the playhead plays up to
 * the playable media; past it the stall grows (unless the media ended, or a
 * seek is waiting, which counts as seek time). Returns the media time played.
 */
double sv__playout_elapse(sv__playout_model *m, double dt);

/*
 * `media` (>= 0) more media is buffered. While the player plays it can be
 * played at once, which ends a stall in progress. Returns that stall (0 when
 * none ended) for the caller to charge to the segment that arrived.
 */
double sv__playout_fill(sv__playout_model *m, double media);

/*
 * Before the start only: the buffer holds `media` (>= 0). A caller whose
 * buffer is the least of several streams restates it as they fill (a
 * stream that joins with less media lowers it). Ignored once started.
 */
void sv__playout_preload(sv__playout_model *m, double media);

/*
 * The player starts (the first call with 1 ends the startup), pauses (the
 * playhead plays out what is buffered now, no more) or resumes. Returns the
 * stall a resume ended, else 0.
 */
double sv__playout_set_playing(sv__playout_model *m, int playing);

/* A seek: the buffer is dropped; a stall in progress ends and is returned
 * (charge it before the seek); the wait until media arrives is seek time. */
double sv__playout_seek(sv__playout_model *m);

/* No more media will come (every stream reached its end): running out of
 * media from now on is the end, not a stall (a stall already in progress
 * goes on until the playhead moves or the session ends). */
void sv__playout_set_ended(sv__playout_model *m);

/*
 * A rule asks to wait `want_s` seconds before its next request. A wait
 * never stalls: it is capped by the buffer, which plays meanwhile. Returns
 * the wait granted, in seconds.
 */
double sv__playout_wait(sv__playout_model *m, double want_s);

/*
 * A client that does not fetch above `cap` sleeps whole `step`s (both in
 * the model's unit, step > 0) while the buffer plays down to the cap.
 * Returns the sleep (0 when the buffer is not above the cap).
 */
double sv__playout_sleep_to_cap(sv__playout_model *m, double cap, double step);

/* The buffer level in seconds. */
double sv__playout_level_s(const sv__playout_model *m);

/*
 * Accounts a segment in the QoE: played at `index` (`kbps`), `rebuffer`
 * (model units) charged to it, `duration_s` of media. Returns its QoE term
 * (0 for the skipped first segments, whose stall is startup).
 */
double sv__playout_account(sv__playout_model *m, int index, uint32_t kbps, double rebuffer,
                           double duration_s);

/* The session's totals from the segments accounted: `segments` downloaded,
 * the last one arrived at `session_s`. */
void sv__playout_result(const sv__playout_model *m, size_t segments, double session_s,
                        sv_abr_sim_result *out);

#endif /* SV_ABR_PLAYOUT_H */
