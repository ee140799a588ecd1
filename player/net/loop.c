/*
 * The control loop (loop.h): a binary min-heap of timers on the injected
 * clock, a mutex-protected FIFO of posted tasks, and one of three ways to
 * wait for the next thing to do:
 *
 *  - with a transport: its poll(), bounded by the time to the next timer;
 *    posts and stop call its wakeup() (libcurl: curl_multi_wakeup(), whose
 *    wakeup stays pending until the next poll, so none is lost);
 *  - without one, on a clock that moves in real time (the monotonic clock or
 *    a host's): the loop's own condition variable, the deadline converted to
 *    the OS monotonic scale; posts signal it under the lock;
 *  - without one, on a virtual clock (sv_clock_virtual_create): the clock's
 *    sleep_until(), because only the driver moves virtual time, and the
 *    driver sees the loop's deadline in sv_clock_virtual_next_deadline().
 *    Posts interrupt it with clock->wake(); see notify_virtual_locked() for
 *    how a wake that lands just before the sleep starts is not lost.
 */
#include <math.h>
#include <stdlib.h>

#include "platform/alloc.h"
#include "player/net/loop.h"
#include "player/net/transport.h"
#include "platform/thread.h"

/* Bounds one real-time wait so a host clock that jumps is re-read soon. */
#define MAX_REAL_WAIT_NS 1000000000LL

typedef struct timer {
    int64_t deadline_ns;
    uint64_t seq;          /* creation order: ties fire in that order */
    int64_t id;
    sv__loop_fn fn;
    void *arg;
} timer;

typedef struct task {
    sv__loop_fn fn;
    void *arg;
    struct task *next;
} task;

struct sv__loop {
    const sv_allocator *alloc;   /* the player's (borrowed), or NULL */
    const sv_clock *clock;
    sv__transport *transport;
    int virtual_clock;     /* wait in clock->sleep_until() */

    sv__mutex lock;
    sv__cond cond;         /* posts and stop (real-time wait); sleeper exits (virtual) */
    /* Guarded by lock: */
    task *head, *tail;
    int stop;
    int sleeping;          /* the loop thread is in (or entering) clock->sleep_until() */
    uint64_t sleep_exits;  /* bumped each time it leaves sleep_until() */

    /* Loop thread only: */
    timer *heap;
    size_t nb_timers, cap_timers;
    uint64_t next_seq;
    int64_t next_id;
};

/* ---- timer heap ------------------------------------------------------------ */

static int timer_before(const timer *a, const timer *b)
{
    if (a->deadline_ns != b->deadline_ns)
        return a->deadline_ns < b->deadline_ns;
    return a->seq < b->seq;
}

static void swap_timers(timer *a, timer *b)
{
    timer t = *a;
    *a = *b;
    *b = t;
}

static void sift_up(sv__loop *loop, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!timer_before(&loop->heap[i], &loop->heap[parent]))
            break;
        swap_timers(&loop->heap[i], &loop->heap[parent]);
        i = parent;
    }
}

static void sift_down(sv__loop *loop, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < loop->nb_timers && timer_before(&loop->heap[l], &loop->heap[m]))
            m = l;
        if (r < loop->nb_timers && timer_before(&loop->heap[r], &loop->heap[m]))
            m = r;
        if (m == i)
            break;
        swap_timers(&loop->heap[i], &loop->heap[m]);
        i = m;
    }
}

static void remove_timer_at(sv__loop *loop, size_t i)
{
    loop->nb_timers--;
    if (i == loop->nb_timers)
        return;
    loop->heap[i] = loop->heap[loop->nb_timers];
    sift_up(loop, i);
    sift_down(loop, i);
}

/* ---- creation ------------------------------------------------------------- */

int sv__loop_create(sv__loop **out, const sv_clock *clock, sv__transport *transport,
                    const sv_allocator *alloc)
{
    sv__loop *loop;

    if (!out || !clock || !clock->now_ns || !clock->sleep_until || !clock->wake)
        return SV_ERR_INVALID;
    if (!(loop = sv__calloc(alloc, 1, sizeof(*loop))))
        return SV_ERR_NOMEM;
    loop->alloc = alloc;
    if (sv__mutex_init(&loop->lock) < 0)
        goto fail_mutex;
    if (sv__cond_init(&loop->cond) < 0)
        goto fail_cond;
    loop->clock = clock;
    loop->transport = transport;
    /* The public API only identifies our own virtual clock; it answers
     * INT64_MIN for any other kind. */
    loop->virtual_clock = sv_clock_virtual_next_deadline((sv_clock *)clock) != INT64_MIN;
    loop->next_id = 1;
    *out = loop;
    return 0;

fail_cond:
    sv__mutex_destroy(&loop->lock);
fail_mutex:
    sv__free(loop->alloc, loop);
    return SV_ERR_NOMEM;
}

void sv__loop_destroy(sv__loop *loop)
{
    if (!loop)
        return;
    while (loop->head) {
        task *t = loop->head;
        loop->head = t->next;
        sv__free(loop->alloc, t);
    }
    sv__free(loop->alloc, loop->heap);
    sv__cond_destroy(&loop->cond);
    sv__mutex_destroy(&loop->lock);
    sv__free(loop->alloc, loop);
}

/* ---- waking the loop thread ------------------------------------------------ */

/*
 * A virtual-clock sleeper can only be interrupted by clock->wake(), and a
 * wake() issued between the loop's last look at the queue and the moment its
 * sleep_until() records the wake generation is lost. So while the loop is
 * marked sleeping, the notifier keeps waking the clock (every millisecond of
 * real time) until the loop has been seen leaving its sleep. The loop thread
 * itself never waits here: it is not sleeping when it posts.
 */
static void notify_virtual_locked(sv__loop *loop)
{
    uint64_t exits = loop->sleep_exits;

    while (loop->sleeping && loop->sleep_exits == exits) {
        sv__mutex_unlock(&loop->lock);
        loop->clock->wake(loop->clock->opaque);
        sv__mutex_lock(&loop->lock);
        if (loop->sleeping && loop->sleep_exits == exits)
            sv__cond_timedwait(&loop->cond, &loop->lock, sv__monotonic_ns() + 1000000);
    }
}

/* Called with the lock held after queueing work or setting stop; returns
 * with it released. */
static void notify_and_unlock(sv__loop *loop)
{
    if (loop->transport) {
        sv__mutex_unlock(&loop->lock);
        loop->transport->ops->wakeup(loop->transport->priv);
        return;
    }
    if (loop->virtual_clock)
        notify_virtual_locked(loop);
    else
        sv__cond_broadcast(&loop->cond);
    sv__mutex_unlock(&loop->lock);
}

void sv__loop_stop(sv__loop *loop)
{
    if (!loop)
        return;
    sv__mutex_lock(&loop->lock);
    loop->stop = 1;
    notify_and_unlock(loop);
}

int sv__loop_post(sv__loop *loop, sv__loop_fn fn, void *arg)
{
    task *t;

    if (!loop || !fn)
        return SV_ERR_INVALID;
    if (!(t = sv__malloc(loop->alloc, sizeof(*t))))
        return SV_ERR_NOMEM;
    t->fn = fn;
    t->arg = arg;
    t->next = NULL;
    sv__mutex_lock(&loop->lock);
    if (loop->tail)
        loop->tail->next = t;
    else
        loop->head = t;
    loop->tail = t;
    notify_and_unlock(loop);
    return 0;
}

/* ---- timers ---------------------------------------------------------------- */

double sv__loop_now(const sv__loop *loop)
{
    return (double)loop->clock->now_ns(loop->clock->opaque) / 1e9;
}

const sv_clock *sv__loop_clock(const sv__loop *loop)
{
    return loop->clock;
}

int64_t sv__loop_timer(sv__loop *loop, double delay_s, sv__loop_fn fn, void *arg)
{
    int64_t now, delay_ns;
    timer *t;

    if (!loop || !fn)
        return SV_ERR_INVALID;
    if (loop->nb_timers == loop->cap_timers) {
        size_t cap = loop->cap_timers ? loop->cap_timers * 2 : 16;
        timer *heap = sv__realloc(loop->alloc, loop->heap, cap * sizeof(*heap));
        if (!heap)
            return SV_ERR_NOMEM;
        loop->heap = heap;
        loop->cap_timers = cap;
    }
    /* NaN and negative delays fire at once; huge ones saturate. */
    if (!(delay_s > 0))
        delay_ns = 0;
    else if (delay_s >= 9e9)
        delay_ns = INT64_MAX / 2;
    else
        delay_ns = (int64_t)llround(delay_s * 1e9);
    now = loop->clock->now_ns(loop->clock->opaque);
    t = &loop->heap[loop->nb_timers];
    t->deadline_ns = now > INT64_MAX - delay_ns ? INT64_MAX : now + delay_ns;
    t->seq = loop->next_seq++;
    t->id = loop->next_id++;
    t->fn = fn;
    t->arg = arg;
    int64_t id = t->id;   /* t moves during the sift */
    loop->nb_timers++;
    sift_up(loop, loop->nb_timers - 1);
    return id;
}

void sv__loop_timer_cancel(sv__loop *loop, int64_t id)
{
    if (!loop || id <= 0)
        return;
    for (size_t i = 0; i < loop->nb_timers; i++) {
        if (loop->heap[i].id == id) {
            remove_timer_at(loop, i);
            return;
        }
    }
}

/* ---- running --------------------------------------------------------------- */

static int stop_requested(sv__loop *loop)
{
    sv__mutex_lock(&loop->lock);
    int stop = loop->stop;
    sv__mutex_unlock(&loop->lock);
    return stop;
}

/* Runs the timers that were due and already existed when this pass began,
 * so a callback re-arming itself with delay 0 cannot starve the rest. */
static void run_timers(sv__loop *loop)
{
    int64_t now = loop->clock->now_ns(loop->clock->opaque);
    uint64_t seq_limit = loop->next_seq;

    while (loop->nb_timers > 0) {
        timer t = loop->heap[0];
        if (t.deadline_ns > now || t.seq >= seq_limit)
            break;
        remove_timer_at(loop, 0);
        t.fn(t.arg);
        if (stop_requested(loop))
            return;
    }
}

/* Runs the tasks queued before this pass, in order. On stop, the rest stay
 * queued for the next run. */
static void run_tasks(sv__loop *loop)
{
    task *list, *last;

    sv__mutex_lock(&loop->lock);
    list = loop->head;
    last = loop->tail;
    loop->head = loop->tail = NULL;
    sv__mutex_unlock(&loop->lock);

    while (list) {
        task *t = list;
        int stop;
        list = t->next;
        t->fn(t->arg);
        sv__free(loop->alloc, t);
        sv__mutex_lock(&loop->lock);
        stop = loop->stop;
        if (stop && list) {
            /* Put the unrun remainder back in front of newer posts. */
            last->next = loop->head;
            if (!loop->head)
                loop->tail = last;
            loop->head = list;
        }
        sv__mutex_unlock(&loop->lock);
        if (stop)
            return;
    }
}

/* Deadline of the next timer on the loop's clock, INT64_MAX when none. */
static int64_t next_deadline(const sv__loop *loop)
{
    return loop->nb_timers ? loop->heap[0].deadline_ns : INT64_MAX;
}

static void wait_real_time(sv__loop *loop, int64_t deadline)
{
    int64_t now = loop->clock->now_ns(loop->clock->opaque);
    int64_t wait = deadline == INT64_MAX ? MAX_REAL_WAIT_NS : deadline - now;

    if (wait > MAX_REAL_WAIT_NS)
        wait = MAX_REAL_WAIT_NS;
    sv__mutex_lock(&loop->lock);
    if (wait > 0 && !loop->head && !loop->stop)
        sv__cond_timedwait(&loop->cond, &loop->lock, sv__monotonic_ns() + wait);
    sv__mutex_unlock(&loop->lock);
}

static void wait_virtual(sv__loop *loop, int64_t deadline)
{
    sv__mutex_lock(&loop->lock);
    if (loop->head || loop->stop) {
        sv__mutex_unlock(&loop->lock);
        return;
    }
    loop->sleeping = 1;
    sv__mutex_unlock(&loop->lock);

    loop->clock->sleep_until(loop->clock->opaque, deadline);

    sv__mutex_lock(&loop->lock);
    loop->sleeping = 0;
    loop->sleep_exits++;
    sv__cond_broadcast(&loop->cond);
    sv__mutex_unlock(&loop->lock);
}

/* Returns < 0 when the transport failed for good. */
static int wait_transport(sv__loop *loop, int64_t deadline)
{
    int64_t now = loop->clock->now_ns(loop->clock->opaque);
    int64_t timeout;
    int pending;

    sv__mutex_lock(&loop->lock);
    pending = loop->head || loop->stop;
    sv__mutex_unlock(&loop->lock);
    if (pending)
        timeout = 0;
    else if (deadline == INT64_MAX)
        timeout = MAX_REAL_WAIT_NS;
    else
        timeout = deadline > now ? deadline - now : 0;
    /* With timeout 0 the transport still runs its transfers' callbacks. */
    return loop->transport->ops->poll(loop->transport->priv, timeout);
}

int sv__loop_run(sv__loop *loop)
{
    int ret = 0;

    if (!loop)
        return SV_ERR_INVALID;
    while (!stop_requested(loop)) {
        run_timers(loop);
        if (stop_requested(loop))
            break;
        run_tasks(loop);
        if (stop_requested(loop))
            break;
        int64_t deadline = next_deadline(loop);
        if (loop->transport) {
            if ((ret = wait_transport(loop, deadline)) < 0)
                break;
        } else if (loop->virtual_clock) {
            wait_virtual(loop, deadline);
        } else {
            wait_real_time(loop, deadline);
        }
    }
    /* A later run starts afresh. */
    sv__mutex_lock(&loop->lock);
    loop->stop = 0;
    sv__mutex_unlock(&loop->lock);
    return ret;
}
