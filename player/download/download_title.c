/*
 * A download of a Streamverse backend title (settings.backend_url and
 * title_id): each run opens a playback session (POST playback/start with
 * the user's token) for the manifest URL and its media query, and stops it
 * at once: a download is no viewing, and must not hold one of the
 * account's streams. A protected title's offline license comes from the
 * title's offline-license route.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "platform/alloc.h"
#include "player/download/download.h"

static json_t *post_json(sv_download *dl, const char *path, json_t *body, char *msg, size_t cap)
{
    char url[2200], hdr[2200];
    uint8_t *data = NULL;
    size_t size = 0, n = json_dumpb(body, NULL, 0, JSON_COMPACT);
    char *text = n ? sv__malloc(dl->alloc, n + 1) : NULL;
    json_t *ans = NULL;

    if (!text) {
        snprintf(msg, cap, "out of memory");
        return NULL;
    }
    json_dumpb(body, text, n, JSON_COMPACT);
    text[n] = '\0';
    snprintf(url, sizeof(url), "%s%s", dl->backend, path);
    snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", dl->lic_token ? dl->lic_token : "");
    if (sv__dl_post(dl->fetcher, url, text, hdr, &data, &size, msg, cap) == 0 &&
        !(ans = json_loadb((const char *)data, size, 0, NULL)))
        snprintf(msg, cap, "POST %s: the answer is not JSON", url);
    sv__free(dl->alloc, data);
    sv__free(dl->alloc, text);
    return ans;
}

int sv__dl_title_session(sv_download *dl, char *msg, size_t cap)
{
    json_t *body = json_pack("{s:I,s:s}", "title_id", (json_int_t)dl->title_id, "device_id",
                             dl->lic_device ? dl->lic_device : "download");
    json_t *ans = body ? post_json(dl, "/api/v1/playback/start", body, msg, cap) : NULL;
    const char *man = json_string_value(
        json_object_get(json_object_get(ans, "manifests"), "dash"));
    const char *query = json_string_value(json_object_get(ans, "media_query"));
    const char *sid = json_string_value(json_object_get(ans, "session_id"));
    int ret = SV_ERR_HTTP;

    json_decref(body);
    if (!ans)
        return ret;
    if (!man || !sid) {
        snprintf(msg, cap, "%s: playback/start names no manifest for title %lld", dl->backend,
                 (long long)dl->title_id);
        goto done;
    }
    ret = SV_ERR_NOMEM;
    if (!dl->st.url && !(dl->st.url = sv__asprintf(dl->alloc, "%s%s", dl->backend, man)))
        goto done;
    if ((ret = sv__dl_fetcher_set_query(dl->fetcher, query)) < 0)
        goto done;
    if (!dl->lic_url &&
        !(dl->lic_url = sv__asprintf(dl->alloc, "%s/api/v1/titles/%lld/offline-license",
                                     dl->backend, (long long)dl->title_id)))
        goto done;
    char ignored[200];
    json_t *stop = json_pack("{s:s,s:f}", "session_id", sid, "position_s", 0.0);
    json_decref(stop ? post_json(dl, "/api/v1/playback/stop", stop, ignored, sizeof(ignored))
                     : NULL);
    json_decref(stop);
    ret = 0;
done:
    json_decref(ans);
    return ret;
}
