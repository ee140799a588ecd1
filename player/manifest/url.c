#include <ctype.h>
#include <curl/curl.h>
#include <stdint.h>
#include <string.h>

#include "player/manifest/url.h"

/* Returns the length of the scheme of s (RFC 3986 3.1: ALPHA *( ALPHA /
 * DIGIT / "+" / "-" / "." ) ":"), or 0 when s does not start with one. */
static size_t scheme_len(const char *s)
{
    if (!s || !isalpha((unsigned char)s[0]))
        return 0;
    for (const char *p = s + 1; *p; p++) {
        if (*p == ':')
            return (size_t)(p - s);
        if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.')
            return 0;
    }
    return 0;
}

int sv__url_is_absolute(const char *s)
{
    size_t n = scheme_len(s);
    return n > 0 && s[n + 1] == '/';
}

/*
 * The absolute URL of `ref` against `base`, allocated by libcurl (release it
 * with curl_free), or NULL when either is malformed or memory ran out.
 * *same is set when `ref` is itself the answer: a reference with a scheme
 * that is already absolute and that curl may not parse (data:, skd:), which
 * key URIs use.
 */
static char *resolve_curl(const char *base, const char *ref, int *same)
{
    CURLU *u = NULL;
    char *out = NULL;
    const unsigned flags = CURLU_NON_SUPPORT_SCHEME;

    *same = 0;
    if (!ref)
        return NULL;
    if (scheme_len(ref) > 0 && !sv__url_is_absolute(ref)) {
        *same = 1;
        return NULL;
    }
    if (!(u = curl_url()))
        return NULL;
    if (base && *base) {
        if (curl_url_set(u, CURLUPART_URL, base, flags) != CURLUE_OK)
            goto done;
    } else if (!sv__url_is_absolute(ref)) {
        goto done;
    }
    /* With a URL already set, a relative reference is resolved against it. */
    if (curl_url_set(u, CURLUPART_URL, ref, flags) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK) {
        curl_free(out);
        out = NULL;
    }
done:
    curl_url_cleanup(u);
    return out;
}

char *sv__url_resolve(sv__arena *a, const char *base, const char *ref)
{
    int same;
    char *out = resolve_curl(base, ref, &same);
    char *ret = same ? sv__arena_strdup(a, ref) : out ? sv__arena_strdup(a, out) : NULL;
    curl_free(out);
    return ret;
}

int sv__url_resolve_buf(const char *base, const char *ref, char *buf, size_t cap)
{
    int same;
    char *out = resolve_curl(base, ref, &same);
    const char *url = same ? ref : out;
    int ret = SV_ERR_INVALID;

    if (url) {
        size_t n = strlen(url);
        ret = n < cap && n <= INT32_MAX ? (int)n : SV_ERR_OVERFLOW;
        if (ret >= 0)
            memcpy(buf, url, n + 1);
    }
    curl_free(out);
    return ret;
}

int sv__url_folder(const char *base, char *buf, size_t cap)
{
    int n = sv__url_resolve_buf(base, "x", buf, cap);
    if (n < 1 || buf[n - 1] != 'x' || (n >= 2 && buf[n - 2] != '/'))
        return n < 0 ? n : SV_ERR_INVALID;
    buf[--n] = '\0';
    return n;
}

int sv__url_plain_path(const char *ref, size_t len)
{
    size_t seg = 0; /* bytes in the current path segment */
    int dots = 1;   /* the segment is only dots so far */
    if (len == 0)
        return 0;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? ref[i] : '/';
        if (c == '/') {
            if (seg == 0 || (dots && seg <= 2))
                return 0; /* an empty, "." or ".." segment */
            seg = 0;
            dots = 1;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '~'))
            return 0;
        dots = dots && c == '.';
        seg++;
    }
    return 1;
}
