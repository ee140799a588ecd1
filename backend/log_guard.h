/*
 * A log-flood guard in front of a log callback: at most `lines_per_s` lines
 * a second (a token bucket with a one-second burst) reach the callback;
 * the others are counted, and the next line that passes is preceded by one
 * "N log lines suppressed" line. Debug and trace lines (access lines, asked
 * for explicitly) are never held back.
 *
 * Threads: sv__log_guard_cb may be called from any thread (a mutex guards
 * the bucket); the inner callback must be thread-safe too.
 */
#ifndef SV_BACKEND_LOG_GUARD_H
#define SV_BACKEND_LOG_GUARD_H

#include <pthread.h>
#include <stdint.h>

#include "platform/log.h"

typedef struct sv__log_guard {
    sv_log_fn inner;
    void *inner_opaque;
    pthread_mutex_t lock;  /* guards the fields below */
    double lines_per_s;    /* 0: no limit */
    double tokens;
    uint64_t last_ns;
    uint64_t suppressed;
} sv__log_guard;

void sv__log_guard_init(sv__log_guard *g, sv_log_fn inner, void *inner_opaque,
                        double lines_per_s);
/* Changes the limit (a config reload); thread-safe. */
void sv__log_guard_set_rate(sv__log_guard *g, double lines_per_s);
void sv__log_guard_fini(sv__log_guard *g);

/* The sv_log_fn to install, with the guard as opaque. */
void sv__log_guard_cb(void *guard, sv_log_level level, const char *module, const char *msg);

#endif
