/*
 * accounts_jwt.c - user tokens (accounts.h): a user's claims as a JWT,
 * signed and checked by jws.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/accounts.h"
#include "backend/jws.h"
#include "streamverse/common.h"

int sv__jwt_sign(const char *secret, const sv__user *u, int64_t now, int ttl_s, char *out,
                 size_t cap)
{
    json_t *claims;
    char sub[24];
    int ret;

    if (!secret || !secret[0] || cap < 64) {
        if (cap)
            out[0] = '\0';
        return SV_ERR_INVALID;
    }
    snprintf(sub, sizeof(sub), "%lld", (long long)u->id);
    claims = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I}", "sub", sub, "name", u->name, "region",
                       u->region, "role",
                       sv__role_name(u->role > SV__ROLE_VIEWER ? u->role : SV__ROLE_VIEWER),
                       "iat", (json_int_t)now, "exp", (json_int_t)(now + ttl_s));
    if (!claims) {
        out[0] = '\0';
        return SV_ERR_NOMEM;
    }
    ret = sv__jws_sign(secret, claims, out, cap);
    json_decref(claims);
    return ret < 0 ? ret : 0;
}

static int read_claims(json_t *c, sv__jwt_claims *out)
{
    const char *sub, *name, *region, *role = NULL;
    json_int_t iat, exp;
    char *end;
    long long id;
    int r = SV__ROLE_VIEWER;

    /* Tokens signed before roles existed carry none: they are a viewer's. */
    if (json_unpack(c, "{s:s,s:s,s:s,s?s,s:I,s:I}", "sub", &sub, "name", &name, "region",
                    &region, "role", &role, "iat", &iat, "exp", &exp) < 0 ||
        strlen(name) >= sizeof(out->name) || strlen(region) >= sizeof(out->region) ||
        (role && (r = sv__role_parse(role)) < 0))
        return SV_ERR_FORBIDDEN;
    id = strtoll(sub, &end, 10);
    if (end == sub || *end || id <= 0)
        return SV_ERR_FORBIDDEN;
    memset(out, 0, sizeof(*out));
    out->user_id = id;
    strcpy(out->name, name);
    strcpy(out->region, region);
    out->role = r;
    out->iat = iat;
    out->exp = exp;
    return 0;
}

int sv__jwt_verify(const char *secret, const char *token, size_t len, int64_t now,
                   sv__jwt_claims *out)
{
    json_t *claims;
    int ret = sv__jws_verify(secret, token, len, now, &claims);

    if (ret < 0)
        return ret;
    ret = read_claims(claims, out);
    json_decref(claims);
    return ret;
}
