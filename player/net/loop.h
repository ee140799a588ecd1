/*
 * The player's control loop: one thread runs timers, tasks posted from other
 * threads, and the transport's transfers (libcurl's multi interface in
 * production). Every timer reads the injected sv_clock, so the same loop runs
 * on a virtual clock in replay.
 *
 * Why not libuv here: libuv's timers read the OS clock, and the player must
 * run on a virtual one; libcurl's curl_multi_poll() with curl_multi_wakeup()
 * gives the same "sleep until I/O, a timer or a wakeup" with the clock under
 * our control.
 *
 * Threads: sv__loop_post() and sv__loop_stop() are callable from any thread.
 * Everything else (timers, run) belongs to the loop thread; callbacks run on
 * it.
 *
 * How the loop waits for its next timer or post:
 *  - with a transport, in its poll() (timeout: the time to the next timer on
 *    the loop's clock, at most 1 s); posts and stop call its wakeup();
 *  - without one, on a clock that moves in real time (the monotonic clock or
 *    a host's own clock), on a condition variable, re-reading the clock at
 *    least every second;
 *  - without one, on a virtual clock (sv_clock_virtual_create), in the
 *    clock's sleep_until(): the driver sees the next timer in
 *    sv_clock_virtual_next_deadline() and advances time to it; no real time
 *    passes. A post from another thread interrupts the sleep with
 *    clock->wake() (other sleepers on that clock see a spurious
 *    SV_ERR_AGAIN, which the clock contract allows).
 */
#ifndef SV_PLAYER_LOOP_H
#define SV_PLAYER_LOOP_H

#include <stdint.h>

#include "streamverse/clock.h"

typedef struct sv__loop sv__loop;
typedef struct sv__transport sv__transport;

typedef void (*sv__loop_fn)(void *arg);

/* Creates a loop reading `clock` (borrowed) and driving `transport`
 * (borrowed; may be NULL for timers and tasks only). Returns 0 or
 * SV_ERR_NOMEM. */
int sv__loop_create(sv__loop **out, const sv_clock *clock, sv__transport *transport,
                    const sv_allocator *alloc);
/* Frees the loop; pending tasks are dropped (not run), timers cancelled. */
void sv__loop_destroy(sv__loop *loop);

/* Runs until sv__loop_stop(). Returns 0, or the transport's negative code
 * when its poll() failed for good. Called on the loop thread. A stop
 * requested before the call makes it return at once; the stop is consumed,
 * so a later run goes on until the next stop. Tasks still queued stay queued
 * for that later run. */
int sv__loop_run(sv__loop *loop);
/* Makes sv__loop_run() return after the current callback (with a
 * transport: after the callbacks of the current poll()). Any thread. */
void sv__loop_stop(sv__loop *loop);

/* Queues fn(arg) to run on the loop thread, in posting order. Any thread.
 * Returns 0 or SV_ERR_NOMEM (fn is then not called). */
int sv__loop_post(sv__loop *loop, sv__loop_fn fn, void *arg);

/* One-shot timer. Returns an id > 0, or SV_ERR_NOMEM. fn runs once on the
 * loop thread when the clock reaches now + delay_s (a delay <= 0 runs it on
 * the next pass; timers due at the same time run in creation order). Loop
 * thread only. */
int64_t sv__loop_timer(sv__loop *loop, double delay_s, sv__loop_fn fn, void *arg);
/* Cancels a timer that has not fired; unknown or fired ids are ignored. */
void sv__loop_timer_cancel(sv__loop *loop, int64_t id);

/* The loop's clock, in seconds (monotonic; origin arbitrary). */
double sv__loop_now(const sv__loop *loop);
const sv_clock *sv__loop_clock(const sv__loop *loop);

#endif
