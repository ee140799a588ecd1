/*
 * api_channels.c - the live channels' API (docs/http-api.md, "Live
 * channels"): list and read them (state, playback URLs), add and remove
 * them (admin). The stream key is in the answer of the add only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/channels.h"
#include "backend/http_util.h"
#include "backend/server_internal.h"
#include "streamverse/common.h"

static void iso8601(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The channel as the API shows it (never its key). */
static json_t *channel_json(const sv__channel *ch)
{
    json_t *settings = json_loads(ch->settings, 0, NULL);
    char hls[128], dash[128], created[32];

    snprintf(hls, sizeof(hls), "/live/%s/master.m3u8", ch->name);
    snprintf(dash, sizeof(dash), "/live/%s/manifest.mpd", ch->name);
    iso8601(ch->created, created, sizeof(created));
    return json_pack("{s:s,s:s,s:i,s:i,s:o,s:s,s:{s:s,s:s},s:o}", "name", ch->name, "state",
                     sv__channel_state_name(ch->state), "srt_port", ch->srt_port, "rtmp_port",
                     ch->rtmp_port, "settings", settings ? settings : json_object(), "created",
                     created, "manifests", "hls", hls, "dash", dash, "title_id",
                     ch->title_id > 0 ? json_integer(ch->title_id) : json_null());
}

void sv__api_channels_list(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    sv__channel *list = calloc(SV__CHANNEL_MAX, sizeof(*list));
    json_t *items = json_array();
    int n = list ? sv__catalog_channels(srv->cat, list, SV__CHANNEL_MAX) : SV_ERR_NOMEM;

    if (n < 0 || !items) {
        sv__http_send_error(req, 500, "internal", "cannot list the channels");
        json_decref(items);
        free(list);
        return;
    }
    for (int i = 0; i < n; i++)
        json_array_append_new(items, channel_json(&list[i]));
    free(list);
    sv__api_send_json(req, 200, json_pack("{s:o}", "items", items));
}

void sv__api_channel_get(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    sv__channel ch;
    int r = sv__catalog_channel_get(srv->cat, req->params[0], &ch);

    if (r == SV_ERR_NOT_FOUND)
        sv__http_send_error(req, 404, "not_found", "no such channel");
    else if (r < 0)
        sv__http_send_error(req, 500, "internal", "cannot read the channel");
    else
        sv__api_send_json(req, 200, channel_json(&ch));
}

/* POST /api/v1/channels {"name", "srt_port"?, "rtmp_port"?, "settings"?} */
void sv__api_channel_add(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    json_t *body = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
    json_t *settings = NULL, *answer;
    const char *name = NULL;
    int srt = 0, rtmp = 0, r;
    char err[256], text[512], srt_url[256], rtmp_url[256];
    sv__channel_settings set;
    sv__channel ch;

    memset(&ch, 0, sizeof(ch));
    if (!body || json_unpack_ex(body, NULL, JSON_STRICT, "{s:s,s?i,s?i,s?o}", "name", &name,
                                "srt_port", &srt, "rtmp_port", &rtmp, "settings",
                                &settings) < 0 ||
        !sv__channel_name_valid(name) || srt < 0 || srt > 65535 || rtmp < 0 ||
        rtmp > 65535 || !srt != !rtmp) {
        sv__http_send_error(req, 400, "bad_request",
                            "the body must be {\"name\" (1..48 of a-z 0-9 _ -), \"srt_port\" "
                            "and \"rtmp_port\" (both or neither, 1..65535), \"settings\" "
                            "(object)}");
        goto out;
    }
    text[0] = '\0';
    if (settings) {
        char *t = json_dumps(settings, JSON_COMPACT);

        snprintf(text, sizeof(text), "%s", t ? t : "");
        free(t);
    }
    if (sv__channel_settings_parse(text, &set, err, sizeof(err)) < 0) {
        sv__http_send_error(req, 400, "bad_request", err);
        goto out;
    }
    if (strcmp(set.encrypt, "none") && !srv->cfg->has_master_key) {
        snprintf(err, sizeof(err), "channel setting encrypt %s: this server has no master-key "
                 "to keep the content keys under", set.encrypt);
        sv__http_send_error(req, 400, "bad_request", err);
        goto out;
    }
    sv__channel_settings_format(&set, ch.settings, sizeof(ch.settings));
    snprintf(ch.name, sizeof(ch.name), "%s", name);
    ch.srt_port = srt;
    ch.rtmp_port = rtmp;
    if (sv__channel_new_key(ch.key) < 0) {
        sv__http_send_error(req, 500, "internal", "cannot make a stream key");
        goto out;
    }
    r = sv__catalog_channel_add(srv->cat, &ch, SV__CHANNEL_PORT_BASE);
    if (r == SV_ERR_STATE) {
        sv__http_send_error(req, 409, "exists", "a channel with that name or port exists");
        goto out;
    }
    if (r == SV_ERR_OVERFLOW) {
        sv__http_send_error(req, 409, "too_many_channels", "no room for another channel");
        goto out;
    }
    if (r < 0) {
        sv__api_write_failed(srv, req, "cannot add the channel");
        goto out;
    }
#ifdef SV_HAVE_MEDIA
    sv__live_sync(srv->live);
#endif
    sv__channel_urls(&ch, srv->cfg->listen_host, srt_url, sizeof(srt_url), rtmp_url,
                     sizeof(rtmp_url));
    answer = channel_json(&ch);
    json_object_set_new(answer, "key", json_string(ch.key));
    json_object_set_new(answer, "publish", json_pack("{s:s,s:s}", "srt", srt_url, "rtmp",
                                                     rtmp_url));
    sv__api_send_json(req, 201, answer);
out:
    json_decref(body);
}

void sv__api_channel_remove(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    int r = sv__catalog_channel_remove(srv->cat, req->params[0]);

    if (r == SV_ERR_NOT_FOUND) {
        sv__http_send_error(req, 404, "not_found", "no such channel");
        return;
    }
    if (r < 0) {
        sv__api_write_failed(srv, req, "cannot remove the channel");
        return;
    }
#ifdef SV_HAVE_MEDIA
    sv__live_sync(srv->live);
#endif
    sv__api_send_json(req, 200, json_pack("{s:s,s:b}", "name", req->params[0], "removed", 1));
}

/* GET /live/{channel}/...: playlists, MPD, parts, segments. With
 * media-auth token, as /media/: a playback token whose prefix covers the
 * path (`svserver token ID --prefix /live/NAME/`), checked the same way. */
#ifdef SV_HAVE_MEDIA
typedef struct live_rewrite {
    sv__server *srv;
    sv__token_claims claims;
} live_rewrite;

static int rewrite_live(void *opaque, sv__http_req *req, const char *text, size_t len, int dash)
{
    live_rewrite *lr = opaque;

    return sv__playback_rewrite(lr->srv->playback, req, text, len, dash, &lr->claims);
}
#endif

void sv__api_live(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;

#ifdef SV_HAVE_MEDIA
    char token[2048];
    const char *code = "token_invalid", *message = "the token is not valid";
    live_rewrite lr = {srv, {0}};
    sv__live_rewrite rw = {rewrite_live, &lr};
    int auth = !strcmp(srv->cfg->media_auth, "token"), status = -1;
    int n = sv__http_query_get(req->query, req->query_len, "token", 0, token, sizeof(token));

    /* As /media/: with media-auth token every request needs a token of a
     * session whose prefix covers the channel (/live/NAME/); in both modes
     * a valid token of a session gets the master playlist and MPD
     * rewritten for the CDNs and content steering. */
    if (n == SV_ERR_NOT_FOUND)
        n = 0;
    if (n > 0 || (n == 0 && auth))
        status = sv__playback_check_token(srv->playback, token, (size_t)n, req->path,
                                          &lr.claims, &code, &message);
    else if (n < 0)
        status = 403; /* a token that does not even decode */
    if (auth && status != 0) {
        sv__http_send_error(req, status, code, message);
        return;
    }
    if (!srv->live) {
        sv__http_add_header_str(req, "Retry-After", "1");
        sv__http_send_error(req, 503, "unavailable", "the server is stopping");
        return;
    }
    sv__live_serve(srv->live, req, req->params[0], status == 0 ? &rw : NULL);
#else
    (void)srv;
    sv__http_send_error(req, 404, "not_found", "this svserver was built without live channels");
#endif
}

/* GET /api/v1/time: the server's clock, ISO 8601 with milliseconds (DASH
 * UTCTiming, urn:mpeg:dash:utc:http-iso:2014). */
void sv__api_time(void *ctx, sv__http_req *req)
{
    struct timespec ts;
    struct tm tm;
    char day[32], text[48];
    int n;

    (void)ctx;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    n = snprintf(text, sizeof(text), "%s.%03dZ", day, (int)(ts.tv_nsec / 1000000));
    sv__http_add_header_str(req, "Cache-Control", "no-store");
    sv__http_send(req, 200, "text/plain", text, (size_t)n);
}
