/*
 * b64url.c - base64url through OpenSSL (b64url.h).
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "b64url.h"
#include "streamverse/common.h"

int sv__b64url_encode(const uint8_t *in, size_t n, char *out, size_t out_size)
{
    if (n > (size_t)INT32_MAX / 2 || out_size < 4 * ((n + 2) / 3) + 1)
        return SV_ERR_OVERFLOW;
    int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    while (len > 0 && out[len - 1] == '=')
        len--;
    out[len] = '\0';
    for (int i = 0; i < len; i++) {
        if (out[i] == '+')
            out[i] = '-';
        else if (out[i] == '/')
            out[i] = '_';
    }
    return len;
}

int sv__b64url_decode(const char *in, size_t len, uint8_t *out, size_t max)
{
    /* Keys, KIDs and tokens fit the stack buffers; longer input takes scratch
     * memory from the C library (sv__malloc with no allocator). */
    char small[256], *tmp = small;
    uint8_t small_bytes[sizeof(small) / 4 * 3 + 1], *bytes = small_bytes;
    int n, ret = SV_ERR_PARSE;

    while (len > 0 && in[len - 1] == '=')
        len--;
    if (len == 0)
        return 0;
    if (len % 4 == 1 || len > (size_t)INT32_MAX / 2)
        return SV_ERR_PARSE;
    size_t pad = (4 - len % 4) % 4;
    if (len + pad > sizeof(small) && !(tmp = sv__malloc(NULL, len + pad)))
        return SV_ERR_NOMEM;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            goto fail;
        tmp[i] = c;
    }
    memset(tmp + len, '=', pad);
    /* EVP_DecodeBlock writes whole groups, padding included: decode into a
     * buffer of that size, then copy what the caller may take. */
    ret = SV_ERR_NOMEM;
    if (tmp != small && !(bytes = sv__malloc(NULL, (len + pad) / 4 * 3 + 1)))
        goto fail;
    ret = SV_ERR_PARSE;
    n = EVP_DecodeBlock(bytes, (const unsigned char *)tmp, (int)(len + pad));
    if (n < 0)
        goto fail;
    n -= (int)pad; /* EVP_DecodeBlock counts the padding as zero bytes */
    ret = SV_ERR_OVERFLOW;
    if ((size_t)n > max)
        goto fail;
    memcpy(out, bytes, (size_t)n);
    ret = n;
fail:
    if (bytes != small_bytes)
        sv__free(NULL, bytes);
    if (tmp != small)
        sv__free(NULL, tmp);
    return ret;
}
