/*
 * svserver's HTTP/1.1 connection layer: a listening socket and its
 * connections on one libuv loop, requests parsed by http-parser.
 *
 * Connections are plain non-blocking sockets watched with uv_poll, not
 * uv_tcp streams, so that file bodies go out with sendfile(2) straight from
 * the page cache to the socket on the loop thread (zero copy), the way nginx
 * does it; libuv's uv_fs_sendfile would bounce every chunk through the
 * thread pool.
 *
 * Per connection: keep-alive and pipelining (one request at a time; bytes of
 * the next request wait in the input buffer until the response is out), a
 * request-head size limit (431), a body size limit (413), a timeout for a
 * request head that trickles in (408) and for idle keep-alive connections,
 * and a graceful drain for shutdown.
 *
 * Answers are either whole (sv__http_send*(): the layer writes head and
 * body) or streamed (sv__http_stream_*(): the application writes the body
 * at its own pace and may end it early or abruptly), which is what a body
 * made as it goes, or a test server's faults (tests/support/faultsrv*),
 * need.
 *
 * Threads: everything here runs on the loop thread; no locks.
 */
#ifndef SV_BACKEND_HTTP_H
#define SV_BACKEND_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "platform/log.h"

typedef struct sv__http_server sv__http_server;
typedef struct sv__http_conn sv__http_conn;

/* Where a request body goes. Decided by on_headers; memory is the default. */
enum sv__body_mode {
    SV__BODY_MEMORY = 0, /* buffered, NUL-terminated, up to max_body_bytes */
    SV__BODY_FILE = 1    /* streamed into body_fd, up to body_limit */
};

#define SV__HTTP_MAX_PATH 1024
#define SV__HTTP_MAX_PARAMS 4

/* One request, valid from on_headers until its response has been sent. */
typedef struct sv__http_req {
    sv__http_conn *conn;
    const char *peer;              /* the client's address ("127.0.0.1", "::1"), never NULL;
                                    * behind a trusted proxy the application points it at
                                    * the address the proxy forwarded */
    int method;                    /* enum http_method */
    int http_minor;
    char *target;                  /* raw request target, NUL-terminated */
    size_t target_len;
    char path[SV__HTTP_MAX_PATH];  /* decoded, checked (sv__http_target_split) */
    const char *query;             /* raw query inside target, not NUL-terminated */
    size_t query_len;

    /* The request headers the server uses; longer values are cut (and then
     * never match anything). */
    char range[128];
    char if_none_match[256];
    char if_modified_since[64];
    char content_type[128];
    char authorization[1024];      /* "Bearer <token>" for the playback API */
    char forwarded_for[128];       /* X-Forwarded-For, raw (api_guard.c) */
    int has_range;
    uint64_t content_length;       /* UINT64_MAX when not announced */

    /* Body, per body_mode. With SV__BODY_FILE the handler opens body_fd and
     * names it in body_path; if the request ends without the handler taking
     * the file (clearing body_path), the connection closes and unlinks it. */
    int body_mode;
    uint64_t body_limit;
    char *body;
    size_t body_len;
    int body_fd;
    char body_path[512];

    /* Routing results, filled by the application (router.h). */
    const char *route_name;        /* metrics label; "none" when unrouted */
    const void *route;
    char params[SV__HTTP_MAX_PARAMS][128];
    int nb_params;

    /* Who sent it, filled by the application on routes that need a role
     * (api_users.c): for the handlers and the audit log. role 0: nobody. */
    char user[64];
    int64_t user_id;
    int role;

    /* An answer the application chose while routing the head (404, 405,
     * 400...), given once the request is complete so the connection stays
     * usable. 0: none. */
    int pending_status;
    const char *pending_code;
    const char *pending_message;

    /* Extra response headers, appended with sv__http_add_header(). */
    char extra[1024];
    size_t extra_len;

    int status;                    /* the status sent, for logs and metrics */
    uint64_t bytes_sent;           /* body bytes of the answer */
    uint64_t t_start_ns;

    /* For logs, by on_done: which connection (the server's numbers, from 1;
     * equal numbers: a reused connection), whether the whole answer was
     * written (0: the connection died or was cut first), and the body bytes
     * the socket took. */
    uint64_t conn_id;
    int completed;
    uint64_t bytes_written;
} sv__http_req;

typedef struct sv__http_callbacks {
    /* The request head is complete: route it, pick a body mode and limit.
     * Return 0 to read the body, or call sv__http_reject() and return -1 to
     * refuse it (the connection then closes after the answer). */
    int (*on_headers)(void *opaque, sv__http_req *req);
    /* The whole request is in: answer it with one sv__http_send_*() call
     * before returning, or call sv__http_defer() and answer later (slow
     * work on the thread pool, such as password hashing). */
    void (*on_request)(void *opaque, sv__http_req *req);
    /* The response was sent (or the connection died): for logs and metrics.
     * Called for every request whose answer was begun (req->status set),
     * streamed ones included. */
    void (*on_done)(void *opaque, const sv__http_req *req);
    /* The server finished draining after sv__http_server_drain(). */
    void (*on_drained)(void *opaque);
    void *opaque;
} sv__http_callbacks;

typedef struct sv__http_limits {
    size_t max_head_bytes;      /* request line + headers; default 16 KiB */
    size_t max_body_bytes;      /* memory bodies; default 1 MiB */
    unsigned header_timeout_ms; /* a started request head must complete; default 10 s */
    unsigned idle_timeout_ms;   /* keep-alive idle, body and send progress; default 30 s */
    unsigned drain_timeout_ms;  /* shutdown: in-flight responses get this long; default 10 s */
    size_t max_connections;     /* open connections; beyond, new ones get a 503 and are
                                 * closed. 0 (default): from the fd limit, (RLIMIT_NOFILE
                                 * - 64) / 2, since a connection may hold a file too */
    int close_when_full;        /* beyond max_connections, close new connections at once,
                                 * unanswered, instead of the 503 */
} sv__http_limits;

void sv__http_limits_default(sv__http_limits *l);

/*
 * Binds and listens on `host:port` (IPv4 or IPv6 literal; port 0 picks a
 * free one). Returns 0 and *out, or SV_ERR_NETWORK / SV_ERR_INVALID /
 * SV_ERR_NOMEM with a message in the log. The server stays on `loop`; the
 * callbacks and their opaque outlive it.
 */
int sv__http_server_create(uv_loop_t *loop, const char *host, int port,
                           const sv__http_limits *limits, const sv__http_callbacks *cb,
                           const sv__logger *log, sv__http_server **out);

/* Serves an already connected socket as if it had been accepted (tests and
 * the connection fuzz target hand it one end of a socketpair). Takes
 * ownership of fd; it is made non-blocking. */
void sv__http_server_adopt(sv__http_server *srv, int fd);

/* The Server header of the answers (default "svserver"; at most 31
 * characters of a token, else unchanged). Returns 0 or SV_ERR_INVALID. */
int sv__http_server_set_name(sv__http_server *srv, const char *name);

/* The bound port (useful after port 0). */
int sv__http_server_port(const sv__http_server *srv);

/* New limits from a settings reload: the timeouts and sizes apply to the
 * next request or timer of every connection; max_connections keeps the
 * value resolved at create. */
void sv__http_server_set_limits(sv__http_server *srv, const sv__http_limits *limits);

/* Stops accepting, closes idle connections and lets the others finish their
 * current response; on_drained fires when the last one closed (or the drain
 * timeout cut them). */
void sv__http_server_drain(sv__http_server *srv);

/* Releases a server after on_drained fired; the memory goes when the loop
 * runs the last close callback. NULL is fine. */
void sv__http_server_destroy(sv__http_server *srv);

/* Appends "Name: value\r\n" to the response headers (printf-style value).
 * Returns 0 or SV_ERR_OVERFLOW. */
int sv__http_add_header(sv__http_req *req, const char *name, const char *fmt, ...)
    SV_PRINTF(3, 4);

/* The same with the value copied as is, no formatting: for the headers of
 * every media answer. Returns 0 or SV_ERR_OVERFLOW (nothing appended). */
int sv__http_add_header_str(sv__http_req *req, const char *name, const char *value);

/* Answers with a body from memory (copied). HEAD requests get the headers
 * only, with the Content-Length the body would have. */
void sv__http_send(sv__http_req *req, int status, const char *content_type, const void *body,
                   size_t len);

/* Answers with `len` bytes of `fd` from `offset`, sent with sendfile(2).
 * Takes ownership of fd (closed after the response, also on failure). */
void sv__http_send_file(sv__http_req *req, int status, const char *content_type, int fd,
                        uint64_t offset, uint64_t len);

/* From on_headers: answers `status` with a JSON error body and closes the
 * connection afterwards (the body is never read). */
void sv__http_reject(sv__http_req *req, int status, const char *code, const char *message);

/*
 * From on_request: the answer comes later, from another loop callback
 * (typically the after-callback of uv_queue_work). The connection waits in
 * its handling state (no timeout, its socket not read) and the request stays
 * valid. Once the work is done, call sv__http_resume() exactly once: it
 * returns 1 when the request can now be answered with one sv__http_send*()
 * call (before the callback returns), or 0 when the connection died
 * meanwhile (drain timeout, shutdown): then nothing may be sent and req is
 * gone after the call. Copy what the work needs out of req first; the work
 * runs on another thread and must not touch req.
 */
void sv__http_defer(sv__http_req *req);
int sv__http_resume(sv__http_req *req);

/*
 * Streamed answers. From on_request, sv__http_stream_open() hands the answer
 * to the application, which writes it when it likes, from any later loop
 * callback (timers included):
 *
 *   sv__http_stream_head()   builds and sends the head: status, type and
 *                            the Content-Length promised;
 *   sv__http_stream_write()  sends body bytes (copied; what the socket does
 *                            not take now goes out as it drains);
 *   sv__http_stream_end()    ends the answer (enum sv__http_stream_end).
 *
 * Meanwhile no timeout runs (pacing is the application's business) and the
 * socket stays watched, so a client that goes away (EOF, reset) is reported
 * through on_gone at once, even before the head; bytes of a pipelined next
 * request are kept and parsed after the end. The layer does not police the
 * body against the Content-Length: an answer ended with fewer or more body
 * bytes than promised closes the connection, which the client can no longer
 * frame. A HEAD request gets no body bytes (the application writes none).
 * Calls return 1 when all is sent, 0 when bytes wait for the socket
 * (on_drained follows), or SV_ERR_NETWORK on a write error: the connection
 * is then closed and the stream over (on_gone is not called for it).
 * Loop thread only; the callbacks never run inside a stream call.
 */
typedef struct sv__http_stream_cb {
    /* Every byte written so far has gone to the socket: write more. */
    void (*on_drained)(void *opaque, sv__http_req *req);
    /* The connection is gone (the client left, or the server closed it:
     * drain timeout, shutdown): the stream is over, req is valid during
     * the call only and no stream call may follow. */
    void (*on_gone)(void *opaque, sv__http_req *req);
} sv__http_stream_cb;

enum sv__http_stream_end {
    SV__HTTP_STREAM_DONE = 0, /* the answer is whole: keep-alive if it can */
    SV__HTTP_STREAM_CLOSE,    /* close cleanly once the bytes written are out (FIN) */
    SV__HTTP_STREAM_RESET     /* reset the connection now (RST), dropping what waits */
};

/* The content_length of a body whose length is not known when the head
 * goes: HTTP/1.1 clients get it with Transfer-Encoding: chunked (each
 * sv__http_stream_write() is one chunk, DONE writes the last, empty one and
 * keeps the connection), HTTP/1.0 clients without a length, ended by the
 * close. */
#define SV__HTTP_CHUNKED UINT64_MAX

/* Takes the answer over (`cb` and `opaque` outlive the stream). */
void sv__http_stream_open(sv__http_req *req, const sv__http_stream_cb *cb, void *opaque);
/* Once, before any body byte. Extra headers as for sv__http_send. */
int sv__http_stream_head(sv__http_req *req, int status, const char *content_type,
                         uint64_t content_length);
int sv__http_stream_write(sv__http_req *req, const void *data, size_t len);
/* Ends the stream; the callbacks are not called after it. The connection
 * may go on with the next pipelined request before this returns; req is
 * not valid after it. */
void sv__http_stream_end(sv__http_req *req, enum sv__http_stream_end how);

/* A JSON error body {"error":{"code":..,"message":..}} with that status. */
void sv__http_send_error(sv__http_req *req, int status, const char *code, const char *message);

/* The reason phrase for a status ("Not Found"), "" for unknown ones. */
const char *sv__http_reason(int status);

#endif
