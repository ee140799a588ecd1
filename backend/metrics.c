#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/metrics.h"
#include "platform/thread.h"
#include "streamverse/common.h"

/* Few distinct (route, status) pairs exist (tens), so a flat array with a
 * linear search beats a hash table here. */
#define MAX_SERIES 256

typedef struct series {
    const char *route;
    int status;
    uint64_t count;
    uint64_t bytes;
} series;

struct sv__metrics {
    series s[MAX_SERIES];     /* loop thread only */
    int nb;
    uint64_t overflow;        /* requests that found no free series slot */
    sv__mutex lock;           /* guards the fields below */
    double transcode_s;
    uint64_t transcodes_ok, transcodes_failed;
};

int sv__metrics_create(sv__metrics **out)
{
    sv__metrics *m = calloc(1, sizeof(*m));

    if (!m)
        return SV_ERR_NOMEM;
    if (sv__mutex_init(&m->lock) < 0) {
        free(m);
        return SV_ERR_INTERNAL;
    }
    *out = m;
    return 0;
}

void sv__metrics_destroy(sv__metrics *m)
{
    if (!m)
        return;
    sv__mutex_destroy(&m->lock);
    free(m);
}

void sv__metrics_request(sv__metrics *m, const char *route, int status, uint64_t bytes)
{
    int i;

    for (i = 0; i < m->nb; i++)
        if (m->s[i].status == status && (m->s[i].route == route || !strcmp(m->s[i].route, route)))
            break;
    if (i == m->nb) {
        if (m->nb == MAX_SERIES) {
            m->overflow++;
            return;
        }
        m->s[m->nb].route = route;
        m->s[m->nb++].status = status;
    }
    m->s[i].count++;
    m->s[i].bytes += bytes;
}

void sv__metrics_transcode(sv__metrics *m, double seconds, int ok)
{
    sv__mutex_lock(&m->lock);
    m->transcode_s += seconds;
    if (ok)
        m->transcodes_ok++;
    else
        m->transcodes_failed++;
    sv__mutex_unlock(&m->lock);
}

typedef struct buf {
    char *p;
    size_t len, cap;
    int failed;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->failed)
        return;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len)
            break;
        char *p = realloc(b->p, b->cap * 2 + (size_t)n);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = b->cap * 2 + (size_t)n;
    }
    b->len += (size_t)n;
}

char *sv__metrics_render(sv__metrics *m, const int64_t *job_counts, size_t *len)
{
    buf b = {malloc(4096), 0, 4096, 0};
    double ts;
    uint64_t ok, failed;

    if (!b.p)
        return NULL;
    put(&b, "# HELP svserver_http_requests_total HTTP requests answered, by route and status.\n"
            "# TYPE svserver_http_requests_total counter\n");
    for (int i = 0; i < m->nb; i++)
        put(&b, "svserver_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n", m->s[i].route,
            m->s[i].status, (unsigned long long)m->s[i].count);
    put(&b, "# HELP svserver_http_sent_bytes_total Response body bytes sent, by route.\n"
            "# TYPE svserver_http_sent_bytes_total counter\n");
    /* Sum the per-status series of each route. */
    for (int i = 0; i < m->nb; i++) {
        uint64_t sum = 0;
        int first = 1;

        for (int j = 0; j < m->nb; j++) {
            if (strcmp(m->s[j].route, m->s[i].route) != 0)
                continue;
            if (j < i)
                first = 0;
            sum += m->s[j].bytes;
        }
        if (first)
            put(&b, "svserver_http_sent_bytes_total{route=\"%s\"} %llu\n", m->s[i].route,
                (unsigned long long)sum);
    }
    if (job_counts) {
        put(&b, "# HELP svserver_jobs Ingest jobs in the catalog, by state.\n"
                "# TYPE svserver_jobs gauge\n");
        for (int s = 0; s < SV__JOB_NB; s++)
            put(&b, "svserver_jobs{state=\"%s\"} %lld\n", sv__job_state_name(s),
                (long long)job_counts[s]);
    }
    sv__mutex_lock(&m->lock);
    ts = m->transcode_s;
    ok = m->transcodes_ok;
    failed = m->transcodes_failed;
    sv__mutex_unlock(&m->lock);
    put(&b, "# HELP svserver_transcode_seconds_total Wall time spent in transcode jobs.\n"
            "# TYPE svserver_transcode_seconds_total counter\n"
            "svserver_transcode_seconds_total %.3f\n"
            "# HELP svserver_transcodes_total Finished transcode jobs, by result.\n"
            "# TYPE svserver_transcodes_total counter\n"
            "svserver_transcodes_total{result=\"ok\"} %llu\n"
            "svserver_transcodes_total{result=\"failed\"} %llu\n",
            ts, (unsigned long long)ok, (unsigned long long)failed);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}
