/*
 * svserver: the HTTP API, media serving and the ingest worker pool on one
 * libuv loop (apps/svserver is the command line around it).
 *
 * Threads: sv__server_run() runs the loop on the calling thread until
 * SIGINT or SIGTERM; it then stops accepting, closes idle keep-alive
 * connections, lets in-flight answers and uploads finish (bounded by the
 * drain timeout), cancels running transcodes (they are queued again for the
 * next start) and returns. SIGHUP reloads the settings (see
 * sv__server_set_reload).
 *
 * Data folder: catalog.db, media/, staging/, uploads/, and token-secret
 * (mode 0600, made at the first start without a token-secret setting, so
 * tokens survive restarts). At start, uploads/ files that no queued or
 * running job reads and staging/ folders of dead processes are removed.
 */
#ifndef SV_BACKEND_SERVER_H
#define SV_BACKEND_SERVER_H

#include <stddef.h>

#include "backend/config.h"
#include "platform/log.h"

/* The struct behind svserver/svserver.h's opaque sv_server. */
typedef struct sv_server sv__server;

/* Prepares the data folder, opens the catalog, recovers interrupted jobs,
 * starts the workers and listens. `cfg` and `log` must outlive the server.
 * Prints "listening on http://HOST:PORT" on stdout once ready.
 * Returns 0 or a negative code (logged): SV_ERR_INVALID when the catalog
 * cannot be opened (a wrong or unreachable db, a newer schema). */
int sv__server_create(const sv__config *cfg, const sv__logger *log, sv__server **out);

/*
 * Where SIGHUP gets fresh settings: fills *out the same way the process
 * made its first ones (defaults, the config file, the environment, the
 * command line). Returns 0, or < 0 with a message in err (the reload is then
 * refused and the current settings stay). Called on the loop thread.
 */
typedef int (*sv__server_reload_fn)(void *opaque, sv__config *out, char *err, size_t errlen);

/*
 * Makes SIGHUP reload the settings from `fn` without dropping connections.
 * Applied at once: log-level (the ingest workers keep the level they
 * started with), token-secret (the previous secret still
 * verifies tokens for login-ttl seconds, so issued tokens survive the
 * rotation), media-auth, edge-secret, drm, the size and time limits, the
 * API rate, the token TTLs. Settings read only at start (listen, data,
 * workers, ladder, preset, segment-seconds, master-key, cdns,
 * heartbeat-interval, steering-ttl, max-connections, max-attempts) keep
 * their value, with a log line saying they need a restart. Without a
 * source, SIGHUP is logged and ignored. Call before sv__server_run().
 */
void sv__server_set_reload(sv__server *srv, sv__server_reload_fn fn, void *opaque);

/* Runs until a signal drained it. Returns 0. */
int sv__server_run(sv__server *srv);

void sv__server_destroy(sv__server *srv);

/* A log callback writing one line per message to stderr: text
 * ("2024-05-01T12:00:00.123Z info http: ...") or, with opaque pointing to a
 * non-zero int, JSON lines {"ts","level","module","msg"}. Thread-safe. */
void sv__log_to_stderr(void *opaque, sv_log_level level, const char *module, const char *msg);

#endif
