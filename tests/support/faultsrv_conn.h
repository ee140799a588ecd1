/*
 * faultsrv_conn.h - one connection of the fault server, shared between the
 * request side (faultsrv_conn.c) and the response side (faultsrv_respond.c).
 * Everything here lives on the server thread.
 */
#ifndef SV_TESTS_FAULTSRV_CONN_H
#define SV_TESTS_FAULTSRV_CONN_H

#include <http_parser.h>

#include "faultsrv_internal.h"

/*
 * A connection is in exactly one state. The single timer means something
 * different in each: the idle timeout, the first-byte delay, the wait for
 * the next drip, or the end of a stall.
 */
typedef enum sv__fault_conn_state {
    SV__CONN_READING = 0, /* waiting for (the rest of) a request */
    SV__CONN_DELAYING,    /* request parsed; first-byte delay running */
    SV__CONN_SENDING,     /* a write in flight, or waiting for the next drip */
    SV__CONN_STALLED,     /* mid-body stall: timer running, or none when forever */
    SV__CONN_CLOSING      /* shutdown or close under way; events are ignored */
} sv__fault_conn_state;

typedef enum sv__fault_close_mode {
    SV__CLOSE_NOW = 0,    /* close() at once */
    SV__CLOSE_GRACEFUL,   /* shutdown() after the pending writes, then close() */
    SV__CLOSE_RESET       /* RST (SO_LINGER 0) */
} sv__fault_close_mode;

/* The request being read. Reset at the start of each message. */
typedef struct sv__fault_req {
    char *url;             /* request target, as sent */
    size_t url_len;
    char field[32];        /* current header name, lowercased (truncated) */
    size_t field_len;
    int field_is_range;
    int last_was_value;
    char range[256];       /* Range header value */
    size_t range_len;
    int has_range;
    int range_overflow;    /* too long to be a Range we serve: ignored */
    size_t head_bytes;     /* request line and header bytes, for the 431 limit */
    char *body;
    size_t body_len;
    int error_status;      /* 431 or 413 decided by a callback, else 0 */
    int headers_done;
    int keep_alive;
    const char *method;    /* static string from http-parser */
    uint64_t t_ms;
} sv__fault_req;

/* The response being sent. */
typedef struct sv__fault_resp {
    int active;
    int logged;            /* log it when it ends (control answers are not) */
    int status;
    char *head;            /* status line and headers */
    size_t head_len;
    int head_sent;
    int delay_done;
    int fd;                /* file body, or -1 */
    uint64_t file_off;
    const char *mem;       /* memory body (in `mem_owned` or a rule) */
    char *mem_owned;
    uint64_t send_len;     /* body bytes to send (0 for HEAD) */
    uint64_t advertised;   /* Content-Length sent */
    uint64_t sent;         /* body bytes written so far */
    size_t inflight;       /* body bytes in the write under way */
    int close_after;       /* the connection cannot be reused after this */
    int stall_done;
    uint64_t drip_start;   /* uv_now() at which the drip schedule started */
    sv__fault_rules *rules; /* reference keeping `rule` alive */
    const sv__fault_rule *rule;
    char *path;            /* raw path and query, for the log */
    char *query;
    char *range;
} sv__fault_resp;

struct sv__fault_conn {
    sv_faultsrv *srv;
    sv__fault_conn *prev, *next; /* in srv->conns while not closing */
    uint64_t id;
    sv__fault_conn_state state;
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_write_t write_req;
    uv_shutdown_t shutdown_req;
    int open_handles;
    http_parser parser;
    sv__fault_req req;
    char *pending;         /* bytes read and not yet parsed (SV__FAULT_MAX_PENDING) */
    size_t pending_len;
    char *wbuf;            /* file chunk being written (SV__FAULT_CHUNK), lazily allocated */
    sv__fault_resp resp;
    int peer_eof;          /* the client shut its side while a write was in flight */
};

/* faultsrv_conn.c */
void sv__fault_conn_close(sv__fault_conn *conn, sv__fault_close_mode mode);
/* The response ended and the connection may be reused: read the next request. */
void sv__fault_conn_next(sv__fault_conn *conn);
/* Starts the connection timer; sv__fault_respond_timer() runs when it fires. */
void sv__fault_conn_arm(sv__fault_conn *conn, uint64_t ms);

/* faultsrv_respond.c */
/* Answers the request in conn->req; the parser has stopped after it. */
void sv__fault_respond(sv__fault_conn *conn);
/* Answers a request that could not be parsed, then closes. */
void sv__fault_respond_error(sv__fault_conn *conn, int status);
/* The connection timer fired while a response is active. */
void sv__fault_respond_timer(sv__fault_conn *conn);
/* The peer went away or the server stops: log the response with `end`, free it. */
void sv__fault_respond_end(sv__fault_conn *conn, sv__fault_end end);

#endif /* SV_TESTS_FAULTSRV_CONN_H */
