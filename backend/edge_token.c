/*
 * edge_token.c - nginx secure_link_md5 tokens (edge_token.h).
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/edge_token.h"
#include "platform/b64url.h"
#include "streamverse/common.h"

int sv__edge_token_query(const char *secret, const char *prefix, int64_t expires, char *out,
                         size_t cap)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char text[512], hash[32];
    int n;

    if (!secret || !secret[0] || cap < 64)
        return SV_ERR_INVALID;
    n = snprintf(text, sizeof(text), "%lld%s %s", (long long)expires, prefix, secret);
    if (n < 0 || (size_t)n >= sizeof(text))
        return SV_ERR_INVALID;
    if (!EVP_Digest(text, (size_t)n, md, &mdlen, EVP_md5(), NULL) || mdlen != 16 ||
        sv__b64url_encode(md, mdlen, hash, sizeof(hash)) < 0)
        return SV_ERR_INTERNAL;
    n = snprintf(out, cap, "md5=%s&expires=%lld", hash, (long long)expires);
    return n > 0 && (size_t)n < cap ? 0 : SV_ERR_INVALID;
}
