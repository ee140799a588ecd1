/*
 * faultsrv_conn.c - one connection: accepting, reading, parsing requests with
 * http-parser, the idle timeout and closing.
 *
 * The socket is read all the time, even while a response is being sent, so
 * that a client giving up during a delay or a stall is noticed (and logged)
 * at once. Bytes that arrive ahead of the parser (a pipelined request) wait
 * in `pending`; the parser pauses after each message and resumes when the
 * response is done.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "faultsrv_conn.h"

static int on_message_begin(http_parser *p);
static int on_url(http_parser *p, const char *at, size_t len);
static int on_header_field(http_parser *p, const char *at, size_t len);
static int on_header_value(http_parser *p, const char *at, size_t len);
static int on_headers_complete(http_parser *p);
static int on_body(http_parser *p, const char *at, size_t len);
static int on_message_complete(http_parser *p);

static const http_parser_settings parser_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

static void req_clear(sv__fault_req *req)
{
    free(req->url);
    free(req->body);
    memset(req, 0, sizeof(*req));
}

/* Counts request-head bytes; past the limit the request gets a 431. */
static int count_head(sv__fault_conn *conn, size_t len)
{
    conn->req.head_bytes += len;
    if (conn->req.head_bytes > SV__FAULT_MAX_HEAD) {
        conn->req.error_status = 431;
        return -1;
    }
    return 0;
}

static int on_message_begin(http_parser *p)
{
    sv__fault_conn *conn = p->data;

    req_clear(&conn->req);
    conn->req.t_ms = sv__fault_now_ms(conn->srv);
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    sv__fault_conn *conn = p->data;
    sv__fault_req *req = &conn->req;
    char *url;

    if (count_head(conn, len) < 0)
        return -1;
    if (!(url = realloc(req->url, req->url_len + len + 1)))
        return -1;
    memcpy(url + req->url_len, at, len);
    req->url = url;
    req->url_len += len;
    url[req->url_len] = '\0';
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    sv__fault_conn *conn = p->data;
    sv__fault_req *req = &conn->req;
    size_t i;

    /* The 4 bytes of ": " and CRLF per header count towards the limit too. */
    if (count_head(conn, len + (req->last_was_value || !req->field_len ? 4 : 0)) < 0)
        return -1;
    if (req->last_was_value) {
        req->field_len = 0;
        req->last_was_value = 0;
    }
    for (i = 0; i < len && req->field_len + 1 < sizeof(req->field); i++) {
        char c = at[i];
        req->field[req->field_len++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    req->field[req->field_len] = '\0';
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    sv__fault_conn *conn = p->data;
    sv__fault_req *req = &conn->req;

    if (count_head(conn, len) < 0)
        return -1;
    if (!req->last_was_value) {
        req->last_was_value = 1;
        req->field_is_range = !strcmp(req->field, "range");
        if (req->field_is_range && req->has_range)
            req->range_overflow = 1; /* two Range headers: ignore both */
        if (req->field_is_range)
            req->has_range = 1;
    }
    if (!req->field_is_range || req->range_overflow)
        return 0;
    if (req->range_len + len >= sizeof(req->range)) {
        req->range_overflow = 1;
        return 0;
    }
    memcpy(req->range + req->range_len, at, len);
    req->range_len += len;
    req->range[req->range_len] = '\0';
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    sv__fault_conn *conn = p->data;

    conn->req.headers_done = 1;
    conn->req.method = http_method_str((enum http_method)p->method);
    conn->req.keep_alive = http_should_keep_alive(p);
    /* Refuse an announced oversized body before it is sent: a client that
     * sent "Expect: 100-continue" then gets the 413 instead of a reset. */
    if (!(p->flags & F_CHUNKED) && p->content_length != ULLONG_MAX &&
        p->content_length > SV__FAULT_MAX_REQ_BODY) {
        conn->req.error_status = 413;
        return -1;
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    sv__fault_conn *conn = p->data;
    sv__fault_req *req = &conn->req;
    char *body;

    if (req->body_len + len > SV__FAULT_MAX_REQ_BODY) {
        req->error_status = 413;
        return -1;
    }
    if (!(body = realloc(req->body, req->body_len + len + 1)))
        return -1;
    memcpy(body + req->body_len, at, len);
    req->body = body;
    req->body_len += len;
    body[req->body_len] = '\0';
    return 0;
}

static int on_message_complete(http_parser *p)
{
    /* Stop after this message: the next one (pipelined) is parsed once the
     * response to this one is done. */
    http_parser_pause(p, 1);
    return 0;
}

/* Feeds pending bytes to the parser while the connection waits for a request. */
static void parse_pending(sv__fault_conn *conn)
{
    while (conn->state == SV__CONN_READING && conn->pending_len > 0) {
        size_t n = http_parser_execute(&conn->parser, &parser_settings,
                                       conn->pending, conn->pending_len);
        enum http_errno err = HTTP_PARSER_ERRNO(&conn->parser);

        if (n > conn->pending_len)
            n = conn->pending_len;
        memmove(conn->pending, conn->pending + n, conn->pending_len - n);
        conn->pending_len -= n;
        if (err == HPE_PAUSED) {
            http_parser_pause(&conn->parser, 0);
            uv_timer_stop(&conn->timer);
            sv__fault_respond(conn);
        } else if (err != HPE_OK) {
            uv_timer_stop(&conn->timer);
            sv__fault_respond_error(conn, conn->req.error_status ? conn->req.error_status : 400);
            return;
        }
    }
}

static void on_close(uv_handle_t *handle)
{
    sv__fault_conn *conn = handle->data;

    if (--conn->open_handles > 0)
        return;
    req_clear(&conn->req);
    free(conn->pending);
    free(conn->wbuf);
    free(conn);
}

static void unlink_conn(sv__fault_conn *conn)
{
    sv_faultsrv *srv = conn->srv;

    if (conn->prev)
        conn->prev->next = conn->next;
    else if (srv->conns == conn)
        srv->conns = conn->next;
    if (conn->next)
        conn->next->prev = conn->prev;
    conn->prev = conn->next = NULL;
    srv->n_conns--;
}

static void close_handles(sv__fault_conn *conn)
{
    if (!uv_is_closing((uv_handle_t *)&conn->tcp))
        uv_close((uv_handle_t *)&conn->tcp, on_close);
    if (!uv_is_closing((uv_handle_t *)&conn->timer))
        uv_close((uv_handle_t *)&conn->timer, on_close);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    close_handles(req->data);
}

void sv__fault_conn_close(sv__fault_conn *conn, sv__fault_close_mode mode)
{
    if (conn->state == SV__CONN_CLOSING)
        return;
    conn->state = SV__CONN_CLOSING;
    unlink_conn(conn);
    uv_read_stop((uv_stream_t *)&conn->tcp);
    uv_timer_stop(&conn->timer);

    if (mode == SV__CLOSE_RESET &&
        uv_tcp_close_reset(&conn->tcp, on_close) == 0) {
        uv_close((uv_handle_t *)&conn->timer, on_close);
        return;
    }
    if (mode == SV__CLOSE_GRACEFUL) {
        conn->shutdown_req.data = conn;
        if (uv_shutdown(&conn->shutdown_req, (uv_stream_t *)&conn->tcp, on_shutdown) == 0)
            return;
    }
    close_handles(conn);
}

void sv__fault_conn_abort(sv__fault_conn *conn)
{
    if (conn->resp.active)
        sv__fault_respond_end(conn, conn->state == SV__CONN_STALLED ? SV__FAULT_END_STALLED
                                                                    : SV__FAULT_END_ABORTED);
    sv__fault_conn_close(conn, SV__CLOSE_NOW);
}

static void on_timer(uv_timer_t *timer)
{
    sv__fault_conn *conn = timer->data;

    if (conn->state == SV__CONN_READING)
        sv__fault_conn_close(conn, SV__CLOSE_NOW); /* idle too long */
    else if (conn->state != SV__CONN_CLOSING)
        sv__fault_respond_timer(conn);
}

void sv__fault_conn_arm(sv__fault_conn *conn, uint64_t ms)
{
    /* Delays are promises of "at least": the loop's cached time can lag the
     * clock, and it counts whole milliseconds, so refresh it and add one. */
    uv_update_time(&conn->srv->loop);
    uv_timer_start(&conn->timer, on_timer, ms + 1, 0);
}

void sv__fault_conn_next(sv__fault_conn *conn)
{
    if (conn->peer_eof) {
        /* Nothing more will come from this client. */
        sv__fault_conn_close(conn, SV__CLOSE_GRACEFUL);
        return;
    }
    conn->state = SV__CONN_READING;
    uv_timer_start(&conn->timer, on_timer, (uint64_t)conn->srv->idle_ms, 0);
    parse_pending(conn);
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    sv__fault_conn *conn = handle->data;

    /* Read straight into the tail of `pending`; when it is full libuv reports
     * UV_ENOBUFS and the connection is dropped. */
    *buf = uv_buf_init(conn->pending + conn->pending_len,
                       (unsigned int)(SV__FAULT_MAX_PENDING - conn->pending_len));
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    sv__fault_conn *conn = stream->data;

    if (conn->state == SV__CONN_CLOSING || nread == 0)
        return;
    if (nread == UV_EOF && conn->state == SV__CONN_SENDING && conn->resp.active) {
        /* The client may have read the whole response and closed before our
         * write callback ran: let the write decide whether it got through. */
        conn->peer_eof = 1;
        uv_read_stop(stream);
        return;
    }
    if (nread < 0) {
        /* EOF or error: the client is gone (a half-close counts as gone). */
        if (conn->resp.active)
            sv__fault_respond_end(conn, conn->state == SV__CONN_STALLED
                                            ? SV__FAULT_END_STALLED
                                            : SV__FAULT_END_CLIENT_CLOSED);
        sv__fault_conn_close(conn, SV__CLOSE_NOW);
        return;
    }
    conn->pending_len += (size_t)nread;
    parse_pending(conn);
}

void sv__fault_conn_accept(sv_faultsrv *srv)
{
    sv__fault_conn *conn;

    if (!(conn = calloc(1, sizeof(*conn))))
        return;
    conn->srv = srv;
    conn->resp.fd = -1;
    uv_tcp_init(&srv->loop, &conn->tcp);
    uv_timer_init(&srv->loop, &conn->timer);
    conn->tcp.data = conn;
    conn->timer.data = conn;
    conn->open_handles = 2;
    conn->id = srv->next_conn_id++;
    conn->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = conn;
    srv->conns = conn;
    srv->n_conns++;

    if (uv_accept((uv_stream_t *)&srv->listener, (uv_stream_t *)&conn->tcp) != 0 ||
        srv->n_conns > (size_t)srv->max_conns ||
        !(conn->pending = malloc(SV__FAULT_MAX_PENDING))) {
        sv__fault_conn_close(conn, SV__CLOSE_NOW);
        return;
    }
    /* Small writes (drips) must leave at once, not wait for Nagle. */
    uv_tcp_nodelay(&conn->tcp, 1);
    http_parser_init(&conn->parser, HTTP_REQUEST);
    conn->parser.data = conn;
    if (uv_read_start((uv_stream_t *)&conn->tcp, on_alloc, on_read) != 0) {
        sv__fault_conn_close(conn, SV__CLOSE_NOW);
        return;
    }
    sv__fault_conn_next(conn);
}
