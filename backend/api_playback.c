/*
 * api_playback.c - /api/v1/playback/{start,heartbeat,stop},
 * /api/v1/me/continue-watching, /api/v1/steering and
 * PUT /api/v1/titles/{id}/regions.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "backend/api_params.h"
#include "backend/channels.h"
#include "backend/http_util.h"
#include "backend/playback_internal.h"
#include "backend/server_internal.h"
#include "streamverse/common.h"

static json_t *load_body(sv__http_req *req)
{
    json_t *b = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);

    if (!json_is_object(b)) {
        json_decref(b);
        sv__http_send_error(req, 400, "bad_request", "the body must be a JSON object");
        return NULL;
    }
    return b;
}

static int region_allowed(json_t *regions, const char *region)
{
    json_t *v;
    size_t i;

    if (json_array_size(regions) == 0)
        return 1;
    json_array_foreach(regions, i, v)
        if (json_is_string(v) && !strcmp(json_string_value(v), region))
            return 1;
    return 0;
}

static json_t *cdns_json(sv__playback *pb)
{
    const sv__cdn_list *l = sv__steering_cdns(pb->steering);
    json_t *a = json_array();

    for (int i = 0; a && i < l->n; i++)
        json_array_append_new(a, json_pack("{s:s,s:s,s:i,s:i}", "id", l->cdn[i].id, "base_url",
                                           l->cdn[i].base_url, "priority",
                                           sv__steering_priority(pb->steering, i), "weight",
                                           l->cdn[i].weight));
    return a;
}

/* {session_id, token, token_expires, media_query, heartbeat_interval_s}
 * plus whatever the caller adds; NULL when the token cannot be made. */
static json_t *session_answer(sv__playback *pb, sv__session *s)
{
    char token[SV__TOKEN_MAX], query[SV__TOKEN_MAX + 128];
    int64_t expires;

    if (sv__playback_issue(pb, s, token, sizeof(token), query, sizeof(query), &expires) < 0)
        return NULL;
    return json_pack("{s:s,s:s,s:I,s:s,s:f}", "session_id", s->id, "token", token,
                     "token_expires", (json_int_t)expires, "media_query", query,
                     "heartbeat_interval_s", pb->cfg->heartbeat_s);
}

/* Answers a refused start and counts it by its code (a static string). */
static void start_refused(sv__server *srv, sv__http_req *req, int status, const char *code,
                          const char *message)
{
    sv__metrics_playback_start(srv->metrics, code);
    sv__http_send_error(req, status, code, message);
}

void sv__api_playback_start(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    sv__playback *pb = srv->playback;
    json_t *body = NULL, *regions = NULL, *ans;
    json_int_t title_id;
    const char *device;
    char url[160], channel[SV__CHANNEL_NAME_MAX + 1];
    sv__jwt_claims jc;
    sv__session *s;
    sv__user u;
    double resume = 0;
    int ready, r;

    if (sv__playback_bearer(pb, req, &jc) < 0) {
        sv__metrics_playback_start(srv->metrics, "unauthorized");
        goto out;
    }
    if (!(body = load_body(req))) {
        sv__metrics_playback_start(srv->metrics, "bad_request");
        goto out;
    }
    if (json_unpack(body, "{s:I,s:s}", "title_id", &title_id, "device_id", &device) < 0 ||
        title_id <= 0 || !device[0] || strlen(device) > 64) {
        start_refused(srv, req, 400, "bad_request", "the body must be {\"title_id\": id, "
                      "\"device_id\": string of 1 to 64 characters}");
        goto out;
    }
    if ((r = sv__catalog_user_get(srv->cat, jc.user_id, &u)) < 0) {
        if (r == SV_ERR_NOT_FOUND) {
            start_refused(srv, req, 401, "unauthorized", "the account no longer exists");
        } else {
            sv__metrics_playback_start(srv->metrics, "internal");
            sv__api_write_failed(srv, req, "catalog error");
        }
        goto out;
    }
    r = sv__catalog_title_access(srv->cat, title_id, &ready, &regions, channel,
                                 sizeof(channel));
    if (r == SV_ERR_NOT_FOUND) {
        start_refused(srv, req, 404, "not_found", "no such title");
        goto out;
    }
    if (r < 0) {
        sv__metrics_playback_start(srv->metrics, "internal");
        sv__api_write_failed(srv, req, "catalog error");
        goto out;
    }
    if (!ready) {
        start_refused(srv, req, 409, "title_not_ready", "the title is not ready to play");
        goto out;
    }
    if (u.max_streams == 0) {
        start_refused(srv, req, 403, "not_entitled", "this account may not play titles");
        goto out;
    }
    if (!region_allowed(regions, u.region)) {
        start_refused(srv, req, 403, "geo_blocked", "this title is not available in your region");
        goto out;
    }
    /* A live title plays from its channel; its tokens cover /live/NAME/. */
    if (channel[0])
        snprintf(url, sizeof(url), "/live/%s/", channel);
    else
        snprintf(url, sizeof(url), "/media/%lld/", (long long)title_id);
    r = sv__sessions_open(pb->sessions, u.id, title_id, device, u.max_streams, url, &s);
    if (r == SV_ERR_OVERFLOW) {
        start_refused(srv, req, 403, "too_many_streams",
                      "the account's concurrent stream limit is reached: stop another "
                      "session first");
        goto out;
    }
    if (r < 0 || sv__catalog_resume_get(srv->cat, u.id, title_id, &resume) < 0 ||
        !(ans = session_answer(pb, s))) {
        sv__metrics_playback_start(srv->metrics, "internal");
        sv__api_write_failed(srv, req, "cannot open a session");
        goto out;
    }
    json_object_set_new(ans, "title_id", json_integer(title_id));
    json_object_set_new(ans, "cdns", cdns_json(pb));
    json_object_set_new(ans, "manifests",
                        json_pack("{s:s+,s:s+}", "hls", s->prefix, "master.m3u8", "dash",
                                  s->prefix, "manifest.mpd"));
    json_object_set_new(ans, "live", json_boolean(channel[0] != 0));
    json_object_set_new(ans, "license_url", json_string("/api/v1/license"));
    snprintf(url, sizeof(url), "/api/v1/steering?session=%s", s->id);
    json_object_set_new(ans, "steering_url", json_string(url));
    /* A live title joins at the live edge: no resume point. */
    json_object_set_new(ans, "resume_position_s", json_real(channel[0] ? 0 : resume));
    SV_LOGI(srv->log, "playback", "session %s: user %lld, title %lld%s%s, device %s", s->id,
            (long long)u.id, (long long)title_id, channel[0] ? ", live on channel " : "",
            channel, device);
    sv__metrics_playback_start(srv->metrics, "ok");
    sv__api_send_json(req, 201, ans);
out:
    json_decref(regions);
    json_decref(body);
}

/* The session of the body's session_id owned by the bearer, or NULL after
 * answering 400 / 404 / 410 with the error code in *code. */
static sv__session *body_session(sv__server *srv, sv__http_req *req, json_t *body,
                                 const sv__jwt_claims *jc, const char **code)
{
    const char *id = json_string_value(json_object_get(body, "session_id"));
    sv__session *s;

    if (!id || strlen(id) != SV__SESSION_ID_LEN) {
        *code = "bad_request";
        sv__http_send_error(req, 400, *code, "'session_id' is missing or malformed");
        return NULL;
    }
    s = sv__sessions_find(srv->playback->sessions, id);
    if (s && s->user_id == jc->user_id)
        return s;
    if (!s && !sv__catalog_available(srv->cat)) {
        /* Not cached here and the catalog is down: the player retries. */
        *code = "catalog_unavailable";
        sv__api_write_failed(srv, req, "catalog error");
        return NULL;
    }
    /* Ended, or still open but silent for three intervals (the next tick
     * ends it). */
    if (!s && sv__catalog_session_ended(srv->cat, id) >= 0) {
        *code = "session_expired";
        sv__http_send_error(req, 410, *code, "the session has ended (stopped, replaced, or "
                            "three heartbeats missed): start a new one");
    } else {
        *code = "session_not_found";
        sv__http_send_error(req, 404, *code, "no such session for this user");
    }
    return NULL;
}

/* Optional non-negative number field. Returns 0, or -1 for a bad value. */
static int num_field(json_t *body, const char *key, double *out)
{
    json_t *v = json_object_get(body, key);

    if (!v)
        return 0;
    if (!json_is_number(v) || !(json_number_value(v) >= 0) || !isfinite(json_number_value(v)))
        return -1;
    *out = json_number_value(v);
    return 0;
}

/* The breaks a report says the player reached ("ad_breaks", optional: at
 * most SV__ADS_PER_REPORT of {event_id, start_s, duration_s}) into a[].
 * Returns their count, or -1 when the field is malformed. */
#define SV__ADS_PER_REPORT 32
static int body_ads(json_t *body, sv__ad_impression *a)
{
    json_t *arr = json_object_get(body, "ad_breaks"), *v;
    size_t i;
    if (!arr)
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > SV__ADS_PER_REPORT)
        return -1;
    json_array_foreach(arr, i, v) {
        json_t *id = json_object_get(v, "event_id"), *start = json_object_get(v, "start_s");
        json_t *dur = json_object_get(v, "duration_s");
        if (!json_is_object(v) || !json_is_integer(id) || json_integer_value(id) <= 0 ||
            json_integer_value(id) > UINT32_MAX || !json_is_number(start) ||
            !isfinite(json_number_value(start)) || json_number_value(start) < 0 ||
            (dur && !json_is_number(dur)))
            return -1;
        a[i].break_id = (int64_t)json_integer_value(id);
        a[i].start_s = json_number_value(start);
    }
    return (int)json_array_size(arr);
}

/* Records the breaks a report names as the session's impressions. A catalog
 * that fails loses them (logged): the report itself still counts. */
static void record_ads(sv__server *srv, const sv__session *s, const sv__ad_impression *a, int n)
{
    if (n > 0 && sv__catalog_ad_impressions_add(srv->cat, s->id, s->title_id, a, n) < 0)
        SV_LOGW(srv->log, "api", "session %s: %d ad impressions not recorded (catalog error)",
                s->id, n);
}

void sv__api_playback_heartbeat(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    sv__playback *pb = srv->playback;
    double pos = 0, bitrate = 0, buffer = 0, rc = 0, rs = 0, dropped = 0, latency = NAN,
           rate = NAN;
    json_t *lat;
    const char *result = "unauthorized";
    sv__session_stats st;
    sv__jwt_claims jc;
    json_t *body = NULL, *ans, *cdn;
    sv__session *s;
    sv__ad_impression ads[SV__ADS_PER_REPORT];
    int nb_ads = 0;

    if (sv__playback_bearer(pb, req, &jc) < 0)
        goto out;
    result = "bad_request";
    if (!(body = load_body(req)) || !(s = body_session(srv, req, body, &jc, &result)))
        goto out;
    cdn = json_object_get(body, "cdn");
    if (num_field(body, "position_s", &pos) < 0 || num_field(body, "bitrate_kbps", &bitrate) < 0 ||
        num_field(body, "buffer_s", &buffer) < 0 || num_field(body, "rebuffer_count", &rc) < 0 ||
        num_field(body, "rebuffer_s", &rs) < 0 || num_field(body, "dropped_frames", &dropped) < 0 ||
        num_field(body, "playback_rate", &rate) < 0 ||
        /* A latency may be below 0: the player's clock ahead of ours. */
        ((lat = json_object_get(body, "live_latency_s")) &&
         (!json_is_number(lat) || !isfinite(latency = json_number_value(lat)))) ||
        (cdn && (!json_is_string(cdn) || json_string_length(cdn) >= sizeof(st.cdn))) ||
        (nb_ads = body_ads(body, ads)) < 0) {
        sv__http_send_error(req, 400, "bad_request", "heartbeat fields are non-negative numbers "
                            "(position_s, bitrate_kbps, buffer_s, rebuffer_count, rebuffer_s, "
                            "dropped_frames, playback_rate), a number live_latency_s, a cdn "
                            "id and at most 32 ad_breaks {event_id, start_s, duration_s}");
        result = "bad_request";
        goto out;
    }
    memset(&st, 0, sizeof(st));
    st.position_s = pos;
    st.bitrate_kbps = (int64_t)bitrate;
    st.buffer_s = buffer;
    st.rebuffer_count = (int64_t)rc;
    st.rebuffer_s = rs;
    st.dropped_frames = (int64_t)dropped;
    st.live_latency_s = latency;
    st.playback_rate = rate;
    if (cdn)
        snprintf(st.cdn, sizeof(st.cdn), "%s", json_string_value(cdn));
    sv__sessions_heartbeat(pb->sessions, s, &st);
    record_ads(srv, s, ads, nb_ads);
    if (!(ans = session_answer(pb, s))) {
        sv__http_send_error(req, 500, "internal", "cannot refresh the token");
        result = "internal";
        goto out;
    }
    result = "ok";
    sv__api_send_json(req, 200, ans);
out:
    sv__metrics_playback_heartbeat(srv->metrics, result);
    json_decref(body);
}

void sv__api_playback_stop(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    sv__playback *pb = srv->playback;
    char id[SV__SESSION_ID_LEN + 1];
    const char *code;
    sv__jwt_claims jc;
    json_t *body = NULL;
    sv__session *s;
    double pos;
    sv__ad_impression ads[SV__ADS_PER_REPORT];
    int nb_ads;

    if (sv__playback_bearer(pb, req, &jc) < 0 || !(body = load_body(req)) ||
        !(s = body_session(srv, req, body, &jc, &code)))
        goto out;
    pos = s->stats.position_s;
    if (num_field(body, "position_s", &pos) < 0 || (nb_ads = body_ads(body, ads)) < 0) {
        sv__http_send_error(req, 400, "bad_request", "'position_s' must be a non-negative "
                            "number, 'ad_breaks' at most 32 {event_id, start_s, duration_s}");
        goto out;
    }
    record_ads(srv, s, ads, nb_ads);
    snprintf(id, sizeof(id), "%s", s->id);
    if (sv__sessions_end(pb->sessions, s, pos, "stopped") < 0) {
        sv__api_write_failed(srv, req, "cannot save the position");
        goto out;
    }
    sv__api_send_json(req, 200, json_pack("{s:s,s:s,s:f}", "session_id", id, "state", "stopped",
                                          "position_s", pos));
out:
    json_decref(body);
}

void sv__api_continue_watching(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    sv__jwt_claims jc;
    json_t *list;
    int err;

    if (sv__playback_bearer(srv->playback, req, &jc) < 0)
        return;
    if (!(list = sv__catalog_continue_watching(srv->cat, jc.user_id, 20, &err))) {
        sv__api_write_failed(srv, req, "catalog error");
        return;
    }
    sv__api_send_json(req, 200, list);
}

void sv__api_steering_get(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    char session[SV__SESSION_ID_LEN + 1], fmt[8], reload[160];
    int has_session, dash;

    has_session = sv__http_query_get(req->query, req->query_len, "session", 0, session,
                                     sizeof(session)) == SV__SESSION_ID_LEN &&
                  strspn(session, "0123456789abcdef") == SV__SESSION_ID_LEN;
    dash = sv__http_query_get(req->query, req->query_len, "fmt", 0, fmt, sizeof(fmt)) > 0 &&
           !strcmp(fmt, "dash");
    snprintf(reload, sizeof(reload), "/api/v1/steering%s%s%s", has_session ? "?session=" : "",
             has_session ? session : "", dash ? (has_session ? "&fmt=dash" : "?fmt=dash") : "");
    sv__api_send_json(req, 200, sv__steering_json(srv->playback->steering, dash, reload));
}

void sv__api_steering_put(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    json_t *body = load_body(req), *v;
    const char *k;
    char err[256];
    int r;

    if (!body)
        return;
    json_object_foreach(body, k, v) {
        if (strcmp(k, "priority") != 0 && strcmp(k, "clones") != 0) {
            snprintf(err, sizeof(err), "unknown key '%.40s': the body is {\"priority\": "
                     "[pathway ids], \"clones\": [...]}", k);
            sv__http_send_error(req, 400, "bad_request", err);
            goto out;
        }
    }
    r = sv__steering_update(srv->playback->steering, json_object_get(body, "priority"),
                            json_object_get(body, "clones"), err, sizeof(err));
    if (r < 0) {
        if (r == SV_ERR_INVALID)
            sv__http_send_error(req, 400, "bad_request", err);
        else
            sv__http_send_error(req, 500, "internal", "out of memory");
        goto out;
    }
    SV_LOGI(srv->log, "steering", "pathways changed (%d clone(s))",
            sv__steering_clone_count(srv->playback->steering));
    sv__api_send_json(req, 200, sv__steering_json(srv->playback->steering, 0, NULL));
out:
    json_decref(body);
}

void sv__api_title_regions(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    int64_t id = sv__parse_id(req->params[0]);
    json_t *body = NULL, *regions, *v;
    size_t i;
    int r;

    if (id < 0) {
        sv__http_send_error(req, 404, "not_found", "no such title");
        return;
    }
    if (!(body = load_body(req)))
        return;
    regions = json_object_get(body, "regions");
    if (!json_is_array(regions) || json_array_size(regions) > 250)
        goto bad;
    json_array_foreach(regions, i, v)
        if (!json_is_string(v) || !sv__region_ok(json_string_value(v)))
            goto bad;
    r = sv__catalog_title_set_regions(srv->cat, id, regions);
    if (r == SV_ERR_NOT_FOUND)
        sv__http_send_error(req, 404, "not_found", "no such title");
    else if (r < 0)
        sv__api_write_failed(srv, req, "catalog error");
    else
        sv__api_send_json(req, 200, json_pack("{s:I,s:O}", "title_id", (json_int_t)id,
                                              "regions", regions));
    json_decref(body);
    return;
bad:
    sv__http_send_error(req, 400, "bad_request", "the body must be {\"regions\": [\"FR\", ...]}"
                        " with ISO 3166 alpha-2 codes in capitals ([] for everywhere)");
    json_decref(body);
}
