/*
 * faultsrv_serve.c - the fault server on svserver's HTTP layer: the layer
 * accepts, parses, keeps connections alive and refuses what is too big; here
 * each request is routed (control endpoint, a rule's answer, a plain file)
 * and each plain answer is logged when it ends.
 */
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>

#include "faultsrv_internal.h"

/* How a request was answered, in req->route: the log needs it in on_done. */
static const char ROUTE_CONTROL[] = "control"; /* not logged */
static const char ROUTE_RULE[] = "rule";       /* logged by faultsrv_respond.c */
static const char ROUTE_PLAIN[] = "plain";     /* logged here */

static char *copy(const char *s, size_t len)
{
    char *p = malloc(len + 1);

    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

static int on_headers(void *opaque, sv__http_req *req)
{
    (void)opaque;
    /* Marks a request whose head was parsed whole: its method and target
     * are worth logging even when the layer refuses it later (413). */
    req->route_name = "head";
    return 0;
}

/* A plain-text answer "<status> <reason>\n". */
static void send_plain(sv__http_req *req, int status)
{
    char body[96];
    int n = snprintf(body, sizeof(body), "%d %s\n", status, sv__fault_reason(status));

    sv__http_send(req, status, "text/plain; charset=utf-8", body, (size_t)n);
}

static void send_file(sv_faultsrv *srv, sv__http_req *req, const char *decoded)
{
    sv__fault_file f;

    if (req->method != HTTP_GET && req->method != HTTP_HEAD) {
        sv__http_add_header_str(req, "Allow", "GET, HEAD");
        send_plain(req, 405);
        return;
    }
    sv__fault_file_open(srv->root, decoded, req->has_range ? req->range : NULL, &f);
    sv__fault_file_headers(req, &f);
    if (f.fd < 0)
        send_plain(req, f.status);
    else
        sv__http_send_file(req, f.status, f.content_type, f.fd, f.off, f.len);
}

static void control(sv_faultsrv *srv, sv__http_req *req, const char *decoded)
{
    sv__fault_reply reply;

    req->route = ROUTE_CONTROL;
    sv__fault_control(srv, http_method_str((enum http_method)req->method), decoded, req->body,
                      req->body_len, &reply);
    sv__http_send(req, reply.status,
                  reply.content_type ? reply.content_type : "application/json",
                  reply.body ? reply.body : "", reply.body ? reply.body_len : 0);
    free(reply.body);
}

static void on_request(void *opaque, sv__http_req *req)
{
    sv_faultsrv *srv = opaque;
    struct http_parser_url u;
    char *decoded = NULL, *path = NULL, *query = NULL;
    const char *method = http_method_str((enum http_method)req->method);
    sv__fault_rules *rules = NULL;
    sv__fault_rule *rule;
    size_t plen;

    req->route = ROUTE_PLAIN;
    http_parser_url_init(&u);
    if (http_parser_parse_url(req->target, req->target_len, 0, &u) != 0 ||
        !(u.field_set & (1 << UF_PATH))) {
        req->route = NULL; /* logged like a refused request: the target as sent */
        sv__http_send(req, 400, "text/plain; charset=utf-8", "400 Bad Request\n", 16);
        return;
    }
    plen = u.field_data[UF_PATH].len;
    if (!(path = copy(req->target + u.field_data[UF_PATH].off, plen)) ||
        !(decoded = malloc(plen + 1)) ||
        ((u.field_set & (1 << UF_QUERY)) &&
         !(query = copy(req->target + u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len)))) {
        sv__http_send_error(req, 500, "internal", "out of memory");
        goto out;
    }
    if (sv__fault_decode_path(path, plen, decoded, plen + 1) < 0) {
        send_plain(req, 404);
        goto out;
    }
    if (!strcmp(decoded, "/_fault") || !strncmp(decoded, "/_fault/", 8)) {
        control(srv, req, decoded);
        goto out;
    }
    uv_mutex_lock(&srv->lock);
    if ((rule = sv__fault_rules_match_locked(srv->rules, method, decoded)))
        rules = sv__fault_rules_ref(srv->rules);
    uv_mutex_unlock(&srv->lock);
    if (rule) {
        sv__fault_req_info info = { method, path, query, req->has_range ? req->range : NULL,
                                    decoded };

        req->route = ROUTE_RULE;
        sv__fault_respond(srv, req, rules, rule, &info);
        uv_mutex_lock(&srv->lock);
        sv__fault_rules_unref(rules);
        uv_mutex_unlock(&srv->lock);
    } else {
        send_file(srv, req, decoded);
    }
out:
    free(decoded);
    free(path);
    free(query);
}

/* Logs a plain answer, or a request the layer refused (400, 413, 431). */
static void on_done(void *opaque, const sv__http_req *req)
{
    sv_faultsrv *srv = opaque;
    struct http_parser_url u;
    char *path = NULL, *query = NULL;
    int head = strcmp(req->route_name, "none") != 0;
    sv__fault_record rec;

    if (req->route == ROUTE_CONTROL || req->route == ROUTE_RULE)
        return;
    memset(&rec, 0, sizeof(rec));
    rec.t_ms = (req->t_start_ns - srv->start_ns) / 1000000u;
    rec.dur_ms = sv__fault_now_ms(srv) - rec.t_ms;
    rec.conn = req->conn_id;
    rec.status = req->status;
    rec.bytes = req->bytes_written;
    rec.end = req->completed ? SV__FAULT_END_COMPLETE
              : srv->stopping ? SV__FAULT_END_ABORTED : SV__FAULT_END_CLIENT_CLOSED;
    if (req->route == ROUTE_PLAIN) {
        http_parser_url_init(&u);
        http_parser_parse_url(req->target, req->target_len, 0, &u);
        path = copy(req->target + u.field_data[UF_PATH].off, u.field_data[UF_PATH].len);
        if (u.field_set & (1 << UF_QUERY))
            query = copy(req->target + u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len);
        rec.range = req->has_range ? req->range : NULL;
    } else if (head && req->target) {
        /* Only a complete head gives a trustworthy target to log. */
        path = copy(req->target, req->target_len);
    }
    rec.method = head ? http_method_str((enum http_method)req->method) : NULL;
    rec.path = path;
    rec.query = query;
    sv__fault_log_record(srv, &rec);
    free(path);
    free(query);
}

void sv__fault_callbacks(sv_faultsrv *srv, sv__http_callbacks *cb)
{
    memset(cb, 0, sizeof(*cb));
    cb->on_headers = on_headers;
    cb->on_request = on_request;
    cb->on_done = on_done;
    cb->opaque = srv;
}
