#include <ctype.h>
#include <curl/curl.h>
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

char *sv__url_resolve(sv__arena *a, const char *base, const char *ref)
{
    CURLU *u = NULL;
    char *out = NULL, *ret = NULL;
    const unsigned flags = CURLU_NON_SUPPORT_SCHEME;

    if (!ref)
        return NULL;
    /* A reference with a scheme is already absolute; it may be one curl does
     * not parse (data:, skd:), which key URIs use. */
    if (scheme_len(ref) > 0 && !sv__url_is_absolute(ref))
        return sv__arena_strdup(a, ref);
    if (!(u = curl_url()))
        return NULL;
    if (base && *base) {
        if (curl_url_set(u, CURLUPART_URL, base, flags) != CURLUE_OK)
            goto fail;
    } else if (!sv__url_is_absolute(ref)) {
        goto fail;
    }
    /* With a URL already set, a relative reference is resolved against it. */
    if (curl_url_set(u, CURLUPART_URL, ref, flags) != CURLUE_OK)
        goto fail;
    if (curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK)
        goto fail;
    ret = sv__arena_strdup(a, out);
fail:
    curl_free(out);
    curl_url_cleanup(u);
    return ret;
}
