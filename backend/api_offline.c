/*
 * api_offline.c - persistent (offline) licenses for downloads of protected
 * titles (docs/http-api.md, "Offline licenses"; drm/offline_license.h):
 *
 *   POST   /api/v1/titles/{id}/offline-license        (bearer) issue one
 *   DELETE /api/v1/titles/{id}/offline-license/{lid}  (bearer) revoke it
 *   POST   /api/v1/offline-license/check              is it still valid?
 *   GET    /api/v1/offline-license/key                the public key
 *
 * A license is an EdDSA-signed JWS holding the title's ClearKey license, the
 * account, the device and an expiry (offline-license-ttl). An account holds
 * live licenses on at most offline-devices devices (409 device_limit
 * beyond). The catalog keeps who holds which license and whether it was
 * revoked, never the key. Keys are wiped after use and never logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "backend/api_params.h"
#include "backend/keys.h"
#include "backend/playback_internal.h"
#include "backend/server_internal.h"
#include "drm/package.h"
#include "streamverse/common.h"

#define CHECK_PATH "/api/v1/offline-license/check"

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

/* The signing seed; answers 503 itself when there is no master key. */
static int seed_of(sv__server *srv, sv__http_req *req, uint8_t seed[32])
{
    if (!srv->cfg->has_master_key) {
        sv__http_send_error(req, 503, "license_unavailable", "this server has no master-key");
        return -1;
    }
    if (sv__olic_seed_from_master(srv->cfg->master_key, seed) < 0) {
        sv__http_send_error(req, 500, "internal", "cannot derive the signing key");
        return -1;
    }
    return 0;
}

/* The ClearKey JWK set of the title's key, as a persistent license. */
static json_t *clearkey_json(const sv__title_key *k)
{
    sv__clearkey_key ck;
    char *text = NULL;
    json_t *j = NULL;

    memcpy(ck.kid, k->kid, 16);
    memcpy(ck.key, k->key, 16);
    if (sv__clearkey_license_write(&ck, 1, &text) == 0 &&
        (j = json_loads(text, 0, NULL)))
        json_object_set_new(j, "type", json_string("persistent-license"));
    OPENSSL_cleanse(&ck, sizeof(ck));
    if (text) {
        OPENSSL_cleanse(text, strlen(text));
        free(text);
    }
    return j;
}

/* Checks the account and the title as playback/start does. 0, or answered. */
static int may_hold(sv__server *srv, sv__http_req *req, int64_t user_id, int64_t title_id)
{
    sv__user u;
    json_t *regions = NULL;
    char channel[64];
    int ready = 0, r;

    if ((r = sv__catalog_user_get(srv->cat, user_id, &u)) < 0) {
        sv__http_send_error(req, 401, "unauthorized", "the account no longer exists");
        return -1;
    }
    r = sv__catalog_title_access(srv->cat, title_id, &ready, &regions, channel, sizeof(channel));
    int allowed = json_array_size(regions) == 0;
    for (size_t i = 0; i < json_array_size(regions); i++)
    {
        const char *reg = json_string_value(json_array_get(regions, i));
        allowed |= reg && !strcmp(reg, u.region);
    }
    json_decref(regions);
    if (r == SV_ERR_NOT_FOUND)
        sv__http_send_error(req, 404, "not_found", "no such title");
    else if (r < 0)
        sv__api_write_failed(srv, req, "catalog error");
    else if (!ready || channel[0])
        sv__http_send_error(req, 409, "title_not_ready", "only a ready VOD title can be "
                                                         "downloaded");
    else if (u.max_streams == 0)
        sv__http_send_error(req, 403, "not_entitled", "this account may not play titles");
    else if (!allowed)
        sv__http_send_error(req, 403, "geo_blocked", "this title is not available in your region");
    else
        return 0;
    return -1;
}

/* Signs the license for l and answers 201. */
static void issue_answer(sv__server *srv, sv__http_req *req, const sv__offline_license *l,
                         const sv__title_key *k, const uint8_t seed[32])
{
    char jws[SV__OLIC_MAX];
    char pem[256];
    json_t *lic = clearkey_json(k);
    json_t *claims = lic ? json_pack("{s:s,s:I,s:I,s:s,s:I,s:I,s:o}", "lid", l->id, "sub",
                                     (json_int_t)l->user_id, "title", (json_int_t)l->title_id,
                                     "device", l->device_id, "iat", (json_int_t)l->created,
                                     "exp", (json_int_t)l->expires, "license", lic)
                         : NULL;
    int n = claims ? sv__olic_sign(seed, claims, jws, sizeof(jws)) : SV_ERR_NOMEM;
    json_decref(claims); /* wipes nothing: jansson frees the key's text */
    if (n < 0 || sv__olic_public_pem(seed, pem, sizeof(pem)) < 0) {
        sv__http_send_error(req, 500, "internal", "cannot sign the license");
        return;
    }
    sv__http_add_header(req, "Cache-Control", "no-store");
    sv__api_send_json(req, 201, json_pack("{s:s,s:s,s:I,s:s,s:s}", "license_id", l->id,
                                          "license", jws, "expires", (json_int_t)l->expires,
                                          "public_key", pem, "check_url", CHECK_PATH));
    OPENSSL_cleanse(jws, sizeof(jws));
}

void sv__api_offline_issue(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    sv__jwt_claims jc;
    sv__offline_license l = { 0 };
    sv__title_key k = { 0 };
    uint8_t seed[32], rnd[16];
    json_t *body = NULL;
    const char *device = NULL;
    int64_t title_id = sv__parse_id(req->params[0]);
    int r;

    if (seed_of(srv, req, seed) < 0 || sv__playback_bearer(srv->playback, req, &jc) < 0 ||
        !(body = load_body(req)))
        goto out;
    if (json_unpack(body, "{s:s}", "device_id", &device) < 0 || !device[0] ||
        strlen(device) > 64) {
        sv__http_send_error(req, 400, "bad_request", "the body must be {\"device_id\": string "
                                                     "of 1 to 64 characters}");
        goto out;
    }
    if (srv->cfg->offline_devices == 0) {
        sv__http_send_error(req, 403, "offline_disabled", "this server issues no offline "
                                                          "licenses (offline-devices 0)");
        goto out;
    }
    if (title_id <= 0 || may_hold(srv, req, jc.user_id, title_id) < 0)
        goto out;
    r = sv__keys_load_title(srv->cat, srv->cfg->master_key, title_id, &k);
    if (r == SV_ERR_NOT_FOUND) {
        sv__http_send_error(req, 409, "not_protected", "the title is not encrypted: its "
                                                       "download needs no license");
        goto out;
    }
    if (r < 0 || RAND_bytes(rnd, sizeof(rnd)) != 1) {
        sv__api_write_failed(srv, req, "cannot load the content key");
        goto out;
    }
    for (int i = 0; i < 16; i++)
        snprintf(l.id + 2 * i, 3, "%02x", rnd[i]);
    l.user_id = jc.user_id;
    l.title_id = title_id;
    snprintf(l.device_id, sizeof(l.device_id), "%s", device);
    l.created = (int64_t)time(NULL);
    l.expires = l.created + srv->cfg->offline_license_ttl;
    r = sv__catalog_offline_add(srv->cat, &l, srv->cfg->offline_devices, l.created);
    if (r == SV_ERR_OVERFLOW) {
        char msg[160];
        snprintf(msg, sizeof(msg), "the account holds offline licenses on %d device(s) "
                 "already: revoke one first", srv->cfg->offline_devices);
        sv__http_send_error(req, 409, "device_limit", msg);
    } else if (r < 0) {
        sv__api_write_failed(srv, req, "cannot record the license");
    } else {
        SV_LOGI(srv->log, "offline", "license %s: user %lld, title %lld, device %s", l.id,
                (long long)l.user_id, (long long)title_id, device);
        issue_answer(srv, req, &l, &k, seed);
    }
out:
    sv__title_key_wipe(&k);
    OPENSSL_cleanse(seed, sizeof(seed));
    json_decref(body);
}

void sv__api_offline_revoke(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    sv__jwt_claims jc;
    int64_t title_id = sv__parse_id(req->params[0]);

    if (sv__playback_bearer(srv->playback, req, &jc) < 0)
        return;
    int r = sv__catalog_offline_revoke(srv->cat, req->params[1], title_id,
                                       jc.role >= SV__ROLE_ADMIN ? -1 : jc.user_id);
    if (r == SV_ERR_NOT_FOUND) {
        sv__http_send_error(req, 404, "not_found", "no such license of yours for this title");
        return;
    }
    if (r < 0) {
        sv__api_write_failed(srv, req, "catalog error");
        return;
    }
    SV_LOGI(srv->log, "offline", "license %s revoked by user %lld", req->params[1],
            (long long)jc.user_id);
    sv__api_send_json(req, 200, json_pack("{s:s,s:b}", "license_id", req->params[1], "revoked", 1));
}

void sv__api_offline_check(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    uint8_t seed[32];
    char pem[256], why[160];
    json_t *body = NULL, *claims = NULL;
    const char *jws = NULL;
    sv__offline_license l;

    if (seed_of(srv, req, seed) < 0 || !(body = load_body(req)))
        goto out;
    if (json_unpack(body, "{s:s}", "license", &jws) < 0) {
        sv__http_send_error(req, 400, "bad_request", "the body must be {\"license\": JWS}");
        goto out;
    }
    if (sv__olic_public_pem(seed, pem, sizeof(pem)) < 0 ||
        sv__olic_verify(pem, jws, strlen(jws), &claims, why, sizeof(why)) < 0) {
        sv__http_send_error(req, 403, "license_invalid", "the license is not one of this "
                                                         "server's");
        goto out;
    }
    const char *lid = json_string_value(json_object_get(claims, "lid"));
    int r = sv__catalog_offline_get(srv->cat, lid, &l);
    if (r == SV_ERR_NOT_FOUND)
        sv__http_send_error(req, 410, "license_revoked", "the license is no longer known");
    else if (r < 0)
        sv__api_write_failed(srv, req, "catalog error");
    else if (l.revoked)
        sv__http_send_error(req, 410, "license_revoked", "the license was revoked");
    else if ((int64_t)time(NULL) >= l.expires)
        sv__http_send_error(req, 410, "license_expired", "the license has expired");
    else
        sv__api_send_json(req, 200, json_pack("{s:s,s:s,s:I}", "license_id", l.id, "state",
                                              "valid", "expires", (json_int_t)l.expires));
out:
    OPENSSL_cleanse(seed, sizeof(seed));
    json_decref(claims);
    json_decref(body);
}

void sv__api_offline_key(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    uint8_t seed[32];
    char pem[256];

    if (seed_of(srv, req, seed) < 0)
        return;
    int r = sv__olic_public_pem(seed, pem, sizeof(pem));
    OPENSSL_cleanse(seed, sizeof(seed));
    if (r < 0) {
        sv__http_send_error(req, 500, "internal", "cannot derive the public key");
        return;
    }
    sv__api_send_json(req, 200, json_pack("{s:s,s:s,s:s}", "alg", "EdDSA", "crv", "Ed25519",
                                          "public_key", pem));
}
