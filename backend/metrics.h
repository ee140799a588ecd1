/*
 * Prometheus counters of svserver, rendered in the text exposition format
 * (version 0.0.4) by GET /metrics:
 *   svserver_http_requests_total{route,status}    counter
 *   svserver_http_sent_bytes_total{route}          counter (body bytes)
 *   svserver_jobs{state}                           gauge (from the catalog)
 *   svserver_transcode_seconds_total               counter
 *   svserver_transcodes_total{result}              counter
 *
 * Threads: sv__metrics_request() and _render() run on the loop thread;
 * sv__metrics_transcode() on workers; a mutex guards the transcode fields.
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

/* The exposition text (caller frees), with job gauges from `job_counts`
 * (NULL when the catalog could not be read). NULL on allocation failure. */
char *sv__metrics_render(sv__metrics *m, const int64_t *job_counts, size_t *len);

#endif
