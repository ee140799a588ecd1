/*
 * svserver: the HTTP API, media serving and the ingest worker pool on one
 * libuv loop (apps/svserver is the command line around it).
 *
 * Threads: sv__server_run() runs the loop on the calling thread until
 * SIGINT or SIGTERM; it then stops accepting, lets in-flight answers finish
 * (bounded by the drain timeout), cancels running transcodes (they are
 * queued again for the next start) and returns.
 */
#ifndef SV_BACKEND_SERVER_H
#define SV_BACKEND_SERVER_H

#include "backend/config.h"
#include "platform/log.h"

typedef struct sv__server sv__server;

/* Prepares the data folder, opens the catalog, recovers interrupted jobs,
 * starts the workers and listens. `cfg` and `log` must outlive the server.
 * Prints "listening on http://HOST:PORT" on stdout once ready.
 * Returns 0 or a negative code (logged). */
int sv__server_create(const sv__config *cfg, const sv__logger *log, sv__server **out);

/* Runs until a signal drained it. Returns 0. */
int sv__server_run(sv__server *srv);

void sv__server_destroy(sv__server *srv);

/* A log callback writing one line per message to stderr: text
 * ("2024-05-01T12:00:00.123Z info http: ...") or, with opaque pointing to a
 * non-zero int, JSON lines {"ts","level","module","msg"}. Thread-safe. */
void sv__log_to_stderr(void *opaque, sv_log_level level, const char *module, const char *msg);

#endif
