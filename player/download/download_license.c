/*
 * Offline licenses of downloads (streamverse/download.h, API 2.6): fetched
 * once by the download thread and stored as DIR/license.json with the
 * server's public key; checked at playback by sv_download_license_check()
 * (signature, device, expiry, revocation), which alone hands the keys to
 * the host's CDM. The JWS itself is drm/offline_license.h's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "drm/offline_license.h"
#include "platform/abi.h"
#include "platform/alloc.h"
#include "platform/fs.h"
#include "player/download/internal.h"
#include "player/manifest/url.h"
#include "player/model/uri_table.h"
#include "streamverse/cdm.h"

#define CHECK_V1 sizeof(sv_offline_check)

/* Reads a small file into a NUL-terminated string (alloc). */
static char *read_text(const char *path, const sv_allocator *alloc)
{
    FILE *fp = fopen(path, "rb");
    char *text = NULL;
    long n;
    if (!fp)
        return NULL;
    if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && n < 4 * SV__OLIC_MAX &&
        fseek(fp, 0, SEEK_SET) == 0 && (text = sv__malloc(alloc, (size_t)n + 1))) {
        if (fread(text, 1, (size_t)n, fp) == (size_t)n) {
            text[n] = '\0';
        } else {
            sv__free(alloc, text);
            text = NULL;
        }
    }
    fclose(fp);
    return text;
}

static int write_atomic(const char *dir, const char *name, const char *text, char *msg,
                        size_t cap)
{
    char tmp[4200], path[4200];
    snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, name);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (sv__file_write(tmp, text, strlen(text), 0600) < 0 || rename(tmp, path) != 0 ||
        sv__fsync_dir(dir) < 0) {
        snprintf(msg, cap, "cannot write %s: %s%s", path, strerror(errno),
                 sv__errno_is_full(errno) ? " (the disk is full)" : "");
        remove(tmp);
        return SV_ERR_IO;
    }
    return 0;
}

int sv__dl_license_fetch(sv__dl_fetcher *f, const sv__dl_license_req *r, const char *dir,
                         const sv_allocator *alloc, char *msg, size_t cap)
{
    char body[160], hdr[2200], path[4200], url[SV__URL_MAX];
    uint8_t *data = NULL;
    size_t size = 0;
    json_t *ans = NULL, *claims = NULL, *out = NULL;
    char *text = NULL;
    int ret;

    snprintf(path, sizeof(path), "%s/" SV__DL_LICENSE_FILE, dir);
    if (sv__path_exists(path))
        return 0; /* fetched by an earlier run */
    snprintf(body, sizeof(body), "{\"device_id\":\"%s\"}", r->device_id);
    snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", r->user_token ? r->user_token : "");
    if ((ret = sv__dl_post(f, r->url, body, r->user_token ? hdr : NULL, &data, &size, msg,
                           cap)) < 0)
        return ret;
    ret = SV_ERR_PARSE;
    ans = json_loadb((const char *)data, size, 0, NULL);
    const char *jws = json_string_value(json_object_get(ans, "license"));
    const char *pem = r->public_key ? r->public_key
                                    : json_string_value(json_object_get(ans, "public_key"));
    const char *chk = json_string_value(json_object_get(ans, "check_url"));
    char why[200];
    if (!jws || !pem) {
        snprintf(msg, cap, "POST %s: the answer holds no license or public key", r->url);
        goto done;
    }
    if ((ret = sv__olic_verify(pem, jws, strlen(jws), &claims, why, sizeof(why))) < 0 ||
        (ret = sv__olic_check(claims, r->device_id, (int64_t)time(NULL), why, sizeof(why))) < 0) {
        snprintf(msg, cap, "POST %s: the license is refused: %s", r->url, why);
        goto done;
    }
    url[0] = '\0';
    if (chk && sv__url_resolve_buf(r->url, chk, url, sizeof(url)) < 0)
        url[0] = '\0';
    ret = SV_ERR_NOMEM;
    if (!(out = json_pack("{s:s,s:s,s:s,s:O}", "license", jws, "public_key", pem, "check_url",
                          url, "license_id", json_object_get(claims, "lid"))))
        goto done;
    size_t n = json_dumpb(out, NULL, 0, JSON_INDENT(1));
    if (!(text = sv__malloc(alloc, n + 1)))
        goto done;
    json_dumpb(out, text, n, JSON_INDENT(1));
    text[n] = '\0';
    ret = write_atomic(dir, SV__DL_LICENSE_FILE, text, msg, cap);
done:
    sv__free(alloc, text);
    sv__free(alloc, data);
    json_decref(out);
    json_decref(claims);
    json_decref(ans);
    return ret;
}

/* A JSON text from alloc (json_dumpb: never jansson's allocator). */
static char *dump(const json_t *j, const sv_allocator *alloc)
{
    size_t n = j ? json_dumpb(j, NULL, 0, JSON_COMPACT) : 0;
    char *text = n ? sv__malloc(alloc, n + 1) : NULL;
    if (text) {
        json_dumpb(j, text, n, JSON_COMPACT);
        text[n] = '\0';
    }
    return text;
}

/* The server's word on the license: 0 valid or unreachable (offline),
 * SV_ERR_FORBIDDEN revoked or expired there (410), recorded in
 * license.json.revoked so that later offline checks refuse it too. */
static int online_check(const char *dir, const char *url, const char *jws,
                        const sv_offline_check *o, const sv__logger *log, char *msg, size_t cap)
{
    sv__dl_fetcher *f = NULL;
    uint8_t *data = NULL;
    size_t size = 0;
    char why[300], ignored[300];
    json_t *b = json_pack("{s:s}", "license", jws);
    char *body = dump(b, NULL);
    int ret = 0;

    json_decref(b);
    if (!body || sv__dl_fetcher_create(&f, NULL, o->user_agent, o->tls_ca_file, NULL, 0, log) < 0)
        goto done;
    int r = sv__dl_post(f, url, body, NULL, &data, &size, why, sizeof(why));
    if (r < 0 && strstr(why, "HTTP 410")) { /* the transport: SV_ERR_NOT_FOUND */
        snprintf(msg, cap, "the license was revoked on the server: %s", why);
        write_atomic(dir, SV__DL_LICENSE_FILE ".revoked", why, ignored, sizeof(ignored));
        ret = SV_ERR_FORBIDDEN;
    } else if (r < 0) {
        SV_LOGW(log, "download", "the license could not be checked online (%s): playing offline",
                why);
    } else {
        SV_LOGI(log, "download", "the license is valid on the server");
    }
done:
    sv__free(NULL, data);
    sv__free(NULL, body);
    sv__dl_fetcher_destroy(f);
    return ret;
}

static void check_defaults(sv_offline_check *c)
{
    memset(c, 0, sizeof(*c));
    c->struct_size = sizeof(*c);
    c->online = 1;
    c->log_level = SV_LOG_WARN;
}

void sv_offline_check_default_sized(sv_offline_check *c, size_t struct_size)
{
    sv_offline_check full;
    check_defaults(&full);
    sv__struct_defaults(c, struct_size, &full, sizeof(full), CHECK_V1);
}

/* Verifies the stored license; *lic (claims) on success. */
static int verify_stored(const char *dir, const sv_offline_check *o, json_t *stored,
                         json_t **claims, char *msg, size_t cap)
{
    const char *jws = json_string_value(json_object_get(stored, "license"));
    const char *pem = o->public_key ? o->public_key
                                    : json_string_value(json_object_get(stored, "public_key"));
    char why[300], path[4200];
    int ret;

    if (!jws || !pem) {
        snprintf(msg, cap, "%s/" SV__DL_LICENSE_FILE ": no license or public key", dir);
        return SV_ERR_PARSE;
    }
    if ((ret = sv__olic_verify(pem, jws, strlen(jws), claims, why, sizeof(why))) < 0) {
        snprintf(msg, cap, "%s/" SV__DL_LICENSE_FILE ": %s", dir, why);
        return ret == SV_ERR_INVALID ? SV_ERR_FORBIDDEN : ret;
    }
    int64_t now = o->now_unix > 0 ? o->now_unix : (int64_t)time(NULL);
    if ((ret = sv__olic_check(*claims, o->device_id, now, why, sizeof(why))) < 0) {
        snprintf(msg, cap, "%s/" SV__DL_LICENSE_FILE ": %s", dir, why);
        return ret;
    }
    snprintf(path, sizeof(path), "%s/" SV__DL_LICENSE_FILE ".revoked", dir);
    if (sv__path_exists(path)) {
        snprintf(msg, cap, "%s/" SV__DL_LICENSE_FILE ": the license was revoked on the server "
                 "at an earlier check", dir);
        return SV_ERR_FORBIDDEN;
    }
    return 0;
}

int sv_download_license_check(const char *dir, const sv_offline_check *opts, sv_cdm *cdm,
                              char *msg, size_t cap)
{
    sv_offline_check o;
    sv__logger log;
    json_t *stored = NULL, *claims = NULL;
    char path[4200], *text = NULL, *keys = NULL, dummy[8];
    int ret;

    if (!msg || !cap)
        msg = dummy, cap = sizeof(dummy);
    msg[0] = '\0';
    check_defaults(&o);
    if (!dir || !cdm || sv__struct_read(&o, sizeof(o), opts, CHECK_V1) < 0 || !o.device_id)
        return SV_ERR_INVALID;
    sv__logger_init(&log, o.log_cb, o.log_opaque, o.log_level);
    snprintf(path, sizeof(path), "%s/" SV__DL_LICENSE_FILE, dir);
    if (!(text = read_text(path, NULL))) {
        snprintf(msg, cap, "%s: no offline license", path);
        return SV_ERR_NOT_FOUND;
    }
    ret = SV_ERR_PARSE;
    if (!(stored = json_loads(text, 0, NULL))) {
        snprintf(msg, cap, "%s: not JSON", path);
        goto done;
    }
    if ((ret = verify_stored(dir, &o, stored, &claims, msg, cap)) < 0)
        goto done;
    const char *chk = json_string_value(json_object_get(stored, "check_url"));
    if (o.online && chk && *chk &&
        (ret = online_check(dir, chk, json_string_value(json_object_get(stored, "license")), &o,
                            &log, msg, cap)) < 0)
        goto done;
    ret = SV_ERR_NOMEM;
    if (!(keys = dump(json_object_get(claims, "license"), NULL)))
        goto done;
    if ((ret = cdm->update(cdm->opaque, (const uint8_t *)keys, strlen(keys))) < 0)
        snprintf(msg, cap, "%s: the CDM refused the license's keys", path);
done:
    if (keys) {
        memset(keys, 0, strlen(keys));
        sv__free(NULL, keys);
    }
    sv__free(NULL, text);
    json_decref(claims);
    json_decref(stored);
    return ret;
}
