/*
 * The parsers' shared part of timed events (timed.h): payload copies, the
 * SCTE-35 reading of them, base64, warnings.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "player/manifest/scte35.h"
#include "player/manifest/timed.h"
#include "platform/b64url.h"

int sv__timed_warn(sv__timed_warnings *w, sv__arena *a, const char *fmt, ...)
{
    char buf[200];
    va_list ap;

    w->count++;
    if (w->count > SV__TIMED_WARNINGS)
        return 0;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (!(w->messages[w->count - 1] = sv__arena_strdup(a, buf)))
        return SV_ERR_NOMEM;
    return 0;
}

int sv__timed_is_scte35(const char *scheme)
{
    return !strcmp(scheme, SV__SCHEME_SCTE35_BIN) || !strcmp(scheme, SV__SCHEME_SCTE35_XML_BIN);
}

int sv__timed_set_payload(sv__timed_desc *d, sv__arena *a, const uint8_t *data, size_t n,
                          char *why, size_t cap)
{
    sv__scte35_none(&d->scte35);
    if (n > SV__TIMED_MAX_PAYLOAD) {
        snprintf(why, cap, "payload of %zu bytes is over the limit of %d", n,
                 SV__TIMED_MAX_PAYLOAD);
        return SV_ERR_PARSE;
    }
    uint8_t *copy = sv__arena_alloc(a, n ? n : 1);
    if (!copy)
        return SV_ERR_NOMEM;
    if (n)
        memcpy(copy, data, n);
    d->payload = copy;
    d->payload_size = n;
    if (sv__timed_is_scte35(d->scheme)) {
        sv__parse_error err = { 0 };
        if (sv__scte35_parse(copy, n, &d->scte35, &err) < 0) {
            snprintf(why, cap, "%s", err.message);
            return SV_ERR_PARSE;
        }
    }
    return 0;
}

int sv__timed_base64(sv__arena *a, const char *text, size_t len, uint8_t **out)
{
    if (len > SV__TIMED_MAX_PAYLOAD * 2)
        return SV_ERR_OVERFLOW;
    char *clean = sv__arena_alloc(a, len + 1);
    uint8_t *bytes = sv__arena_alloc(a, len / 4 * 3 + 4);
    size_t n = 0;
    if (!clean || !bytes)
        return SV_ERR_NOMEM;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        if (c == '-' || c == '_')
            return SV_ERR_PARSE; /* base64url is not what DASH carries */
        clean[n++] = c == '+' ? '-' : c == '/' ? '_' : c;
    }
    int r = sv__b64url_decode(clean, n, bytes, len / 4 * 3 + 3);
    if (r < 0)
        return r == SV_ERR_OVERFLOW ? SV_ERR_PARSE : r;
    if (r > SV__TIMED_MAX_PAYLOAD)
        return SV_ERR_OVERFLOW;
    *out = bytes;
    return r;
}
