/*
 * streamverse/clock.h - the time source every Streamverse timer reads.
 *
 * All timestamps and timers inside the player come from an sv_clock. In
 * production it is a monotonic clock; in replay and tests it is a virtual
 * clock that only moves when the driver advances it, so a 10-minute network
 * trace can be replayed in well under a second, deterministically.
 *
 * A host may implement its own clock (for example one slaved to a TV's
 * presentation clock) by filling an sv_clock with its own functions.
 */
#ifndef STREAMVERSE_CLOCK_H
#define STREAMVERSE_CLOCK_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A clock. All three functions are called from any thread, possibly
 * concurrently, and must be thread-safe. A host clock starts from
 * SV_CLOCK_INIT; the player copies the members at sv_player_create().
 */
typedef struct sv_clock {
    size_t struct_size;
    /* Returns the current time in nanoseconds. Never goes backwards. The
     * origin is arbitrary: only differences matter. */
    int64_t (*now_ns)(void *opaque);
    /* Blocks the calling thread until now_ns() >= deadline_ns. Returns 0 when
     * the deadline is reached (at once if it is already past), SV_ERR_AGAIN
     * when wake() cut the sleep short, or SV_ERR_CANCELLED when the clock is
     * being destroyed. Callers re-check their own condition and sleep again. */
    int (*sleep_until)(void *opaque, int64_t deadline_ns);
    /* Makes every sleep_until() in progress on this clock return SV_ERR_AGAIN
     * now. Threads use it to interrupt a sleeper (a sink being closed). */
    void (*wake)(void *opaque);
    void *opaque;
} sv_clock;

#define SV_CLOCK_INIT SV_STRUCT_INIT(sv_clock)

/*
 * Creates a clock that reads the system's monotonic clock (CLOCK_MONOTONIC on
 * POSIX). Each object has its own sleepers, so wake() on one player's clock
 * does not disturb another's.
 *
 * On success returns 0 and stores the clock in *out, owned by the caller
 * (release with sv_clock_destroy()). Fails with SV_ERR_INVALID or
 * SV_ERR_NOMEM, leaving *out untouched.
 */
SV_API int sv_clock_monotonic_create(sv_clock **out);

/*
 * Creates a virtual clock that starts at start_ns and moves only when
 * sv_clock_virtual_advance() or sv_clock_virtual_set() is called. Threads
 * blocked in its sleep_until() wake when the time passes their deadline.
 * Ownership as for sv_clock_monotonic_create().
 */
SV_API int sv_clock_virtual_create(sv_clock **out, int64_t start_ns);

/*
 * Moves a virtual clock forward by delta_ns (>= 0) and wakes every sleeper
 * whose deadline is now reached. Returns 0, or SV_ERR_INVALID if clock is not
 * a virtual clock or delta_ns is negative. Thread-safe.
 */
SV_API int sv_clock_virtual_advance(sv_clock *clock, int64_t delta_ns);

/*
 * Sets a virtual clock to t_ns and wakes the sleepers that are due. Returns 0,
 * SV_ERR_RANGE if t_ns is earlier than the clock's time (it never goes
 * backwards), or SV_ERR_INVALID if clock is not a virtual clock.
 */
SV_API int sv_clock_virtual_set(sv_clock *clock, int64_t t_ns);

/*
 * Returns the earliest deadline among threads sleeping on a virtual clock, or
 * INT64_MAX when none sleeps; a driver uses it to jump straight to the next
 * event. Returns INT64_MIN if clock is not a virtual clock.
 */
SV_API int64_t sv_clock_virtual_next_deadline(sv_clock *clock);

/*
 * Returns how many threads sleep on a virtual clock right now (a driver waits
 * until every worker is blocked before it advances time), or SV_ERR_INVALID
 * if clock is not a virtual clock.
 */
SV_API int sv_clock_virtual_sleepers(sv_clock *clock);

/*
 * Destroys a clock made by sv_clock_monotonic_create() or
 * sv_clock_virtual_create(). Threads still sleeping on it return
 * SV_ERR_CANCELLED, and the call waits until they have left, so no sleeper
 * touches freed memory. Accepts NULL. No thread may start a new sleep on the
 * clock once this call has begun.
 */
SV_API void sv_clock_destroy(sv_clock *clock);

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_CLOCK_H */
