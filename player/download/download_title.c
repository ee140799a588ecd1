/*
 * A download of a Streamverse backend title (settings.backend_url and
 * title_id): each run holds a playback session, as a player does: POST
 * playback/start with the user's token gives the manifest URL and the media
 * query, a heartbeat every heartbeat_interval_s (between files) brings a
 * fresh media token, and playback/stop ends it when the run ends. A session
 * the server ended (410) or a media token refused (403) is replaced by a
 * new one. A protected title's offline license comes from the title's
 * offline-license route.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "platform/alloc.h"
#include "platform/thread.h"
#include "player/download/download.h"

static json_t *post_json(sv_download *dl, const char *path, json_t *body, int *err, char *msg,
                         size_t cap)
{
    char url[2200], hdr[2200];
    uint8_t *data = NULL;
    size_t size = 0, n = body ? json_dumpb(body, NULL, 0, JSON_COMPACT) : 0;
    char *text = n ? sv__malloc(dl->alloc, n + 1) : NULL;
    json_t *ans = NULL;

    *err = SV_ERR_NOMEM;
    if (!text) {
        snprintf(msg, cap, "out of memory");
        return NULL;
    }
    json_dumpb(body, text, n, JSON_COMPACT);
    text[n] = '\0';
    snprintf(url, sizeof(url), "%s%s", dl->backend, path);
    snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", dl->lic_token ? dl->lic_token : "");
    *err = sv__dl_post(dl->fetcher, url, text, hdr, &data, &size, msg, cap);
    if (*err == 0 && !(ans = json_loadb((const char *)data, size, 0, NULL))) {
        snprintf(msg, cap, "POST %s: the answer is not JSON", url);
        *err = SV_ERR_PARSE;
    }
    sv__free(dl->alloc, data);
    sv__free(dl->alloc, text);
    return ans;
}

/* Takes the media query and the heartbeat period of an answer. */
static int take_token(sv_download *dl, const json_t *ans)
{
    const char *query = json_string_value(json_object_get(ans, "media_query"));
    double hb = json_number_value(json_object_get(ans, "heartbeat_interval_s"));
    if (hb > 0)
        dl->hb_interval_ns = (int64_t)(hb * 1e9);
    dl->next_hb_ns = sv__monotonic_ns() + dl->hb_interval_ns;
    return sv__dl_fetcher_set_query(dl->fetcher, query);
}

int sv__dl_title_session(sv_download *dl, char *msg, size_t cap)
{
    json_t *body = json_pack("{s:I,s:s}", "title_id", (json_int_t)dl->title_id, "device_id",
                             dl->lic_device ? dl->lic_device : "download");
    int ret;
    json_t *ans = post_json(dl, "/api/v1/playback/start", body, &ret, msg, cap);
    const char *man = json_string_value(
        json_object_get(json_object_get(ans, "manifests"), "dash"));
    const char *sid = json_string_value(json_object_get(ans, "session_id"));

    json_decref(body);
    if (!ans)
        return ret;
    ret = SV_ERR_PARSE;
    if (!man || !sid || strlen(sid) >= sizeof(dl->session_id)) {
        snprintf(msg, cap, "%s: playback/start names no manifest for title %lld", dl->backend,
                 (long long)dl->title_id);
        goto done;
    }
    snprintf(dl->session_id, sizeof(dl->session_id), "%s", sid);
    ret = SV_ERR_NOMEM;
    if ((!dl->st.url && !(dl->st.url = sv__asprintf(dl->alloc, "%s%s", dl->backend, man))) ||
        (!dl->lic_url &&
         !(dl->lic_url = sv__asprintf(dl->alloc, "%s/api/v1/titles/%lld/offline-license",
                                      dl->backend, (long long)dl->title_id))))
        goto done;
    ret = take_token(dl, ans);
done:
    json_decref(ans);
    return ret;
}

int sv__dl_title_heartbeat(sv_download *dl, char *msg, size_t cap)
{
    if (!dl->backend || !dl->session_id[0] || sv__monotonic_ns() < dl->next_hb_ns)
        return 0;
    json_t *body = json_pack("{s:s,s:f}", "session_id", dl->session_id, "position_s", 0.0);
    int ret;
    json_t *ans = post_json(dl, "/api/v1/playback/heartbeat", body, &ret, msg, cap);
    json_decref(body);
    if (ans) {
        ret = take_token(dl, ans);
        json_decref(ans);
        return ret;
    }
    /* The server ended the session (410) or forgot it: a new one. */
    return sv__dl_title_session(dl, msg, cap);
}

void sv__dl_title_stop(sv_download *dl)
{
    char ignored[300];
    int err;
    if (!dl->backend || !dl->session_id[0])
        return;
    /* Also after a pause, whose stop flag would cancel this request. */
    sv__dl_fetcher_reset_stop(dl->fetcher);
    json_t *body = json_pack("{s:s,s:f}", "session_id", dl->session_id, "position_s", 0.0);
    json_decref(post_json(dl, "/api/v1/playback/stop", body, &err, ignored, sizeof(ignored)));
    json_decref(body);
    dl->session_id[0] = '\0';
}
