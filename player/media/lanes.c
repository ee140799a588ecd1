/*
 * Lanes: one packet queue and decode thread per track of a stream, between
 * the demux thread and the outputs (demux_internal.h).
 *
 * The queues are measured in seconds of media, not packets: the demux
 * thread reads on while any lane of the run holds less than LANE_WANT_S,
 * and waits only when every one holds at least that much. A container that
 * groups a track's samples (ffmpeg's HLS fMP4 puts a whole segment of video
 * before its audio in one fragment) is thus read through to the other
 * track's samples while that track still has some queued, and no track's
 * decoder waits on another's full queue. The byte cap bounds the memory a
 * track that never comes (declared but without samples) could make the
 * others take.
 */
#include <string.h>

#include <libavcodec/avcodec.h>

#include "player/media/demux_internal.h"

#define LANE_WANT_S 1.0
#define LANE_MAX_BYTES ((size_t)64 << 20)

typedef struct lane_q {
    sv__lanes *owner;
    int index;                 /* SV__LANE_* */
    int fed;                   /* the stream feeds this track: the lane has a thread */
    sv__thread thread;
    int thread_started;
    /* Guarded by the owner's lock: */
    int active;                /* the current run has this track */
    sv__lane_item *head, *tail;
    double seconds;            /* of the packets queued */
} lane_q;

struct sv__lanes {
    sv__stream *s;
    sv__lane_worker worker;    /* each lane thread's body */
    const sv__stream_config *cfg; /* the stream's */
    const sv_allocator *alloc;

    sv__mutex lock;            /* guards the fields below and the lanes' queues */
    sv__cond cond;             /* any change: an item in or out, a flush, quit */
    lane_q lanes[SV__LANES];
    size_t bytes;              /* of the packets queued in every lane */
    uint64_t gen;              /* the stream's generation (sv__stream_watch) */
    int quit;
    int warned_cap;            /* the byte cap was logged for this generation */
};

sv__lane_item *sv__lane_item_new(const sv_allocator *alloc, sv__lane_kind kind, uint64_t gen)
{
    sv__lane_item *it = sv__calloc(alloc, 1, sizeof(*it));
    if (!it)
        return NULL;
    it->alloc = alloc;
    it->kind = kind;
    it->gen = gen;
    return it;
}

void sv__lane_item_free(sv__lane_item *it)
{
    if (!it)
        return;
    av_packet_free(&it->pkt);
    avcodec_parameters_free(&it->run.par);
    sv__free(it->alloc, it);
}

static size_t item_bytes(const sv__lane_item *it)
{
    return it->pkt && it->pkt->size > 0 ? (size_t)it->pkt->size : 0;
}

static void drop_locked(sv__lanes *l, lane_q *ln)
{
    while (ln->head) {
        sv__lane_item *it = ln->head;
        ln->head = it->next;
        l->bytes -= item_bytes(it);
        sv__lane_item_free(it);
    }
    ln->tail = NULL;
    ln->seconds = 0;
}

/* sv__stream_watch's callback, under the stream's lock: only our lock is
 * taken here, and the stream is never called back. */
static void on_stream(void *opaque, uint64_t gen, int quit)
{
    sv__lanes *l = opaque;
    sv__mutex_lock(&l->lock);
    if (gen != l->gen) {
        for (int i = 0; i < SV__LANES; i++)
            drop_locked(l, &l->lanes[i]);
        l->gen = gen;
        l->warned_cap = 0;
    }
    if (quit)
        l->quit = 1;
    sv__cond_broadcast(&l->cond);
    sv__mutex_unlock(&l->lock);
}

static void *lane_main(void *arg)
{
    lane_q *ln = arg;
    ln->owner->worker(ln->owner, ln->index);
    return NULL;
}

static void stop_threads(sv__lanes *l)
{
    sv__mutex_lock(&l->lock);
    l->quit = 1;
    sv__cond_broadcast(&l->cond);
    sv__mutex_unlock(&l->lock);
    for (int i = 0; i < SV__LANES; i++) {
        if (l->lanes[i].thread_started)
            sv__thread_join(&l->lanes[i].thread);
        l->lanes[i].thread_started = 0;
    }
}

int sv__lanes_create(sv__lanes **out, sv__stream *s, sv__lane_worker worker)
{
    const sv__stream_config *cfg = sv__stream_cfg(s);
    int ret = SV_ERR_NOMEM;
    sv__lanes *l = sv__calloc(cfg->env->alloc, 1, sizeof(*l));
    if (!l)
        return SV_ERR_NOMEM;
    l->s = s;
    l->worker = worker;
    l->cfg = cfg;
    l->alloc = cfg->env->alloc;
    if (sv__mutex_init(&l->lock) < 0)
        goto fail_alloc;
    if (sv__cond_init(&l->cond) < 0)
        goto fail_mutex;
    sv__stream_watch(s, on_stream, l); /* sets l->gen and quit at once */
    static const char *const names[SV__LANES] = { "sv-decode-v", "sv-decode-a" };
    static const int feed[SV__LANES] = { SV__FEED_VIDEO, SV__FEED_AUDIO };
    for (int i = 0; i < SV__LANES; i++) {
        lane_q *ln = &l->lanes[i];
        ln->owner = l;
        ln->index = i;
        ln->fed = (cfg->feeds & feed[i]) != 0;
        if (!ln->fed)
            continue;
        if (sv__thread_create(&ln->thread, names[i], lane_main, ln) < 0) {
            ret = SV_ERR_INTERNAL;
            goto fail_threads;
        }
        ln->thread_started = 1;
    }
    *out = l;
    return 0;

fail_threads:
    sv__stream_watch(s, NULL, NULL);
    stop_threads(l);
    sv__cond_destroy(&l->cond);
fail_mutex:
    sv__mutex_destroy(&l->lock);
fail_alloc:
    sv__free(cfg->env->alloc, l);
    return ret;
}

void sv__lanes_destroy(sv__lanes *l)
{
    if (!l)
        return;
    sv__stream_watch(l->s, NULL, NULL);
    stop_threads(l);
    for (int i = 0; i < SV__LANES; i++)
        drop_locked(l, &l->lanes[i]);
    sv__cond_destroy(&l->cond);
    sv__mutex_destroy(&l->lock);
    sv__free(l->alloc, l);
}

void sv__lanes_active(sv__lanes *l, int lane, int active)
{
    sv__mutex_lock(&l->lock);
    l->lanes[lane].active = active;
    sv__cond_broadcast(&l->cond);
    sv__mutex_unlock(&l->lock);
}

/* The demux thread has read far enough: every lane of the run holds its
 * share, or the lanes hold their cap of bytes. */
static int full_locked(sv__lanes *l)
{
    if (l->bytes >= LANE_MAX_BYTES) {
        if (!l->warned_cap) {
            l->warned_cap = 1;
            SV_LOGW(l->cfg->env->log, "player",
                    "the demuxer's packet queues reached their cap of %zu bytes (video %.2f s, "
                    "audio %.2f s queued): one track's samples are far ahead of the other's",
                    LANE_MAX_BYTES, l->lanes[SV__LANE_VIDEO].seconds,
                    l->lanes[SV__LANE_AUDIO].seconds);
        }
        return 1;
    }
    int waited_for = 0;
    for (int i = 0; i < SV__LANES; i++) {
        const lane_q *ln = &l->lanes[i];
        if (!ln->fed || !ln->active)
            continue;
        if (ln->seconds < LANE_WANT_S)
            return 0;
        waited_for = 1;
    }
    return waited_for;
}

int sv__lanes_put(sv__lanes *l, int lane, sv__lane_item *it)
{
    lane_q *ln = &l->lanes[lane];
    sv__mutex_lock(&l->lock);
    while (it->kind == SV__LANE_PACKET && !l->quit && it->gen == l->gen && full_locked(l))
        sv__cond_wait(&l->cond, &l->lock);
    if (l->quit || it->gen != l->gen || !ln->fed) {
        sv__mutex_unlock(&l->lock);
        sv__lane_item_free(it);
        return SV_ERR_CANCELLED;
    }
    it->next = NULL;
    if (ln->tail)
        ln->tail->next = it;
    else
        ln->head = it;
    ln->tail = it;
    ln->seconds += it->seconds;
    l->bytes += item_bytes(it);
    sv__cond_broadcast(&l->cond);
    sv__mutex_unlock(&l->lock);
    return 0;
}

int sv__lanes_put_all(sv__lanes *l, sv__lane_kind kind, uint64_t gen)
{
    for (int i = 0; i < SV__LANES; i++) {
        if (!l->lanes[i].fed)
            continue;
        sv__lane_item *it = sv__lane_item_new(l->alloc, kind, gen);
        if (!it)
            return SV_ERR_NOMEM;
        int r = sv__lanes_put(l, i, it);
        if (r < 0)
            return r;
    }
    return 0;
}

sv__lane_item *sv__lanes_get(sv__lanes *l, int lane)
{
    lane_q *ln = &l->lanes[lane];
    sv__lane_item *it = NULL;
    sv__mutex_lock(&l->lock);
    while (!l->quit) {
        it = ln->head;
        if (it) {
            ln->head = it->next;
            if (!ln->head)
                ln->tail = NULL;
            ln->seconds -= it->seconds;
            if (!ln->head)
                ln->seconds = 0; /* no rounding left over in an empty queue */
            l->bytes -= item_bytes(it);
            sv__cond_broadcast(&l->cond);
            if (it->gen == l->gen)
                break;
            sv__lane_item_free(it); /* put before a flush that has not reached us */
            it = NULL;
            continue;
        }
        sv__cond_wait(&l->cond, &l->lock);
    }
    sv__mutex_unlock(&l->lock);
    return it;
}

const sv__stream_config *sv__lanes_cfg(const sv__lanes *l)
{
    return l->cfg;
}
