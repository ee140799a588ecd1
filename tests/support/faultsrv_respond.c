/*
 * faultsrv_respond.c - one answer under a rule: the rule's status or the
 * file (a range of it), written as a streamed answer of the HTTP layer
 * (backend/http.h) so that every fault lands on its byte: the first-byte
 * delay, then the head, then body pieces clipped so that each fault (stall,
 * reset, truncation) happens exactly at its offset, paced by the drip
 * schedule when the rule sets a rate.
 *
 * After each step that leaves bytes waiting for the socket (on_drained) and
 * after each timer, send_more() decides the next step from the body
 * position alone.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "faultsrv_internal.h"

typedef enum resp_state {
    RESP_DELAYING,   /* the first-byte delay runs */
    RESP_SENDING,    /* bytes wait for the socket, or the next drip is due */
    RESP_STALLED     /* mid-body stall: timer running, or none when endless */
} resp_state;

typedef struct resp {
    sv_faultsrv *srv;
    sv__http_req *req;       /* NULL once the answer ended */
    resp_state state;
    uv_timer_t timer;
    sv__fault_rules *rules;  /* reference keeping `rule` alive */
    const sv__fault_rule *rule;
    int status;
    const char *content_type;
    int fd;                  /* file body, or -1 */
    uint64_t file_off;
    const char *mem;         /* memory body (in mem_owned or the rule) */
    char *mem_owned;
    char *wbuf;              /* file piece being written */
    uint64_t send_len;       /* body bytes to send (0 for HEAD) */
    uint64_t advertised;     /* Content-Length sent */
    uint64_t sent;           /* body bytes handed to the layer */
    int head_sent, delay_done, stall_done, close_after;
    uint64_t drip_start;     /* uv_now() at which the drip schedule started */
    sv__fault_record rec;    /* what the log says; strings owned here */
} resp;

static void send_more(resp *r);

static void on_timer_closed(uv_handle_t *h)
{
    resp *r = h->data;

    if (r->fd >= 0)
        close(r->fd);
    free(r->mem_owned);
    free(r->wbuf);
    free((char *)r->rec.method);
    free((char *)r->rec.path);
    free((char *)r->rec.query);
    free((char *)r->rec.range);
    free(r);
}

/* Logs the answer with `end` and lets go of everything; the stream itself
 * is ended (or gone) by the caller. */
static void finish_log(resp *r, sv__fault_end end)
{
    sv_faultsrv *srv = r->srv;

    r->rec.dur_ms = sv__fault_now_ms(srv) - r->rec.t_ms;
    r->rec.status = r->status;
    r->rec.bytes = r->req->bytes_written;
    r->rec.end = end;
    sv__fault_log_record(srv, &r->rec);
    uv_mutex_lock(&srv->lock);
    sv__fault_rules_unref(r->rules);
    uv_mutex_unlock(&srv->lock);
    r->rules = NULL;
    r->req = NULL;
    uv_timer_stop(&r->timer);
    uv_close((uv_handle_t *)&r->timer, on_timer_closed);
}

/* Logs, then ends the stream the way `how` says. The layer may go on with
 * the next pipelined request inside sv__http_stream_end: r is gone first. */
static void end(resp *r, sv__fault_end how_logged, enum sv__http_stream_end how)
{
    sv__http_req *req = r->req;

    finish_log(r, how_logged);
    sv__http_stream_end(req, how);
}

static void on_drained(void *opaque, sv__http_req *req)
{
    (void)req;
    send_more(opaque);
}

static void on_gone(void *opaque, sv__http_req *req)
{
    resp *r = opaque;

    (void)req;
    finish_log(r, r->state == RESP_STALLED ? SV__FAULT_END_STALLED
                  : r->srv->stopping       ? SV__FAULT_END_ABORTED
                                           : SV__FAULT_END_CLIENT_CLOSED);
}

static const sv__http_stream_cb stream_cb = { on_drained, on_gone };

static void on_timer(uv_timer_t *t)
{
    resp *r = t->data;

    if (r->state == RESP_STALLED && r->rule->rate > 0) {
        /* Resume the drip where it left off instead of bursting to catch up. */
        uint64_t now = uv_now(&r->srv->loop);
        uint64_t done_ms = r->sent * 1000u / (uint64_t)r->rule->rate;

        r->drip_start = now > done_ms ? now - done_ms : 0;
    }
    r->state = RESP_SENDING;
    send_more(r);
}

static void arm(resp *r, resp_state state, uint64_t ms)
{
    r->state = state;
    /* Delays are promises of "at least": the loop's cached time can lag the
     * clock, and it counts whole milliseconds, so refresh it and add one. */
    uv_update_time(&r->srv->loop);
    uv_timer_start(&r->timer, on_timer, ms + 1, 0);
}

/* Lowers *chunk so that the body stops exactly at `at` when it lies ahead. */
static void clip(uint64_t *chunk, uint64_t sent, long long at)
{
    if (at >= 0 && (uint64_t)at > sent && (uint64_t)at - sent < *chunk)
        *chunk = (uint64_t)at - sent;
}

/* A fault due at the current body position. Returns 1 when it acted. */
static int fault_now(resp *r)
{
    const sv__fault_rule *f = r->rule;

    if (f->stall_after >= 0 && !r->stall_done && r->sent == (uint64_t)f->stall_after &&
        r->sent < r->send_len) {
        r->stall_done = 1;
        r->state = RESP_STALLED;
        /* Without "ms" nothing wakes the answer: it waits for the client to
         * give up (on_gone) or the server to stop. */
        if (f->stall_ms >= 0)
            arm(r, RESP_STALLED, (uint64_t)f->stall_ms);
        return 1;
    }
    if (f->reset_after >= 0 && r->sent == (uint64_t)f->reset_after) {
        end(r, SV__FAULT_END_RESET, SV__HTTP_STREAM_RESET);
        return 1;
    }
    if (f->truncate_after >= 0 && r->sent == (uint64_t)f->truncate_after &&
        r->sent < r->send_len) {
        end(r, SV__FAULT_END_TRUNCATED, SV__HTTP_STREAM_CLOSE);
        return 1;
    }
    return 0;
}

/* The next piece of body: clipped at the faults, paced by the drip. Returns
 * 0 when nothing may go now (a timer was armed). */
static uint64_t next_chunk(resp *r)
{
    const sv__fault_rule *f = r->rule;
    uint64_t chunk = r->send_len - r->sent;

    if (chunk > SV__FAULT_CHUNK)
        chunk = SV__FAULT_CHUNK;
    if (!r->stall_done)
        clip(&chunk, r->sent, f->stall_after);
    clip(&chunk, r->sent, f->reset_after);
    clip(&chunk, r->sent, f->truncate_after);
    if (f->rate > 0) {
        /* Byte `sent` is due sent/rate seconds after the schedule began;
         * each write carries at most 20 ms worth. */
        uint64_t now = uv_now(&r->srv->loop);
        uint64_t due = r->drip_start + r->sent * 1000u / (uint64_t)f->rate;
        uint64_t slice = (uint64_t)f->rate / 50u;

        if (due > now) {
            arm(r, RESP_SENDING, due - now);
            return 0;
        }
        if (slice < 1)
            slice = 1;
        if (chunk > slice)
            chunk = slice;
    }
    return chunk;
}

static void send_more(resp *r)
{
    for (;;) {
        const char *data;
        uint64_t chunk;
        int w;

        if (!r->head_sent) {
            if (r->rule->delay_ms > 0 && !r->delay_done) {
                r->delay_done = 1;
                arm(r, RESP_DELAYING, (uint64_t)r->rule->delay_ms);
                return;
            }
            r->head_sent = 1;
            r->state = RESP_SENDING;
            r->drip_start = uv_now(&r->srv->loop);
            w = sv__http_stream_head(r->req, r->status, r->content_type, r->advertised);
        } else {
            if (fault_now(r))
                return;
            if (r->sent >= r->send_len) {
                /* Fewer bytes than Content-Length promised, then a clean
                 * close: to the client that is a truncated body. */
                end(r, r->send_len && r->advertised > r->sent ? SV__FAULT_END_TRUNCATED
                                                             : SV__FAULT_END_COMPLETE,
                    r->close_after ? SV__HTTP_STREAM_CLOSE : SV__HTTP_STREAM_DONE);
                return;
            }
            if (!(chunk = next_chunk(r)))
                return;
            data = r->mem ? r->mem + r->sent : NULL;
            if (r->fd >= 0) {
                ssize_t n = pread(r->fd, r->wbuf, (size_t)chunk, (off_t)(r->file_off + r->sent));

                if (n <= 0) {
                    /* The file shrank under us: the client gets a short body. */
                    end(r, SV__FAULT_END_TRUNCATED, SV__HTTP_STREAM_CLOSE);
                    return;
                }
                chunk = (uint64_t)n;
                data = r->wbuf;
            }
            r->sent += chunk;
            w = sv__http_stream_write(r->req, data, (size_t)chunk);
        }
        if (w < 0) {
            /* The connection is closed already: the client left. */
            finish_log(r, SV__FAULT_END_CLIENT_CLOSED);
            return;
        }
        if (w == 0)
            return; /* on_drained goes on */
    }
}

static int rule_sets_header(const sv__fault_rule *f, const char *name, const char **value)
{
    for (size_t i = 0; i < f->n_headers; i++)
        if (!strcasecmp(f->headers[i].name, name)) {
            *value = f->headers[i].value;
            return 1;
        }
    return 0;
}

/* The body and status: the rule's status, or the file (or a refusal). */
static int choose_body(resp *r, const sv__fault_req_info *info, uint64_t *len)
{
    const sv__fault_rule *f = r->rule;
    sv__fault_file file;

    if (!f->status && strcmp(info->method, "GET") && strcmp(info->method, "HEAD")) {
        sv__http_add_header_str(r->req, "Allow", "GET, HEAD");
        r->status = 405;
    } else if (f->status) {
        r->status = f->status;
    } else {
        sv__fault_file_open(r->srv->root, info->decoded, info->range, &file);
        sv__fault_file_headers(r->req, &file);
        r->status = file.status;
        r->content_type = file.content_type;
        if (file.fd >= 0) {
            r->fd = file.fd;
            r->file_off = file.off;
            *len = file.len;
            return (r->wbuf = malloc(SV__FAULT_CHUNK)) ? 0 : SV_ERR_NOMEM;
        }
    }
    r->content_type = "text/plain; charset=utf-8";
    if (f->status && f->body) {
        r->mem = f->body;
        *len = f->body_len;
        return 0;
    }
    if (!(r->mem_owned = malloc(96)))
        return SV_ERR_NOMEM;
    *len = (uint64_t)snprintf(r->mem_owned, 96, "%d %s\n", r->status,
                              sv__fault_reason(r->status));
    r->mem = r->mem_owned;
    return 0;
}

void sv__fault_respond(sv_faultsrv *srv, sv__http_req *req, sv__fault_rules *rules,
                       const sv__fault_rule *rule, const sv__fault_req_info *info)
{
    int no_body, is_head = !strcmp(info->method, "HEAD");
    const char *ctype;
    uint64_t len = 0;
    resp *r = calloc(1, sizeof(*r));

    if (!r || !(r->rec.method = strdup(info->method)) || !(r->rec.path = strdup(info->path)) ||
        (info->query && !(r->rec.query = strdup(info->query))) ||
        (info->range && !(r->rec.range = strdup(info->range)))) {
        if (r) {
            free((char *)r->rec.method);
            free((char *)r->rec.path);
            free((char *)r->rec.query);
        }
        free(r);
        sv__http_send_error(req, 500, "internal", "out of memory");
        return;
    }
    r->srv = srv;
    r->req = req;
    r->fd = -1;
    r->rule = rule;
    uv_mutex_lock(&srv->lock);
    r->rules = sv__fault_rules_ref(rules);
    uv_mutex_unlock(&srv->lock);
    uv_timer_init(&srv->loop, &r->timer);
    r->timer.data = r;
    r->rec.t_ms = (req->t_start_ns - srv->start_ns) / 1000000u;
    r->rec.conn = req->conn_id;
    r->rec.rule = rule->name;
    sv__http_stream_open(req, &stream_cb, r);
    if (choose_body(r, info, &len) < 0) {
        end(r, SV__FAULT_END_ABORTED, SV__HTTP_STREAM_RESET);
        return;
    }
    no_body = r->status == 204 || r->status == 304;
    r->advertised = no_body ? 0 : len;
    r->send_len = (no_body || is_head) ? 0 : len;
    if (rule->cl_mode == SV__FAULT_CL_DELTA)
        r->advertised = (rule->cl_arg < 0 && (uint64_t)-rule->cl_arg > len)
                            ? 0 : len + (uint64_t)rule->cl_arg;
    else if (rule->cl_mode == SV__FAULT_CL_VALUE)
        r->advertised = (uint64_t)rule->cl_arg;
    /* After a lie, a reset, a truncation or an endless stall the byte stream
     * is no longer in step with HTTP framing: never reuse the connection
     * (the head still promised keep-alive, as a broken server's would). */
    r->close_after = rule->cl_mode != SV__FAULT_CL_TRUE || rule->reset_after >= 0 ||
                     rule->truncate_after >= 0 || (rule->stall_after >= 0 && rule->stall_ms < 0);
    if (rule_sets_header(rule, "Content-Type", &ctype))
        r->content_type = ctype;
    for (size_t i = 0; i < rule->n_headers; i++)
        if (strcasecmp(rule->headers[i].name, "Content-Type"))
            sv__http_add_header_str(req, rule->headers[i].name, rule->headers[i].value);
    send_more(r);
}
