/*
 * A log-flood guard in front of a log callback: at most `lines_per_s` lines
 * a second (a token bucket with a one-second burst) reach the callback;
 * the others are counted, and the next line that passes is preceded by one
 * "N log lines suppressed" line. Debug and trace lines (access lines, asked
 * for explicitly) are never held back.
 *
 * Threads: sv__log_guard_cb may be called from any thread (a mutex guards
 * the bucket); the inner callback must be thread-safe too.
 *
 * Time: the OS monotonic clock, or the sv_clock given to
 * sv__log_guard_set_clock (a virtual clock in tests, so that how fast the
 * machine runs the test changes nothing).
 */
#ifndef SV_BACKEND_LOG_GUARD_H
#define SV_BACKEND_LOG_GUARD_H

#include <stdint.h>

#include "platform/log.h"
#include "platform/thread.h"
#include "streamverse/clock.h"

typedef struct sv__log_guard {
    sv_log_fn inner;
    void *inner_opaque;
    sv_clock *clock;       /* borrowed; NULL: the OS monotonic clock */
    sv__mutex lock;        /* guards the fields below */
    double lines_per_s;    /* 0: no limit */
    double tokens;
    uint64_t last_ns;
    uint64_t suppressed;
} sv__log_guard;

void sv__log_guard_init(sv__log_guard *g, sv_log_fn inner, void *inner_opaque,
                        double lines_per_s);
/* Changes the limit (a config reload); thread-safe. */
void sv__log_guard_set_rate(sv__log_guard *g, double lines_per_s);
/* Measures time on `clock` (borrowed: it must outlive the guard) instead of
 * the OS monotonic clock; call before the first line is logged. */
void sv__log_guard_set_clock(sv__log_guard *g, sv_clock *clock);
void sv__log_guard_fini(sv__log_guard *g);

/* The sv_log_fn to install, with the guard as opaque. */
void sv__log_guard_cb(void *guard, sv_log_level level, const char *module, const char *msg);

#endif
