/*
 * faultsrv_internal.h - the contract between the fault server's files.
 *
 *   faultsrv.c          server lifecycle: config, bind, thread, stop, public API
 *   faultsrv_serve.c    the HTTP layer's callbacks: routing, plain answers, the log
 *   faultsrv_respond.c  one answer under a rule, pumped out with its faults
 *   faultsrv_control.c  the /_fault/ control endpoint
 *
 * Connections (accepting, parsing, keep-alive, limits, timeouts) are
 * svserver's HTTP layer (backend/http.h) on the server's own loop: plain
 * answers are its sv__http_send*(), an answer under a rule is one of its
 * streamed answers (sv__http_stream_*()), which give the byte-level control
 * the faults need.
 *   faultsrv_rules.c    scenario parsing (jansson) and rule matching
 *   faultsrv_files.c    path resolution, Range header, Content-Type
 *   faultsrv_log.c      the request log and the expectation check
 */
#ifndef SV_TESTS_FAULTSRV_INTERNAL_H
#define SV_TESTS_FAULTSRV_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <uv.h>

#include "backend/http.h"
#include "faultsrv.h"
#include "platform/log.h"

/* Limits. Everything a peer or a scenario can grow is bounded. */
#define SV__FAULT_MAX_HEAD        (16 * 1024) /* request line + headers, else 431 */
#define SV__FAULT_MAX_REQ_BODY    (1024 * 1024) /* request body, else 413 */
#define SV__FAULT_MAX_SCENARIO    (1024 * 1024) /* scenario file size */
#define SV__FAULT_MAX_RULES       256
#define SV__FAULT_MAX_RULE_BODY   (64 * 1024)
#define SV__FAULT_MAX_RULE_HDRS   16
#define SV__FAULT_MAX_EXPECT      4096
#define SV__FAULT_MAX_LOG         10000 /* in-memory entries; older ones are dropped */
#define SV__FAULT_MAX_CONNS       4096
#define SV__FAULT_MAX_RANGE       127 /* longest Range header value kept (backend/http.h) */
#define SV__FAULT_CHUNK           (64 * 1024) /* largest single body write */

#if defined(__GNUC__) || defined(__clang__)
#define SV__FAULT_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define SV__FAULT_PRINTF(fmt, args)
#endif

/* Formats a message into `err` (when not NULL), always NUL-terminated. */
void sv__fault_set_err(char *err, size_t err_size, const char *fmt, ...) SV__FAULT_PRINTF(3, 4);

/* ---- rules (faultsrv_rules.c) ------------------------------------------ */

typedef struct sv__fault_header {
    char *name;
    char *value;
} sv__fault_header;

/* How a rule lies about Content-Length. */
typedef enum sv__fault_cl_mode {
    SV__FAULT_CL_TRUE = 0, /* tell the truth */
    SV__FAULT_CL_DELTA,    /* advertise the real length plus cl_arg (may be negative) */
    SV__FAULT_CL_VALUE     /* advertise cl_arg */
} sv__fault_cl_mode;

/*
 * One rule. Byte counts refer to body bytes; -1 means "not set". Immutable
 * once parsed, except `hits`, which the server lock guards.
 */
typedef struct sv__fault_rule {
    char *name;            /* "name", or the pattern when none was given */
    char *match;           /* fnmatch() glob on the decoded URL path */
    char *method;          /* only this method, or NULL for any */
    long long times;       /* fires for the first `times` matches; -1 = always */
    long long hits;        /* matches so far (guarded by the server lock) */
    int status;            /* answer this status instead of the file; 0 = serve the file */
    char *body;            /* body for `status` (NULL: a default one-line body) */
    size_t body_len;
    sv__fault_header *headers; /* extra response headers */
    size_t n_headers;
    long long delay_ms;    /* before the first byte of the response */
    long long rate;        /* body bytes per second; 0 = as fast as possible */
    long long stall_after; /* stop sending after this many body bytes... */
    long long stall_ms;    /* ...for this long; -1 = until the client goes */
    long long reset_after; /* send RST after this many body bytes */
    long long truncate_after; /* close cleanly after this many body bytes */
    sv__fault_cl_mode cl_mode;
    long long cl_arg;
} sv__fault_rule;

/*
 * A rule set. Reference counted so that a request that matched a rule keeps
 * it alive while rules are replaced; `refs` is guarded by the server lock
 * (or owned by one thread before the set is published).
 */
typedef struct sv__fault_rules {
    int refs;
    size_t n;
    sv__fault_rule *v;
} sv__fault_rules;

typedef struct sv__fault_scenario {
    char *root;             /* absolute or relative to the cwd; NULL when absent */
    sv__fault_rules *rules; /* never NULL (may be empty); one reference */
    json_t *expect;         /* array of expected log fields, or NULL */
} sv__fault_scenario;

/*
 * Parses a scenario from `len` bytes of JSON. A relative "root" is joined to
 * `base_dir` (may be NULL). With `runtime` set, the input may also be a bare
 * array of rules and must not contain "root" (as for PUT /_fault/rules).
 * Returns 0 and a new scenario in *out, or SV_ERR_PARSE / SV_ERR_NOMEM with a
 * message in `err`. Does no I/O.
 */
int sv__fault_scenario_parse(const char *data, size_t len, const char *base_dir,
                             int runtime, sv__fault_scenario **out,
                             char *err, size_t err_size);

/* Reads and parses a scenario file; messages name the file. */
int sv__fault_scenario_load(const char *path, sv__fault_scenario **out,
                            char *err, size_t err_size);

void sv__fault_scenario_free(sv__fault_scenario *sc);

sv__fault_rules *sv__fault_rules_ref(sv__fault_rules *rules);
void sv__fault_rules_unref(sv__fault_rules *rules);

/*
 * Returns the first rule that matches `method` and the decoded `path` and has
 * not used up its `times`, counting the hit; NULL when none fires. The caller
 * holds the lock guarding `hits`.
 */
sv__fault_rule *sv__fault_rules_match_locked(sv__fault_rules *rules,
                                             const char *method, const char *path);

void sv__fault_rules_reset_hits_locked(sv__fault_rules *rules);

/* ---- files (faultsrv_files.c) ------------------------------------------- */

/*
 * Percent-decodes the URL path `raw` (length `len`) into `out` and checks it
 * stays inside the served root: it must start with '/', contain no NUL and no
 * "." or ".." segment. Returns 0, or SV_ERR_NOT_FOUND for a path to refuse,
 * or SV_ERR_OVERFLOW when it does not fit in `out_size`.
 */
int sv__fault_decode_path(const char *raw, size_t len, char *out, size_t out_size);

/*
 * Opens the regular file at the decoded `path` under `root` (a realpath),
 * refusing anything whose real path leaves the root (symlinks included).
 * Returns 0 with an open descriptor and its size, or SV_ERR_NOT_FOUND.
 */
int sv__fault_open_file(const char *root, const char *path, int *fd, uint64_t *size);

/* Result of sv__fault_parse_range(). */
typedef enum sv__fault_range_result {
    SV__FAULT_RANGE_NONE = 0,       /* no usable Range: send the whole file (200) */
    SV__FAULT_RANGE_OK,             /* send [first, last] (206) */
    SV__FAULT_RANGE_UNSATISFIABLE   /* 416 */
} sv__fault_range_result;

/*
 * Interprets a Range header value ("bytes=a-b", "bytes=a-", "bytes=-n")
 * against a file of `size` bytes. Malformed values and multiple ranges are
 * ignored (RANGE_NONE), as RFC 9110 allows.
 */
sv__fault_range_result sv__fault_parse_range(const char *value, uint64_t size,
                                             uint64_t *first, uint64_t *last);

/* Content-Type for a path, from its extension; never NULL. */
const char *sv__fault_content_type(const char *path);

/* What a GET or HEAD of a file gets: 200 or 206 with the open file (fd,
 * bytes off..off+len-1 of size), 404 or 416 (fd -1). */
typedef struct sv__fault_file {
    int status;
    int fd;
    uint64_t off, len, size;
    const char *content_type;
} sv__fault_file;

/* Resolves `decoded` under `root` with the request's Range value (NULL:
 * none). Never fails: a missing file is a 404. */
void sv__fault_file_open(const char *root, const char *decoded, const char *range,
                         sv__fault_file *f);

/* Adds the headers that go with a file answer (Accept-Ranges,
 * Content-Range) to req. */
void sv__fault_file_headers(sv__http_req *req, const sv__fault_file *f);

/* The reason phrase for a status ("Unknown" when there is none). */
const char *sv__fault_reason(int status);

/* ---- log (faultsrv_log.c) ------------------------------------------------ */

/* How a response ended, as logged. */
typedef enum sv__fault_end {
    SV__FAULT_END_COMPLETE = 0,
    SV__FAULT_END_RESET,
    SV__FAULT_END_TRUNCATED,
    SV__FAULT_END_STALLED,
    SV__FAULT_END_CLIENT_CLOSED,
    SV__FAULT_END_ABORTED
} sv__fault_end;

const char *sv__fault_end_name(sv__fault_end end);

/* One finished request. Strings may be NULL (logged as null). */
typedef struct sv__fault_record {
    uint64_t t_ms;       /* request start, ms since the server started */
    uint64_t dur_ms;     /* from request start to the end of the response */
    uint64_t conn;       /* connection number, from 1 */
    const char *method;
    const char *path;    /* raw URL path, as the client sent it */
    const char *query;
    const char *range;
    int status;
    uint64_t bytes;      /* body bytes actually written */
    const char *rule;
    sv__fault_end end;
} sv__fault_record;

typedef struct sv__fault_log {
    json_t **v;          /* entries, oldest first */
    size_t n;
    size_t cap;
    size_t dropped;      /* entries dropped to stay under SV__FAULT_MAX_LOG */
    FILE *file;          /* mirror of the log, or NULL */
} sv__fault_log;

int sv__fault_log_open(sv__fault_log *log, const char *path, char *err, size_t err_size);
void sv__fault_log_close(sv__fault_log *log);
/* Appends a record to the memory log and the file. Returns 0 or SV_ERR_NOMEM. */
int sv__fault_log_append(sv__fault_log *log, const sv__fault_record *rec);
/* JSON lines of every entry, malloc'ed; NULL when out of memory. */
char *sv__fault_log_dump(const sv__fault_log *log);
void sv__fault_log_clear(sv__fault_log *log);
/* See sv_faultsrv_check(). */
int sv__fault_log_check(const sv__fault_log *log, const json_t *expect,
                        char *err, size_t err_size);

/* ---- server (faultsrv.c) ------------------------------------------------ */

struct sv_faultsrv {
    /* Owned by the server thread once it runs (set up before it starts). */
    uv_loop_t loop;
    sv__http_server *http;   /* the connections (backend/http.h) */
    sv__logger http_log;     /* the layer's messages: to stderr, or into listen_err */
    char listen_err[256];    /* the layer's last error while starting */
    int starting;
    uv_async_t stop_async;
    uv_async_t sync_async;   /* see sync_with_loop() in faultsrv.c */
    int asyncs_open;         /* both async handles are initialised */
    uv_thread_t thread;
    char *root;              /* realpath of the served folder */
    int port;
    uint64_t start_ns;       /* uv_hrtime() at start */
    int stopping;

    /* `lock` guards everything below: other threads reach these through the
     * public API while the server thread matches rules and logs. */
    uv_mutex_t lock;
    uv_cond_t synced;        /* signalled when sync_done catches up */
    uint64_t sync_asked;
    uint64_t sync_done;
    sv__fault_rules *rules;
    json_t *expect;
    sv__fault_log log;
};

/* Milliseconds since the server started. */
uint64_t sv__fault_now_ms(const sv_faultsrv *srv);

/* Replaces rules (and expectations when present); see sv_faultsrv_set_rules. */
int sv__fault_set_rules(sv_faultsrv *srv, const char *json, size_t len,
                        char *err, size_t err_size);

/* Appends one record to the log (takes the lock). */
void sv__fault_log_record(sv_faultsrv *srv, const sv__fault_record *rec);

/* ---- serving (faultsrv_serve.c) ------------------------------------------ */

/* The HTTP layer's callbacks for this server (opaque: srv). */
void sv__fault_callbacks(sv_faultsrv *srv, sv__http_callbacks *cb);

/* ---- answers under a rule (faultsrv_respond.c) --------------------------- */

/* What the log says of a request, taken when it is routed; the strings are
 * the caller's until sv__fault_respond() copies them. */
typedef struct sv__fault_req_info {
    const char *method;
    const char *path;        /* raw, as sent */
    const char *query;       /* raw, or NULL */
    const char *range;       /* the Range header, or NULL */
    const char *decoded;     /* the decoded path */
} sv__fault_req_info;

/*
 * Answers `req` (from on_request) under `rule`, which fired in `rules` (the
 * answer takes its own reference): the rule's status or the file, with its
 * faults, as a streamed answer. Logs the request when the answer ends.
 */
void sv__fault_respond(sv_faultsrv *srv, sv__http_req *req, sv__fault_rules *rules,
                       const sv__fault_rule *rule, const sv__fault_req_info *info);

/* ---- control endpoint (faultsrv_control.c) ------------------------------- */

/* A complete in-memory answer. `body` is malloc'ed and owned by the holder. */
typedef struct sv__fault_reply {
    int status;
    const char *content_type;
    char *body;
    size_t body_len;
} sv__fault_reply;

/*
 * Answers a request for `path` (decoded, starting with "/_fault/"). Always
 * fills `reply` (with a 500 when out of memory, body then NULL).
 */
void sv__fault_control(sv_faultsrv *srv, const char *method, const char *path,
                       const char *body, size_t body_len, sv__fault_reply *reply);

#endif /* SV_TESTS_FAULTSRV_INTERNAL_H */
