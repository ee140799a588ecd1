/*
 * Prometheus counters of svserver, rendered in the text exposition format
 * (version 0.0.4) by GET /metrics:
 *   svserver_http_requests_total{route,status}    counter
 *   svserver_http_sent_bytes_total{route}          counter (body bytes)
 *   svserver_jobs{state}                           gauge (from the catalog)
 *   svserver_transcode_seconds_total               counter
 *   svserver_transcodes_total{result}              counter
 *   svserver_playback_sessions                     gauge (live sessions)
 *   svserver_playback_sessions_ended_total{reason} counter (stopped, expired,
 *                                                  replaced)
 *   svserver_playback_starts_total{result}         counter ("ok" or the
 *                                                  refusal's error code)
 *   svserver_playback_heartbeats_total{result}     counter (same)
 *   svserver_license_requests_total{result}        counter (same)
 *
 * The playback gauge and the ended counters are read from the session
 * table when /metrics is rendered (sv__metrics_playback_source); they are
 * left out until a source is set.
 *
 * Threads: sv__metrics_request(), the playback and license counters, the
 * source and _render() run on the loop thread; sv__metrics_transcode() on
 * workers; a mutex guards the transcode fields.
 */
#ifndef SV_BACKEND_METRICS_H
#define SV_BACKEND_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "backend/catalog.h"

typedef struct sv__metrics sv__metrics;

int sv__metrics_create(sv__metrics **out);
void sv__metrics_destroy(sv__metrics *m);

/* One answered request. `route` is a static string (the route's name). */
void sv__metrics_request(sv__metrics *m, const char *route, int status, uint64_t bytes);

/* One finished transcode (ok: 1 success, 0 failure) and its wall time. */
void sv__metrics_transcode(sv__metrics *m, double seconds, int ok);

/* One answered playback/start, heartbeat or license request: `result` is
 * "ok" or the error code of the refusal, a static string. */
void sv__metrics_playback_start(sv__metrics *m, const char *result);
void sv__metrics_playback_heartbeat(sv__metrics *m, const char *result);
void sv__metrics_license(sv__metrics *m, const char *result);

/* Live playback figures, read at render time. */
typedef struct sv__playback_figures {
    int64_t live;                         /* sessions alive now */
    uint64_t stopped, expired, replaced;  /* sessions ended since the process started */
} sv__playback_figures;

typedef void (*sv__playback_figures_fn)(void *opaque, sv__playback_figures *out);

/* Sets where the live figures come from (fn(opaque) is called by
 * _render; opaque outlives m or the source is set again). Setting the same
 * source again is a no-op. */
void sv__metrics_playback_source(sv__metrics *m, sv__playback_figures_fn fn, void *opaque);

/* The exposition text (caller frees), with job gauges from `job_counts`
 * (NULL when the catalog could not be read). NULL on allocation failure. */
char *sv__metrics_render(sv__metrics *m, const int64_t *job_counts, size_t *len);

#endif
