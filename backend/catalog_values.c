/*
 * catalog_values.c - the values both catalog back ends write and read the
 * same way: the clock, ISO 8601 dates, job state names, a live title's
 * manifests and a ladder's stored text (declared in catalog_internal.h and
 * catalog.h). A bottom file: it calls nothing else of backend/ but the
 * media library's ladder report, so the back ends (catalog_pg*.c,
 * catalog_sqlite*.c) and channels.c call down into it, never back up into
 * catalog.c, which opens them (docs/architecture.md).
 *
 * Threads: every function is pure or reads the clock; any thread.
 */
#include <stdio.h>
#include <time.h>

#include "backend/catalog_internal.h"

const char *sv__job_state_name(int state)
{
    static const char *const names[] = {"queued", "running", "done", "failed"};

    return state >= 0 && state < SV__JOB_NB ? names[state] : "unknown";
}

int64_t sv__cat_now(void)
{
    return (int64_t)time(NULL);
}

void sv__cat_iso8601(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void sv__cat_live_manifests(json_t *t, const char *channel)
{
    char hls[96], dash[96];

    snprintf(hls, sizeof(hls), "/live/%s/master.m3u8", channel);
    snprintf(dash, sizeof(dash), "/live/%s/manifest.mpd", channel);
    json_object_set_new(t, "channel", json_string(channel));
    json_object_set_new(t, "manifests", json_pack("{s:s,s:s}", "hls", hls, "dash", dash));
}

char *sv__cat_ladder_text(const sv__media_result *res)
{
#ifdef SV_HAVE_MEDIA
    json_t *j = res->per_title ? sv__ladder_report_json(&res->ladder) : NULL;
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;

    json_decref(j);
    return text;
#else
    (void)res;
    return NULL;
#endif
}
