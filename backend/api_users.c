/*
 * api_users.c - roles on routes, the audit log, and the admin routes:
 * accounts (/api/v1/users), lockouts and GET /api/v1/audit.
 *
 * A route with a role in the table (api.c) wants "Authorization: Bearer
 * <user token>" from a user with at least that role: no or a bad token is
 * refused with 401, a weaker role with 403, on the head, before any body is
 * read. Every authenticated write (any method but GET and HEAD) on such a
 * route goes to the audit log with its outcome, refusals included.
 */
#include <http_parser.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "backend/http_util.h"
#include "backend/login_guard.h"
#include "backend/playback_internal.h"
#include "backend/server_internal.h"
#include "streamverse/common.h"

int sv__api_require_role(sv__server *srv, sv__http_req *req, int role)
{
    const char *h = req->authorization;
    sv__jwt_claims c;
    int r;

    if (strncasecmp(h, "Bearer ", 7) != 0) {
        sv__http_add_header(req, "WWW-Authenticate", "Bearer realm=\"streamverse\"");
        sv__http_reject(req, 401, "unauthorized",
                        "log in first: Authorization: Bearer <token from /api/v1/auth/login>");
        return -1;
    }
    h += 7;
    while (*h == ' ')
        h++;
    r = sv__playback_jwt_verify(srv->playback, h, strlen(h), &c); /* the previous secret too */
    if (r < 0) {
        sv__http_add_header(req, "WWW-Authenticate",
                            "Bearer realm=\"streamverse\", error=\"invalid_token\"");
        sv__http_reject(req, 401, r == SV_ERR_TIMEOUT ? "token_expired" : "unauthorized",
                        r == SV_ERR_TIMEOUT ? "the user token has expired: log in again"
                                            : "the user token is not valid");
        return -1;
    }
    snprintf(req->user, sizeof(req->user), "%s", c.name);
    req->user_id = c.user_id;
    req->role = c.role;
    if (c.role < role) {
        sv__http_reject(req, 403, "forbidden",
                        role == SV__ROLE_ADMIN ? "this needs an admin account"
                                               : "this needs an operator or admin account");
        return -1;
    }
    return 0;
}

void sv__api_audit(sv__server *srv, const sv__http_req *req)
{
    char action[96];
    sv__audit_rec a = {.actor = req->user, .actor_id = req->user_id, .role = req->role,
                       .action = action, .target = req->path, .peer = req->peer,
                       .status = req->status};

    if (!req->role || req->method == HTTP_GET || req->method == HTTP_HEAD)
        return;
    snprintf(action, sizeof(action), "%s %s", http_method_str((enum http_method)req->method),
             req->route_name);
    if (sv__catalog_audit_add(srv->cat, &a) < 0)
        SV_LOGE(srv->log, "audit", "cannot write the audit log: %s",
                sv__catalog_errmsg(srv->cat));
    SV_LOGI(srv->log, "audit", "%s (%s) from %s: %s %s -> %d", req->user,
            sv__role_name(req->role), req->peer, action, req->path, req->status);
}

/* ---- GET /api/v1/audit?limit=N&before=ID --------------------------------- */

/* int64_t, not long: record ids pass 2^31 and long is 32 bits on armhf. */
static int64_t query_int64(const sv__http_req *req, const char *name, int64_t dflt, int64_t lo,
                           int64_t hi)
{
    char v[32], *end;
    long long n;

    if (sv__http_query_get(req->query, req->query_len, name, 0, v, sizeof(v)) < 0)
        return dflt;
    n = strtoll(v, &end, 10);
    if (end == v || *end || n < lo || n > hi)
        return lo - 1;
    return n;
}

void sv__api_audit_list(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    int64_t limit = query_int64(req, "limit", 100, 1, 1000);
    int64_t before = query_int64(req, "before", 0, 0, INT64_MAX / 2);
    json_t *items;

    if (limit < 1 || before < 0) {
        sv__http_send_error(req, 400, "bad_request", "limit: 1..1000, before: a record id");
        return;
    }
    if (!(items = sv__catalog_audit_list(srv->cat, before, (int)limit))) {
        sv__http_send_error(req, 500, "internal", "cannot read the audit log");
        return;
    }
    sv__api_send_json(req, 200, json_pack("{s:o}", "items", items));
}

/* ---- users ----------------------------------------------------------------- */

void sv__api_users_list(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    json_t *items = sv__catalog_users_list(srv->cat);

    if (!items) {
        sv__http_send_error(req, 500, "internal", "cannot read the accounts");
        return;
    }
    sv__api_send_json(req, 200, json_pack("{s:o}", "items", items));
}

/* A new account's password record is made on the thread pool (scrypt). */
typedef struct add_work {
    uv_work_t work;
    sv__server *srv;
    sv__http_req *req;
    char name[64];
    char region[8];
    char password[1025];
    int max_streams, role, result;
    sv__pw_record rec;
} add_work;

static void add_hash(uv_work_t *w)
{
    add_work *aw = w->data;

    aw->result = sv__pw_record_new(aw->password, &aw->rec);
    OPENSSL_cleanse(aw->password, sizeof(aw->password));
}

static void add_done(uv_work_t *w, int status)
{
    add_work *aw = w->data;
    sv__http_req *req = aw->req;
    int64_t id = 0;
    int r = status < 0 ? SV_ERR_INTERNAL : aw->result;

    if (r == 0)
        r = sv__catalog_user_insert(aw->srv->cat, aw->name, &aw->rec, aw->region,
                                    aw->max_streams, aw->role, &id);
    if (sv__http_resume(req)) {
        if (r == SV_ERR_STATE)
            sv__http_send_error(req, 409, "exists", "a user with that name exists");
        else if (r < 0)
            sv__http_send_error(req, 500, "internal", "cannot add the user");
        else
            sv__api_send_json(req, 201, json_pack("{s:I,s:s,s:s,s:i,s:s}", "id",
                                                  (json_int_t)id, "name", aw->name, "region",
                                                  aw->region, "max_streams", aw->max_streams,
                                                  "role", sv__role_name(aw->role)));
    }
    OPENSSL_cleanse(aw, sizeof(*aw));
    free(aw);
}

void sv__api_user_add(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    json_t *body = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
    const char *name, *password, *region, *role = "viewer";
    int max_streams = 1, r;
    add_work *aw = NULL;

    if (!body || json_unpack(body, "{s:s,s:s,s:s,s?i,s?s}", "name", &name, "password",
                             &password, "region", &region, "max_streams", &max_streams, "role",
                             &role) < 0 ||
        !sv__user_name_ok(name) || !sv__region_ok(region) || strlen(password) < 8 ||
        strlen(password) > 1024 || max_streams < 0 || max_streams > 100 ||
        (r = sv__role_parse(role)) < 0) {
        sv__http_send_error(req, 400, "bad_request",
                            "the body must be {\"name\", \"password\" (8..1024 bytes), "
                            "\"region\" (FR), \"max_streams\" (0..100), \"role\" (viewer, "
                            "operator, admin)}");
        goto out;
    }
    if (!(aw = calloc(1, sizeof(*aw)))) {
        sv__http_send_error(req, 500, "internal", "out of memory");
        goto out;
    }
    aw->work.data = aw;
    aw->srv = srv;
    aw->req = req;
    snprintf(aw->name, sizeof(aw->name), "%s", name);
    snprintf(aw->region, sizeof(aw->region), "%s", region);
    snprintf(aw->password, sizeof(aw->password), "%s", password);
    aw->max_streams = max_streams;
    aw->role = r;
    sv__http_defer(req);
    if (uv_queue_work(&srv->loop, &aw->work, add_hash, add_done) < 0) {
        sv__http_resume(req);
        sv__http_send_error(req, 500, "internal", "cannot add the user");
        goto out;
    }
    aw = NULL; /* add_done frees it */
out:
    if (aw) {
        OPENSSL_cleanse(aw, sizeof(*aw));
        free(aw);
    }
    json_decref(body);
}

/* PATCH /api/v1/users/{name} {"role": ..} */
void sv__api_user_patch(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    json_t *body = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
    const char *role;
    int r = -1;

    if (!body || json_unpack(body, "{s:s}", "role", &role) < 0 ||
        (r = sv__role_parse(role)) < 0) {
        sv__http_send_error(req, 400, "bad_request",
                            "the body must be {\"role\": \"viewer\" | \"operator\" | \"admin\"}");
        goto out;
    }
    r = sv__catalog_user_set_role(srv->cat, req->params[0], r);
    if (r == SV_ERR_NOT_FOUND)
        sv__http_send_error(req, 404, "not_found", "no such user");
    else if (r < 0)
        sv__http_send_error(req, 500, "internal", "cannot change the role");
    else
        sv__api_send_json(req, 200, json_pack("{s:s,s:s}", "name", req->params[0], "role",
                                              role));
out:
    json_decref(body);
}

/* DELETE /api/v1/users/{name}/lockout: lifts a lockout and forgets the
 * name's failures. Works for any name as typed (lockouts do not tell which
 * names exist). */
void sv__api_user_unlock(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    int r = sv__catalog_lockout_clear(srv->cat, req->params[0]);

    if (r < 0) {
        sv__http_send_error(req, 500, "internal", "cannot lift the lockout");
        return;
    }
    sv__login_guard_forget(srv->login_guard, req->params[0]);
    sv__api_send_json(req, 200, json_pack("{s:s,s:b}", "name", req->params[0], "was_locked", r));
}
