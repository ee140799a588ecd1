/*
 * api_auth.c - POST /api/v1/auth/login, and the JSON-body head check the
 * playback routes share.
 *
 * A login costs one scrypt run (tens of milliseconds, 16 MiB): it runs on
 * libuv's thread pool while the request waits deferred (sv__http_defer), so
 * the loop keeps serving. Before that, on the loop: the name's lockout (in
 * the catalog), the login guard (throttling, login_guard.h) and the account
 * lookup; an unknown name is checked against a dummy record, so it costs
 * the same work and time as a known one.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "backend/login_guard.h"
#include "backend/playback_internal.h"
#include "backend/server_internal.h"
#include "streamverse/common.h"

int sv__api_json_head(void *ctx, sv__http_req *req)
{
    const char *ct = req->content_type;
    size_t n = strlen("application/json");

    (void)ctx;
    if (strncasecmp(ct, "application/json", n) != 0 ||
        (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' ')) {
        req->pending_status = 415;
        req->pending_code = "unsupported_media_type";
        req->pending_message = "the body must be application/json";
    }
    return 0;
}

/* One login on its way through the thread pool. Only `password`, `rec` and
 * `result` are touched by the worker thread. */
typedef struct login_work {
    uv_work_t work;
    sv__server *srv;
    sv__http_req *req;
    char name[64];
    char peer[48];
    char password[1025];
    sv__user user;
    sv__pw_record rec;
    int found;
    int result;
} login_work;

static void login_hash(uv_work_t *w)
{
    login_work *lw = w->data;

    lw->result = sv__pw_check(lw->password, &lw->rec);
    OPENSSL_cleanse(lw->password, sizeof(lw->password));
}

static void answer_login(login_work *lw)
{
    sv__server *srv = lw->srv;
    sv__http_req *req = lw->req;
    char token[SV__JWT_MAX];

    if (lw->result < 0 && lw->result != SV_ERR_FORBIDDEN) {
        SV_LOGE(srv->log, "auth", "login failed: %s", sv_strerror(lw->result));
        sv__http_send_error(req, 500, "internal", "cannot log in now");
        return;
    }
    if (lw->result < 0 || !lw->found) {
        SV_LOGI(srv->log, "auth", "failed login for '%s' from %s", lw->name, lw->peer);
        sv__http_send_error(req, 401, "invalid_credentials", "wrong name or password");
        return;
    }
    if (sv__jwt_sign(srv->playback->secret, &lw->user, (int64_t)time(NULL), srv->cfg->login_ttl,
                     token, sizeof(token)) < 0) {
        sv__http_send_error(req, 500, "internal", "cannot log in now");
        return;
    }
    sv__api_send_json(req, 200,
                      json_pack("{s:s,s:s,s:i,s:{s:I,s:s,s:s,s:i,s:s}}", "token", token,
                                "token_type", "Bearer", "expires_in", srv->cfg->login_ttl, "user",
                                "id", (json_int_t)lw->user.id, "name", lw->user.name, "region",
                                lw->user.region, "max_streams", lw->user.max_streams, "role",
                                sv__role_name(lw->user.role)));
}

/* The login guard's clock: monotonic seconds with their fraction. */
static double guard_now(void)
{
    return (double)uv_hrtime() / 1e9;
}

static void login_done(uv_work_t *w, int status)
{
    login_work *lw = w->data;
    sv__server *srv = lw->srv;
    int64_t now = (int64_t)time(NULL);
    int ok;

    if (status < 0)
        lw->result = SV_ERR_INTERNAL;
    ok = lw->result == 0 && lw->found;
    /* Counted even when the client hung up meanwhile: dropping the
     * connection must not make a guess free. */
    if (sv__login_guard_finish(srv->login_guard, lw->name, lw->peer, ok, guard_now())) {
        sv__audit_rec a = {.actor = "-", .action = "login_lockout", .target = lw->name,
                           .peer = lw->peer, .detail = "too many failed logins"};

        SV_LOGW(srv->log, "auth", "'%s' locked for %d s after %d failed logins (last from %s)",
                lw->name, srv->cfg->login.lockout_s, srv->cfg->login.lockout_failures, lw->peer);
        if (sv__catalog_lockout_set(srv->cat, lw->name, now + srv->cfg->login.lockout_s,
                                    srv->cfg->login.lockout_failures) < 0 ||
            sv__catalog_audit_add(srv->cat, &a) < 0)
            SV_LOGE(srv->log, "auth", "cannot store the lockout: %s",
                    sv__catalog_errmsg(srv->cat));
    }
    if (sv__http_resume(lw->req))
        answer_login(lw);
    OPENSSL_cleanse(&lw->rec, sizeof(lw->rec));
    free(lw);
}

/* 429 or 503 with Retry-After. */
static void send_wait(sv__http_req *req, int status, int seconds, const char *code,
                      const char *message)
{
    sv__http_add_header(req, "Retry-After", "%d", seconds > 0 ? seconds : 1);
    sv__http_send_error(req, status, code, message);
}

void sv__api_login(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    const char *name, *password;
    json_t *body = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
    login_work *lw = NULL;
    int64_t now = (int64_t)time(NULL), until;
    double t = guard_now();
    int r, wait;

    if (!body || json_unpack(body, "{s:s,s:s}", "name", &name, "password", &password) < 0) {
        sv__http_send_error(req, 400, "bad_request",
                            "the body must be {\"name\": string, \"password\": string}");
        goto out;
    }
    /* No account has such a name or password: nothing to hash. */
    if (!sv__user_name_ok(name) || strlen(password) > 1024) {
        sv__http_send_error(req, 401, "invalid_credentials", "wrong name or password");
        goto out;
    }
    if (sv__catalog_lockout_get(srv->cat, name, &until) < 0) {
        sv__http_send_error(req, 500, "internal", "cannot log in now");
        goto out;
    }
    if (until > now) {
        send_wait(req, 429, (int)(until - now), "account_locked",
                  "too many failed logins: this account is locked for a while");
        goto out;
    }
    r = sv__login_guard_admit(srv->login_guard, name, req->peer, t, &wait);
    if (r == SV__LOGIN_THROTTLED) {
        send_wait(req, 429, wait, "too_many_attempts", "too many failed logins: slow down");
        goto out;
    }
    if (r == SV__LOGIN_BUSY) {
        send_wait(req, 503, wait, "busy", "too many logins at once: try again");
        goto out;
    }
    if (!(lw = calloc(1, sizeof(*lw)))) {
        sv__login_guard_finish(srv->login_guard, name, req->peer, 0, t);
        sv__http_send_error(req, 500, "internal", "out of memory");
        goto out;
    }
    lw->work.data = lw;
    lw->srv = srv;
    lw->req = req;
    snprintf(lw->name, sizeof(lw->name), "%s", name);
    snprintf(lw->peer, sizeof(lw->peer), "%s", req->peer);
    snprintf(lw->password, sizeof(lw->password), "%s", password);
    r = sv__catalog_user_find(srv->cat, name, &lw->user, &lw->rec);
    if (r < 0 && r != SV_ERR_NOT_FOUND) {
        sv__login_guard_finish(srv->login_guard, name, req->peer, 0, t);
        sv__http_send_error(req, 500, "internal", "cannot log in now");
        goto out;
    }
    lw->found = r == 0;
    sv__http_defer(req);
    if (uv_queue_work(&srv->loop, &lw->work, login_hash, login_done) < 0) {
        sv__http_resume(req);
        sv__login_guard_finish(srv->login_guard, name, req->peer, 0, t);
        sv__http_send_error(req, 500, "internal", "cannot log in now");
        goto out;
    }
    lw = NULL; /* login_done frees it */
out:
    if (lw) {
        OPENSSL_cleanse(lw, sizeof(*lw));
        free(lw);
    }
    json_decref(body);
}
