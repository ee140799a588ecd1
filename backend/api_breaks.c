/*
 * api_breaks.c - ad breaks on a title (breaks.h; docs/http-api.md, "Ad
 * breaks"): POST /api/v1/titles/{id}/breaks places one (admin), GET lists
 * them, DELETE /api/v1/titles/{id}/breaks/{break} removes one (admin).
 * Every change is written into the title's manifests before the answer.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "backend/api_params.h"
#include "backend/media.h"
#include "backend/server_internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

static json_t *break_json(const sv__ad_break *b)
{
    json_t *j = json_pack("{s:I,s:I,s:f,s:f,s:s,s:I}", "id", (json_int_t)b->id, "title_id",
                          (json_int_t)b->title_id, "at_s", b->at_s, "duration_s", b->duration_s,
                          "class", b->cls, "created", (json_int_t)b->created);
    if (j && b->asset_title_id > 0)
        json_object_set_new(j, "asset_title_id", json_integer((json_int_t)b->asset_title_id));
    if (j)
        json_object_set_new(j, "impressions", json_integer((json_int_t)b->impressions));
    return j;
}

static int class_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-' || s[i] == '_'))
            return 0;
    return 1;
}

/* The title's duration when it is ready: 0, SV_ERR_NOT_FOUND, SV_ERR_STATE
 * (not ready) or SV_ERR_IO. */
static int ready_title(sv__server *srv, int64_t id, double *duration)
{
    int err = 0;
    json_t *t = sv__catalog_title_json(srv->cat, id, &err);
    if (!t)
        return err ? err : SV_ERR_NOT_FOUND;
    const char *status = json_string_value(json_object_get(t, "status"));
    json_t *d = json_object_get(t, "duration");
    int ret = status && !strcmp(status, "ready") && json_is_number(d) ? 0 : SV_ERR_STATE;
    *duration = json_is_number(d) ? json_number_value(d) : 0;
    json_decref(t);
    return ret;
}

int sv__api_breaks_rewrite(sv__server *srv, int64_t id, char *err, size_t errlen)
{
    sv__ad_break list[SV__MAX_BREAKS];
    char dir[1200];
    int n = sv__catalog_breaks(srv->cat, id, list, SV__MAX_BREAKS);
    if (n < 0) {
        snprintf(err, errlen, "the catalog could not list the breaks");
        return n;
    }
    snprintf(dir, sizeof(dir), "%s/%lld", srv->media_dir, (long long)id);
    return sv__breaks_write(dir, list, n, srv->cfg->public_url, err, errlen);
}

/* The title's manifest lock (SV__MEDIA_TITLE_LOCK), which subtitle changes
 * hold while they rewrite the same MPD on the thread pool or on another
 * node: taken without waiting (this is the loop thread). The fd, or after
 * answering 409 manifests_busy (Retry-After: 1) or a write failure, < 0. */
int sv__api_manifests_lock(sv__server *srv, int64_t id)
{
    char path[1300], name[32];
    snprintf(name, sizeof(name), "%lld", (long long)id);
    snprintf(path, sizeof(path), "%s/" SV__MEDIA_TITLE_LOCK, srv->staging_dir, name);
    return sv__file_lock(path, 0);
}

static int lock_manifests(sv__server *srv, sv__http_req *req, int64_t id)
{
    int fd = sv__api_manifests_lock(srv, id);
    if (fd == SV_ERR_AGAIN) {
        sv__http_add_header(req, "Retry-After", "1");
        sv__http_send_error(req, 409, "manifests_busy",
                            "the title's manifests are being rewritten (subtitles); try again");
    } else if (fd < 0) {
        sv__api_write_failed(srv, req, "cannot lock the title's manifests");
    }
    return fd;
}

static json_t *load_object(sv__http_req *req)
{
    json_t *b = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
    if (!json_is_object(b)) {
        json_decref(b);
        sv__http_send_error(req, 400, "bad_request", "the body must be a JSON object");
        return NULL;
    }
    return b;
}

/* Fills *b from the body; NULL, or what is wrong (into msg). An
 * interstitial (asset_title_id) takes its duration from the asset, later. */
static const char *parse_break(json_t *body, double title_s, sv__ad_break *b, char *msg,
                               size_t cap)
{
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v) {
        if (strcmp(key, "at_s") && strcmp(key, "duration_s") && strcmp(key, "class") &&
            strcmp(key, "asset_title_id")) {
            snprintf(msg, cap, "unknown field \"%.40s\" (at_s, duration_s, class, asset_title_id)",
                     key);
            return msg;
        }
    }
    json_t *at = json_object_get(body, "at_s"), *dur = json_object_get(body, "duration_s");
    json_t *cls = json_object_get(body, "class"), *asset = json_object_get(body, "asset_title_id");
    if (asset) {
        if (!json_is_integer(asset) || json_integer_value(asset) <= 0) {
            snprintf(msg, cap, "asset_title_id must be a title's id");
            return msg;
        }
        if (dur) {
            snprintf(msg, cap, "an interstitial's duration_s is its asset title's");
            return msg;
        }
        if (cls && (!json_is_string(cls) ||
                    strcmp(json_string_value(cls), SV__BREAK_CLASS_INTERSTITIAL))) {
            snprintf(msg, cap, "an interstitial's class is " SV__BREAK_CLASS_INTERSTITIAL);
            return msg;
        }
        b->asset_title_id = (int64_t)json_integer_value(asset);
    }
    if (!json_is_number(at) || (!asset && !json_is_number(dur))) {
        snprintf(msg, cap, "at_s and duration_s must be numbers of seconds");
        return msg;
    }
    b->at_s = json_number_value(at);
    b->duration_s = asset ? 1 : json_number_value(dur);
    if (!isfinite(b->at_s) || b->at_s < 0 || b->at_s >= title_s) {
        snprintf(msg, cap, "at_s %.3f is outside the title (0 to %.3f s)", b->at_s, title_s);
        return msg;
    }
    if (!isfinite(b->duration_s) || b->duration_s <= 0 ||
        b->duration_s > SV__BREAK_MAX_DURATION_S) {
        snprintf(msg, cap, "duration_s %.3f is not in (0, %.0f]", b->duration_s,
                 SV__BREAK_MAX_DURATION_S);
        return msg;
    }
    if (cls && (!json_is_string(cls) || !class_ok(json_string_value(cls)))) {
        snprintf(msg, cap, "class must be 1 to 64 letters, digits, '.', '-' or '_'");
        return msg;
    }
    snprintf(b->cls, sizeof(b->cls), "%s", cls ? json_string_value(cls)
                                       : asset ? SV__BREAK_CLASS_INTERSTITIAL
                                               : SV__BREAK_CLASS_DEFAULT);
    return NULL;
}

/* An interstitial's asset: a ready title other than the break's, with no
 * interstitials of its own (nothing nested); the break takes its duration
 * and moves to the title's nearest video segment boundary (a key frame,
 * where the DASH Periods split). 0, or an HTTP status with msg filled. */
static int check_asset(sv__server *srv, sv__ad_break *b, char *msg, size_t cap)
{
    sv__ad_break own[SV__MAX_BREAKS];
    char dir[1200];
    double asset_s = 0, at = b->at_s;
    int r, n;

    if (b->asset_title_id == b->title_id) {
        snprintf(msg, cap, "a title cannot be its own interstitial");
        return 400;
    }
    if ((r = ready_title(srv, b->asset_title_id, &asset_s)) < 0) {
        snprintf(msg, cap, "the asset title %lld %s", (long long)b->asset_title_id,
                 r == SV_ERR_NOT_FOUND ? "does not exist" : r == SV_ERR_STATE ? "is not ready"
                                                                           : "cannot be read");
        return r == SV_ERR_IO ? 500 : r == SV_ERR_STATE ? 409 : 400;
    }
    if ((n = sv__catalog_breaks(srv->cat, b->asset_title_id, own, SV__MAX_BREAKS)) < 0) {
        snprintf(msg, cap, "catalog error");
        return 500;
    }
    for (int i = 0; i < n; i++) {
        if (own[i].asset_title_id > 0) {
            snprintf(msg, cap, "the asset title %lld has interstitials of its own",
                     (long long)b->asset_title_id);
            return 409;
        }
    }
    if (asset_s <= 0 || asset_s > SV__BREAK_MAX_DURATION_S) {
        snprintf(msg, cap, "the asset title lasts %.3f s, not in (0, %.0f]", asset_s,
                 SV__BREAK_MAX_DURATION_S);
        return 409;
    }
    snprintf(dir, sizeof(dir), "%s/%lld", srv->media_dir, (long long)b->asset_title_id);
    if ((r = sv__breaks_asset_check(dir, msg, cap)) < 0)
        return 409;
    b->duration_s = asset_s;
    snprintf(dir, sizeof(dir), "%s/%lld", srv->media_dir, (long long)b->title_id);
    if (sv__breaks_snap(dir, b->at_s, &at) == 0)
        b->at_s = at;
    return 0;
}

/* The part of the title a break holds: a signalled one its span, an
 * interstitial (played between two frames of the title) its point. */
static double span_of(const sv__ad_break *b)
{
    return b->asset_title_id > 0 ? 0.001 : b->duration_s;
}

void sv__api_title_break_add(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    sv__ad_break b, list[SV__MAX_BREAKS];
    int64_t id = sv__parse_id(req->params[0]);
    char msg[300];
    json_t *body = NULL;
    double title_s = 0;
    int r, n, lock = -1;

    if (id < 0 || (r = ready_title(srv, id, &title_s)) == SV_ERR_NOT_FOUND) {
        sv__http_send_error(req, 404, "not_found", "no such title");
        return;
    }
    if (r == SV_ERR_STATE) {
        sv__http_send_error(req, 409, "title_not_ready", "breaks go into a ready title's manifests");
        return;
    }
    if (r < 0 || (n = sv__catalog_breaks(srv->cat, id, list, SV__MAX_BREAKS)) < 0) {
        sv__api_write_failed(srv, req, "catalog error");
        return;
    }
    if (!(body = load_object(req)))
        return;
    memset(&b, 0, sizeof(b));
    b.title_id = id;
    if (parse_break(body, title_s, &b, msg, sizeof(msg))) {
        sv__http_send_error(req, 400, "bad_request", msg);
        goto out;
    }
    if (b.asset_title_id > 0 && (r = check_asset(srv, &b, msg, sizeof(msg))) != 0) {
        if (r == 500)
            sv__api_write_failed(srv, req, msg);
        else
            sv__http_send_error(req, r, r == 409 ? "asset_unusable" : "bad_request", msg);
        goto out;
    }
    if (n >= SV__MAX_BREAKS) {
        snprintf(msg, sizeof(msg), "the title has %d breaks, the most it may have", n);
        sv__http_send_error(req, 409, "too_many_breaks", msg);
        goto out;
    }
    for (int i = 0; i < n; i++) {
        if (b.at_s < list[i].at_s + span_of(&list[i]) && list[i].at_s < b.at_s + span_of(&b)) {
            snprintf(msg, sizeof(msg), "the break overlaps break %lld (%.3f s for %.3f s)",
                     (long long)list[i].id, list[i].at_s, list[i].duration_s);
            sv__http_send_error(req, 409, "break_overlaps", msg);
            goto out;
        }
    }
    if ((lock = lock_manifests(srv, req, id)) < 0)
        goto out;
    if ((r = sv__catalog_break_add(srv->cat, &b)) < 0) {
        if (r == SV_ERR_NOT_FOUND)
            sv__http_send_error(req, 404, "not_found", "no such title");
        else
            sv__api_write_failed(srv, req, "catalog error");
        goto out;
    }
    if (sv__api_breaks_rewrite(srv, id, msg, sizeof(msg)) < 0) {
        /* The manifests keep what they had: so does the catalog. */
        char again[300];
        SV_LOGE(srv->log, "api", "break %lld of title %lld: %s", (long long)b.id, (long long)id,
                msg);
        if (sv__catalog_break_remove(srv->cat, id, b.id) < 0 ||
            sv__api_breaks_rewrite(srv, id, again, sizeof(again)) < 0)
            SV_LOGE(srv->log, "api", "title %lld: the break %lld could not be taken back",
                    (long long)id, (long long)b.id);
        sv__http_send_error(req, 500, "manifest_write_failed", msg);
        goto out;
    }
    SV_LOGI(srv->log, "api", "title %lld: break %lld at %.3f s for %.3f s%s", (long long)id,
            (long long)b.id, b.at_s, b.duration_s, b.asset_title_id > 0 ? " (interstitial)" : "");
    sv__api_send_json(req, 201, break_json(&b));
out:
    if (lock >= 0)
        close(lock);
    json_decref(body);
}

void sv__api_title_breaks(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    sv__ad_break list[SV__MAX_BREAKS];
    int64_t id = sv__parse_id(req->params[0]);
    double title_s;
    int r, n;

    if (id < 0 || (r = ready_title(srv, id, &title_s)) == SV_ERR_NOT_FOUND) {
        sv__http_send_error(req, 404, "not_found", "no such title");
        return;
    }
    if ((r < 0 && r != SV_ERR_STATE) || (n = sv__catalog_breaks(srv->cat, id, list,
                                                                 SV__MAX_BREAKS)) < 0) {
        sv__api_write_failed(srv, req, "catalog error");
        return;
    }
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, break_json(&list[i]));
    sv__api_send_json(req, 200, json_pack("{s:I,s:o}", "title_id", (json_int_t)id, "breaks", arr));
}

void sv__api_title_break_remove(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    int64_t id = sv__parse_id(req->params[0]), bid = sv__parse_id(req->params[1]);
    char msg[300];
    int r, lock;

    if (id < 0 || bid < 0) {
        sv__http_send_error(req, 404, "not_found", "no such break");
        return;
    }
    if ((lock = lock_manifests(srv, req, id)) < 0)
        return;
    if ((r = sv__catalog_break_remove(srv->cat, id, bid)) == SV_ERR_NOT_FOUND) {
        sv__http_send_error(req, 404, "not_found", "no such break");
    } else if (r < 0) {
        sv__api_write_failed(srv, req, "catalog error");
    } else if (sv__api_breaks_rewrite(srv, id, msg, sizeof(msg)) < 0) {
        SV_LOGE(srv->log, "api", "title %lld after removing break %lld: %s", (long long)id,
                (long long)bid, msg);
        sv__http_send_error(req, 500, "manifest_write_failed", msg);
    } else {
        SV_LOGI(srv->log, "api", "title %lld: break %lld removed", (long long)id,
                (long long)bid);
        sv__http_send(req, 204, NULL, NULL, 0);
    }
    close(lock);
}
