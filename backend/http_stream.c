/*
 * http_stream.c - streamed answers (http.h): the application writes the
 * body piece by piece; the connection keeps watching the socket so that a
 * client leaving is noticed at once, keeps what a pipelined next request
 * sends, and finishes the answer (keep-alive or close) when the
 * application ends it.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/http_internal.h"
#include "streamverse/common.h"

/* What the socket is watched for while the application holds the stream:
 * writability while bytes wait; input while there is room for it (else only
 * the peer's hang-up, so a full buffer cannot hide a departure). */
static void stream_watch(sv__http_conn *conn)
{
    int events = conn->in_len < sizeof(conn->in) ? UV_READABLE : UV_DISCONNECT;

    if (conn->out_off < conn->out.size)
        events |= UV_WRITABLE;
    sv__http_conn_watch(conn, events);
}

static void stream_gone(sv__http_conn *conn);
static void stream_poll(sv__http_conn *conn, int events);

void sv__http_stream_open(sv__http_req *req, const sv__http_stream_cb *cb, void *opaque)
{
    sv__http_conn *conn = req->conn;

    conn->stream_cb = cb;
    conn->stream_poll = stream_poll;
    conn->stream_gone = stream_gone;
    conn->stream_opaque = opaque;
    conn->stream_promised = conn->stream_body = 0;
    conn->stream_chunked = 0;
    conn->state = SV__CONN_STREAM;
    uv_timer_stop(&conn->timer);
}

/* The connection closes while the application holds its stream: tells it. */
static void stream_gone(sv__http_conn *conn)
{
    const sv__http_stream_cb *cb = conn->stream_cb;

    conn->stream_cb = NULL;
    if (cb->on_gone)
        cb->on_gone(conn->stream_opaque, &conn->req);
}

/* Sends what waits. Returns 1 (all out; the buffer is reused), 0 (waiting
 * for the socket) or SV_ERR_NETWORK (the connection is closed, quietly:
 * the application learns it from the return value). */
static int stream_flush(sv__http_conn *conn)
{
    int r = sv__http_out_flush(conn);

    if (r < 0) {
        conn->stream_cb = NULL;
        sv__http_conn_close(conn);
        return SV_ERR_NETWORK;
    }
    if (r == 1) {
        conn->out.size = 0;
        conn->out_off = conn->out_head = 0;
    }
    if (!conn->in_parser)
        stream_watch(conn);
    return r;
}

int sv__http_stream_head(sv__http_req *req, int status, const char *content_type,
                         uint64_t content_length)
{
    sv__http_conn *conn = req->conn;
    int r;

    if (conn->state != SV__CONN_STREAM || req->status)
        return SV_ERR_STATE;
    if ((r = sv__http_build_head(req, status, content_type, content_length)) < 0) {
        conn->stream_cb = NULL;
        sv__http_conn_close(conn);
        return r;
    }
    conn->stream_promised = req->method == HTTP_HEAD ? 0 : content_length;
    conn->stream_chunked = content_length == SV__HTTP_CHUNKED && req->http_minor >= 1 &&
                           req->method != HTTP_HEAD;
    if (content_length == SV__HTTP_CHUNKED && req->method == HTTP_HEAD)
        conn->stream_promised = 0;
    return stream_flush(conn);
}

int sv__http_stream_write(sv__http_req *req, const void *data, size_t len)
{
    sv__http_conn *conn = req->conn;

    if (conn->state != SV__CONN_STREAM || !req->status)
        return SV_ERR_STATE;
    if (conn->stream_chunked) {
        char size[24];

        if (len == 0)
            return stream_flush(conn); /* an empty chunk would end the body */
        sv__buf_append(&conn->out, size, (size_t)snprintf(size, sizeof(size), "%zx\r\n", len));
    }
    sv__buf_append(&conn->out, data, len);
    if (conn->stream_chunked)
        sv__buf_append(&conn->out, "\r\n", 2);
    if (conn->out.err) {
        conn->stream_cb = NULL;
        sv__http_conn_close(conn);
        return SV_ERR_NOMEM;
    }
    conn->stream_body += len;
    req->bytes_sent += len;
    return stream_flush(conn);
}

void sv__http_stream_end(sv__http_req *req, enum sv__http_stream_end how)
{
    sv__http_conn *conn = req->conn;

    if (conn->state != SV__CONN_STREAM)
        return;
    conn->stream_cb = NULL;
    if (how == SV__HTTP_STREAM_RESET) {
        struct linger lg = { 1, 0 };

        /* With a zero linger time, close() sends RST and drops what the
         * socket still holds. */
        setsockopt(conn->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        sv__http_conn_close(conn);
        return;
    }
    /* A chunked body ends with its last chunk, whatever its length. */
    if (conn->stream_chunked && how == SV__HTTP_STREAM_DONE) {
        sv__buf_append(&conn->out, "0\r\n\r\n", 5);
        conn->stream_promised = conn->stream_body;
    }
    /* A short or long body, or none at all: the client cannot frame what
     * follows, so the connection ends with this answer. An HTTP/1.0
     * client's body of unknown length ends with the close. */
    if (how == SV__HTTP_STREAM_CLOSE || !req->status || conn->out.err ||
        (conn->stream_promised == SV__HTTP_CHUNKED && !conn->stream_chunked) ||
        conn->stream_body != conn->stream_promised)
        conn->close_after = 1;
    if (!req->status) {
        sv__http_conn_close(conn);
        return;
    }
    /* Inside a parser callback the connection sends it once the parser
     * returned, as for any answer; else now. */
    conn->state = SV__CONN_WRITING;
    sv__http_conn_dispatch(conn);
}

/* The socket of a connection in SV__CONN_STREAM is ready. */
static void stream_poll(sv__http_conn *conn, int events)
{
    const sv__http_stream_cb *cb = conn->stream_cb;
    int r;

    if (events & (UV_READABLE | UV_DISCONNECT)) {
        ssize_t n = 1;

        if (conn->in_len < sizeof(conn->in))
            n = read(conn->fd, conn->in + conn->in_len, sizeof(conn->in) - conn->in_len);
        else if (events & UV_DISCONNECT)
            n = 0;
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            /* The client left (a half-close counts: it will read nothing). */
            sv__http_conn_close(conn);
            return;
        }
        if (n > 0)
            conn->in_len += (size_t)n;
    }
    if (conn->out_off < conn->out.size) {
        if (!(events & UV_WRITABLE)) {
            stream_watch(conn);
            return;
        }
        if ((r = sv__http_out_flush(conn)) < 0) {
            sv__http_conn_close(conn);
            return;
        }
        if (r == 0) {
            stream_watch(conn);
            return;
        }
        conn->out.size = 0;
        conn->out_off = conn->out_head = 0;
        stream_watch(conn);
        /* Last: the application may end the stream from here. */
        if (cb && cb->on_drained)
            cb->on_drained(conn->stream_opaque, &conn->req);
        return;
    }
    stream_watch(conn);
}
