/*
 * api_license.c - POST /api/v1/license: the ClearKey license service.
 *
 * The body is a W3C ClearKey license request {"kids":["<b64url>"...],
 * "type":"temporary"} (drm/clearkey.h parses it); the answer is the JWK set
 * {"keys":[{"kty":"oct","k":..,"kid":..}],"type":"temporary"} for the
 * requested KIDs. A playback token (backend/token.h) must come with the
 * request, as ?token= or "Authorization: Bearer", and every KID must belong
 * to the token's title: the answer is all the keys or none. The token is
 * checked as /media checks it (sv__playback_check_token): signature,
 * expiry, and the session it names, which must not have ended on this
 * origin nor play another title.
 *
 * Refusals are JSON errors with a code per reason: 400 malformed_request;
 * 403 token_missing, token_invalid, token_expired, session_ended,
 * token_wrong_session, key_unknown, key_not_entitled (a key of another
 * title); 503 license_unavailable (no master-key or token-secret
 * configured). Each answer is counted in /metrics by its code. Content
 * keys are unwrapped only to be written into the answer and are wiped
 * after; neither keys nor tokens are logged.
 *
 * Browsers call this from the page's origin: the server's CORS headers
 * (Access-Control-Allow-Origin, preflight allowing Authorization and
 * Content-Type) cover it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "backend/http_util.h"
#include "backend/keys.h"
#include "backend/server_internal.h"
#include "backend/token.h"
#include "drm/package.h"
#include "streamverse/common.h"

#define MAX_KIDS 32

/* Finds the token: the query parameter first, then a Bearer header.
 * Returns its length (0: none) with *tok pointing at it. */
static size_t find_token(const sv__http_req *req, char *buf, size_t cap, const char **tok)
{
    if (sv__http_query_get(req->query, req->query_len, "token", 0, buf, cap) >= 0 && buf[0]) {
        *tok = buf;
        return strlen(buf);
    }
    const char *h = req->authorization;
    if (!strncasecmp(h, "Bearer ", 7)) {
        h += 7;
        while (*h == ' ')
            h++;
        size_t n = strlen(h);
        while (n > 0 && h[n - 1] == ' ')
            n--;
        *tok = h;
        return n;
    }
    return 0;
}

static void refuse(sv__server *srv, sv__http_req *req, int status, const char *code,
                   const char *message)
{
    SV_LOGD(srv->log, "license", "refused: %s", code);
    sv__metrics_license(srv->metrics, code);
    sv__http_add_header(req, "Cache-Control", "no-store");
    sv__http_send_error(req, status, code, message);
}

void sv__api_license(void *ctx, sv__http_req *req)
{
    sv__server *srv = ctx;
    const sv__config *cfg = srv->cfg;
    uint8_t (*kids)[16] = NULL;
    sv__clearkey_key *keys = NULL;
    sv__token_claims claims;
    char qbuf[SV__TOKEN_MAX], *text = NULL;
    const char *tok = NULL, *code, *message;
    size_t nb_kids = 0, tok_len;
    int ret;

    if (!cfg->has_master_key || !cfg->token_secret[0]) {
        refuse(srv, req, 503, "license_unavailable",
               "this server has no master-key or token-secret configured");
        return;
    }
    if (!req->body || req->body_len == 0 ||
        sv__clearkey_request_parse((const uint8_t *)req->body, req->body_len, &kids,
                                   &nb_kids) < 0) {
        refuse(srv, req, 400, "malformed_request",
               "the body must be a ClearKey license request {\"kids\":[...],\"type\":...}");
        return;
    }
    if (nb_kids > MAX_KIDS) {
        refuse(srv, req, 400, "malformed_request", "too many key IDs in one request");
        goto out;
    }
    tok_len = find_token(req, qbuf, sizeof(qbuf), &tok);
    if (tok_len == 0) {
        refuse(srv, req, 403, "token_missing",
               "a playback token is required (?token= or Authorization: Bearer)");
        goto out;
    }
    /* The keys are checked against the token's title below, so no path. */
    if ((ret = sv__playback_check_token(srv->playback, tok, tok_len, NULL, &claims, &code,
                                        &message)) != 0) {
        refuse(srv, req, ret, code, message);
        goto out;
    }
    if (!(keys = calloc(nb_kids, sizeof(*keys)))) {
        refuse(srv, req, 500, "internal", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nb_kids; i++) {
        sv__title_key k;

        ret = sv__keys_load_kid(srv->cat, cfg->master_key, kids[i], &k);
        if (ret == SV_ERR_NOT_FOUND) {
            refuse(srv, req, 403, "key_unknown", "no title has this key ID");
            goto out;
        }
        if (ret < 0) {
            sv__title_key_wipe(&k);
            SV_LOGE(srv->log, "license", "cannot load a content key: %s",
                    ret == SV_ERR_DRM ? "it does not unwrap under the master key"
                                      : sv__catalog_errmsg(srv->cat));
            refuse(srv, req, 500, "internal", "cannot load the content key");
            goto out;
        }
        if (k.title_id != claims.title_id) {
            sv__title_key_wipe(&k);
            refuse(srv, req, 403, "key_not_entitled",
                   "the token does not grant the title of this key ID");
            goto out;
        }
        memcpy(keys[i].kid, k.kid, 16);
        memcpy(keys[i].key, k.key, 16);
        sv__title_key_wipe(&k);
    }
    if (sv__clearkey_license_write(keys, nb_kids, &text) < 0) {
        refuse(srv, req, 500, "internal", "out of memory");
        goto out;
    }
    sv__metrics_license(srv->metrics, "ok");
    SV_LOGD(srv->log, "license", "%zu key(s) for title %lld", nb_kids,
            (long long)claims.title_id);
    sv__http_add_header(req, "Cache-Control", "no-store");
    sv__http_send(req, 200, "application/json", text, strlen(text));
out:
    if (text) {
        OPENSSL_cleanse(text, strlen(text));
        free(text);
    }
    if (keys) {
        OPENSSL_cleanse(keys, nb_kids * sizeof(*keys));
        free(keys);
    }
    free(kids);
}
