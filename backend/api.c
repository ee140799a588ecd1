/*
 * api.c - the route table and the HTTP callbacks: routing, CORS preflight,
 * 404/405, /healthz, /metrics, /media/, and per-request metrics and logs.
 */
#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/accounts.h"
#include "backend/http_util.h"
#include "backend/server_internal.h"
#include "streamverse/common.h"
#include "streamverse/version.h"

static void healthz(void *ctx, sv__http_req *req);
static void metrics(void *ctx, sv__http_req *req);
static void media(void *ctx, sv__http_req *req);

#define GET_HEAD (SV__M(HTTP_GET) | SV__M(HTTP_HEAD))

/* New features add rows here. The last column is the least role whose user
 * token the route takes (docs/http-api.md, "Roles"): every write needs an
 * operator, account management an admin. */
static const sv__route routes[] = {
    /* methods, pattern, name, on_headers, handler, role[, without_catalog] */
    {GET_HEAD, "/media/*", "media", NULL, media, SV__ROLE_NONE, 0},
    {GET_HEAD, "/live/*", "live", NULL, sv__api_live, SV__ROLE_NONE, 0},
    {GET_HEAD, "/api/v1/time", "time", NULL, sv__api_time, SV__ROLE_NONE, 1},
    {GET_HEAD, "/api/v1/titles", "titles_list", NULL, sv__api_titles_list, SV__ROLE_NONE, 0},
    {SV__M(HTTP_POST), "/api/v1/titles", "titles_ingest", sv__api_title_upload_head,
     sv__api_title_upload, SV__ROLE_OPERATOR, 0},
    {GET_HEAD, "/api/v1/titles/{}", "title_get", NULL, sv__api_title_get, SV__ROLE_NONE, 0},
    {SV__M(HTTP_PATCH), "/api/v1/titles/{}", "title_patch", sv__api_title_patch_head,
     sv__api_title_patch, SV__ROLE_OPERATOR, 0},
    {GET_HEAD, "/api/v1/jobs/{}", "job_get", NULL, sv__api_job_get, SV__ROLE_NONE, 0},
    {GET_HEAD, "/api/v1/titles/{}/ladder", "title_ladder", NULL, sv__api_title_ladder,
     SV__ROLE_NONE, 0},
    {GET_HEAD, "/api/v1/titles/{}/ladder.svg", "title_ladder_svg", NULL, sv__api_title_ladder_svg,
     SV__ROLE_NONE, 0},
    {GET_HEAD, "/api/v1/titles/{}/poster", "title_poster", NULL, sv__api_title_poster,
     SV__ROLE_NONE, 0},
    {SV__M(HTTP_PUT), "/api/v1/titles/{}/regions", "title_regions", sv__api_json_head,
     sv__api_title_regions, SV__ROLE_OPERATOR, 0},
    {GET_HEAD, "/api/v1/titles/{}/breaks", "title_breaks", NULL, sv__api_title_breaks,
     SV__ROLE_NONE, 0},
    {SV__M(HTTP_POST), "/api/v1/titles/{}/breaks", "title_break_add", sv__api_json_head,
     sv__api_title_break_add, SV__ROLE_ADMIN, 0},
    {SV__M(HTTP_DELETE), "/api/v1/titles/{}/breaks/{}", "title_break_remove", NULL,
     sv__api_title_break_remove, SV__ROLE_ADMIN, 0},
    {GET_HEAD, "/api/v1/titles/{}/subtitles", "title_subs", NULL, sv__api_title_subs,
     SV__ROLE_NONE, 0},
    {SV__M(HTTP_PUT), "/api/v1/titles/{}/subtitles/{}", "title_subs_put",
     sv__api_title_subs_put_head, sv__api_title_subs_put, SV__ROLE_OPERATOR, 0},
    {SV__M(HTTP_DELETE), "/api/v1/titles/{}/subtitles/{}", "title_subs_remove", NULL,
     sv__api_title_subs_remove, SV__ROLE_OPERATOR, 0},
    {SV__M(HTTP_POST), "/api/v1/auth/login", "login", sv__api_json_head, sv__api_login,
     SV__ROLE_NONE, 0},
    {SV__M(HTTP_POST), "/api/v1/playback/start", "playback_start", sv__api_json_head,
     sv__api_playback_start, SV__ROLE_NONE, 0},
    {SV__M(HTTP_POST), "/api/v1/playback/heartbeat", "playback_heartbeat", sv__api_json_head,
     sv__api_playback_heartbeat, SV__ROLE_NONE, 1},
    {SV__M(HTTP_POST), "/api/v1/playback/stop", "playback_stop", sv__api_json_head,
     sv__api_playback_stop, SV__ROLE_NONE, 0},
    {GET_HEAD, "/api/v1/me/continue-watching", "continue_watching", NULL,
     sv__api_continue_watching, SV__ROLE_NONE, 0},
    {GET_HEAD, "/api/v1/steering", "steering", NULL, sv__api_steering_get, SV__ROLE_NONE, 0},
    {SV__M(HTTP_PUT), "/api/v1/steering", "steering_put", sv__api_json_head,
     sv__api_steering_put, SV__ROLE_OPERATOR, 0},
    {GET_HEAD, "/api/v1/users", "users_list", NULL, sv__api_users_list, SV__ROLE_ADMIN, 0},
    {SV__M(HTTP_POST), "/api/v1/users", "user_add", sv__api_json_head, sv__api_user_add,
     SV__ROLE_ADMIN, 0},
    {SV__M(HTTP_PATCH), "/api/v1/users/{}", "user_patch", sv__api_json_head,
     sv__api_user_patch, SV__ROLE_ADMIN, 0},
    {SV__M(HTTP_DELETE), "/api/v1/users/{}/lockout", "user_unlock", NULL, sv__api_user_unlock,
     SV__ROLE_ADMIN, 0},
    {GET_HEAD, "/api/v1/channels", "channels_list", NULL, sv__api_channels_list, SV__ROLE_NONE,
     0},
    {SV__M(HTTP_POST), "/api/v1/channels", "channel_add", sv__api_json_head,
     sv__api_channel_add, SV__ROLE_ADMIN, 0},
    {GET_HEAD, "/api/v1/channels/{}", "channel_get", NULL, sv__api_channel_get, SV__ROLE_NONE,
     0},
    {SV__M(HTTP_DELETE), "/api/v1/channels/{}", "channel_remove", NULL, sv__api_channel_remove,
     SV__ROLE_ADMIN, 0},
    {GET_HEAD, "/api/v1/audit", "audit", NULL, sv__api_audit_list, SV__ROLE_ADMIN, 0},
    {SV__M(HTTP_POST), "/api/v1/license", "license", NULL, sv__api_license, SV__ROLE_NONE, 0},
    {SV__M(HTTP_POST), "/api/v1/titles/{}/offline-license", "offline_issue", sv__api_json_head,
     sv__api_offline_issue, SV__ROLE_NONE, 0},
    {SV__M(HTTP_DELETE), "/api/v1/titles/{}/offline-license/{}", "offline_revoke", NULL,
     sv__api_offline_revoke, SV__ROLE_NONE, 0},
    {SV__M(HTTP_POST), "/api/v1/offline-license/check", "offline_check", sv__api_json_head,
     sv__api_offline_check, SV__ROLE_NONE, 0},
    {GET_HEAD, "/api/v1/offline-license/key", "offline_key", NULL, sv__api_offline_key,
     SV__ROLE_NONE, 1},
    {GET_HEAD, "/healthz", "healthz", NULL, healthz, SV__ROLE_NONE, 0},
    {GET_HEAD, "/metrics", "metrics", NULL, metrics, SV__ROLE_OPERATOR, 0},
};
#define NB_ROUTES ((int)(sizeof(routes) / sizeof(routes[0])))

static void pend(sv__http_req *req, int status, const char *code, const char *message)
{
    req->pending_status = status;
    req->pending_code = code;
    req->pending_message = message;
}

int sv__api_on_headers(void *opaque, sv__http_req *req)
{
    unsigned allowed = 0;
    int r, i;

    r = sv__http_target_split(req->target, req->target_len, req->path, sizeof(req->path),
                              &req->query, &req->query_len);
    if (r == SV_ERR_FORBIDDEN) {
        pend(req, 404, "not_found", "no such resource");
        return 0;
    }
    if (r == SV_ERR_OVERFLOW) {
        pend(req, 414, "uri_too_long", "the request target is too long");
        return 0;
    }
    if (r < 0) {
        pend(req, 400, "bad_request", "malformed request target");
        return 0;
    }
    if (sv__api_guard(opaque, req))
        return 0;
    i = sv__route_match(routes, NB_ROUTES, req, &allowed);
    if (i == SV__ROUTE_NO_PATH) {
        pend(req, 404, "not_found", "no such resource");
        return 0;
    }
    if (i == SV__ROUTE_BAD_METHOD) {
        char text[128];

        sv__route_methods_text(allowed, text, sizeof(text));
        sv__http_add_header(req, "Allow", "%s", text);
        if (req->method == HTTP_OPTIONS) {
            /* CORS preflight: browsers ask before a PATCH, a POST with a
             * non-simple type, or a Range request from another origin. */
            req->route_name = "preflight";
            sv__http_add_header(req, "Access-Control-Allow-Methods", "%s", text);
            sv__http_add_header(req, "Access-Control-Allow-Headers",
                                "Range, If-None-Match, If-Modified-Since, Content-Type, "
                                "Authorization");
            sv__http_add_header(req, "Access-Control-Max-Age", "86400");
            pend(req, 204, NULL, NULL);
        } else {
            pend(req, 405, "method_not_allowed", "method not allowed on this resource");
        }
        return 0;
    }
    req->route = &routes[i];
    req->route_name = routes[i].name;
    /* Without its database the API can only fail: say so at once, with a
     * status a balancer and a player retry on (media keeps flowing: tokens
     * are checked without the catalog; a heartbeat of a session this node
     * holds is answered and written once the database is back). */
    if (!strncmp(req->path, "/api/", 5) && !routes[i].without_catalog &&
        !sv__catalog_available(((sv__server *)opaque)->cat)) {
        sv__http_add_header(req, "Retry-After", "5");
        pend(req, 503, "catalog_unavailable", "the catalog database is unreachable; try again "
             "shortly");
        return 0;
    }
    if (routes[i].role && sv__api_require_role(opaque, req, routes[i].role) < 0)
        return -1;
    if (routes[i].on_headers)
        return routes[i].on_headers(opaque, req);
    return 0;
}

void sv__api_on_request(void *opaque, sv__http_req *req)
{
    const sv__route *route = req->route;

    if (req->pending_status == 204)
        sv__http_send(req, 204, NULL, NULL, 0);
    else if (req->pending_status)
        sv__http_send_error(req, req->pending_status, req->pending_code, req->pending_message);
    else
        route->handler(opaque, req);
}

void sv__api_on_done(void *opaque, const sv__http_req *req)
{
    sv__server *srv = opaque;

    sv__metrics_request(srv->metrics, req->route_name, req->status, req->bytes_sent);
    sv__api_audit(srv, req);
    if (sv__log_enabled(srv->log, SV_LOG_DEBUG))
        SV_LOGD(srv->log, "access", "%s %s %d %llu %.2fms",
                http_method_str((enum http_method)req->method), req->target ? req->target : "-",
                req->status, (unsigned long long)req->bytes_sent,
                (double)(uv_hrtime() - req->t_start_ns) / 1e6);
}

/* 200 "ok", or 503 "unhealthy" with the reason while the catalog's
 * database is unreachable (a balancer's health check takes the node out). */
static void healthz(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    int up = sv__catalog_available(srv->cat);
    json_t *cat;

#ifdef SV_HAVE_MEDIA
    const int ingest = 1;
#else
    const int ingest = 0; /* built without the media library (backend/media/) */
#endif

    cat = json_pack("{s:s,s:b}", "backend", sv__catalog_backend(srv->cat), "ok", up);
    if (cat && !up)
        json_object_set_new(cat, "error", json_string(sv__catalog_errmsg(srv->cat)));
    sv__api_send_json(req, up ? 200 : 503,
                      json_pack("{s:s,s:s,s:f,s:b,s:o*}", "status", up ? "ok" : "unhealthy",
                                "version", sv_version(), "uptime_s",
                                (double)(uv_hrtime() - srv->started_ns) / 1e9, "ingest", ingest,
                                "catalog", cat));
}

static void metrics(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    int64_t counts[SV__JOB_NB];
    size_t len;
    char *text = sv__metrics_render(
        srv->metrics, sv__catalog_job_counts(srv->cat, counts) == 0 ? counts : NULL, &len);

    if (!text) {
        sv__http_send_error(req, 500, "internal", "out of memory");
        return;
    }
    sv__http_send(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}

static void media(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;

    sv__playback_media(srv->playback, srv->media, req, req->params[0]);
}
