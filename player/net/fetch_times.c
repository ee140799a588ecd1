/*
 * The segment fetch time histogram (fetch_times.h). Two widths of bin keep
 * it small (3900 counters) while fetches on loopback, a few milliseconds,
 * are still told apart.
 */
#include <math.h>

#include "platform/alloc.h"
#include "player/net/fetch_times.h"

#define FINE_S 0.001     /* bin width below FINE_END_S */
#define FINE_END_S 1.0
#define COARSE_S 0.01    /* bin width from FINE_END_S to END_S */
#define END_S 30.0
#define FINE_BINS 1000   /* FINE_END_S / FINE_S */
#define NUM_BINS (FINE_BINS + 2900) /* + (END_S - FINE_END_S) / COARSE_S */

void sv__fetch_times_init(sv__fetch_times *t, const sv_allocator *alloc)
{
    t->alloc = alloc;
    t->bins = NULL;
    t->count = 0;
    t->p50_s = t->p95_s = -1;
}

static int bin_of(double s)
{
    if (!(s > 0))
        return 0;
    if (s < FINE_END_S)
        return (int)(s / FINE_S);
    if (s >= END_S)
        return NUM_BINS - 1;
    int b = FINE_BINS + (int)((s - FINE_END_S) / COARSE_S);
    return b < NUM_BINS ? b : NUM_BINS - 1;
}

static double middle_of(int b)
{
    if (b < FINE_BINS)
        return (b + 0.5) * FINE_S;
    return FINE_END_S + (b - FINE_BINS + 0.5) * COARSE_S;
}

/* The duration under which a share `q` of the samples lie. */
static double percentile(const sv__fetch_times *t, double q)
{
    int64_t want = (int64_t)ceil(q * (double)t->count), seen = 0;

    if (want < 1)
        want = 1;
    for (int b = 0; b < NUM_BINS; b++) {
        seen += t->bins[b];
        if (seen >= want)
            return middle_of(b);
    }
    return middle_of(NUM_BINS - 1);
}

int sv__fetch_times_add(sv__fetch_times *t, double seconds)
{
    if (!t->bins && !(t->bins = sv__calloc(t->alloc, NUM_BINS, sizeof(*t->bins))))
        return SV_ERR_NOMEM;
    t->bins[bin_of(seconds)]++;
    t->count++;
    t->p50_s = percentile(t, 0.5);
    t->p95_s = percentile(t, 0.95);
    return 0;
}

void sv__fetch_times_free(sv__fetch_times *t)
{
    sv__free(t->alloc, t->bins);
    t->bins = NULL;
    t->count = 0;
    t->p50_s = t->p95_s = -1;
}
