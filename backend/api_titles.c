/*
 * api_titles.c - /api/v1/titles (list, search, get, edit, upload, poster)
 * and /api/v1/jobs/{id}.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "backend/api_params.h"
#include "backend/keys.h"
#include "backend/server_internal.h"
#include "streamverse/common.h"

/* Answers a catalog failure: 404 for an unknown id, 507 on a full disk,
 * 500 otherwise. */
static void catalog_error(sv__server *srv, sv__http_req *req, int err, const char *what)
{
    if (err == SV_ERR_NOT_FOUND) {
        sv__http_send_error(req, 404, "not_found", what);
        return;
    }
    sv__api_write_failed(srv, req, "catalog error");
}

/* A ready title's poster (thumbs/poster.jpg, written by the ingest) is
 * served by GET /api/v1/titles/{id}/poster: its URL goes into the JSON, with
 * its subtitle languages (api_subs.c: the folders of its media). */
static void add_poster_url(sv__server *srv, json_t *t)
{
    const char *status = json_string_value(json_object_get(t, "status"));
    json_int_t id = json_integer_value(json_object_get(t, "id"));
    char url[80];

    if (!status || strcmp(status, "ready") || id <= 0)
        return;
    snprintf(url, sizeof(url), "/api/v1/titles/%lld/poster", (long long)id);
    json_object_set_new(t, "poster_url", json_string(url));
    json_object_set_new(t, "subtitles", sv__api_subs_langs(srv, id));
    /* Offered for offline viewing: a clear title always, a protected one
     * when this server issues offline licenses (api_offline.c). */
    const char *drm = json_string_value(json_object_get(t, "drm"));
    int clear = !drm || !strcmp(drm, "none");
    json_object_set_new(t, "download", json_boolean(clear || (srv->cfg->offline_devices > 0 &&
                                                              srv->cfg->has_master_key)));
}

void sv__api_title_poster(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    int64_t id = sv__parse_id(req->params[0]);
    const char *status;
    char rel[64], msg[128];
    json_t *t;
    int e = SV_ERR_NOT_FOUND, fd;

    if (id < 0 || !(t = sv__catalog_title_json(srv->cat, id, &e))) {
        catalog_error(srv, req, e, "no such title");
        return;
    }
    status = json_string_value(json_object_get(t, "status"));
    if (!status || strcmp(status, "ready")) {
        snprintf(msg, sizeof(msg), "title %lld is %s: its poster comes with the ingest",
                 (long long)id, status ? status : "not ready");
        json_decref(t);
        sv__http_send_error(req, 404, "not_ready", msg);
        return;
    }
    json_decref(t);
    snprintf(rel, sizeof(rel), "%lld/thumbs/poster.jpg", (long long)id);
    if ((fd = sv__static_open(srv->media, rel)) < 0) {
        snprintf(msg, sizeof(msg), "title %lld has no poster (ingested before posters were made)",
                 (long long)id);
        sv__http_send_error(req, 404, "no_poster", msg);
        return;
    }
    close(fd);
    sv__static_serve(srv->media, req, rel);
}

void sv__api_titles_list(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    sv__list_params p;
    sv__title_query q;
    char err[256];
    json_t *res;
    int e;

    if (sv__list_params_parse(req->query, req->query_len, &p, err, sizeof(err)) < 0) {
        sv__http_send_error(req, 400, "bad_request", err);
        return;
    }
    q.q = p.q;
    q.genre = p.genre[0] ? p.genre : NULL;
    q.all_states = p.all;
    q.limit = p.limit;
    q.offset = p.offset;
    if (!(res = sv__catalog_titles_list(srv->cat, &q, &e))) {
        catalog_error(srv, req, e, "no titles");
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(res, "items"), i, item)
        add_poster_url(srv, item);
    sv__api_send_json(req, 200, res);
}

void sv__api_title_get(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    int64_t id = sv__parse_id(req->params[0]);
    json_t *t;
    int e = SV_ERR_NOT_FOUND;

    if (id < 0 || !(t = sv__catalog_title_json(srv->cat, id, &e))) {
        catalog_error(srv, req, e, "no such title");
        return;
    }
    add_poster_url(srv, t);
    sv__api_send_json(req, 200, t);
}

/* "application/json", with or without parameters, any case. */
static int is_json(const char *ct)
{
    size_t n = strlen("application/json");

    return !strncasecmp(ct, "application/json", n) && (ct[n] == '\0' || ct[n] == ';' ||
                                                       ct[n] == ' ');
}

int sv__api_title_patch_head(void *ctx, sv__http_req *req)
{
    (void)ctx;
    if (!is_json(req->content_type)) {
        req->pending_status = 415;
        req->pending_code = "unsupported_media_type";
        req->pending_message = "the body must be application/json";
    }
    return 0;
}

void sv__api_title_patch(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    int64_t id = sv__parse_id(req->params[0]);
    sv__title_patch patch;
    char err[256];
    json_t *t;
    int e;

    if (id < 0) {
        sv__http_send_error(req, 404, "not_found", "no such title");
        return;
    }
    if (sv__title_patch_parse(req->body, req->body_len, &patch, err, sizeof(err)) < 0) {
        sv__http_send_error(req, 400, "bad_request", err);
        return;
    }
    e = sv__catalog_title_update(srv->cat, id, patch.title, patch.synopsis, patch.genres);
    json_decref(patch.root);
    if (e < 0 || !(t = sv__catalog_title_json(srv->cat, id, &e))) {
        catalog_error(srv, req, e, "no such title");
        return;
    }
    add_poster_url(srv, t);
    sv__api_send_json(req, 200, t);
}

void sv__api_job_get(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    int64_t id = sv__parse_id(req->params[0]);
    json_t *j;
    int e = SV_ERR_NOT_FOUND;

    if (id < 0 || !(j = sv__catalog_job_json(srv->cat, id, &e))) {
        catalog_error(srv, req, e, "no such job");
        return;
    }
    sv__api_send_json(req, 200, j);
}

#ifdef SV_HAVE_MEDIA

/* Uploads are video files; a client that does not know the type says
 * application/octet-stream. */
static int upload_type_ok(const char *ct)
{
    return !strncasecmp(ct, "video/", 6) || !strncasecmp(ct, "application/octet-stream", 24) ||
           !strncasecmp(ct, "application/mp4", 15);
}

int sv__api_title_upload_head(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    sv__ingest_params p;
    char err[256];
    int fd;

    /* Refuse before the body is read: a large upload is not worth taking in
     * only to answer 400. */
    if (!upload_type_ok(req->content_type)) {
        sv__http_reject(req, 415, "unsupported_media_type",
                        "the body must be a video file (video/*, application/octet-stream)");
        return -1;
    }
    if (sv__ingest_params_parse(req->query, req->query_len, &p, err, sizeof(err)) < 0) {
        sv__http_reject(req, 400, "bad_request", err);
        return -1;
    }
    if (strcmp(p.drm[0] ? p.drm : srv->cfg->drm, "none") && !srv->cfg->has_master_key) {
        sv__http_reject(req, 400, "drm_unavailable",
                        "protected ingest needs a master-key in the server's settings");
        return -1;
    }
    if ((size_t)snprintf(req->body_path, sizeof(req->body_path), "%.*s/upload-XXXXXX",
                         (int)(sizeof(req->body_path) - 16), srv->uploads_dir) >=
            sizeof(req->body_path) ||
        (fd = mkstemp(req->body_path)) < 0) {
        req->body_path[0] = '\0';
        SV_LOGE(srv->log, "api", "cannot create an upload file in %s", srv->uploads_dir);
        sv__http_reject(req, 507, "insufficient_storage", "cannot store the upload");
        return -1;
    }
    req->body_fd = fd;
    req->body_mode = SV__BODY_FILE;
    req->body_limit = srv->cfg->max_upload_bytes;
    return 0;
}

void sv__api_title_upload(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    const char *genres[SV__MAX_GENRES];
    sv__ingest_params p;
    int64_t title_id, job_id;
    char err[256], loc[64];

    if (req->body_len == 0) {
        sv__http_send_error(req, 400, "bad_request", "the request body (the video file) is empty");
        return;
    }
    if (sv__ingest_params_parse(req->query, req->query_len, &p, err, sizeof(err)) < 0) {
        sv__http_send_error(req, 400, "bad_request", err);
        return;
    }
    for (int i = 0; i < p.nb_genres; i++)
        genres[i] = p.genres[i];
    close(req->body_fd);
    req->body_fd = -1;
    if (sv__catalog_title_create(srv->cat, p.title, p.synopsis, genres, p.nb_genres,
                                 &title_id) < 0 ||
        sv__catalog_title_set_drm(srv->cat, title_id, p.drm[0] ? p.drm : srv->cfg->drm) < 0 ||
        sv__catalog_job_create(srv->cat, title_id, req->body_path, 1, &job_id) < 0) {
        catalog_error(srv, req, SV_ERR_IO, "");
        return;
    }
    req->body_path[0] = '\0'; /* the job owns the upload now */
    if (sv__jobs_submit(srv->jobs, job_id) < 0) {
        sv__http_send_error(req, 500, "internal", "cannot queue the job");
        return;
    }
    SV_LOGI(srv->log, "api", "upload of %zu bytes: title %lld, job %lld", req->body_len,
            (long long)title_id, (long long)job_id);
    snprintf(loc, sizeof(loc), "/api/v1/jobs/%lld", (long long)job_id);
    sv__http_add_header(req, "Location", "%s", loc);
    sv__api_send_json(req, 202, json_pack("{s:I,s:I,s:s,s:s}", "job_id", (json_int_t)job_id,
                                          "title_id", (json_int_t)title_id, "state", "queued",
                                          "status_url", loc));
}

#else /* without the media library the ingest route says so */

int sv__api_title_upload_head(void *ctx, sv__http_req *req)
{
    (void)ctx;
    sv__http_reject(req, 501, "not_implemented",
                    "this svserver was built without the media library (no ingest)");
    return -1;
}

void sv__api_title_upload(void *ctx, sv__http_req *req)
{
    (void)ctx;
    sv__http_send_error(req, 501, "not_implemented", "ingest is not available");
}

#endif
