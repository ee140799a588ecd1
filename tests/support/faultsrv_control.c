/*
 * faultsrv_control.c - the control endpoint under /_fault/, on the same port
 * as the content so that a test (or a shell script with curl) can drive a
 * running server: read the log, swap the rules, reset, check expectations.
 * Control requests bypass the rules and are not logged.
 */
#include <stdlib.h>
#include <string.h>

#include "faultsrv_internal.h"

static void reply_json(sv__fault_reply *reply, int status, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    size_t len = text ? strlen(text) : 0;

    json_decref(doc);
    reply->status = text ? status : 500;
    reply->content_type = "application/json";
    reply->body = NULL;
    reply->body_len = 0;
    /* A trailing newline keeps shell output (curl -s) tidy. */
    if (text && (reply->body = realloc(text, len + 2))) {
        reply->body[len] = '\n';
        reply->body[len + 1] = '\0';
        reply->body_len = len + 1;
    } else {
        free(text);
        reply->status = 500;
    }
}

static void reply_ok(sv__fault_reply *reply)
{
    reply_json(reply, 200, json_pack("{s:b}", "ok", 1));
}

static void reply_error(sv__fault_reply *reply, int status, const char *message)
{
    reply_json(reply, status, json_pack("{s:s}", "error", message));
}

void sv__fault_control(sv_faultsrv *srv, const char *method, const char *path,
                       const char *body, size_t body_len, sv__fault_reply *reply)
{
    char err[512];
    const char *allow = NULL;
    int ret;

    memset(reply, 0, sizeof(*reply));
    if (!strcmp(path, "/_fault/log")) {
        allow = "GET";
        if (!strcmp(method, "GET")) {
            uv_mutex_lock(&srv->lock);
            reply->body = sv__fault_log_dump(&srv->log);
            uv_mutex_unlock(&srv->lock);
            reply->status = reply->body ? 200 : 500;
            reply->content_type = "application/x-ndjson";
            reply->body_len = reply->body ? strlen(reply->body) : 0;
            return;
        }
    } else if (!strcmp(path, "/_fault/rules")) {
        allow = "PUT";
        if (!strcmp(method, "PUT")) {
            ret = sv__fault_set_rules(srv, body ? body : "", body_len, err, sizeof(err));
            if (ret < 0)
                reply_error(reply, 400, err);
            else
                reply_ok(reply);
            return;
        }
    } else if (!strcmp(path, "/_fault/reset")) {
        allow = "POST";
        if (!strcmp(method, "POST")) {
            sv_faultsrv_reset(srv);
            reply_ok(reply);
            return;
        }
    } else if (!strcmp(path, "/_fault/check")) {
        allow = "GET";
        if (!strcmp(method, "GET")) {
            uv_mutex_lock(&srv->lock);
            ret = sv__fault_log_check(&srv->log, srv->expect, err, sizeof(err));
            uv_mutex_unlock(&srv->lock);
            if (ret == 0)
                reply_ok(reply);
            else
                reply_error(reply, ret == SV_ERR_NOT_FOUND ? 404 : 409, err);
            return;
        }
    } else {
        reply_error(reply, 404, "unknown control path; see docs/fault-server.md");
        return;
    }
    snprintf(err, sizeof(err), "%s takes %s only", path, allow);
    reply_error(reply, 405, err);
}
