/*
 * api_subs.c - subtitles of a ready title (backend/media.h; docs/http-api.md,
 * "Subtitles"): PUT /api/v1/titles/{id}/subtitles/{lang} with an SRT or
 * WebVTT body adds or replaces a language, DELETE removes one (operator),
 * GET /api/v1/titles/{id}/subtitles lists them. The files and manifests
 * are the title's folder on the shared data folder: any API node answers,
 * and a change is in the manifests before the answer. The packaging (a
 * file of up to 8 MiB cut into two files per segment, each fsync'ed) runs
 * on the loop's thread pool; the catalog is read on the loop only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "backend/api_params.h"
#include "backend/breaks.h"
#include "backend/server_internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

#ifdef SV_HAVE_MEDIA

/* 0 when the title is ready, SV_ERR_NOT_FOUND, SV_ERR_STATE, or another
 * catalog error. */
static int title_state(sv__server *srv, int64_t id)
{
    int err = 0;
    json_t *t = id < 0 ? NULL : sv__catalog_title_json(srv->cat, id, &err);
    if (!t)
        return id < 0 || err == 0 || err == SV_ERR_NOT_FOUND ? SV_ERR_NOT_FOUND : err;
    const char *status = json_string_value(json_object_get(t, "status"));
    int ret = status && !strcmp(status, "ready") ? 0 : SV_ERR_STATE;
    json_decref(t);
    return ret;
}

json_t *sv__api_subs_langs(sv__server *srv, int64_t id)
{
    char dir[1200], langs[SV_MEDIA_MAX_SUBS][SV__MEDIA_LANG_MAX];
    json_t *arr = json_array();
    snprintf(dir, sizeof(dir), "%s/%lld", srv->media_dir, (long long)id);
    int n = sv__media_subs_list(dir, langs, SV_MEDIA_MAX_SUBS);
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_string(langs[i]));
    return arr;
}

/* The types a subtitle file comes as; the reader tells SRT from WebVTT by
 * the content, so a client that knows neither says text/plain or nothing. */
static int subs_type_ok(const char *ct)
{
    static const char *const ok[] = { "text/vtt", "application/x-subrip", "text/srt",
                                      "application/srt", "text/plain",
                                      "application/octet-stream" };
    if (!ct[0])
        return 1;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        size_t n = strlen(ok[i]);
        if (!strncasecmp(ct, ok[i], n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
            return 1;
    }
    return 0;
}

int sv__api_title_subs_put_head(void *ctx, sv__http_req *req)
{
    char msg[128];
    (void)ctx;
    /* The tag itself is checked by the media layer; a longer name is none. */
    if (strlen(req->params[1]) >= SV__MEDIA_LANG_MAX) {
        snprintf(msg, sizeof(msg), "subtitle language '%.40s' is not a language tag (e.g. en, "
                 "pt-BR)", req->params[1]);
        sv__http_reject(req, 400, "bad_request", msg);
        return -1;
    }
    if (!subs_type_ok(req->content_type)) {
        sv__http_reject(req, 415, "unsupported_media_type",
                        "the body must be an SRT or WebVTT file (text/vtt, "
                        "application/x-subrip, text/plain)");
        return -1;
    }
    if (req->content_length != UINT64_MAX && req->content_length > SV__MEDIA_SUBS_MAX_BYTES) {
        sv__http_reject(req, 413, "payload_too_large",
                        "a subtitle file may hold at most 8 MiB");
        return -1;
    }
    req->body_limit = SV__MEDIA_SUBS_MAX_BYTES;
    return 0;
}

typedef struct subs_work {
    uv_work_t work;
    sv__server *srv;
    sv__http_req *req;
    int64_t id;
    int remove;              /* DELETE, else PUT */
    char lang[SV__MEDIA_LANG_MAX];
    char title_dir[1200];
    char *data;              /* the body (owned) */
    size_t size;
    sv__ad_break breaks[SV__MAX_BREAKS];  /* the title's, for the new playlist */
    int nb_breaks;
    char ads_uri[512];       /* how the new playlist names the title's ads/ folder */
    int result, replaced;
    char err[512];
} subs_work;

/* The new subtitle playlist gets the title's ad breaks, like its other
 * playlists (breaks.h), before it goes in. */
static char *add_breaks(void *opaque, const char *text, size_t len, size_t *out_len)
{
    subs_work *sw = opaque;
    return sv__breaks_hls(text, len, sw->breaks, sw->nb_breaks, sw->ads_uri, out_len);
}

static void subs_run(uv_work_t *w)
{
    subs_work *sw = w->data;
    sv__subs_put p = { sw->title_dir, sw->srv->staging_dir, sw->lang, sw->data, sw->size,
                       sw->lang, sw->nb_breaks > 0 ? add_breaks : NULL, sw };
    sw->result = sw->remove ? sv__media_subs_remove(sw->title_dir, sw->srv->staging_dir,
                                                    sw->lang, sw->err, sizeof(sw->err))
                            : sv__media_subs_put(&p, &sw->replaced, sw->err, sizeof(sw->err));
}

static void answer(subs_work *sw)
{
    sv__http_req *req = sw->req;
    int r = sw->result;
    if (r == SV_ERR_PARSE)
        sv__http_send_error(req, 422, "invalid_subtitles", sw->err);
    else if (r == SV_ERR_INVALID)
        sv__http_send_error(req, 400, "bad_request", sw->err);
    else if (r == SV_ERR_NOT_FOUND)
        sv__http_send_error(req, 404, "not_found", sw->err);
    else if (r == SV_ERR_OVERFLOW && strstr(sw->err, " languages"))
        sv__http_send_error(req, 409, "too_many_languages", sw->err);
    else if (r == SV_ERR_OVERFLOW && strstr(sw->err, " bytes"))
        sv__http_send_error(req, 413, "payload_too_large", sw->err);
    else if (r == SV_ERR_OVERFLOW) /* more cues than the reader takes */
        sv__http_send_error(req, 422, "invalid_subtitles", sw->err);
    else if (r == SV_ERR_UNSUPPORTED)
        sv__http_send_error(req, 409, "subtitles_unsupported", sw->err);
    else if (r < 0)
        sv__api_write_failed(sw->srv, req, sw->err[0] ? sw->err : "cannot write the subtitles");
    else if (sw->remove)
        sv__http_send(req, 204, NULL, NULL, 0);
    else
        sv__api_send_json(req, sw->replaced ? 200 : 201,
                          json_pack("{s:I,s:s,s:b,s:s+++,s:o}", "title_id", (json_int_t)sw->id,
                                    "lang", sw->lang, "replaced", sw->replaced, "playlist",
                                    "subs/", sw->lang, "/", "index.m3u8", "subtitles",
                                    sv__api_subs_langs(sw->srv, sw->id)));
}

/* A title whose MPD is made from its packaged one (its breaks, breaks.h)
 * gets it made again now that the packaged one lists the change. The lock
 * is taken without waiting: whoever holds it writes the breaks itself (a
 * break placed or removed, or another subtitle change ending here too). */
static void rewrite_breaks(subs_work *sw)
{
    char path[1300];
    snprintf(path, sizeof(path), "%s/" SV__MEDIA_BASE_MPD, sw->title_dir);
    if (!sv__path_exists(path))
        return;
    int fd = sv__api_manifests_lock(sw->srv, sw->id);
    if (fd == SV_ERR_AGAIN)
        return;
    if (fd < 0 || sv__api_breaks_rewrite(sw->srv, sw->id, sw->err, sizeof(sw->err)) < 0) {
        if (fd < 0)
            snprintf(sw->err, sizeof(sw->err), "cannot lock the title's manifests");
        sw->result = SV_ERR_IO;
    }
    if (fd >= 0)
        close(fd);
}

static void subs_done(uv_work_t *w, int status)
{
    subs_work *sw = w->data;
    if (status < 0 && sw->result == 0)
        sw->result = SV_ERR_INTERNAL;
    if (sw->result == 0)
        rewrite_breaks(sw);
    if (sw->result < 0 && sw->result != SV_ERR_PARSE && sw->result != SV_ERR_NOT_FOUND)
        SV_LOGW(sw->srv->log, "api", "title %lld, %s subtitles: %s", (long long)sw->id,
                sw->lang, sw->err);
    else if (sw->result == 0)
        SV_LOGI(sw->srv->log, "api", "title %lld: %s subtitles %s", (long long)sw->id, sw->lang,
                sw->remove ? "removed" : sw->replaced ? "replaced" : "added");
    if (sv__http_resume(sw->req))
        answer(sw);
    free(sw->data);
    free(sw);
}

/* Checks the request on the loop and queues the file work. */
static void start(sv__server *srv, sv__http_req *req, int remove)
{
    int64_t id = sv__parse_id(req->params[0]);
    int r = title_state(srv, id);
    subs_work *sw = NULL;
    if (r == SV_ERR_NOT_FOUND) {
        sv__http_send_error(req, 404, "not_found", "no such title");
        return;
    }
    if (r == SV_ERR_STATE) {
        sv__http_send_error(req, 409, "title_not_ready",
                            "subtitles go into a ready title: PUT them once its job is done");
        return;
    }
    if (r < 0) {
        sv__api_write_failed(srv, req, "catalog error");
        return;
    }
    if (!remove && req->body_len == 0) {
        sv__http_send_error(req, 400, "bad_request", "the request body (the subtitle file) is "
                            "empty");
        return;
    }
    if (!(sw = calloc(1, sizeof(*sw))) ||
        (!remove && !(sw->data = malloc(req->body_len)))) {
        free(sw);
        sv__http_send_error(req, 500, "internal", "out of memory");
        return;
    }
    if (!remove && (sw->nb_breaks = sv__catalog_breaks(srv->cat, id, sw->breaks,
                                                       SV__MAX_BREAKS)) < 0) {
        free(sw->data);
        free(sw);
        sv__api_write_failed(srv, req, "catalog error");
        return;
    }
    sw->work.data = sw;
    sw->srv = srv;
    sw->req = req;
    sw->id = id;
    sw->remove = remove;
    /* The tag is checked by the media layer; a longer name is no tag. */
    size_t lang_len = strlen(req->params[1]);
    if (lang_len < sizeof(sw->lang))
        memcpy(sw->lang, req->params[1], lang_len + 1);
    else
        memcpy(sw->lang, "?", 2);
    snprintf(sw->title_dir, sizeof(sw->title_dir), "%s/%lld", srv->media_dir, (long long)id);
    /* The new playlist is subs/<lang>/index.m3u8. */
    sv__breaks_ads_uri(srv->cfg->public_url, id, 2, sw->ads_uri, sizeof(sw->ads_uri));
    if (!remove) {
        memcpy(sw->data, req->body, req->body_len);
        sw->size = req->body_len;
    }
    sv__http_defer(req);
    if (uv_queue_work(&srv->loop, &sw->work, subs_run, subs_done) < 0) {
        sv__http_resume(req);
        sv__http_send_error(req, 500, "internal", "cannot queue the subtitle work");
        free(sw->data);
        free(sw);
    }
}

void sv__api_title_subs_put(void *ctx, sv__http_req *req)
{
    start(ctx, req, 0);
}

void sv__api_title_subs_remove(void *ctx, sv__http_req *req)
{
    start(ctx, req, 1);
}

void sv__api_title_subs(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    int64_t id = sv__parse_id(req->params[0]);
    int r = title_state(srv, id);
    if (r == SV_ERR_NOT_FOUND) {
        sv__http_send_error(req, 404, "not_found", "no such title");
        return;
    }
    if (r < 0 && r != SV_ERR_STATE) {
        sv__api_write_failed(srv, req, "catalog error");
        return;
    }
    json_t *langs = r == 0 ? sv__api_subs_langs(srv, id) : json_array(), *items = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(langs, i, l)
        json_array_append_new(items, json_pack("{s:O,s:s+++,s:s+++}", "lang", l, "playlist",
                                               "subs/", json_string_value(l), "/",
                                               "index.m3u8", "ttml_init", "subs/",
                                               json_string_value(l), "/", "ttml-init.mp4"));
    json_decref(langs);
    sv__api_send_json(req, 200, json_pack("{s:I,s:o}", "title_id", (json_int_t)id,
                                          "subtitles", items));
}

#else /* without the media library there is nothing to package with */

json_t *sv__api_subs_langs(sv__server *srv, int64_t id)
{
    (void)srv;
    (void)id;
    return json_array();
}

int sv__api_title_subs_put_head(void *ctx, sv__http_req *req)
{
    (void)ctx;
    sv__http_reject(req, 501, "not_implemented",
                    "this svserver was built without the media library (no subtitles)");
    return -1;
}

static void not_here(sv__http_req *req)
{
    sv__http_send_error(req, 501, "not_implemented", "subtitles are not available");
}

void sv__api_title_subs_put(void *ctx, sv__http_req *req)
{
    (void)ctx;
    not_here(req);
}

void sv__api_title_subs_remove(void *ctx, sv__http_req *req)
{
    (void)ctx;
    not_here(req);
}

void sv__api_title_subs(void *ctx, sv__http_req *req)
{
    (void)ctx;
    not_here(req);
}

#endif
