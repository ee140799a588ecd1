/*
 * http_conn.c - one connection: reading, parsing with http-parser, the
 * state machine (idle -> head -> body -> handling -> writing -> idle) and
 * its timers, keep-alive and closing.
 *
 * Pipelining: the parser pauses after each message; the bytes of the next
 * request stay in `in` and are parsed once the answer is out. The socket is
 * not read while an answer is being sent, which is the back-pressure.
 * Answers built inside parser callbacks are only flushed after
 * http_parser_execute() returned, so the parser is never re-entered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/http_internal.h"
#include "backend/http_util.h"
#include "streamverse/common.h"

static int on_message_begin(http_parser *p);
static int on_url(http_parser *p, const char *at, size_t len);
static int on_header_field(http_parser *p, const char *at, size_t len);
static int on_header_value(http_parser *p, const char *at, size_t len);
static int on_headers_complete(http_parser *p);
static int on_body(http_parser *p, const char *at, size_t len);
static int on_message_complete(http_parser *p);

static const http_parser_settings settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

static void on_poll(uv_poll_t *h, int status, int events);
static void process_input(sv__http_conn *conn);
static void answer_error(sv__http_conn *conn, int status, const char *code, const char *message);

/* Releases what the request holds; an upload the handler did not take is
 * removed. The request stays tied to its connection: an answer can be sent
 * on it even when the parser refused the very first byte of a request
 * (before on_message_begin ever ran). */
static void req_clear(sv__http_req *req)
{
    sv__http_conn *conn = req->conn;

    free(req->target);
    free(req->body);
    if (req->body_fd >= 0)
        close(req->body_fd);
    if (req->body_path[0])
        unlink(req->body_path);
    memset(req, 0, sizeof(*req));
    req->conn = conn;
    req->conn_id = conn ? conn->id : 0;
    req->peer = conn ? conn->peer : "-";
    req->body_fd = -1;
    req->content_length = UINT64_MAX;
    req->route_name = "none";
}

/* Leaves the server's list; the server hears of it (it may be draining). */
static void unlink_conn(sv__http_conn *conn)
{
    sv__http_server *srv = conn->srv;

    if (conn->prev)
        conn->prev->next = conn->next;
    else
        srv->conns = conn->next;
    if (conn->next)
        conn->next->prev = conn->prev;
    srv->nb_conns--;
    if (srv->conn_gone)
        srv->conn_gone(srv);
}

static void on_conn_closed(uv_handle_t *h)
{
    sv__http_conn *conn = h->data;

    if (--conn->open_handles > 0)
        return;
    if (conn->req.status && conn->srv->cb.on_done)
        conn->srv->cb.on_done(conn->srv->cb.opaque, &conn->req);
    close(conn->fd);
    req_clear(&conn->req);
    sv__http_out_free(conn);
    unlink_conn(conn);
    if (conn->deferred) {
        /* Work still holds the request: sv__http_resume frees it. */
        conn->orphaned = 1;
        return;
    }
    free(conn);
}

void sv__http_defer(sv__http_req *req)
{
    req->conn->deferred = 1;
}

int sv__http_resume(sv__http_req *req)
{
    sv__http_conn *conn = req->conn;

    conn->deferred = 0;
    if (conn->orphaned) {
        free(conn);
        return 0;
    }
    return 1;
}

void sv__http_conn_close(sv__http_conn *conn)
{
    if (conn->state == SV__CONN_CLOSING)
        return;
    conn->state = SV__CONN_CLOSING;
    uv_poll_stop(&conn->poll);
    uv_close((uv_handle_t *)&conn->poll, on_conn_closed);
    uv_close((uv_handle_t *)&conn->timer, on_conn_closed);
    if (conn->stream_cb)
        conn->stream_gone(conn);
}

void sv__http_conn_watch(sv__http_conn *conn, int events)
{
    if (conn->state == SV__CONN_CLOSING || events == conn->poll_events)
        return;
    conn->poll_events = events;
    if (events)
        uv_poll_start(&conn->poll, events, on_poll);
    else
        uv_poll_stop(&conn->poll);
}

static void on_timeout(uv_timer_t *t)
{
    sv__http_conn *conn = t->data;

    if (conn->state == SV__CONN_HEAD || conn->state == SV__CONN_BODY) {
        /* A client that trickles its request: tell it, then hang up. */
        conn->close_after = 1;
        conn->state = SV__CONN_HANDLING;
        answer_error(conn, 408, "request_timeout", "the request did not arrive in time");
        return;
    }
    sv__http_conn_close(conn);
}

static void restart_timer(sv__http_conn *conn, unsigned ms)
{
    uv_timer_start(&conn->timer, on_timeout, ms, 0);
}


/* The client's address as text; "local" for a socket without one (a
 * socketpair in tests and fuzzing). */
static void peer_name(int fd, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    const void *addr = NULL;

    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET)
            addr = &((struct sockaddr_in *)&ss)->sin_addr;
        else if (ss.ss_family == AF_INET6)
            addr = &((struct sockaddr_in6 *)&ss)->sin6_addr;
    }
    if (!addr || !inet_ntop(ss.ss_family, addr, out, (socklen_t)cap))
        snprintf(out, cap, "local");
}

sv__http_conn *sv__http_conn_start(sv__http_server *srv, int fd)
{
    sv__http_conn *conn = calloc(1, sizeof(*conn));

    if (!conn) {
        close(fd);
        return NULL;
    }
    conn->srv = srv;
    conn->id = ++srv->next_conn_id;
    conn->fd = fd;
    peer_name(fd, conn->peer, sizeof(conn->peer));
    conn->file_fd = -1;
    conn->req.conn = conn;
    conn->req.body_fd = -1;
    req_clear(&conn->req);
    if (uv_poll_init(srv->loop, &conn->poll, fd) < 0) {
        close(fd);
        free(conn);
        return NULL;
    }
    uv_timer_init(srv->loop, &conn->timer);
    conn->poll.data = conn;
    conn->timer.data = conn;
    conn->open_handles = 2;
    conn->state = SV__CONN_IDLE;
    http_parser_init(&conn->parser, HTTP_REQUEST);
    conn->parser.data = conn;
    conn->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = conn;
    srv->conns = conn;
    srv->nb_conns++;
    restart_timer(conn, srv->limits.idle_timeout_ms);
    sv__http_conn_watch(conn, UV_READABLE);
    return conn;
}

/* ---- parser callbacks ---------------------------------------------------- */

/* Inside the parser callbacks an answer is only built: process_input()
 * sends it once http_parser_execute() returned. */
static void reject(sv__http_req *req, int status, const char *code, const char *message)
{
    if (sv__http_build_reject(req, status, code, message) < 0)
        sv__http_conn_close(req->conn);
}

/* Counts request-head bytes; past the limit the request gets a 431. */
static int count_head(sv__http_conn *conn, size_t len)
{
    conn->head_bytes += len;
    if (conn->head_bytes > conn->srv->limits.max_head_bytes) {
        conn->reject_status = 431;
        return -1;
    }
    return 0;
}

static int on_message_begin(http_parser *p)
{
    sv__http_conn *conn = p->data;

    req_clear(&conn->req);
    conn->req.t_start_ns = uv_hrtime();
    conn->head_bytes = 0;
    conn->reject_status = 0;
    conn->expect[0] = '\0';
    conn->field_len = 0;
    conn->last_was_value = 0;
    conn->value_dst = NULL;
    conn->state = SV__CONN_HEAD;
    restart_timer(conn, conn->srv->limits.header_timeout_ms);
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    sv__http_conn *conn = p->data;
    sv__http_req *req = &conn->req;
    char *t;

    if (count_head(conn, len) < 0)
        return -1;
    if (!(t = realloc(req->target, req->target_len + len + 1)))
        return -1;
    memcpy(t + req->target_len, at, len);
    req->target = t;
    req->target_len += len;
    t[req->target_len] = '\0';
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    sv__http_conn *conn = p->data;

    /* ": " and CRLF count towards the limit too. */
    if (count_head(conn, len + 4) < 0)
        return -1;
    if (conn->last_was_value) {
        conn->field_len = 0;
        conn->last_was_value = 0;
    }
    for (size_t i = 0; i < len && conn->field_len + 1 < sizeof(conn->field); i++) {
        char c = at[i];
        conn->field[conn->field_len++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    conn->field[conn->field_len] = '\0';
    return 0;
}

/* Picks where the value of the header just named goes (NULL: ignored). */
static void select_value(sv__http_conn *conn)
{
    sv__http_req *req = &conn->req;

    conn->value_dst = NULL;
    conn->value_len_store = 0;
    conn->value_len = &conn->value_len_store;
    if (!strcmp(conn->field, "range")) {
        if (req->has_range) {
            /* Two Range headers: ignore both (answer the whole body). */
            strcpy(req->range, "invalid");
            return;
        }
        req->has_range = 1;
        conn->value_dst = req->range;
        conn->value_cap = sizeof(req->range);
    } else if (!strcmp(conn->field, "if-none-match")) {
        conn->value_dst = req->if_none_match;
        conn->value_cap = sizeof(req->if_none_match);
    } else if (!strcmp(conn->field, "if-modified-since")) {
        conn->value_dst = req->if_modified_since;
        conn->value_cap = sizeof(req->if_modified_since);
    } else if (!strcmp(conn->field, "expect")) {
        conn->value_dst = conn->expect;
        conn->value_cap = sizeof(conn->expect);
    } else if (!strcmp(conn->field, "content-type")) {
        conn->value_dst = req->content_type;
        conn->value_cap = sizeof(req->content_type);
    } else if (!strcmp(conn->field, "authorization")) {
        conn->value_dst = req->authorization;
        conn->value_cap = sizeof(req->authorization);
    } else if (!strcmp(conn->field, "x-forwarded-for")) {
        conn->value_dst = req->forwarded_for;
        conn->value_cap = sizeof(req->forwarded_for);
    }
    if (conn->value_dst)
        conn->value_dst[0] = '\0';
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    sv__http_conn *conn = p->data;
    size_t have;

    if (count_head(conn, len) < 0)
        return -1;
    if (!conn->last_was_value) {
        conn->last_was_value = 1;
        select_value(conn);
    }
    if (!conn->value_dst)
        return 0;
    have = strlen(conn->value_dst);
    if (have + len >= conn->value_cap) {
        /* A cut value must not match anything: make it unusable. */
        strcpy(conn->value_dst, "\x01");
        conn->value_dst = NULL;
        return 0;
    }
    memcpy(conn->value_dst + have, at, len);
    conn->value_dst[have + len] = '\0';
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    sv__http_conn *conn = p->data;
    sv__http_server *srv = conn->srv;
    sv__http_req *req = &conn->req;

    conn->state = SV__CONN_BODY;
    restart_timer(conn, srv->limits.idle_timeout_ms);
    req->method = p->method;
    req->http_minor = p->http_minor;
    if (!(p->flags & F_CHUNKED) && p->content_length != ULLONG_MAX)
        req->content_length = p->content_length;
    req->body_limit = srv->limits.max_body_bytes;
    if (!http_should_keep_alive(p))
        conn->close_after = 1;
    if (!req->target) {
        reject(req, 400, "bad_request", "missing request target");
        return -1;
    }
    if (srv->cb.on_headers(srv->cb.opaque, req) < 0) {
        if (!conn->reject_status)
            reject(req, 500, "internal", "request refused");
        return -1;
    }
    /* Refuse an announced oversized body before it is sent: a client that
     * sent "Expect: 100-continue" then gets the 413 instead of a reset. */
    if (req->content_length != UINT64_MAX && req->content_length > req->body_limit) {
        reject(req, 413, "payload_too_large", "the request body exceeds the limit");
        return -1;
    }
    /* The client waits for a go-ahead before sending a large body (curl does
     * above 1 MiB); the interim answer is tiny, so a plain send on the fresh
     * socket buffer suffices, and if it cannot go now the client proceeds
     * after its own timeout anyway. */
    if (!strcasecmp(conn->expect, "100-continue") && req->http_minor >= 1 &&
        !req->pending_status)
        (void)!send(conn->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25, MSG_NOSIGNAL);
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    sv__http_conn *conn = p->data;
    sv__http_req *req = &conn->req;

    if (req->body_len + len > req->body_limit) {
        reject(req, 413, "payload_too_large", "the request body exceeds the limit");
        return -1;
    }
    if (req->body_mode == SV__BODY_FILE) {
        /* Local disk writes land in the page cache; a short synchronous
         * write keeps the upload path simple without stalling the loop. */
        while (len > 0) {
            ssize_t n = write(req->body_fd, at, len);

            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                reject(req, 507, "insufficient_storage", "cannot store the upload");
                return -1;
            }
            req->body_len += (size_t)n;
            at += n;
            len -= (size_t)n;
        }
        return 0;
    } else {
        char *b = realloc(req->body, req->body_len + len + 1);

        if (!b)
            return -1;
        memcpy(b + req->body_len, at, len);
        req->body = b;
        req->body_len += len;
        b[req->body_len] = '\0';
    }
    return 0;
}

static int on_message_complete(http_parser *p)
{
    sv__http_conn *conn = p->data;
    sv__http_server *srv = conn->srv;

    conn->state = SV__CONN_HANDLING;
    uv_timer_stop(&conn->timer);
    if (!conn->req.body) {
        /* Handlers may treat a memory body as a C string. */
        if (conn->req.body_mode == SV__BODY_MEMORY && !(conn->req.body = calloc(1, 1)))
            return -1;
    }
    srv->cb.on_request(srv->cb.opaque, &conn->req);
    /* No answer, no promise of one (deferred, streamed), no closing. */
    if (conn->state == SV__CONN_HANDLING && !conn->req.status && !conn->deferred &&
        sv__http_build_error(&conn->req, 500, "internal", "no answer") < 0)
        sv__http_conn_close(conn);
    http_parser_pause(p, 1);
    return 0;
}

/* ---- driving ------------------------------------------------------------- */

/* After a refusal the client may still be sending (an oversized head or
 * body). Closing with unread input makes the kernel send a reset, which can
 * destroy the answer before the client read it; so shut the write side and
 * read the rest away for a moment first, as nginx's lingering close does. */
static void linger(sv__http_conn *conn)
{
    shutdown(conn->fd, SHUT_WR);
    conn->state = SV__CONN_LINGER;
    conn->in_len = 0;
    restart_timer(conn, 2000);
    sv__http_conn_watch(conn, UV_READABLE);
}

static void finish_response(sv__http_conn *conn)
{
    sv__http_server *srv = conn->srv;

    conn->req.completed = 1;
    if (srv->cb.on_done)
        srv->cb.on_done(srv->cb.opaque, &conn->req);
    req_clear(&conn->req);
    sv__http_out_free(conn);
    if (conn->close_after || srv->draining) {
        if (conn->reject_status)
            linger(conn);
        else
            sv__http_conn_close(conn);
        return;
    }
    conn->state = SV__CONN_IDLE;
    restart_timer(conn, srv->limits.idle_timeout_ms);
}

/* The answer is out: log it, then keep the connection for the next request
 * or close it. */
static void response_done(sv__http_conn *conn)
{
    finish_response(conn);
    process_input(conn);
}

/* Writes what is pending. Returns 1 when all is out; 0 when it waits for
 * writability (a slow reader gets the idle timeout) or the connection
 * closed on a write error. */
static int flush(sv__http_conn *conn)
{
    int r = sv__http_out_flush(conn);

    if (r == 0) {
        sv__http_conn_watch(conn, UV_WRITABLE);
        restart_timer(conn, conn->srv->limits.idle_timeout_ms);
    } else if (r < 0) {
        sv__http_conn_close(conn);
    }
    return r == 1;
}

void sv__http_conn_dispatch(sv__http_conn *conn)
{
    if (conn->in_parser)
        return;
    conn->state = SV__CONN_WRITING;
    if (flush(conn))
        response_done(conn);
}

/* An error answer outside the parser callbacks, sent at once. */
static void answer_error(sv__http_conn *conn, int status, const char *code, const char *message)
{
    if (sv__http_build_error(&conn->req, status, code, message) < 0)
        sv__http_conn_close(conn);
    else
        sv__http_conn_dispatch(conn);
}

/* Sends the answer the parser callbacks built. Returns 1 when the connection
 * can go on parsing, 0 when it waits (for writability) or closed. */
static int send_built(sv__http_conn *conn)
{
    conn->state = SV__CONN_WRITING;
    if (flush(conn)) {
        finish_response(conn);
        return conn->state == SV__CONN_IDLE;
    }
    return 0;
}

static void process_input(sv__http_conn *conn)
{
    while (conn->state <= SV__CONN_BODY && conn->in_len > 0) {
        size_t n;
        enum http_errno err;

        conn->in_parser = 1;
        n = http_parser_execute(&conn->parser, &settings, conn->in, conn->in_len);
        conn->in_parser = 0;
        err = HTTP_PARSER_ERRNO(&conn->parser);

        if (n > conn->in_len)
            n = conn->in_len;
        memmove(conn->in, conn->in + n, conn->in_len - n);
        conn->in_len -= n;
        if (conn->state == SV__CONN_CLOSING)
            return;
        if (err == HPE_PAUSED) {
            http_parser_pause(&conn->parser, 0);
            if (conn->state == SV__CONN_STREAM) {
                /* The application writes when it likes; watch for a client
                 * that leaves meanwhile. */
                conn->stream_poll(conn, 0);
                return;
            }
            if (conn->deferred && !conn->req.status) {
                /* Answered later; pipelined bytes wait unread meanwhile. */
                sv__http_conn_watch(conn, 0);
                return;
            }
            if (!send_built(conn))
                return;
        } else if (err != HPE_OK) {
            conn->close_after = 1;
            conn->in_len = 0;
            if (!conn->out.size) {
                int status = conn->reject_status ? conn->reject_status : 400;
                const char *code = status == 431 ? "header_too_large" : "bad_request";

                if (err == HPE_HEADER_OVERFLOW) {
                    status = 431;
                    code = "header_too_large";
                }
                conn->state = SV__CONN_HANDLING;
                if (!conn->req.t_start_ns) /* refused before the request began */
                    conn->req.t_start_ns = uv_hrtime();
                answer_error(conn, status, code,
                             status == 431 ? "request headers too large"
                                           : http_errno_description(err));
                return;
            }
            send_built(conn);
            return;
        }
    }
    if (conn->state <= SV__CONN_BODY)
        sv__http_conn_watch(conn, UV_READABLE);
}

static void on_readable(sv__http_conn *conn)
{
    ssize_t n;

    if (conn->in_len == sizeof(conn->in))
        return; /* cannot happen while parsing: the parser consumes all */
    n = read(conn->fd, conn->in + conn->in_len, sizeof(conn->in) - conn->in_len);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) {
        sv__http_conn_close(conn);
        return;
    }
    conn->in_len += (size_t)n;
    process_input(conn);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    sv__http_conn *conn = h->data;

    if (status < 0) {
        sv__http_conn_close(conn);
        return;
    }
    if (conn->state == SV__CONN_STREAM) {
        conn->stream_poll(conn, events);
        return;
    }
    if (conn->state == SV__CONN_WRITING) {
        if (events & UV_WRITABLE && flush(conn))
            response_done(conn);
        return;
    }
    if (conn->state == SV__CONN_LINGER) {
        ssize_t n = read(conn->fd, conn->in, sizeof(conn->in));

        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            sv__http_conn_close(conn);
        return;
    }
    if (events & UV_READABLE && conn->state <= SV__CONN_BODY)
        on_readable(conn);
}
