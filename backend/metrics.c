#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/metrics.h"
#include "platform/buf.h"
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

/* Counters of one label (result) in a few families. */
enum { FAM_STARTS, FAM_HEARTBEATS, FAM_LICENSES, FAM_NB };

static const char *const fam_name[FAM_NB] = {
    "svserver_playback_starts_total", "svserver_playback_heartbeats_total",
    "svserver_license_requests_total",
};
static const char *const fam_help[FAM_NB] = {
    "Playback starts answered, by result (ok or the refusal's code).",
    "Playback heartbeats answered, by result (ok or the refusal's code).",
    "License requests answered, by result (ok or the refusal's code).",
};

#define MAX_RESULTS 64

typedef struct result_count {
    int family;
    const char *result;
    uint64_t count;
} result_count;

struct sv__metrics {
    series s[MAX_SERIES];     /* loop thread only, like the fields up to `lock` */
    int nb;
    uint64_t overflow;        /* requests that found no free series slot */
    result_count r[MAX_RESULTS];
    int nb_r;
    sv__playback_figures_fn figures;
    void *figures_opaque;
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

static void count_result(sv__metrics *m, int family, const char *result)
{
    int i;

    for (i = 0; i < m->nb_r; i++)
        if (m->r[i].family == family && !strcmp(m->r[i].result, result))
            break;
    if (i == m->nb_r) {
        if (m->nb_r == MAX_RESULTS) {
            m->overflow++;
            return;
        }
        m->r[m->nb_r].family = family;
        m->r[m->nb_r++].result = result;
    }
    m->r[i].count++;
}

void sv__metrics_playback_start(sv__metrics *m, const char *result)
{
    count_result(m, FAM_STARTS, result);
}

void sv__metrics_playback_heartbeat(sv__metrics *m, const char *result)
{
    count_result(m, FAM_HEARTBEATS, result);
}

void sv__metrics_license(sv__metrics *m, const char *result)
{
    count_result(m, FAM_LICENSES, result);
}

void sv__metrics_playback_source(sv__metrics *m, sv__playback_figures_fn fn, void *opaque)
{
    m->figures = fn;
    m->figures_opaque = opaque;
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

char *sv__metrics_render(sv__metrics *m, const int64_t *job_counts, size_t *len)
{
    sv__buf b = { 0 };
    double ts;
    uint64_t ok, failed;

    sv__buf_printf(&b,
            "# HELP svserver_http_requests_total HTTP requests answered, by route and status.\n"
            "# TYPE svserver_http_requests_total counter\n");
    for (int i = 0; i < m->nb; i++)
        sv__buf_printf(&b, "svserver_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
            m->s[i].route, m->s[i].status, (unsigned long long)m->s[i].count);
    sv__buf_printf(&b, "# HELP svserver_http_sent_bytes_total Response body bytes sent, by route.\n"
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
            sv__buf_printf(&b, "svserver_http_sent_bytes_total{route=\"%s\"} %llu\n",
                m->s[i].route, (unsigned long long)sum);
    }
    if (job_counts) {
        sv__buf_printf(&b, "# HELP svserver_jobs Ingest jobs in the catalog, by state.\n"
                "# TYPE svserver_jobs gauge\n");
        for (int s = 0; s < SV__JOB_NB; s++)
            sv__buf_printf(&b, "svserver_jobs{state=\"%s\"} %lld\n", sv__job_state_name(s),
                (long long)job_counts[s]);
    }
    if (m->figures) {
        sv__playback_figures f;

        memset(&f, 0, sizeof(f));
        m->figures(m->figures_opaque, &f);
        sv__buf_printf(&b, "# HELP svserver_playback_sessions Live playback sessions.\n"
                "# TYPE svserver_playback_sessions gauge\n"
                "svserver_playback_sessions %lld\n"
                "# HELP svserver_playback_sessions_ended_total Playback sessions ended, by "
                "reason.\n"
                "# TYPE svserver_playback_sessions_ended_total counter\n"
                "svserver_playback_sessions_ended_total{reason=\"stopped\"} %llu\n"
                "svserver_playback_sessions_ended_total{reason=\"expired\"} %llu\n"
                "svserver_playback_sessions_ended_total{reason=\"replaced\"} %llu\n",
            (long long)f.live, (unsigned long long)f.stopped, (unsigned long long)f.expired,
            (unsigned long long)f.replaced);
    }
    for (int fam = 0; fam < FAM_NB; fam++) {
        sv__buf_printf(&b, "# HELP %s %s\n# TYPE %s counter\n", fam_name[fam], fam_help[fam],
            fam_name[fam]);
        for (int i = 0; i < m->nb_r; i++)
            if (m->r[i].family == fam)
                sv__buf_printf(&b, "%s{result=\"%s\"} %llu\n", fam_name[fam], m->r[i].result,
                    (unsigned long long)m->r[i].count);
    }
    sv__mutex_lock(&m->lock);
    ts = m->transcode_s;
    ok = m->transcodes_ok;
    failed = m->transcodes_failed;
    sv__mutex_unlock(&m->lock);
    sv__buf_printf(&b,
            "# HELP svserver_transcode_seconds_total Wall time spent in transcode jobs.\n"
            "# TYPE svserver_transcode_seconds_total counter\n"
            "svserver_transcode_seconds_total %.3f\n"
            "# HELP svserver_transcodes_total Finished transcode jobs, by result.\n"
            "# TYPE svserver_transcodes_total counter\n"
            "svserver_transcodes_total{result=\"ok\"} %llu\n"
            "svserver_transcodes_total{result=\"failed\"} %llu\n",
            ts, (unsigned long long)ok, (unsigned long long)failed);
    if (b.err) {
        sv__buf_free(&b);
        return NULL;
    }
    /* vsnprintf left a NUL after the text: callers may read it as a string. */
    return (char *)sv__buf_take(&b, len);
}
