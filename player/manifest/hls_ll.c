/*
 * The low-latency tags of a media playlist (RFC 8216bis, "draft-pantos-hls-
 * rfc8216bis" sections 4.4.3.7-4.4.3.8, 4.4.4.9, 4.4.5.2-4.4.5.4):
 *   EXT-X-SERVER-CONTROL   what the server offers (blocking reload, delta
 *                          updates) and how far from the end to play
 *   EXT-X-PART-INF         the part target duration
 *   EXT-X-PART             a part of the segment the next URI line ends
 *   EXT-X-PRELOAD-HINT     the part the server is writing now
 *   EXT-X-SKIP             a delta update: that many segments left out
 *   EXT-X-RENDITION-REPORT where another rendition's playlist ends
 * Parts are kept in pl->parts whether segments are kept or handed over
 * (a playlist carries parts for its last few segments only).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "player/manifest/hls_internal.h"

#define SV_HLS_MAX_PARTS 100000
#define SV_HLS_MAX_REPORTS 1000

static int is_attr(const sv__hls_attr *a, const char *name)
{
    return strlen(name) == a->name_len && memcmp(a->name, name, a->name_len) == 0;
}

static int is_value(const sv__hls_attr *a, const char *v)
{
    return strlen(v) == a->value_len && memcmp(a->value, v, a->value_len) == 0;
}

/* A decimal-floating-point value, >= 0. */
static int attr_seconds(const sv__hls_attr *a, double *out)
{
    char buf[64], *end;
    if (a->quoted || a->value_len == 0 || a->value_len >= sizeof(buf))
        return -1;
    memcpy(buf, a->value, a->value_len);
    buf[a->value_len] = '\0';
    errno = 0;
    double v = strtod(buf, &end);
    if (errno || *end || !isfinite(v) || v < 0)
        return -1;
    *out = v;
    return 0;
}

/* A decimal-integer value. */
static int attr_int(const sv__hls_attr *a, int64_t *out)
{
    int64_t v = 0;
    if (a->quoted || a->value_len == 0 || a->value_len > 18)
        return -1;
    for (size_t i = 0; i < a->value_len; i++) {
        if (a->value[i] < '0' || a->value[i] > '9')
            return -1;
        v = v * 10 + (a->value[i] - '0');
    }
    *out = v;
    return 0;
}

/* BYTERANGE-START / BYTERANGE-LENGTH (PRELOAD-HINT) or BYTERANGE="n[@o]"
 * (PART); a part without an offset follows the previous part's range. */
static int attr_range(const sv__hls_attr *a, int64_t *len, int64_t *off)
{
    const char *at = memchr(a->value, '@', a->value_len);
    sv__hls_attr n = *a, o = *a;
    n.quoted = o.quoted = 0;
    n.value_len = at ? (size_t)(at - a->value) : a->value_len;
    *off = -1;
    if (attr_int(&n, len) < 0)
        return -1;
    if (at) {
        o.value = at + 1;
        o.value_len = a->value_len - n.value_len - 1;
        if (attr_int(&o, off) < 0)
            return -1;
    }
    return 0;
}

static int split_tag(sv__hls_parser *p, const char *v, size_t len, sv__hls_attr *attrs,
                     const char *tag)
{
    int n = sv__hls_attrs_split(v, len, attrs, SV_HLS_MAX_ATTRS);
    if (n < 0)
        return FAIL("%s: malformed attribute list", tag);
    return n;
}

static int server_control(sv__hls_parser *p, const char *v, size_t len)
{
    sv__hls_attr at[SV_HLS_MAX_ATTRS];
    sv__hls_playlist *pl = p->pl;
    int n = split_tag(p, v, len, at, "EXT-X-SERVER-CONTROL");
    for (int i = 0; i < n; i++) {
        const sv__hls_attr *a = &at[i];
        if (is_attr(a, "CAN-BLOCK-RELOAD")) {
            pl->can_block_reload = is_value(a, "YES");
        } else if (is_attr(a, "CAN-SKIP-UNTIL")) {
            if (attr_seconds(a, &pl->can_skip_until) < 0)
                return FAIL("EXT-X-SERVER-CONTROL: CAN-SKIP-UNTIL '%.*s' is not a number of "
                            "seconds", (int)a->value_len, a->value);
        } else if (is_attr(a, "HOLD-BACK")) {
            if (attr_seconds(a, &pl->hold_back) < 0)
                return FAIL("EXT-X-SERVER-CONTROL: HOLD-BACK '%.*s' is not a number of seconds",
                            (int)a->value_len, a->value);
        } else if (is_attr(a, "PART-HOLD-BACK")) {
            if (attr_seconds(a, &pl->part_hold_back) < 0)
                return FAIL("EXT-X-SERVER-CONTROL: PART-HOLD-BACK '%.*s' is not a number of "
                            "seconds", (int)a->value_len, a->value);
        }
    }
    return n < 0 ? n : 0;
}

static int part_inf(sv__hls_parser *p, const char *v, size_t len)
{
    sv__hls_attr at[SV_HLS_MAX_ATTRS];
    int n = split_tag(p, v, len, at, "EXT-X-PART-INF");
    for (int i = 0; i < n; i++)
        if (is_attr(&at[i], "PART-TARGET") &&
            (attr_seconds(&at[i], &p->pl->part_target) < 0 || p->pl->part_target <= 0))
            return FAIL("EXT-X-PART-INF: PART-TARGET '%.*s' is not a positive number of seconds",
                        (int)at[i].value_len, at[i].value);
    if (n >= 0 && !(p->pl->part_target > 0))
        return FAIL("EXT-X-PART-INF without PART-TARGET");
    return n < 0 ? n : 0;
}

static int part(sv__hls_parser *p, const char *v, size_t len)
{
    sv__hls_attr at[SV_HLS_MAX_ATTRS];
    sv__hls_playlist *pl = p->pl;
    int n = split_tag(p, v, len, at, "EXT-X-PART");
    if (n < 0)
        return n;
    const sv__hls_part *prev = pl->nb_parts ? &pl->parts[pl->nb_parts - 1] : NULL;
    int same = prev && prev->sequence == p->next_sequence;
    sv__hls_part *pt = APPEND(p, pl->parts, pl->nb_parts, p->cap_parts, SV_HLS_MAX_PARTS);
    if (!pt)
        return pl->nb_parts >= SV_HLS_MAX_PARTS
                   ? FAIL("too many EXT-X-PART tags (the limit is %d)", SV_HLS_MAX_PARTS)
                   : SV_ERR_NOMEM;
    pt->sequence = p->next_sequence;
    pt->index = same ? prev->index + 1 : 0;
    pt->start = same ? prev->start + prev->duration : pl->duration;
    pt->length = -1;
    pt->duration = -1;
    for (int i = 0; i < n; i++) {
        const sv__hls_attr *a = &at[i];
        if (is_attr(a, "URI")) {
            if (!(pt->uri = sv__hls_resolve(p, a->value, a->value_len)))
                return FAIL("EXT-X-PART: bad URI");
        } else if (is_attr(a, "DURATION")) {
            if (attr_seconds(a, &pt->duration) < 0)
                return FAIL("EXT-X-PART: DURATION '%.*s' is not a number of seconds",
                            (int)a->value_len, a->value);
        } else if (is_attr(a, "INDEPENDENT")) {
            pt->independent = is_value(a, "YES");
        } else if (is_attr(a, "GAP")) {
            pt->gap = is_value(a, "YES");
        } else if (is_attr(a, "BYTERANGE")) {
            if (attr_range(a, &pt->length, &pt->offset) < 0)
                return FAIL("EXT-X-PART: BYTERANGE must be <length>[@<offset>]");
            if (pt->offset < 0)
                pt->offset = same && prev->length >= 0 && prev->uri && pt->uri &&
                                     !strcmp(prev->uri, pt->uri)
                                 ? prev->offset + prev->length
                                 : 0;
        }
    }
    if (!pt->uri)
        return FAIL("EXT-X-PART without URI");
    if (pt->duration < 0)
        return FAIL("EXT-X-PART without DURATION");
    if (pt->length < 0)
        pt->offset = 0;
    p->saw_media_tag = 1;
    return 0;
}

static int preload_hint(sv__hls_parser *p, const char *v, size_t len)
{
    sv__hls_attr at[SV_HLS_MAX_ATTRS];
    sv__hls_playlist *pl = p->pl;
    int n = split_tag(p, v, len, at, "EXT-X-PRELOAD-HINT");
    int is_part = 0;
    const char *uri = NULL;
    int64_t start = 0, length = -1;
    if (n < 0)
        return n;
    for (int i = 0; i < n; i++) {
        const sv__hls_attr *a = &at[i];
        if (is_attr(a, "TYPE")) {
            is_part = is_value(a, "PART");
        } else if (is_attr(a, "URI")) {
            if (!(uri = sv__hls_resolve(p, a->value, a->value_len)))
                return FAIL("EXT-X-PRELOAD-HINT: bad URI");
        } else if (is_attr(a, "BYTERANGE-START")) {
            if (attr_int(a, &start) < 0)
                return FAIL("EXT-X-PRELOAD-HINT: bad BYTERANGE-START");
        } else if (is_attr(a, "BYTERANGE-LENGTH")) {
            if (attr_int(a, &length) < 0)
                return FAIL("EXT-X-PRELOAD-HINT: bad BYTERANGE-LENGTH");
        }
    }
    if (!uri)
        return FAIL("EXT-X-PRELOAD-HINT without URI");
    /* TYPE=MAP hints an init segment the next part will name anyway. */
    if (is_part) {
        pl->preload_uri = uri;
        pl->preload_offset = start;
        pl->preload_length = length;
        pl->preload_sequence = p->next_sequence;
        const sv__hls_part *prev = pl->nb_parts ? &pl->parts[pl->nb_parts - 1] : NULL;
        pl->preload_index = prev && prev->sequence == p->next_sequence ? prev->index + 1 : 0;
    }
    return 0;
}

static int skip(sv__hls_parser *p, const char *v, size_t len)
{
    sv__hls_attr at[SV_HLS_MAX_ATTRS];
    int n = split_tag(p, v, len, at, "EXT-X-SKIP");
    int64_t k = -1;
    if (n < 0)
        return n;
    if (p->sequence_started)
        return FAIL("EXT-X-SKIP after the first segment");
    for (int i = 0; i < n; i++)
        if (is_attr(&at[i], "SKIPPED-SEGMENTS") && attr_int(&at[i], &k) < 0)
            return FAIL("EXT-X-SKIP: SKIPPED-SEGMENTS '%.*s' is not a decimal integer",
                        (int)at[i].value_len, at[i].value);
    if (k < 0)
        return FAIL("EXT-X-SKIP without SKIPPED-SEGMENTS");
    if (k > SV_HLS_MAX_SEGMENTS)
        return FAIL("EXT-X-SKIP: SKIPPED-SEGMENTS %lld is over the limit of %d", (long long)k,
                    SV_HLS_MAX_SEGMENTS);
    p->pl->skipped_segments = k;
    p->next_sequence += k;
    return 0;
}

static int rendition_report(sv__hls_parser *p, const char *v, size_t len)
{
    sv__hls_attr at[SV_HLS_MAX_ATTRS];
    sv__hls_playlist *pl = p->pl;
    int n = split_tag(p, v, len, at, "EXT-X-RENDITION-REPORT");
    if (n < 0)
        return n;
    sv__hls_rendition_report *r =
        APPEND(p, pl->reports, pl->nb_reports, p->cap_reports, SV_HLS_MAX_REPORTS);
    if (!r)
        return pl->nb_reports >= SV_HLS_MAX_REPORTS
                   ? FAIL("too many EXT-X-RENDITION-REPORT tags (the limit is %d)",
                          SV_HLS_MAX_REPORTS)
                   : SV_ERR_NOMEM;
    r->last_msn = r->last_part = -1;
    for (int i = 0; i < n; i++) {
        const sv__hls_attr *a = &at[i];
        if (is_attr(a, "URI")) {
            if (!(r->uri = sv__hls_resolve(p, a->value, a->value_len)))
                return FAIL("EXT-X-RENDITION-REPORT: bad URI");
        } else if (is_attr(a, "LAST-MSN")) {
            if (attr_int(a, &r->last_msn) < 0)
                return FAIL("EXT-X-RENDITION-REPORT: bad LAST-MSN");
        } else if (is_attr(a, "LAST-PART")) {
            if (attr_int(a, &r->last_part) < 0)
                return FAIL("EXT-X-RENDITION-REPORT: bad LAST-PART");
        }
    }
    if (!r->uri)
        return FAIL("EXT-X-RENDITION-REPORT without URI");
    return 0;
}

int sv__hls_ll_tag(sv__hls_parser *p, const char *name, size_t nlen, const char *v, size_t vlen)
{
#define IS(tag) (nlen == sizeof(tag) - 1 && memcmp(name, tag, nlen) == 0)
    if (IS("#EXT-X-SERVER-CONTROL"))
        return server_control(p, v, vlen);
    if (IS("#EXT-X-PART-INF"))
        return part_inf(p, v, vlen);
    if (IS("#EXT-X-PART"))
        return part(p, v, vlen);
    if (IS("#EXT-X-PRELOAD-HINT"))
        return preload_hint(p, v, vlen);
    if (IS("#EXT-X-SKIP"))
        return skip(p, v, vlen);
    if (IS("#EXT-X-RENDITION-REPORT"))
        return rendition_report(p, v, vlen);
#undef IS
    return 1;
}
