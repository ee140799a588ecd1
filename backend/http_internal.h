/*
 * Shared between http_server.c (listening, accepting, draining),
 * http_conn.c (reading and parsing) and http_write.c (answers).
 * Loop thread only.
 */
#ifndef SV_BACKEND_HTTP_INTERNAL_H
#define SV_BACKEND_HTTP_INTERNAL_H

#include <http_parser.h>
#include <time.h>

#include "backend/http.h"

#define SV__HTTP_INBUF 16384

enum sv__conn_state {
    SV__CONN_IDLE,     /* waiting for the first byte of a request */
    SV__CONN_HEAD,     /* reading a request head (header timeout runs) */
    SV__CONN_BODY,     /* reading a body */
    SV__CONN_HANDLING, /* the application has the request */
    SV__CONN_WRITING,  /* sending the answer */
    SV__CONN_LINGER,   /* after a refusal: write side shut, unread input drained */
    SV__CONN_CLOSING   /* handles closing */
};

struct sv__http_conn {
    sv__http_server *srv;
    sv__http_conn *prev, *next;     /* the server's list */
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
    char *out;
    size_t out_len, out_off, out_cap;
    int file_fd;
    uint64_t file_off, file_left;
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
};

/* http_conn.c */
/* Serves an accepted socket (owned from here on). Returns the connection,
 * or NULL when it could not be set up (the socket is closed then). */
sv__http_conn *sv__http_conn_start(sv__http_server *srv, int fd);
void sv__http_conn_close(sv__http_conn *conn);
/* Watch the socket for these events (UV_READABLE / UV_WRITABLE, 0: none). */
void sv__http_conn_watch(sv__http_conn *conn, int events);
/* The answer is out: log it, then keep the connection for the next request
 * or close it. */
void sv__http_conn_response_done(sv__http_conn *conn);
/* (Re)starts the idle timer (waiting for a slow reader). */
void sv__http_conn_arm_idle(sv__http_conn *conn);

/* http_write.c */
/* Writes what is pending; on EAGAIN watches for writability. Returns 0, or
 * -1 when the connection was closed (write error). */
int sv__http_conn_flush(sv__http_conn *conn);
void sv__http_conn_free_output(sv__http_conn *conn);

/* http_server.c */
const char *sv__http_server_date(sv__http_server *srv);
void sv__http_server_conn_gone(sv__http_server *srv, sv__http_conn *conn);

#endif
