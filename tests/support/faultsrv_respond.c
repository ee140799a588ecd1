/*
 * faultsrv_respond.c - one response: choosing what to answer (control
 * endpoint, a rule's status, a file or a range of it), writing the header
 * block, and pumping the body out through the rule's faults.
 *
 * One write is in flight at a time. After each write (and after each timer)
 * send_more() decides the next step from the body position alone: the
 * first-byte delay, then the header block, then body chunks clipped so that
 * each fault (stall, reset, truncation) happens exactly at its byte offset,
 * paced by the drip schedule when the rule sets a rate.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "faultsrv_conn.h"

/* A growable string for the header block. */
typedef struct strbuf {
    char *p;
    size_t len, cap;
    int failed;
} strbuf;

static void sb_printf(strbuf *b, const char *fmt, ...) SV__FAULT_PRINTF(2, 3);

static void sb_printf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->failed)
        return;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        {
            size_t cap = (b->cap ? b->cap * 2 : 512) + (size_t)n;
            char *p = realloc(b->p, cap);
            if (!p) {
                b->failed = 1;
                return;
            }
            b->p = p;
            b->cap = cap;
        }
    }
}

static const char *reason(int status)
{
    const char *r = http_status_str((enum http_status)status);

    return (r && r[0] != '<') ? r : "Unknown";
}

static void send_more(sv__fault_conn *conn);

/* Logs the response (when it is logged) and releases what it holds. */
void sv__fault_respond_end(sv__fault_conn *conn, sv__fault_end end)
{
    sv__fault_resp *resp = &conn->resp;
    sv_faultsrv *srv = conn->srv;

    if (!resp->active)
        return;
    uv_mutex_lock(&srv->lock);
    if (resp->logged) {
        sv__fault_record rec = {
            .t_ms = conn->req.t_ms,
            .dur_ms = sv__fault_now_ms(srv) - conn->req.t_ms,
            .conn = conn->id,
            .method = conn->req.method,
            .path = resp->path,
            .query = resp->query,
            .range = resp->range,
            .status = resp->status,
            .bytes = resp->sent,
            .rule = resp->rule ? resp->rule->name : NULL,
            .end = end,
        };
        sv__fault_log_append(&srv->log, &rec);
    }
    sv__fault_rules_unref(resp->rules);
    uv_mutex_unlock(&srv->lock);

    if (resp->fd >= 0)
        close(resp->fd);
    free(resp->head);
    free(resp->mem_owned);
    free(resp->path);
    free(resp->query);
    free(resp->range);
    memset(resp, 0, sizeof(*resp));
    resp->fd = -1;
}

/* The body went out as planned (or as far as a Content-Length lie allows). */
static void finish(sv__fault_conn *conn)
{
    sv__fault_resp *resp = &conn->resp;
    int close_after = resp->close_after;

    /* Fewer bytes than Content-Length promised, then a clean close: to the
     * client that is a truncated body, whatever the reason. */
    sv__fault_respond_end(conn, resp->send_len && resp->advertised > resp->sent
                                    ? SV__FAULT_END_TRUNCATED : SV__FAULT_END_COMPLETE);
    if (close_after)
        sv__fault_conn_close(conn, SV__CLOSE_GRACEFUL);
    else
        sv__fault_conn_next(conn);
}

static void on_write(uv_write_t *req, int status)
{
    sv__fault_conn *conn = req->data;

    if (conn->state == SV__CONN_CLOSING)
        return;
    if (status < 0) {
        sv__fault_respond_end(conn, SV__FAULT_END_CLIENT_CLOSED);
        sv__fault_conn_close(conn, SV__CLOSE_NOW);
        return;
    }
    conn->resp.sent += conn->resp.inflight;
    conn->resp.inflight = 0;
    send_more(conn);
}

static void write_buf(sv__fault_conn *conn, const char *base, size_t len, size_t body_bytes)
{
    uv_buf_t buf = uv_buf_init((char *)base, (unsigned int)len);

    conn->state = SV__CONN_SENDING;
    conn->resp.inflight = body_bytes;
    conn->write_req.data = conn;
    if (uv_write(&conn->write_req, (uv_stream_t *)&conn->tcp, &buf, 1, on_write) != 0) {
        sv__fault_respond_end(conn, SV__FAULT_END_CLIENT_CLOSED);
        sv__fault_conn_close(conn, SV__CLOSE_NOW);
    }
}

/* Lowers *chunk so that the body stops exactly at `at` when it lies ahead. */
static void clip(uint64_t *chunk, uint64_t sent, long long at)
{
    if (at >= 0 && (uint64_t)at > sent && (uint64_t)at - sent < *chunk)
        *chunk = (uint64_t)at - sent;
}

static void send_more(sv__fault_conn *conn)
{
    sv__fault_resp *resp = &conn->resp;
    const sv__fault_rule *r = resp->rule;
    uint64_t chunk;
    const char *data;

    if (!resp->head_sent) {
        if (r && r->delay_ms > 0 && !resp->delay_done) {
            resp->delay_done = 1;
            conn->state = SV__CONN_DELAYING;
            sv__fault_conn_arm(conn, (uint64_t)r->delay_ms);
            return;
        }
        resp->head_sent = 1;
        resp->drip_start = uv_now(&conn->srv->loop);
        write_buf(conn, resp->head, resp->head_len, 0);
        return;
    }

    if (r) {
        if (r->stall_after >= 0 && !resp->stall_done &&
            resp->sent == (uint64_t)r->stall_after && resp->sent < resp->send_len) {
            resp->stall_done = 1;
            conn->state = SV__CONN_STALLED;
            /* Without "ms" nothing wakes the connection: it waits for the
             * client to give up (or the server to stop). */
            if (r->stall_ms >= 0)
                sv__fault_conn_arm(conn, (uint64_t)r->stall_ms);
            return;
        }
        if (r->reset_after >= 0 && resp->sent == (uint64_t)r->reset_after) {
            sv__fault_respond_end(conn, SV__FAULT_END_RESET);
            sv__fault_conn_close(conn, SV__CLOSE_RESET);
            return;
        }
        if (r->truncate_after >= 0 && resp->sent == (uint64_t)r->truncate_after &&
            resp->sent < resp->send_len) {
            sv__fault_respond_end(conn, SV__FAULT_END_TRUNCATED);
            sv__fault_conn_close(conn, SV__CLOSE_GRACEFUL);
            return;
        }
    }
    if (resp->sent >= resp->send_len) {
        finish(conn);
        return;
    }

    chunk = resp->send_len - resp->sent;
    if (chunk > SV__FAULT_CHUNK)
        chunk = SV__FAULT_CHUNK;
    if (r) {
        if (!resp->stall_done)
            clip(&chunk, resp->sent, r->stall_after);
        clip(&chunk, resp->sent, r->reset_after);
        clip(&chunk, resp->sent, r->truncate_after);
        if (r->rate > 0) {
            /* Byte `sent` is due sent/rate seconds after the schedule began;
             * each write carries at most 20 ms worth. */
            uint64_t now = uv_now(&conn->srv->loop);
            uint64_t due = resp->drip_start + resp->sent * 1000u / (uint64_t)r->rate;
            uint64_t slice = (uint64_t)r->rate / 50u;

            if (due > now) {
                conn->state = SV__CONN_SENDING;
                sv__fault_conn_arm(conn, due - now);
                return;
            }
            if (slice < 1)
                slice = 1;
            if (chunk > slice)
                chunk = slice;
        }
    }

    if (resp->fd >= 0) {
        ssize_t n;

        if (!conn->wbuf && !(conn->wbuf = malloc(SV__FAULT_CHUNK))) {
            sv__fault_respond_end(conn, SV__FAULT_END_ABORTED);
            sv__fault_conn_close(conn, SV__CLOSE_NOW);
            return;
        }
        n = pread(resp->fd, conn->wbuf, (size_t)chunk, (off_t)(resp->file_off + resp->sent));
        if (n <= 0) {
            /* The file shrank under us: the client gets a short body. */
            sv__fault_respond_end(conn, SV__FAULT_END_TRUNCATED);
            sv__fault_conn_close(conn, SV__CLOSE_GRACEFUL);
            return;
        }
        chunk = (uint64_t)n;
        data = conn->wbuf;
    } else {
        data = resp->mem + resp->sent;
    }
    write_buf(conn, data, (size_t)chunk, (size_t)chunk);
}

void sv__fault_respond_timer(sv__fault_conn *conn)
{
    sv__fault_resp *resp = &conn->resp;

    if (!resp->active)
        return;
    if (conn->state == SV__CONN_STALLED && resp->rule && resp->rule->rate > 0) {
        /* Resume the drip where it left off instead of bursting to catch up. */
        uint64_t now = uv_now(&conn->srv->loop);
        uint64_t done_ms = resp->sent * 1000u / (uint64_t)resp->rule->rate;
        resp->drip_start = now > done_ms ? now - done_ms : 0;
    }
    conn->state = SV__CONN_SENDING;
    send_more(conn);
}

static int rule_sets_header(const sv__fault_rule *r, const char *name)
{
    size_t i;

    for (i = 0; r && i < r->n_headers; i++)
        if (!strcasecmp(r->headers[i].name, name))
            return 1;
    return 0;
}

/*
 * Builds the header block for a body of `body_len` bytes, applies the rule's
 * framing faults, and starts sending. `extra` holds ready-made header lines.
 */
static void start(sv__fault_conn *conn, int status, const char *ctype, uint64_t body_len,
                  const char *extra)
{
    sv__fault_resp *resp = &conn->resp;
    const sv__fault_rule *r = resp->rule;
    int no_body = status == 204 || status == 304;
    int is_head = conn->req.method && !strcmp(conn->req.method, "HEAD");
    strbuf b = { 0 };
    size_t i;

    resp->status = status;
    resp->advertised = no_body ? 0 : body_len;
    resp->send_len = (no_body || is_head) ? 0 : body_len;
    if (r && r->cl_mode == SV__FAULT_CL_DELTA)
        resp->advertised = (r->cl_arg < 0 && (uint64_t)-r->cl_arg > body_len)
                               ? 0 : body_len + (uint64_t)r->cl_arg;
    else if (r && r->cl_mode == SV__FAULT_CL_VALUE)
        resp->advertised = (uint64_t)r->cl_arg;
    /* After a lie, a reset, a truncation or an endless stall the byte stream
     * is no longer in step with HTTP framing: never reuse the connection.
     * The header still says keep-alive, as a broken server's would. */
    if (r && (r->cl_mode != SV__FAULT_CL_TRUE || r->reset_after >= 0 ||
              r->truncate_after >= 0 || (r->stall_after >= 0 && r->stall_ms < 0)))
        resp->close_after = 1;

    sb_printf(&b, "HTTP/1.1 %d %s\r\nServer: sv-faultsrv\r\n", status, reason(status));
    if (!rule_sets_header(r, "Content-Type"))
        sb_printf(&b, "Content-Type: %s\r\n", ctype);
    if (!no_body)
        sb_printf(&b, "Content-Length: %llu\r\n", (unsigned long long)resp->advertised);
    if (extra)
        sb_printf(&b, "%s", extra);
    for (i = 0; r && i < r->n_headers; i++)
        sb_printf(&b, "%s: %s\r\n", r->headers[i].name, r->headers[i].value);
    sb_printf(&b, "Connection: %s\r\n\r\n", conn->req.keep_alive ? "keep-alive" : "close");
    if (b.failed) {
        free(b.p);
        sv__fault_respond_end(conn, SV__FAULT_END_ABORTED);
        sv__fault_conn_close(conn, SV__CLOSE_NOW);
        return;
    }
    resp->head = b.p;
    resp->head_len = b.len;
    send_more(conn);
}

/* Answers from memory. Takes `owned` (may be NULL) whatever happens. */
static void start_mem(sv__fault_conn *conn, int status, const char *ctype, const char *body,
                      size_t len, char *owned, const char *extra)
{
    conn->resp.mem_owned = owned;
    conn->resp.mem = body;
    start(conn, status, ctype, len, extra);
}

/* A plain-text body "<status> <reason>\n". */
static void start_plain(sv__fault_conn *conn, int status, const char *extra)
{
    char *body = malloc(64);
    int n = body ? snprintf(body, 64, "%d %s\n", status, reason(status)) : 0;

    start_mem(conn, status, "text/plain; charset=utf-8", body ? body : "", (size_t)n, body,
              extra);
}

static void start_file(sv__fault_conn *conn, const char *decoded)
{
    sv__fault_resp *resp = &conn->resp;
    const char *ctype = sv__fault_content_type(decoded);
    uint64_t size, first = 0, last = 0;
    char extra[128];
    int fd;

    if (strcmp(conn->req.method, "GET") && strcmp(conn->req.method, "HEAD")) {
        start_plain(conn, 405, "Allow: GET, HEAD\r\n");
        return;
    }
    if (sv__fault_open_file(conn->srv->root, decoded, &fd, &size) < 0) {
        start_plain(conn, 404, NULL);
        return;
    }
    resp->fd = fd;
    switch (conn->req.range_overflow ? SV__FAULT_RANGE_NONE
            : sv__fault_parse_range(resp->range, size, &first, &last)) {
    case SV__FAULT_RANGE_OK:
        resp->file_off = first;
        snprintf(extra, sizeof(extra), "Accept-Ranges: bytes\r\nContent-Range: bytes %llu-%llu/%llu\r\n",
                 (unsigned long long)first, (unsigned long long)last, (unsigned long long)size);
        start(conn, 206, ctype, last - first + 1, extra);
        return;
    case SV__FAULT_RANGE_UNSATISFIABLE:
        snprintf(extra, sizeof(extra), "Content-Range: bytes */%llu\r\n", (unsigned long long)size);
        start_plain(conn, 416, extra);
        return;
    case SV__FAULT_RANGE_NONE:
        break;
    }
    start(conn, 200, ctype, size, "Accept-Ranges: bytes\r\n");
}

static int is_control(const char *decoded)
{
    return !strcmp(decoded, "/_fault") || !strncmp(decoded, "/_fault/", 8);
}

static char *copy(const char *s, size_t len)
{
    char *p = malloc(len + 1);

    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void sv__fault_respond(sv__fault_conn *conn)
{
    sv__fault_req *req = &conn->req;
    sv__fault_resp *resp = &conn->resp;
    sv_faultsrv *srv = conn->srv;
    struct http_parser_url u;
    char *decoded = NULL;
    size_t plen;
    const char *praw;

    memset(resp, 0, sizeof(*resp));
    resp->fd = -1;
    resp->active = 1;
    resp->logged = 1;
    resp->close_after = !req->keep_alive;
    if (req->has_range && !(resp->range = copy(req->range, req->range_len)))
        goto nomem;

    http_parser_url_init(&u);
    if (!req->url || http_parser_parse_url(req->url, req->url_len, 0, &u) != 0 ||
        !(u.field_set & (1 << UF_PATH))) {
        resp->path = req->url ? copy(req->url, req->url_len) : NULL;
        resp->close_after = 1;
        start_plain(conn, 400, NULL);
        return;
    }
    praw = req->url + u.field_data[UF_PATH].off;
    plen = u.field_data[UF_PATH].len;
    if (!(resp->path = copy(praw, plen)) || !(decoded = malloc(plen + 1)))
        goto nomem;
    if ((u.field_set & (1 << UF_QUERY)) &&
        !(resp->query = copy(req->url + u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len)))
        goto nomem;

    if (sv__fault_decode_path(praw, plen, decoded, plen + 1) < 0) {
        start_plain(conn, 404, NULL);
        goto done;
    }
    if (is_control(decoded)) {
        sv__fault_reply reply;

        resp->logged = 0;
        sv__fault_control(srv, req->method, decoded, req->body, req->body_len, &reply);
        start_mem(conn, reply.status,
                  reply.content_type ? reply.content_type : "application/json",
                  reply.body ? reply.body : "",
                  reply.body ? reply.body_len : 0, reply.body, NULL);
        goto done;
    }

    uv_mutex_lock(&srv->lock);
    resp->rule = sv__fault_rules_match_locked(srv->rules, req->method, decoded);
    if (resp->rule)
        resp->rules = sv__fault_rules_ref(srv->rules);
    uv_mutex_unlock(&srv->lock);

    if (resp->rule && resp->rule->status) {
        if (resp->rule->body)
            start_mem(conn, resp->rule->status, "text/plain; charset=utf-8", resp->rule->body,
                      resp->rule->body_len, NULL, NULL);
        else
            start_plain(conn, resp->rule->status, NULL);
    } else {
        start_file(conn, decoded);
    }

done:
    free(decoded);
    return;

nomem:
    free(decoded);
    sv__fault_respond_end(conn, SV__FAULT_END_ABORTED);
    sv__fault_conn_close(conn, SV__CLOSE_NOW);
}

void sv__fault_respond_error(sv__fault_conn *conn, int status)
{
    sv__fault_resp *resp = &conn->resp;

    memset(resp, 0, sizeof(*resp));
    resp->fd = -1;
    resp->active = 1;
    resp->logged = 1;
    resp->close_after = 1;
    /* Only a complete request line gives a trustworthy target to log. */
    if (conn->req.headers_done && conn->req.url)
        resp->path = copy(conn->req.url, conn->req.url_len);
    conn->req.keep_alive = 0;
    start_plain(conn, status, NULL);
}
