/*
 * token.c - playback and media tokens (token.h): their claims as a JWT,
 * signed and checked by jws.c.
 */
#include <jansson.h>
#include <string.h>

#include "backend/jws.h"
#include "backend/token.h"
#include "streamverse/common.h"

int sv__token_sign(const char *secret, const sv__token_claims *c, char *out, size_t cap)
{
    json_t *claims;
    int ret;

    if (cap)
        out[0] = '\0';
    if (!secret || !secret[0] || !memchr(c->session, 0, sizeof(c->session)) ||
        !memchr(c->prefix, 0, sizeof(c->prefix)))
        return SV_ERR_INVALID;
    if (!(claims = json_pack("{s:I,s:s,s:s,s:I}", "title", (json_int_t)c->title_id, "session",
                             c->session, "prefix", c->prefix, "exp", (json_int_t)c->expires)))
        return SV_ERR_NOMEM;
    ret = sv__jws_sign(secret, claims, out, cap);
    json_decref(claims);
    return ret < 0 ? ret : 0;
}

static int copy_claims(json_t *root, sv__token_claims *out)
{
    json_int_t t, e;
    const char *s, *p;

    if (json_unpack(root, "{s:I, s:s, s:s, s:I}", "title", &t, "session", &s, "prefix", &p,
                    "exp", &e) < 0 ||
        strlen(s) >= sizeof(out->session) || strlen(p) >= sizeof(out->prefix))
        return SV_ERR_FORBIDDEN;
    memset(out, 0, sizeof(*out));
    out->title_id = t;
    out->expires = e;
    memcpy(out->session, s, strlen(s));
    memcpy(out->prefix, p, strlen(p));
    return 0;
}

int sv__token_verify(const char *secret, const char *token, size_t len, int64_t now,
                     sv__token_claims *out)
{
    json_t *claims;
    int ret = sv__jws_verify(secret, token, len, now, &claims);

    if (ret < 0)
        return ret;
    ret = copy_claims(claims, out);
    json_decref(claims);
    return ret;
}

int sv__token_grants_path(const sv__token_claims *c, const char *path)
{
    size_t n = strlen(c->prefix);

    if (n == 0 || strncmp(path, c->prefix, n) != 0)
        return 0;
    return c->prefix[n - 1] == '/' || path[n] == '\0' || path[n] == '/';
}
