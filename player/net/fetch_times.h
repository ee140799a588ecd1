/*
 * How long segment fetches took: a histogram of durations from which the
 * fetcher's stats give the median and the 95th percentile. Bins are 1 ms
 * wide up to 1 s and 10 ms wide up to 30 s; longer fetches count in the
 * last bin. Percentiles are the middle of their bin.
 *
 * Threads: the owner's (the fetcher's loop thread); no locks.
 */
#ifndef SV_PLAYER_FETCH_TIMES_H
#define SV_PLAYER_FETCH_TIMES_H

#include <stdint.h>

#include "streamverse/common.h"

typedef struct sv__fetch_times {
    const sv_allocator *alloc;  /* borrowed */
    uint32_t *bins;             /* NULL until the first sample */
    int64_t count;
    double p50_s, p95_s;        /* of every sample so far; -1 before one */
} sv__fetch_times;

void sv__fetch_times_init(sv__fetch_times *t, const sv_allocator *alloc);
/* Counts one duration (seconds, < 0 taken as 0) and updates p50_s and p95_s.
 * Returns 0, or SV_ERR_NOMEM when the bins could not be allocated (the
 * sample is then not counted). */
int sv__fetch_times_add(sv__fetch_times *t, double seconds);
void sv__fetch_times_free(sv__fetch_times *t);

#endif
