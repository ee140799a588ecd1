/*
 * Emulation inside the player core (include/streamverse/emulate.h): the
 * pieces that let the real control loop, scheduler, fetcher and ABR rule run
 * headless on a virtual clock.
 *
 *   transport_trace.c   a transport whose bytes are real (fetched through
 *                       the libcurl transport, from a server or file://) but
 *                       whose timing is a trace-shaped link on the virtual
 *                       clock; its poll() is what moves virtual time
 *   emulate_playout.c   playout without decoding: the streams' chunks are
 *                       "played" on the virtual clock from the segment
 *                       durations the scheduler delivered, through the
 *                       simulator's playout model (abr/playout.h)
 *   emulate.c           sv_emulate_run(): wires them to a player whose loop
 *                       runs on the caller's thread
 *
 * Threads: none of their own. Everything runs on the thread that runs the
 * player's loop, which is why an emulation is deterministic: the only thing
 * that decides what happens next is virtual time.
 */
#ifndef SV_PLAYER_EMULATE_INTERNAL_H
#define SV_PLAYER_EMULATE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "player/net/transport.h"
#include "streamverse/abr.h"
#include "streamverse/abrsim.h"
#include "streamverse/clock.h"

struct sv_player;
struct sv__chunk;
typedef struct sv__stream sv__stream;

/* ---- the trace-shaped link (transport_trace.c) --------------------------- */

typedef struct sv__trace_link_config {
    const sv_trace *trace;     /* borrowed; must outlive the transport */
    double rtt_s;              /* per request, before the first byte (a trace's rtt_ms wins) */
    double payload_ratio;      /* share of the trace bandwidth that carries payload, (0, 1] */
    const char *user_agent;    /* for the real fetches; NULL: the curl transport's default */
} sv__trace_link_config;

/*
 * Creates the trace transport on `clock`, which must be a virtual clock
 * (sv_clock_virtual_create; borrowed) that nothing else advances. Time 0 of
 * the trace is the clock's time at creation; the trace wraps.
 *
 * submit() fetches the real bytes at once (blocking, in real time, through
 * an inner libcurl transport: http(s) and file://), then plays the transfer
 * out on the link: first byte after the RTT, then the body at
 * payload_ratio x the trace bandwidth, shared equally by the transfers in
 * progress. Errors of the real fetch (refused connection, HTTP status) are
 * reported after the RTT. A request's timeout_s and speed floor
 * (low_speed_bytes_per_s over low_speed_time_s) apply on the virtual clock.
 * poll() advances the clock to the next event of the link (never past the
 * loop's timeout) and runs the callbacks due.
 *
 * Returns 0, SV_ERR_INVALID (not a virtual clock, bad config) or
 * SV_ERR_NOMEM. Free with sv__transport_destroy().
 */
int sv__transport_trace_create(sv__transport **out, sv_clock *clock,
                               const sv__trace_link_config *cfg);

/* The last transfer that completed successfully: request time and end time
 * on the clock (seconds) and body bytes. Returns 0, or SV_ERR_STATE when
 * none has completed yet. Loop thread. */
int sv__transport_trace_last(const sv__transport *t, double *start_s, double *end_s,
                             uint64_t *bytes);

/* ---- playout without decoding (emulate_playout.c) ------------------------ */

typedef struct sv__emu sv__emu;

/* `link` is the trace transport (borrowed) whose last transfer times each
 * segment. Returns 0 or SV_ERR_NOMEM. (Rule parameters reach the scheduler
 * through settings.abr_params.) */
int sv__emu_create(sv__emu **out, struct sv_player *p, const sv__transport *link);
void sv__emu_destroy(sv__emu *e);

/* The emulation as the player's playout and its streams' chunk sink: set
 * p->playout and p->chunk_sink to them before the first load. Valid until
 * sv__emu_destroy. */
const struct sv__playout *sv__emu_playout(const sv__emu *e);
const struct sv__chunk_sink *sv__emu_sink(const sv__emu *e);
/* A stream hands over a chunk (ownership passes) instead of queueing it for
 * a demux thread (the chunk sink). Loop thread. */
void sv__emu_chunk(sv__emu *e, sv__stream *s, struct sv__chunk *c);
/* The playout (sv__playout's calls), loop thread:
 * start/stop the playhead; bring p->position_s up to now; a first frame is
 * there (video, and audio when it plays); everything was played. */
void sv__emu_set_playing(sv__emu *e, int playing);
void sv__emu_update(sv__emu *e);
int sv__emu_ready(sv__emu *e);
int sv__emu_done(sv__emu *e);

/* The session as the simulator reports it (abrsim.h): one step per video
 * media segment, in arrival order, and the totals. *steps is malloc'ed
 * (free() it); `ladder` gets the rung bitrates the ABR rule saw (kbit/s,
 * malloc'ed). Returns 0 or SV_ERR_NOMEM. */
int sv__emu_report(sv__emu *e, sv_abr_sim_step **steps, size_t *num_steps,
                   uint32_t **ladder, size_t *num_rungs, sv_abr_sim_result *result);

#endif
