/*
 * Shared by the connection layer, from the top down (each file calls only
 * those below it; a lower one reports up through a callback):
 *   http_server.c  listening, accepting, draining
 *   http_answer.c  the application's sv__http_send*() and sv__http_reject()
 *   http_stream.c  the application's streamed answers (sv__http_stream_*())
 *   http_conn.c    one connection: reading, parsing, its state machine
 *   http_write.c   the bytes of an answer: building and writing them
 * Loop thread only.
 */
#ifndef SV_BACKEND_HTTP_INTERNAL_H
#define SV_BACKEND_HTTP_INTERNAL_H

#include <http_parser.h>
#include <time.h>

#include "backend/http.h"
#include "platform/buf.h"

#define SV__HTTP_INBUF 16384

enum sv__conn_state {
    SV__CONN_IDLE,     /* waiting for the first byte of a request */
    SV__CONN_HEAD,     /* reading a request head (header timeout runs) */
    SV__CONN_BODY,     /* reading a body */
    SV__CONN_HANDLING, /* the application has the request */
    SV__CONN_STREAM,   /* the application writes a streamed answer (http_stream.c) */
    SV__CONN_WRITING,  /* sending the answer */
    SV__CONN_LINGER,   /* after a refusal: write side shut, unread input drained */
    SV__CONN_CLOSING   /* handles closing */
};

struct sv__http_conn {
    sv__http_server *srv;
    sv__http_conn *prev, *next;     /* the server's list */
    uint64_t id;                    /* the server's connection number, from 1 */
    int fd;
    char peer[48];                  /* the client's address, text */
    uv_poll_t poll;
    uv_timer_t timer;
    int open_handles;
    int poll_events;                /* what poll currently watches */
    enum sv__conn_state state;
    http_parser parser;
    sv__http_req req;
    size_t head_bytes;
    char field[32];                 /* current header name, lowercase, cut */
    size_t field_len;
    int last_was_value;
    char *value_dst;                /* where the current header's value goes */
    size_t value_cap;
    size_t *value_len;
    size_t value_len_store;
    int close_after;                /* no keep-alive after this response */
    int reject_status;              /* on_headers refused the request */
    int expect_continue;            /* "Expect: 100-continue" on this request */
    char expect[32];
    int in_parser;                  /* inside http_parser_execute: answers wait */
    int deferred;                   /* sv__http_defer(): the answer comes later */
    int orphaned;                   /* closed while deferred: freed by sv__http_resume */

    char in[SV__HTTP_INBUF];
    size_t in_len;

    /* The answer: head (and memory body) in out, then the file part. */
    sv__buf out;
    size_t out_off;                 /* bytes of out already written */
    size_t out_head;                /* of which the head (the rest is body) */
    int file_fd;
    uint64_t file_off, file_left;

    /* A streamed answer (http_stream.c): the application's callbacks while
     * it holds the stream (NULL once it ended it), the Content-Length its
     * head promised and the body bytes handed over so far. */
    const sv__http_stream_cb *stream_cb;
    void *stream_opaque;
    /* Set by http_stream.c while the application streams the answer: the
     * connection hands it socket events and its closing (so http_conn.c
     * never calls up into the stream). */
    void (*stream_poll)(sv__http_conn *conn, int events);
    void (*stream_gone)(sv__http_conn *conn);
    uint64_t stream_promised, stream_body;
    int stream_chunked;            /* the body goes out in chunks (SV__HTTP_CHUNKED) */
};

struct sv__http_server {
    uv_loop_t *loop;
    int fd;
    uv_poll_t listen_poll;
    uv_timer_t drain_timer;
    int port;
    int draining;
    int listening;
    int drained_signalled;
    sv__http_limits limits;
    sv__http_callbacks cb;
    const sv__logger *log;
    sv__http_conn *conns;
    size_t nb_conns;
    size_t max_conns;               /* limits.max_connections, resolved */
    /* Refusals (at the cap, or out of fds): accept pauses with a back-off
     * while fds lack, and one log line per interval counts them. */
    int reserve_fd;                 /* kept open to refuse cleanly on EMFILE */
    uv_timer_t accept_timer;
    unsigned accept_backoff_ms;     /* 0 while accepting normally */
    uint64_t refused_full, refused_nofd;
    uint64_t refuse_logged_ns;
    time_t date_t;                  /* the Date header, formatted once a second */
    char date[40];
    char name[32];                  /* the Server header */
    uint64_t next_conn_id;
    /* Set by http_server.c; http_conn.c calls it when a connection has left
     * the list (the server may be waiting for the last one to drain). */
    void (*conn_gone)(sv__http_server *srv);
};

/* http_conn.c */
/* Serves an accepted socket (owned from here on) and adds it to the
 * server's list. Returns the connection, or NULL when it could not be set up
 * (the socket is closed then). */
sv__http_conn *sv__http_conn_start(sv__http_server *srv, int fd);
void sv__http_conn_close(sv__http_conn *conn);
/* The answer is built: send it now, unless the parser is running (then the
 * connection sends it when http_parser_execute() returned). On a slow
 * reader it waits for writability; a write error closes the connection. */
void sv__http_conn_dispatch(sv__http_conn *conn);
/* Watches the socket for `events` (UV_READABLE, UV_WRITABLE, UV_DISCONNECT). */
void sv__http_conn_watch(sv__http_conn *conn, int events);

/* http_write.c */
/* Build the answer into the connection's output (replacing what was there)
 * and set req->status and req->bytes_sent. Return 0, or a negative SV_ERR_*
 * when it cannot be built (the connection must then be closed). HEAD, 204
 * and 304 answers get no body. sv__http_build_file() owns fd in every case. */
int sv__http_build(sv__http_req *req, int status, const char *content_type, const void *body,
                   size_t len);
int sv__http_build_file(sv__http_req *req, int status, const char *content_type, int fd,
                        uint64_t offset, uint64_t len);
/* {"error":{"code":..,"message":..}} as application/json. */
int sv__http_build_error(sv__http_req *req, int status, const char *code, const char *message);
/* The same, and the connection closes after it (lingering first). */
int sv__http_build_reject(sv__http_req *req, int status, const char *code, const char *message);
/* The head alone, announcing `length` body bytes, for a streamed answer. */
int sv__http_build_head(sv__http_req *req, int status, const char *content_type,
                        uint64_t length);
/* Writes what is pending. Returns 1 when all is out, 0 when the socket is
 * full (watch for writability and call again), -1 on a write error.
 * req->bytes_written follows the body bytes the socket took. */
int sv__http_out_flush(sv__http_conn *conn);
/* Drops the output (and closes the file part). */
void sv__http_out_free(sv__http_conn *conn);

#endif
