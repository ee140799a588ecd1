/*
 * api_auth.c - POST /api/v1/auth/login, and the JSON-body head check the
 * playback routes share.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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

void sv__api_login(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    sv__playback *pb = srv->playback;
    const char *name, *password;
    char token[SV__JWT_MAX];
    json_t *body = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
    sv__user u;
    int r;

    if (!body || json_unpack(body, "{s:s,s:s}", "name", &name, "password", &password) < 0) {
        sv__http_send_error(req, 400, "bad_request",
                            "the body must be {\"name\": string, \"password\": string}");
        goto out;
    }
    r = sv__catalog_user_login(srv->cat, name, password, &u);
    if (r == SV_ERR_FORBIDDEN) {
        SV_LOGI(srv->log, "auth", "failed login for '%s'",
                sv__user_name_ok(name) ? name : "(invalid name)");
        sv__http_send_error(req, 401, "invalid_credentials", "wrong name or password");
        goto out;
    }
    if (r < 0 || sv__jwt_sign(pb->secret, &u, (int64_t)time(NULL), srv->cfg->login_ttl, token,
                              sizeof(token)) < 0) {
        SV_LOGE(srv->log, "auth", "login failed: %s (%s)", sv_strerror(r),
                sv__catalog_errmsg(srv->cat));
        sv__http_send_error(req, 500, "internal", "cannot log in now");
        goto out;
    }
    sv__api_send_json(req, 200,
                      json_pack("{s:s,s:s,s:i,s:{s:I,s:s,s:s,s:i}}", "token", token,
                                "token_type", "Bearer", "expires_in", srv->cfg->login_ttl, "user",
                                "id", (json_int_t)u.id, "name", u.name, "region", u.region,
                                "max_streams", u.max_streams));
out:
    json_decref(body);
}
