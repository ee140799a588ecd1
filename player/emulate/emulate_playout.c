/*
 * Playout without decoding (emulate_internal.h). The streams hand their
 * chunks here instead of to demux threads; each stream's buffered media
 * reaches the end of the last media chunk it delivered, and the playhead
 * moves with the virtual clock while the control loop says "playing",
 * stopping where the media runs out (a real output shows its last frame
 * and waits). The control loop's tick sees the buffer low and declares the
 * rebuffer exactly as it does in playback.
 *
 * The buffer, its stalls and the QoE are the playout model the simulator
 * runs too (abr/playout.h); this file feeds it the player's time and media.
 * Stalls are measured there, not from the control loop's pause: they last
 * from the instant the media ran out to the instant the playhead moves
 * again, as the simulator (abr/sim.c) counts them. The control loop pauses
 * the outputs when less than REBUFFER_LOW_S (0.1 s) is left at one of its
 * 50 ms ticks, a margin real decoders need; this output has no decoder, so
 * it plays out what it held when paused for a stall (and no more, even
 * when media arrives before the player resumes), and neither the margin
 * nor the tick's phase becomes stall time.
 *
 * The session record: one step per video media segment with the transfer
 * that brought it (the trace transport's last completed transfer: the
 * scheduler pushes a chunk from inside that transfer's callback), and each
 * stall charged to the segment whose arrival ended it, as abr/sim.c charges
 * it to the download that caused it.
 *
 * Loop thread only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "abr/playout.h"
#include "platform/alloc.h"
#include "player/emulate/emulate_internal.h"
#include "player/core/internal.h"

#define MAX_LADDER 32

typedef struct emu_stream {
    sv__stream *s;
    double end;                /* end of the last media chunk, presentation seconds */
    int has_media, eos;
} emu_stream;

struct sv__emu {
    sv__playout playout;       /* this playout as the control loop drives it */
    sv__chunk_sink sink;       /* the streams' chunks come here, not to demux threads */
    struct sv_player *p;
    const sv__transport *link;
    emu_stream st[2];
    int nb;
    /* The buffer (the least the streams hold past the playhead), stalls and
     * QoE, in seconds. The playhead moves by what the model plays. */
    sv__playout_model pm;
    double pos;                /* the playhead once started, presentation seconds */
    double last_t;             /* clock time the playhead was last brought to */
    uint32_t ladder[MAX_LADDER];
    size_t rungs;
    sv_abr_sim_step *steps;
    double *durations;         /* media seconds of each step */
    size_t nb_steps, cap_steps;
    int failed_alloc;
};

/* The sv__playout and sv__chunk_sink faces of the emulation (below). */
static void playout_set_playing(void *opaque, int playing);
static void playout_update(void *opaque);
static int playout_ready(void *opaque, int video);
static int playout_shown(void *opaque);
static int playout_done(void *opaque, int video);
static void sink_chunk(void *opaque, sv__stream *s, sv__chunk *c);

int sv__emu_create(sv__emu **out, struct sv_player *p, const sv__transport *link)
{
    sv__emu *e = sv__calloc(NULL, 1, sizeof(*e));
    if (!e)
        return SV_ERR_NOMEM;
    e->p = p;
    e->link = link;
    sv__playout_init(&e->pm, NULL, 1.0);
    e->playout = (sv__playout){ .opaque = e, .set_playing = playout_set_playing,
                                .update = playout_update, .ready = playout_ready,
                                .shown = playout_shown, .done = playout_done };
    e->sink = (sv__chunk_sink){ .opaque = e, .chunk = sink_chunk };
    *out = e;
    return 0;
}

const sv__playout *sv__emu_playout(const sv__emu *e)
{
    return &e->playout;
}

const sv__chunk_sink *sv__emu_sink(const sv__emu *e)
{
    return &e->sink;
}

void sv__emu_destroy(sv__emu *e)
{
    if (!e)
        return;
    sv__free(NULL, e->steps);
    sv__free(NULL, e->durations);
    sv__free(NULL, e);
}

static double now(const sv__emu *e)
{
    return sv__player_now(e->p);
}

static emu_stream *slot(sv__emu *e, sv__stream *s)
{
    for (int i = 0; i < e->nb; i++)
        if (e->st[i].s == s)
            return &e->st[i];
    if (e->nb == 2)
        return NULL;
    e->st[e->nb] = (emu_stream){ .s = s };
    return &e->st[e->nb++];
}

/* Where the media of every stream runs out. */
static double media_end(const sv__emu *e)
{
    double end = INFINITY;
    for (int i = 0; i < e->nb; i++)
        if (e->st[i].end < end)
            end = e->st[i].end;
    return e->nb ? end : 0;
}

static int all_eos(const sv__emu *e)
{
    for (int i = 0; i < e->nb; i++)
        if (!e->st[i].eos)
            return 0;
    return e->nb > 0;
}

static double position(const sv__emu *e)
{
    double pos;
    sv__mutex_lock(&e->p->st.lock);
    pos = e->p->st.position_s;
    sv__mutex_unlock(&e->p->st.lock);
    return pos;
}

/* The playhead runs while playing, and after the start also while paused
 * for a stall, until it reaches what it held then (the model's playable
 * media). Out of media, the last frame stays up: later media plays on from
 * there rather than jumping ahead. */
void sv__emu_update(sv__emu *e)
{
    struct sv_player *p = e->p;
    if (!e->pm.started)
        return;
    double t = now(e);
    e->pos += sv__playout_elapse(&e->pm, t - e->last_t);
    e->last_t = t;
    sv__mutex_lock(&p->st.lock);
    p->st.position_s = e->pos;
    sv__mutex_unlock(&p->st.lock);
}

/* A stall ended (the playhead moves again): it is charged to the last
 * segment, whose arrival ended it. */
static void charge(sv__emu *e, double stall)
{
    if (e->nb_steps && stall > 0)
        e->steps[e->nb_steps - 1].rebuffer_s += stall;
}

void sv__emu_set_playing(sv__emu *e, int playing)
{
    sv__emu_update(e);
    if (playing && !e->pm.started) {
        /* The start: the playhead leaves the load's position. Every pause
         * after it is a stall in an emulation (no user pauses or seeks): the
         * output plays out what it holds. */
        e->pos = position(e);
        e->last_t = now(e);
    }
    charge(e, sv__playout_set_playing(&e->pm, playing));
}

int sv__emu_ready(sv__emu *e)
{
    if (!e->nb)
        return 0;
    for (int i = 0; i < e->nb; i++)
        if (!e->st[i].has_media && !e->st[i].eos)
            return 0;
    return 1;
}

int sv__emu_done(sv__emu *e)
{
    if (!e->nb)
        return 0;
    for (int i = 0; i < e->nb; i++)
        if (!e->st[i].eos)
            return 0;
    double pos;
    sv__mutex_lock(&e->p->st.lock);
    pos = e->p->st.position_s;
    sv__mutex_unlock(&e->p->st.lock);
    return pos >= media_end(e) - 1e-9;
}

/* The ladder the scheduler hands the rule (scheduler.c choose_rep): the
 * video reps' declared bandwidths in kbit/s, made strictly ascending. */
static void capture_ladder(sv__emu *e)
{
    struct sv_player *p = e->p;
    if (e->rungs || !p->pres || p->period >= (int)p->pres->nb_periods)
        return;
    const sv__period *per = &p->pres->periods[p->period];
    for (size_t i = 0; i < per->nb_tracks; i++) {
        const sv__track *t = &per->tracks[i];
        if (t->type != SV_TRACK_VIDEO || t->index != p->video_track)
            continue;
        for (size_t k = 0; k < t->nb_reps && e->rungs < MAX_LADDER; k++) {
            uint32_t kbps = (uint32_t)(t->reps[k].bandwidth / 1000);
            if (e->rungs && kbps <= e->ladder[e->rungs - 1])
                kbps = e->ladder[e->rungs - 1] + 1;
            e->ladder[e->rungs++] = kbps ? kbps : 1;
        }
        return;
    }
}

static void record(sv__emu *e, const sv__chunk *c)
{
    if (e->nb_steps == e->cap_steps) {
        size_t cap = e->cap_steps ? e->cap_steps * 2 : 64;
        sv_abr_sim_step *st = sv__realloc(NULL, e->steps, cap * sizeof(*st));
        if (st)
            e->steps = st;
        double *d = st ? sv__realloc(NULL, e->durations, cap * sizeof(*d)) : NULL;
        if (!d) {
            e->failed_alloc = 1;
            return;
        }
        e->durations = d;
        e->cap_steps = cap;
    }
    capture_ladder(e);
    sv_abr_sim_step *s = &e->steps[e->nb_steps];
    memset(s, 0, sizeof(*s));
    e->durations[e->nb_steps] = c->duration;
    s->segment = e->nb_steps++;
    s->index = c->rep_index;
    s->bitrate_kbps = c->rep_index >= 0 && (size_t)c->rep_index < e->rungs
                          ? e->ladder[c->rep_index] : (uint32_t)(c->bitrate / 1000);
    s->bytes = c->size;
    double start = 0, end = 0;
    uint64_t bytes = 0;
    if (sv__transport_trace_last(e->link, &start, &end, &bytes) == 0 && bytes == c->size) {
        s->request_s = start;
        s->download_s = end - start;
        s->throughput_kbps = s->download_s > 0 ? (double)c->size * 8 / s->download_s / 1000 : 0;
    }
    s->estimate_kbps = sv__sched_throughput_bps(e->p) / 1000;
    s->reason = c->reason ? c->reason : "";
}

void sv__emu_chunk(sv__emu *e, sv__stream *s, sv__chunk *c)
{
    emu_stream *es = slot(e, s);
    /* Bring the playhead to now before the new media extends the buffer:
     * time spent dry must not be played back later. */
    sv__emu_update(e);
    if (es && c->eos) {
        es->eos = 1;
        if (all_eos(e))
            sv__playout_set_ended(&e->pm);
    } else if (es && !c->is_init) {
        if (s == e->p->vstream)
            record(e, c);
        double before = media_end(e), end = c->start + c->duration;
        if (!es->has_media || end > es->end)
            es->end = end;
        es->has_media = 1;
        if (!e->pm.started)
            sv__playout_preload(&e->pm, media_end(e) - position(e));
        else if (media_end(e) > before)
            /* While the player plays, this ends a stall in progress (between
             * two of its ticks): the playhead moves on from now. */
            charge(e, sv__playout_fill(&e->pm, media_end(e) - before));
        if (s == e->p->vstream && e->nb_steps)
            e->steps[e->nb_steps - 1].buffer_s = sv__playout_level_s(&e->pm);
    }
    sv__chunk_free(c);
    /* Let the control loop look now rather than at its next tick: a stall
     * ends the moment the media that ends it arrives. */
    sv__control_notify(e->p);
}

int sv__emu_report(sv__emu *e, sv_abr_sim_step **steps, size_t *num_steps, uint32_t **ladder,
                   size_t *num_rungs, sv_abr_sim_result *result)
{
    if (e->failed_alloc)
        return SV_ERR_NOMEM;
    double last_end = 0;
    for (size_t i = 0; i < e->nb_steps; i++) {
        sv_abr_sim_step *s = &e->steps[i];
        s->qoe = sv__playout_account(&e->pm, s->index, s->bitrate_kbps, s->rebuffer_s,
                                     e->durations[i]);
        if (s->request_s + s->download_s > last_end)
            last_end = s->request_s + s->download_s;
    }
    sv__playout_result(&e->pm, e->nb_steps, last_end, result);
    *ladder = NULL;
    *steps = NULL;
    if (e->rungs && !(*ladder = sv__malloc(NULL, e->rungs * sizeof(uint32_t))))
        return SV_ERR_NOMEM;
    if (e->rungs)
        memcpy(*ladder, e->ladder, e->rungs * sizeof(uint32_t));
    *num_rungs = e->rungs;
    *steps = e->steps;
    *num_steps = e->nb_steps;
    e->steps = NULL;
    e->nb_steps = e->cap_steps = 0;
    return 0;
}

/* ---- the playout and chunk sink interfaces ----------------------------------- */

static void playout_set_playing(void *opaque, int playing)
{
    sv__emu *e = opaque;
    /* The decoding outputs exist but get nothing: they only follow along. */
    sv__vout_set_playing(e->p->vout, playing);
    sv__aout_set_playing(e->p->aout, playing);
    sv__emu_set_playing(e, playing);
}

static void playout_update(void *opaque)
{
    sv__emu_update(opaque);
}

static int playout_ready(void *opaque, int video)
{
    (void)video; /* every stream counts, video or not */
    return sv__emu_ready(opaque);
}

/* The first media arrived: an emulated frame is "shown" when it is there. */
static int playout_shown(void *opaque)
{
    return sv__emu_ready(opaque);
}

static int playout_done(void *opaque, int video)
{
    (void)video;
    return sv__emu_done(opaque);
}

static void sink_chunk(void *opaque, sv__stream *s, sv__chunk *c)
{
    sv__emu_chunk(opaque, s, c);
}
