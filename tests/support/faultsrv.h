/*
 * faultsrv.h - a fault-injecting HTTP/1.1 test server, for in-process use by C tests.
 *
 * The server serves a directory over HTTP/1.1 on a loopback address (GET and
 * HEAD, single byte ranges, keep-alive) and, per URL path pattern, injects
 * faults: an error status, a first-byte delay, a drip rate, a mid-body stall,
 * a connection reset, a truncated body, or a lying Content-Length. Rules come
 * from a scenario (a JSON data file, see docs/fault-server.md) and can be
 * replaced at run time. Every request is logged as one JSON object so a test
 * can assert what its client asked for.
 *
 * Threads: sv_faultsrv_start() starts one thread per server running its own
 * libuv loop. All other functions may be called from any thread, including
 * concurrently; they synchronise with the server thread internally. There is
 * no global state: several servers can run in one process.
 *
 * Errors: functions return 0 on success or a negative SV_ERR_* code from
 * streamverse/common.h. When an `err` buffer is given, a failing call also
 * writes a one-line English explanation into it (always NUL-terminated).
 *
 * The same server runs as the sv-faultsrv command (faultsrv_main.c) and can be
 * driven over HTTP through its control endpoint under /_fault/.
 */
#ifndef SV_TESTS_FAULTSRV_H
#define SV_TESTS_FAULTSRV_H

#include <stddef.h>

#include "streamverse/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sv_faultsrv sv_faultsrv;

/*
 * How to start a server. Fill with sv_faultsrv_default_config() first, then
 * set what you need. Strings are copied by sv_faultsrv_start(); the caller
 * keeps ownership of them.
 */
typedef struct sv_faultsrv_config {
    /* Directory to serve. Overrides the scenario's "root". One of the two is
     * required. */
    const char *root;
    /* Path of a scenario file (JSON) to load rules and expectations from, or
     * NULL. A relative "root" inside it is resolved against its folder. */
    const char *scenario_path;
    /* A scenario given as a JSON string instead of a file, or NULL. A relative
     * "root" inside it is resolved against the current directory. At most one
     * of scenario_path and scenario_json may be set. */
    const char *scenario_json;
    /* Numeric loopback address to bind: an IPv4 address in 127.0.0.0/8 or
     * "::1". Anything else is refused. Default "127.0.0.1". */
    const char *host;
    /* TCP port; 0 (the default) lets the kernel pick a free one, which
     * sv_faultsrv_port() then reports. */
    int port;
    /* File the request log is also written to, one JSON object per line,
     * flushed after each line, or NULL for the in-memory log only. */
    const char *log_path;
    /* Connections open at once; more are accepted and closed at once.
     * Default 128, at most 4096. */
    int max_connections;
    /* A connection that sends nothing for this long between requests is
     * closed. Default 30000 ms. */
    int idle_timeout_ms;
} sv_faultsrv_config;

/* Fills `cfg` with the defaults described above. */
void sv_faultsrv_default_config(sv_faultsrv_config *cfg);

/*
 * Loads the scenario, binds and listens (synchronously, so a bind error is
 * reported here), then starts the server thread.
 *
 * Returns 0 and stores a new server in *out, owned by the caller who must
 * release it with sv_faultsrv_stop(). On failure returns a negative code
 * (SV_ERR_INVALID for a bad config, SV_ERR_PARSE for a bad scenario,
 * SV_ERR_IO for a missing root or log file, SV_ERR_NETWORK for a bind error),
 * leaves *out untouched and explains in `err` (may be NULL).
 */
int sv_faultsrv_start(const sv_faultsrv_config *cfg, sv_faultsrv **out,
                      char *err, size_t err_size);

/* The TCP port the server listens on. */
int sv_faultsrv_port(const sv_faultsrv *srv);

/*
 * Replaces the rules (and, when the JSON has "expect", the expectations) with
 * those in `json`: either a scenario-shaped object {"rules": [...], "expect":
 * [...]} or a bare array of rules. Hit counters start again from zero.
 * Requests already being answered keep the rule they matched. Returns 0, or
 * SV_ERR_PARSE and an explanation in `err` with the old rules still in force.
 */
int sv_faultsrv_set_rules(sv_faultsrv *srv, const char *json,
                          char *err, size_t err_size);

/*
 * Returns the request log as JSON lines (one object per line, each ending in
 * '\n'; "" when empty) in a string the caller frees with free(), or NULL when
 * out of memory. Only finished requests appear.
 *
 * This call, sv_faultsrv_log_count() and sv_faultsrv_check() first wait for
 * the server thread to finish its current loop iteration, so every response
 * a client has received in full is in the log by then. (A request whose
 * client gave up is logged when the server notices, which can be a moment
 * later: poll for it.) They block briefly and must not be called from the
 * server thread.
 */
char *sv_faultsrv_log(sv_faultsrv *srv);

/* Number of finished requests in the log. See sv_faultsrv_log(). */
size_t sv_faultsrv_log_count(sv_faultsrv *srv);

/*
 * Compares the log with the scenario's "expect" list. Returns 0 when they
 * match, SV_ERR_STATE when they differ (with the first difference in `err`),
 * or SV_ERR_NOT_FOUND when the scenario has no expectations. See
 * sv_faultsrv_log() about timing.
 */
int sv_faultsrv_check(sv_faultsrv *srv, char *err, size_t err_size);

/* Clears the log (and truncates the log file) and every rule's hit counter. */
void sv_faultsrv_reset(sv_faultsrv *srv);

/*
 * Stops the server: closes the listener and every connection (requests in
 * flight are logged with "end": "aborted", or "stalled" during a stall),
 * joins the server thread and frees everything. Accepts NULL. Must not be
 * called from the server thread.
 */
void sv_faultsrv_stop(sv_faultsrv *srv);

#ifdef __cplusplus
}
#endif

#endif /* SV_TESTS_FAULTSRV_H */
