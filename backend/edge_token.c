/*
 * edge_token.c - nginx secure_link_md5 tokens and base64url (edge_token.h).
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/edge_token.h"
#include "streamverse/common.h"

int sv__web_b64_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
    size_t n = 4 * ((len + 2) / 3);

    if (n + 1 > cap || len > (size_t)INT32_MAX / 2)
        return -1;
    EVP_EncodeBlock((unsigned char *)out, in, (int)len);
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (size_t i = 0; i < n; i++)
        out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    return (int)n;
}

int sv__web_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
    size_t padded = (len + 3) / 4 * 4;
    char *text;
    int n;

    if (len == 0 || len % 4 == 1 || padded / 4 * 3 > cap || len > (size_t)INT32_MAX / 2)
        return -1;
    if (!(text = malloc(padded + 1)))
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];

        if (c == '+' || c == '/' || c == '=') {
            free(text);
            return -1; /* only the URL alphabet */
        }
        text[i] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    memset(text + len, '=', padded - len);
    n = EVP_DecodeBlock(out, (const unsigned char *)text, (int)padded);
    free(text);
    if (n < 0)
        return -1;
    return n - (int)(padded - len); /* EVP_DecodeBlock counts padding as zero bytes */
}

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
        sv__web_b64_encode(md, mdlen, hash, sizeof(hash)) < 0)
        return SV_ERR_INTERNAL;
    n = snprintf(out, cap, "md5=%s&expires=%lld", hash, (long long)expires);
    return n > 0 && (size_t)n < cap ? 0 : SV_ERR_INVALID;
}
